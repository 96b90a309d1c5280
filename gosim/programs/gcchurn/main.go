// gcchurn keeps a steady live set and allocates garbage around it, so the collector runs cycle after cycle at
// a steady state that the pacer model can be checked against (chapter 4, gosim.gc.mgcpacer).
//
// The live set (-live MiB) is held in one of four shapes: noscan 1 KiB []byte chunks (cheap to mark), a
// []*node slice of 64-byte pointerful nodes (dense: Green Tea batches them per span), the same with 48-byte
// nodes (ptrslice48) or a linked list of 64-byte nodes (no locality to batch). Then the program churns until -churn MiB more have been allocated: each
// iteration builds a 256-node list of 64-byte nodes (16 KiB of pointerful garbage) and one 4 KiB []byte that
// escapes through a global (without the global, escape analysis would put it on the stack).
//
// After every GC cycle it prints one "cycle" line read from runtime/metrics: the goal the next cycle is paced
// against and the inputs the pacer computed it from (heapMarked, stack and globals scan bytes, and what the
// memory-limit goal needs: mapped, released, free and object bytes). At the end a "summary" line gives the
// totals the model needs for the same workload: bytes allocated, mutator and GC CPU, scan work.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"gcmetrics"
)

type node struct {
	next *node
	prev *node
	val  [6]uint64
}

// node48 is a 48-byte pointerful node (size class 48), for the ptrslice48 shape.
type node48 struct {
	next *node48
	val  [5]uint64
}

var (
	liveNodes48 []*node48
	sinkBytes   []byte
	sinkList    *node
	liveBytes   [][]byte
	liveNodes   []*node
	liveList    *node
)

func main() {
	liveMiB := flag.Int("live", 16, "live set in MiB")
	churnMiB := flag.Int("churn", 512, "garbage to allocate after the live set is built, in MiB")
	shape := flag.String("shape", "noscan", "live set shape: noscan, ptrslice, ptrslice48 or list")
	flag.Parse()

	lines := gcmetrics.New(
		gcmetrics.Metric{Short: "scavenge_s", Name: "/cpu/classes/scavenge/total:cpu-seconds"},
		gcmetrics.Metric{Short: "total_s", Name: "/cpu/classes/total:cpu-seconds"},
	)
	poll := lines.Poll // a "cycle" line after every GC cycle
	start := time.Now()

	live := *liveMiB << 20
	switch *shape {
	case "noscan":
		for i := 0; i < live/1024; i++ {
			liveBytes = append(liveBytes, make([]byte, 1024))
			if i%16 == 0 {
				poll()
			}
		}
	case "ptrslice":
		liveNodes = make([]*node, 0, live/64)
		for i := 0; i < live/64; i++ {
			liveNodes = append(liveNodes, &node{})
			if i%256 == 0 {
				poll()
			}
		}
	case "ptrslice48":
		liveNodes48 = make([]*node48, 0, live/48)
		for i := 0; i < live/48; i++ {
			liveNodes48 = append(liveNodes48, &node48{})
			if i%256 == 0 {
				poll()
			}
		}
	case "list":
		for i := 0; i < live/64; i++ {
			liveList = &node{next: liveList}
			if i%256 == 0 {
				poll()
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown -shape", *shape)
		os.Exit(2)
	}
	built := time.Since(start)

	churn := *churnMiB << 20
	for done := 0; done < churn; done += 256*64 + 4096 {
		var head *node
		for j := 0; j < 256; j++ {
			head = &node{next: head}
		}
		sinkList = head
		sinkBytes = make([]byte, 4096)
		poll()
	}
	runtime.KeepAlive(liveBytes)
	runtime.KeepAlive(liveNodes)
	runtime.KeepAlive(liveList)
	runtime.KeepAlive(liveNodes48)
	fmt.Printf("%s seconds=%.6f build_seconds=%.6f gomaxprocs=%d\n", lines.Line("summary"),
		time.Since(start).Seconds(), built.Seconds(), runtime.GOMAXPROCS(0))
}
