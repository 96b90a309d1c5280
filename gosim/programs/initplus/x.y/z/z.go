package z

func init() { println("init pp/x.y/z z.go:3") }
