module sl

go 1.19
