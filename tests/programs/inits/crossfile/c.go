package main

var c = mark("var main c") + e
var e = mark("var main e")

func init() { println("init main c.go:6") }
