module gcsparse

go 1.27
