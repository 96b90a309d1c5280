package xdotz

func init() { println("init pp/x.z xdotz.go:3") }
