// Box[int]{}.Get() selects a method of an instantiated type: go/types records no dependency (the method
// object is not the declared one), so a1 runs before b2 and sees 0; Go 1.19's compiler saw it (b2 first).
// A generic function, g[int], is a dependency for both.
package main

func mark(s string) int { println(s); return 0 }

type Box[T any] struct{ v T }

func (b Box[T]) Get() int { return b2 }

func g[T any]() int { return c3 }

var a1 = mark("var main a1") + Box[int]{}.Get()
var b2 = mark("var main b2")
var d4 = mark("var main d4") + g[int]()
var c3 = mark("var main c3")

func main() {}
