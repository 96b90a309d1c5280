package api

import "st/tz"

func init() { println("init st/api api.go:5") }

// Zone names the time zone the API reports.
func Zone() string { return tz.Name }
