// allocquiz answers three of chapter 3's exercises with the real runtime (run it with GOMAXPROCS=1):
//
//	tiny blocks=B offsets=O1,O2,...   five pointer-free objects of 1, 8, 3, 15 and 4 bytes, allocated one after
//	                                  another right after a collection (which empties the P's tiny block): how
//	                                  many distinct 16-byte blocks hold them, and each one's offset in its block
//	append cap=C                      cap(append([]*int(nil), src...)) for a src of 70 pointers
//	escape allocs=A                   heap allocations per call of f, by testing.AllocsPerRun
package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

var (
	t1 *[1]byte
	t2 *int64
	t3 *[3]byte
	t4 *[15]byte
	t5 *[4]byte
)

func tiny() {
	runtime.GC()
	t1 = new([1]byte)
	t2 = new(int64)
	t3 = new([3]byte)
	t4 = new([15]byte)
	t5 = new([4]byte)
	addrs := []uintptr{uintptr(unsafe.Pointer(t1)), uintptr(unsafe.Pointer(t2)), uintptr(unsafe.Pointer(t3)),
		uintptr(unsafe.Pointer(t4)), uintptr(unsafe.Pointer(t5))}
	blocks := map[uintptr]bool{}
	offsets := []string{}
	for _, a := range addrs {
		blocks[a&^15] = true
		offsets = append(offsets, fmt.Sprint(a&15))
	}
	fmt.Printf("tiny blocks=%d offsets=%s\n", len(blocks), strings.Join(offsets, ","))
}

var src = make([]*int, 70)

//go:noinline
func f(n int) int {
	a := make([]byte, 64<<10)
	b := make([]byte, 64<<10+1)
	p := new(int)
	a[n], b[n], *p = 1, 2, n
	return int(a[n]) + int(b[n]) + *p
}

var sink int

func main() {
	tiny()
	s := append([]*int(nil), src...)
	fmt.Printf("append cap=%d\n", cap(s))
	allocs := testing.AllocsPerRun(100, func() { sink = f(1) })
	fmt.Printf("escape allocs=%v\n", allocs)
}
