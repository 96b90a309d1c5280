package lib2

func init() { println("init pre/lib2 lib2.go:3") }
