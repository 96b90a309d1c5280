// Box[int]{}.Get() refers to a method of an instantiated generic type whose
// body reads b2: by the spec, a1 depends on b2. go/types (so today's compiler)
// records no dependency through it and runs a1 first; Go 1.19's compiler saw
// it (b2 first). A generic function, g[int], is a dependency for both.
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
