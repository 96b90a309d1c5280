package x_y

func init() { println("init pp/x_y x_y.go:3") }
