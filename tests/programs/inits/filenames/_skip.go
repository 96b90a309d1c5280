package main

var v__skip = mark("var main v__skip")

func init() { println("init main _skip.go:5") }
