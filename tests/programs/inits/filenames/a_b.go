package main

var v_a_b = mark("var main v_a_b")

func init() { println("init main a_b.go:5") }
