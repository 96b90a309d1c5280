package c1

import _ "deep/c2"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c1 V")

func init() { println("init deep/c1 c1.go:9") }
