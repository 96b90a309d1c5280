package adotb

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/a.b V")

func init() { println("init ps/a.b adotb.go:7") }
