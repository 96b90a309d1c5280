module bootids

go 1.27
