module manyinits

go 1.19
