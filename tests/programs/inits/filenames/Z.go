package main

var v_z = mark("var main v_z")

func init() { println("init main Z.go:5") }
