package a

import "os"

func init() { println("init n/a a.go:5") }

func Args() []string { return os.Args }
