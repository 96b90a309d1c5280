module gcpacing

go 1.27
