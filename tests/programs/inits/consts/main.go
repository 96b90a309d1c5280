// n = len(x) is a constant that mentions x. go/types takes constants first (go.dev/issue/66575), so y
// stops waiting for x and runs first; Go 1.19 had folded n to 3 already.
package main

func mark(s string) int { println(s); return 0 }

var y = mark("var main y") + n
var x = [3]int{mark("var main x"), 0, 0}

const n = len(x)

var w = mark("var main w")

func main() {}
