module crossfile

go 1.19
