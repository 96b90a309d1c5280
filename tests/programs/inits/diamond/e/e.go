package e

func mark(s string) int { println(s); return 0 }

var V = mark("var dia/e V")

func init() { println("init dia/e e.go:7") }
