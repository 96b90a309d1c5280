package z

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/z V")

func init() { println("init deep/z z.go:7") }
