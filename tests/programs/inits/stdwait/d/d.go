package d

import "sync/atomic"

var _ atomic.Int32

func init() { println("init n/d d.go:7") }
