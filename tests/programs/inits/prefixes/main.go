// Prefixes: "pre/li..inittask" < "pre/lib-x.." < "pre/lib.." < "pre/lib/sub.." < "pre/lib2.." < "pre/libx..";
// a plain sort of the paths would put lib before lib-x.
package main

import _ "pre/libx"
import _ "pre/lib2"
import _ "pre/lib/sub"
import _ "pre/lib-x"
import _ "pre/lib"
import _ "pre/li"

func init() { println("init main main.go:12") }

func main() {}
