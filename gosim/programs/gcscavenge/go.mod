module gcscavenge

go 1.27
