package c5

import _ "deep/c6"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c5 V")

func init() { println("init deep/c5 c5.go:9") }
