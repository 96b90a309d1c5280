// A function literal's references belong to the declaration it appears in, called or not.
package main

func mark(s string) int { println(s); return 0 }

var a = mark("var main a") + func() int { return b }()
var f = keep(mark("var main f"), func() int { return c })
var b = mark("var main b")
var c = mark("var main c")
var g = keep(mark("var main g"), nil)
var h = mark("var main h") + mk()()

func keep(_ int, f func() int) func() int { return f }
func mk() func() int                      { return func() int { return d } }

var d = mark("var main d")

func main() {}
