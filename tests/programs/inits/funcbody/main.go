// x needs y through f and g; w needs z through mutually recursive h1 and h2.
package main

func mark(s string) int { println(s); return 0 }

var x = mark("var main x") + f()

func f() int { return g() }
func g() int { return y }

var w = mark("var main w") + h1(3)

func h1(n int) int {
	if n == 0 {
		return z
	}
	return h2(n - 1)
}

func h2(n int) int { return h1(n) }

func unused() int { return v } // nobody calls it: no variable depends on v through it

var y = mark("var main y")
var z = mark("var main z")
var v = mark("var main v")

func main() {}
