module initdata

go 1.22
