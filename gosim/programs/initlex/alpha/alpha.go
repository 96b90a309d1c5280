package alpha

import "lexorder/mid"

func mark(s string) int { println(s); return 0 }

var A = mark("var lexorder/alpha A") + mid.M

func init() { println("init lexorder/alpha alpha.go:9") }
