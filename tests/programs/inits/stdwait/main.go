// n/a needs os, n/c needs errors, n/d needs only sync/atomic (no inittask), n/b nothing: the user
// packages are scheduled among the standard library's, not in their own sorted order.
package main

import _ "n/a"
import _ "n/b"
import _ "n/c"
import _ "n/d"

func init() { println("init main main.go:10") }

func main() {}
