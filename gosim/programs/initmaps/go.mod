module initmaps

go 1.21
