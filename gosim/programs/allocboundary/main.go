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
// Then it allocates 2000 objects of 48 bytes, first without pointers ([]byte) and then with pointers ([]*byte,
// a scan span), and prints the longest run of consecutive slots (each 48 bytes after the one before): how many
// objects a span of that span class holds.
//
//	slots bytes=48 pointers=false|true run=N
package main

import (
	"fmt"
	"unsafe"
	"runtime"
	"runtime/metrics"
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
	const size = 48
	for _, pointers := range []bool{false, true} {
		addrs := make([]uintptr, 2000)
		for i := range addrs {
			if pointers {
				o := make([]*byte, size/8)
				keep = append(keep, o)
				addrs[i] = uintptr(unsafe.Pointer(&o[0]))
			} else {
				o := make([]byte, size)
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
