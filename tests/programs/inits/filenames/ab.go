package main

var v_ab = mark("var main v_ab")

func init() { println("init main ab.go:5") }
