module blank

go 1.19
