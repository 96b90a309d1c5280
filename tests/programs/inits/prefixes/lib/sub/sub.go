package sub

func init() { println("init pre/lib/sub sub.go:3") }
