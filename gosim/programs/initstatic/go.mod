module st

go 1.19
