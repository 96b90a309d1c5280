package b

func init() { println("init n/b b.go:3") }
