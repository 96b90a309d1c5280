// A variable of main uses lib.X and util.Y: other packages are initialised first, whatever the order of
// declarations; inside lib, X waits for its own helper variable.
package main

import "cp/util"
import "cp/lib"

func mark(s string) int { println(s); return 0 }

var m = mark("var main m") + lib.X + util.Y

func init() { println("init main main.go:12") }

func main() {}
