module initregister

go 1.22
