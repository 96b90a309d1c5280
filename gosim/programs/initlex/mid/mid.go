package mid

func mark(s string) int { println(s); return 0 }

var M = mark("var lexorder/mid M")

func init() { println("init lexorder/mid mid.go:7") }
