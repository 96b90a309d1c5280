package pv12

func init() { println("init example.com/x.y/v1.2 pv12.go:3") }
