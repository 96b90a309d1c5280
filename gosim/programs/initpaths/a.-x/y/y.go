package y

func mark(s string) int { println(s); return 0 }

var V = mark("var ps/a.-x/y V")

func init() { println("init ps/a.-x/y y.go:7") }
