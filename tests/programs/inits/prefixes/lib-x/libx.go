package libx

func init() { println("init pre/lib-x libx.go:3") }
