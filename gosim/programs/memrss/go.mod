module memrss

go 1.27
