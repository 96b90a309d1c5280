package main

var c1 = mark("var main c1")

func init() { println("init main c.go:5") }
func init() { println("init main c.go:6") }
