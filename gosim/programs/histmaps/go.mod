module histmaps

go 1.27
