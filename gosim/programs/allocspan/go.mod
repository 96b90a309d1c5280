module allocspan

go 1.27
