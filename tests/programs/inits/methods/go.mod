module methods

go 1.19
