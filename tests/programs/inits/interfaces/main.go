// a calls T.M through the interface i: not a reference, so a runs before late (and sees late == 0);
// b calls T.M directly: a reference, so b waits for late.
package main

func mark(s string) int { println(s); return 0 }

type I interface{ M() int }
type T struct{}

func (T) M() int { return late }

func newI() I {
	mark("var main i")
	return T{}
}

var i I = newI()
var a = mark("var main a") + i.M()
var b = mark("var main b") + T{}.M()
var late = mark("var main late") + 1

func main() {}
