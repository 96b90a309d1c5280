package li

func init() { println("init pre/li li.go:3") }
