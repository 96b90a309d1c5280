package pw

func init() { println("init example.com/x.y/w pw.go:3") }
