module gcchurn

go 1.27
