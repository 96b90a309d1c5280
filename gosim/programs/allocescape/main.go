// allocescape is the seed's example: does new(int) allocate on the heap?
//
// test returns the address of a new int, so that int must outlive test's frame: escape analysis moves it to the
// heap (today through runtime.mallocgcTinySC2, in Go 1.10 runtime.newobject). When the compiler inlines test into
// main, the pointer never leaves main, and the int lives in main's frame, or in no memory at all. Build with
// -gcflags=-m to see the compiler's reasoning, and with -gcflags="-m -l" to turn inlining off.
package main

func test() *int {
	x := new(int)
	*x = 0xAABB
	return x
}

func main() {
	println(*test())
}
