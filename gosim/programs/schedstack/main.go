// schedstack: a goroutine recurses with a fixed-size frame and notices every time its stack is copied.
//
// Each call's prologue compares SP with g.stackguard0; when the frame would not fit, morestack → newstack
// allocates a stack twice as big and copystack moves the used part, adjusting every pointer into the stack.
// The goroutine keeps a pointer to a local of its first frame (adjusted by copystack) and, as a plain number
// (not adjusted), the address it had: when the two differ, the stack has moved. Output:
//
//	frame <bytes of stack per recursion level>
//	move <depth> <bytes used from the first frame's local down to this frame's local>
package main

import (
	"flag"
	"fmt"
	"unsafe"
)

type move struct {
	depth int
	used  uintptr
}

var (
	moves     []move
	level     uintptr // bytes of stack per level: the distance between depth 1's and depth 2's locals
	firstHere uintptr
	sink      byte
)

// rec has a frame of a fixed size: the array is kept on the stack (it does not escape) and touched so that the
// compiler keeps it.
//
//go:noinline
func rec(depth, max int, top *byte, was *uintptr) byte {
	var pad [200]byte
	pad[depth%len(pad)] = byte(depth)
	here := uintptr(unsafe.Pointer(&pad[0]))
	if now := uintptr(unsafe.Pointer(top)); now != *was {
		moves = append(moves, move{depth, now - here})
		*was = now
	}
	switch depth {
	case 1:
		firstHere = here
	case 2:
		level = firstHere - here
	}
	if depth == max {
		return pad[0]
	}
	return rec(depth+1, max, top, was) + pad[depth%len(pad)]
}

func main() {
	max := flag.Int("depth", 200, "recursion depth")
	flag.Parse()
	done := make(chan struct{})
	go func() {
		var first byte
		top := &first
		was := uintptr(unsafe.Pointer(top))
		sink = rec(1, *max, top, &was)
		close(done)
	}()
	<-done
	fmt.Println("frame", level)
	for _, m := range moves {
		fmt.Println("move", m.depth, m.used)
	}
}
