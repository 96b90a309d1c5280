// var a, b = two(...) is one initializer (both names at once); var c, d = ..., ... are two.
package main

func mark(s string) int { println(s); return 0 }

func two(s, t string, _ int) (int, int) {
	println(s)
	println(t)
	return 0, 0
}

var a, b = two("var main a", "var main b", c)
var c, d = mark("var main c"), mark("var main d") + a
var e = mark("var main e")

func main() {}
