package xplusy

func init() { println("init pp/x+y xplusy.go:3") }
