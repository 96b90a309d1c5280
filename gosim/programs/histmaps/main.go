// histmaps measures the heap a map takes per entry: it fills a map[int64]int64 with -n entries between two
// runtime.GC() calls and prints how much HeapAlloc grew, in bytes per entry. Chapter 3's History runs it under
// every release: Go 1.24 replaced the bucket map (8 entries per bucket, average load 6.5; 6 in Go 1.21) with
// Swiss tables (8 slots per group, maximum load 7/8).
package main

import (
	"flag"
	"fmt"
	"runtime"
)

var sink map[int64]int64

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	n := flag.Int("n", 100000, "entries")
	flag.Parse()
	before := heapAlloc()
	sink = make(map[int64]int64)
	for i := 0; i < *n; i++ {
		sink[int64(i)] = int64(i)
	}
	after := heapAlloc()
	fmt.Printf("entries %d bytes %d\n", *n, after-before)
	runtime.KeepAlive(sink)
}
