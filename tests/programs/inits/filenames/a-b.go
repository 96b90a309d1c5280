package main

var v_adashb = mark("var main v_adashb")

func init() { println("init main a-b.go:5") }
