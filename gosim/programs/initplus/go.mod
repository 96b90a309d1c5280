module pp

go 1.19
