package main

func init() { println("init main b.go:3") }

var b1 = mark("var main b1") + c1

func init() { println("init main b.go:7") }
