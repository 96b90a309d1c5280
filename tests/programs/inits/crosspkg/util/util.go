package util

func mark(s string) int { println(s); return 0 }

var Y = mark("var cp/util Y")

func init() { println("init cp/util util.go:7") }
