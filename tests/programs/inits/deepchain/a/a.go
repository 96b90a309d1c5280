package a

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/a V")

func init() { println("init deep/a a.go:7") }
