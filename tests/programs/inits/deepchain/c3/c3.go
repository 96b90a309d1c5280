package c3

import _ "deep/c4"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c3 V")

func init() { println("init deep/c3 c3.go:9") }
