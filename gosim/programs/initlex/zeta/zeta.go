package zeta

func mark(s string) int { println(s); return 0 }

var Z = mark("var lexorder/zeta Z")

func init() { println("init lexorder/zeta zeta.go:7") }
