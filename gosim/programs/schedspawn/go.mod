module schedspawn

go 1.27
