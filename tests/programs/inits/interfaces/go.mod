module interfaces

go 1.19
