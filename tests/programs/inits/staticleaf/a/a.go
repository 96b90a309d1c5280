package a

import "sl/z"

func init() { println("init sl/a a.go:5") }

func Z() int { return z.Z }
