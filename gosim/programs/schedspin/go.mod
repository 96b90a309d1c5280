module schedspin

go 1.27
