// Box[int]{}.Get() refers to a method of an instantiated generic type whose
// body reads b2: by the spec, a1 depends on b2. types2 (so the compiler since
// Go 1.20) records no dependency through it and runs a1 first: the method it
// selects is a new object made for Box[int], not the declared Box.Get, and
// addDeclDep keeps only package-level objects. The same happens inside a
// generic function's body (h calls Box[X].Get), so e5 runs before b2 too.
// Go 1.19's compiler saw both (b2 first). A generic function, g[int], is a
// dependency for both.
package main

func mark(s string) int { println(s); return 0 }

type Box[T any] struct{ v T }

func (b Box[T]) Get() int { return b2 }

func g[T any]() int { return c3 }

func h[X any]() int { return Box[X]{}.Get() }

var a1 = mark("var main a1") + Box[int]{}.Get()
var e5 = mark("var main e5") + h[int]()
var b2 = mark("var main b2")
var d4 = mark("var main d4") + g[int]()
var c3 = mark("var main c3")

func main() {}
