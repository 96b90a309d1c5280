module cp

go 1.19
