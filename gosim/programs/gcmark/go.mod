module gcmark

go 1.27
