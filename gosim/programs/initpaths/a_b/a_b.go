package a_b

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/a_b V")

func init() { println("init ps/a_b a_b.go:7") }
