package pv1

func init() { println("init example.com/x.y/v1 pv1.go:3") }
