// Chapter 2's exercise on static data: api imports tz, whose variables are constants the compiler lays out in
// the binary. tz gets no inittask, so api waits for nothing: today's order is api, log, main -- not log, api
// as "initialize the first package, sorted by path, whose imports are initialized" would suggest if tz were
// a package still to be initialized.
package main

import _ "st/log"
import _ "st/api"

func init() { println("init main main.go:10") }

func main() {}
