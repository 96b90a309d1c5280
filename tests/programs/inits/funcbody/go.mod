module funcbody

go 1.19
