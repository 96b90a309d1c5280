package alpha

import "lab/mid"

func mark(s string) int { println(s); return 0 }

var A = mark("var lab/alpha A") + mid.M

func init() { println("init lab/alpha alpha.go:9") }
