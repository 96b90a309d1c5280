module allocseq

go 1.27
