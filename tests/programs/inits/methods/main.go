// A method mentioned in an initializer is a dependency: called on a value, on a pointer, promoted
// through an embedded field, or only named (method expression T.m, method value t.m).
package main

func mark(s string) int { println(s); return 0 }

type T struct{ n int }

func (t T) Value() int { return t.n + late1 }
func (t *T) Ptr() int  { return late2 }
func (T) Other() int   { return late3 }
func (T) Other2() int  { return late4 }

type Outer struct{ T }

var a = mark("var main a") + T{}.Value()
var b = mark("var main b") + (&T{}).Ptr()
var c = mark("var main c") + Outer{}.Value()
var fexpr = keepExpr(mark("var main fexpr"), T.Other)
var fval = keepValue(mark("var main fval"), T{}.Other2)

func keepExpr(_ int, f func(T) int) func(T) int { return f }
func keepValue(_ int, f func() int) func() int  { return f }

var late4 = mark("var main late4")
var late3 = mark("var main late3")
var late2 = mark("var main late2")
var late1 = mark("var main late1")
var e = mark("var main e")

func main() {}
