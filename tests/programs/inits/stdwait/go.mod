module n

go 1.19
