package bigb

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/B V")

func init() { println("init ps/B bigb.go:7") }
