module consts

go 1.19
