package c0

import _ "deep/c1"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/c0 V")

func init() { println("init deep/c0 c0.go:9") }
