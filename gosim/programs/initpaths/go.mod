module ps

go 1.19
