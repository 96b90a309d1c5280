module stdmany

go 1.19
