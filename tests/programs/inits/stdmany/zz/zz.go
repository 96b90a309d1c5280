package zz

func init() { println("init stdmany/zz zz.go:3") }
