package tz

// Name and Offset are static data: no code runs to set them.
var Name = "UTC"
var Offset = 0
