// Blank variables are initialised like any other, in their place.
package main

func mark(s string) int { println(s); return 0 }

func pair(s, t string) (int, int) {
	println(s)
	println(t)
	return 0, 0
}

var _ = mark("var main _")
var x = mark("var main x") + y
var _ = mark("var main _") + y
var y = mark("var main y")
var _, z = pair("var main _", "var main z")

func init() { println("init main main.go:18") }

func main() {}
