// z has only static data: the compiler gives it no inittask, so a does not wait for it and runs first.
// (With an init in z, the lexicographic rule would give m, z, a.)
package main

import _ "sl/m"
import _ "sl/a"
import _ "sl/z"

func init() { println("init main main.go:9") }

func main() {}
