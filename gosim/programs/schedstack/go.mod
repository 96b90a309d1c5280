module schedstack

go 1.27
