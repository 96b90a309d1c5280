// Files in byte order: Z.go (upper case first), a-b.go, a.go, a_b.go, ab.go, x_linux.go.
// _skip.go (leading underscore) and y_windows.go (another GOOS) are not part of the package.
package main

func mark(s string) int { println(s); return 0 }

var v_a = mark("var main v_a")

func init() { println("init main a.go:9") }

func main() {}
