// init functions run after all variables: file order, then source order.
package main

func mark(s string) int { println(s); return 0 }

func init() { println("init main a.go:6") }

var a1 = mark("var main a1")

func init() { println("init main a.go:10") }
func init() { println("init main a.go:11") }

func main() {}
