// Five packages that import nothing, under paths a `+`, a dot in the last
// element and a dot in an inner element tell apart: the linker compares
// PathToPrefix(path)+"..inittask", the spec's sentence the paths themselves.
package main

import _ "pp/x_y"
import _ "pp/x.y/z"
import _ "pp/x"
import _ "pp/x.z"
import _ "pp/x+y"

func init() { println("init main main.go:12") }

func main() {}
