// The linker compares inittask symbol names, PathToPrefix(path)+"..inittask": ps/a.b is ps/a%2eb, and
// '%' < '-' < '.' < '/' < upper case < '_' < lower case. Expected: B, a.b, a-b, a.-x/y, a, a/b, a_b, ab.
package main

import _ "ps/ab"
import _ "ps/a/b"
import _ "ps/a_b"
import _ "ps/a"
import _ "ps/B"
import _ "ps/a.b"
import _ "ps/a-b"
import _ "ps/a.-x/y"

func init() { println("init main main.go:14") }

func main() {}
