package pq

func init() { println("init example.com/x.y/w.z/q pq.go:3") }
