package zeta

func mark(s string) int { println(s); return 0 }

var Z = mark("var lab/zeta Z")

func init() { println("init lab/zeta zeta.go:7") }
