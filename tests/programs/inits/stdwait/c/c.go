package c

import "errors"

func init() { println("init n/c c.go:5") }

func New() error { return errors.New("c") }
