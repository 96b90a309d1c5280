// gcsparse keeps a live set of 64-byte pointerful nodes spread thinly over their spans: it allocates -every
// nodes in a row and keeps the first of each group in a []*node slice, so each 8 KiB span holds about
// 1/every of its slots live (chapter 4, "Green Tea in depth": whether scanSpan takes the packed scan depends on
// how many objects one span visit finds marked). The collector is off while the live set is built, so no sweep
// hands the dropped slots back to the allocator before the pattern is complete; then it churns until -churn MiB
// of garbage were allocated, in 96-byte nodes and 4 KiB []byte (other size classes: the live spans' free slots
// stay free). Run it with GODEBUG=gctrace=2 and read the 64-byte class's span scan counts.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

type node struct {
	next *node
	prev *node
	val  [6]uint64
}

// junk is a 96-byte pointerful node (size class 96): churn that does not land in the live set's spans.
type junk struct {
	next *junk
	val  [11]uint64
}

var (
	liveNodes []*node
	sinkNode  *node
	sinkList  *junk
	sinkBytes []byte
)

func main() {
	liveMiB := flag.Int("live", 4, "live nodes in MiB")
	every := flag.Int("every", 8, "keep one node of every this many allocated in a row")
	churnMiB := flag.Int("churn", 128, "garbage to allocate after the live set is built, in MiB")
	flag.Parse()
	if *every < 1 || *liveMiB < 1 || *churnMiB < 0 {
		fmt.Fprintln(os.Stderr, "need -every >= 1, -live >= 1, -churn >= 0")
		os.Exit(2)
	}

	old := debug.SetGCPercent(-1)
	n := *liveMiB << 20 / 64
	liveNodes = make([]*node, 0, n)
	for i := 0; i < n; i++ {
		keep := &node{}
		for j := 1; j < *every; j++ {
			sinkNode = &node{} // escapes through the global, dropped by the next one
		}
		liveNodes = append(liveNodes, keep)
	}
	sinkNode = nil
	debug.SetGCPercent(old)

	churn := *churnMiB << 20
	for done := 0; done < churn; done += 128*96 + 4096 {
		var head *junk
		for j := 0; j < 128; j++ {
			head = &junk{next: head}
		}
		sinkList = head
		sinkBytes = make([]byte, 4096)
	}
	runtime.KeepAlive(liveNodes)
	fmt.Printf("nodes=%d every=%d gomaxprocs=%d\n", len(liveNodes), *every, runtime.GOMAXPROCS(0))
}
