module filenames

go 1.19
