package ab

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/ab V")

func init() { println("init ps/ab ab.go:7") }
