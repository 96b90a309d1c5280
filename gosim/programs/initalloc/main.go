// What GODEBUG=inittrace=1 counts for a package: ia/buf's init allocates
// twice on the init goroutine.
package main

import "ia/buf"

func main() { println(len(buf.B), len(buf.P)) }
