module example.com/x.y

go 1.19
