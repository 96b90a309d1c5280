package a

import _ "dia/d"

func mark(s string) int { println(s); return 0 }

var V = mark("var dia/a V")

func init() { println("init dia/a a.go:9") }
