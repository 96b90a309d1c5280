// Only a dot in the last path element is escaped (%2e): v1.2 sorts first, then v1-2, then v1;
// the dots of example.com and w.z are left alone.
package main

import _ "example.com/x.y/v1"
import _ "example.com/x.y/v1-2"
import _ "example.com/x.y/v1.2"
import _ "example.com/x.y/w.z/q"
import _ "example.com/x.y/w"

func init() { println("init main main.go:11") }

func main() {}
