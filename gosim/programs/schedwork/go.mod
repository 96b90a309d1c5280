module schedwork

go 1.27
