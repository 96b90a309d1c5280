module schedpair

go 1.27
