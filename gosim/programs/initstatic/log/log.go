package log

func init() { println("init st/log log.go:3") }
