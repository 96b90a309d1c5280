package x

func init() { println("init pp/x x.go:3") }
