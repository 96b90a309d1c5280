package m

func init() { println("init sl/m m.go:3") }
