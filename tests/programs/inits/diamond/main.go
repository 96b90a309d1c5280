// main imports b, a, c; a and b import d; d imports e. Since 1.21: c, e, d, a, b; Go 1.19: e, d, b, a, c.
package main

import _ "dia/b"
import _ "dia/a"
import _ "dia/c"

func init() { println("init main main.go:8") }

func main() {}
