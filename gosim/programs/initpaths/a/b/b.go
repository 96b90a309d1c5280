package b

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/a/b V")

func init() { println("init ps/a/b b.go:7") }
