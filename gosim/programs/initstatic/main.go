// Static data: api imports tz, whose variables the compiler lays out in the
// binary. tz gets no inittask, so api waits for nothing: today api, log,
// main -- not log, api as the spec's sentence suggests if tz counted as a
// package still to initialise. Go 1.19 followed main's imports: log, api.
package main

import _ "st/log"
import _ "st/api"

func init() { println("init main main.go:10") }

func main() {}
