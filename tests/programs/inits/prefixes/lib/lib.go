package lib

func init() { println("init pre/lib lib.go:3") }
