module allocmix

go 1.27
