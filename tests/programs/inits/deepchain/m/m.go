package m

import _ "deep/c7"

func mark(s string) int { println(s); return 0 }

var V = mark("var deep/m V")

func init() { println("init deep/m m.go:9") }
