// The seed's init example (notes on Go 1.10), rebuilt: two init functions
// here, one in test.go, one in package lib, a blank import of net/http. It
// prints sum.init, main.init.2, main.init.1, test.init, 6. (go.mod says
// go 1.19 so that Debian's Go 1.19 can build the same program.)
package main

import (
	_ "net/http"
)

func init() {
	println("main.init.2")
}

func main() {
	test()
}

func init() {
	println("main.init.1")
}
