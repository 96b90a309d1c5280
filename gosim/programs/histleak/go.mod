module histleak

go 1.27
