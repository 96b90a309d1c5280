package b

import _ "dia/d"

func mark(s string) int { println(s); return 0 }

var V = mark("var dia/b V")

func init() { println("init dia/b b.go:9") }
