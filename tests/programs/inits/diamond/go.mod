module dia

go 1.19
