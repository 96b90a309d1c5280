package main

import "lab/alpha"

var t = mark("var main t") + alpha.A

func init() { println("init main test.go:7") }
