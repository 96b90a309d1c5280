// Chapter 2's program: main.go imports zeta, test.go alpha, alpha imports
// mid; every step prints itself. Go 1.21+: mid, alpha, zeta, main. Go 1.19:
// zeta, mid, alpha, main (imports depth first, first file first), and
// renaming test.go to a.go changes that order, not today's.
package main

import "lab/zeta"

func mark(s string) int { println(s); return 0 }

var total = mark("var main total") + count()
var n = mark("var main n") + zeta.Z

func count() int { return n + 1 }

func init() { println("init main main.go:16") }

func main() { println("main.main") }
