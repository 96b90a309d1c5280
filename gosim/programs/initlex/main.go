// The fact sheet's lexorder (P1): main imports zeta first, alpha second; alpha imports mid. Since Go 1.21
// the ready package that sorts first goes first (mid, alpha, zeta); Go 1.19 followed the imports (zeta first).
package main

import "lexorder/zeta"
import "lexorder/alpha"

func mark(s string) int { println(s); return 0 }

func g(x int) int { return x + 1 }

var b = mark("var main b") + g(a)
var a = mark("var main a") + zeta.Z + alpha.A

func init() { println("init main main.go:15") }

func main() {}
