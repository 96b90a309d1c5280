module schedsleep

go 1.27
