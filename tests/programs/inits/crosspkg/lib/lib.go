package lib

import "cp/util"

func mark(s string) int { println(s); return 0 }

var X = mark("var cp/lib X") + helper + util.Y
var helper = mark("var cp/lib helper")

func init() { println("init cp/lib lib.go:10") }
