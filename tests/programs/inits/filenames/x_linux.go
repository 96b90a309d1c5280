package main

var v_x_linux = mark("var main v_x_linux")

func init() { println("init main x_linux.go:5") }
