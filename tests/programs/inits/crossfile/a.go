// Variables depend on variables of other files: the dependency wins over file order.
package main

func mark(s string) int { println(s); return 0 }

var a = mark("var main a") + c

func init() { println("init main a.go:8") }

func main() {}
