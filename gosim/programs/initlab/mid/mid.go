package mid

func mark(s string) int { println(s); return 0 }

var M = mark("var lab/mid M")

func init() { println("init lab/mid mid.go:7") }
