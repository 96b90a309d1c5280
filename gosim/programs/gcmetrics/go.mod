module gcmetrics

go 1.19
