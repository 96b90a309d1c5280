package main

var b = mark("var main b") + a
var d = mark("var main d")
