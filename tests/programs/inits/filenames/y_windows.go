package main

var v_y_windows = mark("var main v_y_windows")

func init() { println("init main y_windows.go:5") }
