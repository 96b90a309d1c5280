// gcmark builds an object graph read from a file and times the collector marking it: the real-Go side of
// benchmarks/bench_gc.py, which marks the same graph with gosim's vectorised engine (gosim.gc.markvec).
//
// The file (little-endian int32): n, k, r; then n rows of k pointer fields (the index of the target node, -1 for
// nil); then r root indices. Every node is one heap object with k pointer fields (k <= 4 here; 16 bytes for
// k = 2); the roots are held by a global slice. After building, one runtime.GC() frees nothing reachable and
// settles the heap; then each of -rounds forced cycles is timed. Run with GODEBUG=gctrace=1 to get each cycle's
// concurrent-mark wall time from the trace.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

type node2 struct{ p [2]*node2 }
type node4 struct{ p [4]*node4 }

var roots2 []*node2
var roots4 []*node4

func main() {
	path := flag.String("graph", "", "graph file")
	rounds := flag.Int("rounds", 5, "forced GC cycles to time")
	flag.Parse()
	data, err := os.ReadFile(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	word := func(i int) int32 { return int32(binary.LittleEndian.Uint32(data[4*i:])) }
	n, k, r := int(word(0)), int(word(1)), int(word(2))
	fields := 3
	rootsAt := fields + n*k
	switch {
	case k <= 2:
		nodes := make([]*node2, n)
		for i := range nodes {
			nodes[i] = &node2{}
		}
		for i := range nodes {
			for j := 0; j < k; j++ {
				if t := word(fields + i*k + j); t >= 0 {
					nodes[i].p[j] = nodes[t]
				}
			}
		}
		for i := 0; i < r; i++ {
			roots2 = append(roots2, nodes[word(rootsAt+i)])
		}
	case k <= 4:
		nodes := make([]*node4, n)
		for i := range nodes {
			nodes[i] = &node4{}
		}
		for i := range nodes {
			for j := 0; j < k; j++ {
				if t := word(fields + i*k + j); t >= 0 {
					nodes[i].p[j] = nodes[t]
				}
			}
		}
		for i := 0; i < r; i++ {
			roots4 = append(roots4, nodes[word(rootsAt+i)])
		}
	default:
		fmt.Fprintln(os.Stderr, "at most 4 pointer fields per node")
		os.Exit(2)
	}
	data = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	best := time.Duration(1 << 62)
	for i := 0; i < *rounds; i++ {
		start := time.Now()
		runtime.GC()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	fmt.Printf("gcmark nodes=%d fields=%d roots=%d heap_objects=%d rounds=%d best_gc_ns=%d gomaxprocs=%d\n",
		n, k, r, ms.HeapObjects, *rounds, best.Nanoseconds(), runtime.GOMAXPROCS(0))
	runtime.KeepAlive(roots2)
	runtime.KeepAlive(roots4)
}
