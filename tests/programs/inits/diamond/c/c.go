package c

func mark(s string) int { println(s); return 0 }

var V = mark("var dia/c V")

func init() { println("init dia/c c.go:7") }
