module initspec

go 1.21
