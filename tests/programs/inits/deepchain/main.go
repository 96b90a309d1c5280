// A chain c0 -> c1 -> ... -> c7 beside leaves a and z, and m (which needs the chain's end c7).
package main

import _ "deep/z"
import _ "deep/c0"
import _ "deep/m"
import _ "deep/a"

func init() { println("init main main.go:9") }

func main() {}
