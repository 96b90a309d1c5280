package c4

import _ "deep/c5"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c4 V")

func init() { println("init deep/c4 c4.go:9") }
