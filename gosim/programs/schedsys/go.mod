module schedsys

go 1.27
