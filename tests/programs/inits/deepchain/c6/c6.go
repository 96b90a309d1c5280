package c6

import _ "deep/c7"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c6 V")

func init() { println("init deep/c6 c6.go:9") }
