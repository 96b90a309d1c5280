// Chapter 2's teaching program: main.go imports zeta, test.go imports alpha, alpha imports mid. Every
// initializer and init prints its step as gosim.inits writes it. Since Go 1.21: mid, alpha, zeta, main (the
// ready package whose path sorts first); Go 1.19: zeta, mid, alpha, main (main's imports depth first, first
// file first) -- and renaming test.go to a.go changes that one, not today's.
package main

import "lab/zeta"

func mark(s string) int { println(s); return 0 }

var total = mark("var main total") + count()
var n = mark("var main n") + zeta.Z

func count() int { return n + 1 }

func init() { println("init main main.go:16") }

func main() { println("main.main") }
