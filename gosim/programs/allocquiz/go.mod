module allocquiz

go 1.27
