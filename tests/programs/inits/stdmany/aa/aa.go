package aa

import _ "net/http"

func init() { println("init stdmany/aa aa.go:5") }
