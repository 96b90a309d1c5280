module allocescape

go 1.27
