package libx

func init() { println("init pre/libx libx.go:3") }
