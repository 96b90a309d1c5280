package d

import _ "dia/e"

func mark(s string) int { println(s); return 0 }

var V = mark("var dia/d V")

func init() { println("init dia/d d.go:9") }
