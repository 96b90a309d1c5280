module gcspecials

go 1.27
