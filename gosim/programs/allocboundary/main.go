// allocboundary shows where the real runtime puts the line between small and large objects.
//
// For each byte count and kind (a []byte, or a []*byte of the same byte count), it collects, reads
// /gc/heap/allocs-by-size:bytes, allocates one object (kept alive), collects again and reads the histogram again.
// The collections flush the mcache, so the object's bucket is exactly the one that grew. It prints one line per
// object:
//
//	bytes=N pointers=false|true large=true|false bucket=I
//
// where bucket I is the index of the histogram bucket that grew (the last bucket holds large objects).
// Then, with the GC off, for slot sizes on both sides of initSpan's reservations (8, 16, 48, 64, 512 and 576
// bytes), it allocates 2500 objects filling such slots, without pointers ([]byte) and with pointers ([]*byte, a
// scan span; above 512 bytes 8 bytes less, for the malloc header), and prints the longest run of consecutive
// slots (each N bytes after the one before): how many objects a span of that span class holds.
//
//	slots bytes=N pointers=false|true run=R
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"unsafe"
)

var keep []any

func histogram() []uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}}
	metrics.Read(s)
	return append([]uint64(nil), s[0].Value.Float64Histogram().Counts...)
}

func main() {
	sizes := []int{32752, 32760, 32761, 32768}
	for _, pointers := range []bool{false, true} {
		for _, n := range sizes {
			if pointers && n%8 != 0 {
				continue
			}
			runtime.GC()
			before := histogram()
			if pointers {
				keep = append(keep, make([]*byte, n/8))
			} else {
				keep = append(keep, make([]byte, n))
			}
			runtime.GC()
			after := histogram()
			grew := -1
			for i := range after {
				if after[i] > before[i] {
					grew = i
				}
			}
			fmt.Printf("bytes=%d pointers=%v large=%v bucket=%d\n", n, pointers, grew == len(after)-1, grew)
		}
	}
	// The slot runs: no collection in between, so no span leaves the mcache half used.
	debug.SetGCPercent(-1)
	for _, slot := range []struct {
		size     uintptr
		pointers bool
	}{
		{8, true}, // an 8-byte object without pointers would be tiny
		{16, false}, {16, true},
		{48, false}, {48, true},
		{64, false}, {64, true},
		{512, false}, {512, true},
		{576, false}, {576, true},
	} {
		size, pointers := slot.size, slot.pointers
		request := size
		if pointers && size > 512 {
			request -= 8 // the malloc header shares the slot
		}
		addrs := make([]uintptr, 2500)
		for i := range addrs {
			if pointers {
				o := make([]*byte, request/8)
				keep = append(keep, o)
				addrs[i] = uintptr(unsafe.Pointer(&o[0]))
			} else {
				o := make([]byte, request)
				keep = append(keep, o)
				addrs[i] = uintptr(unsafe.Pointer(&o[0]))
			}
		}
		run, best := 1, 1
		for i := 1; i < len(addrs); i++ {
			if addrs[i]-addrs[i-1] == size {
				run++
			} else {
				run = 1
			}
			best = max(best, run)
		}
		fmt.Printf("slots bytes=%d pointers=%v run=%d\n", size, pointers, best)
	}
}
