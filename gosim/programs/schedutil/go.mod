module schedutil

go 1.19
