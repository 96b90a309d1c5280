module seedinit

go 1.19
