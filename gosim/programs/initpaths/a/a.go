package a

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/a V")

func init() { println("init ps/a a.go:7") }
