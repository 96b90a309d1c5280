package c2

import _ "deep/c3"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c2 V")

func init() { println("init deep/c2 c2.go:9") }
