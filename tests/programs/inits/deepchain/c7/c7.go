package c7

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c7 V")

func init() { println("init deep/c7 c7.go:7") }
