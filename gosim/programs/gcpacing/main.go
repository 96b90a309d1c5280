// gcpacing holds a live set and allocates noscan garbage around it at a pace it chooses, so that chapter 4 can
// put the pacer where it wants it: on its upper trigger bound, or under a memory limit below the live heap.
//
// The live set (-live MiB) is either 1 MiB noscan []byte chunks (-shape chunks: almost nothing to scan, so a
// mark is short and the runway the pacer keeps is small) or a []*node slice of 64-byte pointerful nodes (-shape
// nodes: every node holds pointers, so a mark visits every one of them and is long). Then the program allocates -churn MiB of -size KiB noscan
// []byte objects, each followed by -spin rounds of arithmetic (the mutator's CPU per byte), and every -every
// objects a -sleep: while the only goroutine sleeps its P is idle and runs the idle mark worker, so a mark ends
// before much is allocated, and the pacer's runway is short.
//
// After every GC cycle it prints one "cycle" line read from runtime/metrics (the same names as gcchurn, plus the
// CPU limiter's /gc/limiter/last-enabled), and at the end a "summary" line.
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

var (
	liveChunks [][]byte
	liveNodes  []*node
	sinkBytes  []byte
	spinSink   uint64
)

func spin(n int) {
	x := spinSink
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	spinSink = x
}

func main() {
	liveMiB := flag.Int("live", 32, "live set in MiB")
	churnMiB := flag.Int("churn", 256, "garbage to allocate after the live set is built, in MiB")
	shape := flag.String("shape", "chunks", "live set shape: chunks (1 MiB noscan) or nodes (64 B pointerful)")
	sizeKiB := flag.Int("size", 4, "size of each garbage object, in KiB")
	spinN := flag.Int("spin", 0, "rounds of arithmetic after each garbage object")
	pause := flag.Duration("sleep", 0, "how long to sleep after every -every garbage objects (0: never)")
	every := flag.Int("every", 1, "garbage objects between two sleeps")
	flag.Parse()

	lines := gcmetrics.New(
		gcmetrics.Metric{Short: "total_s", Name: "/cpu/classes/total:cpu-seconds"},
		gcmetrics.Metric{Short: "limiter_cycle", Name: "/gc/limiter/last-enabled:gc-cycle"},
	)
	poll := lines.Poll // a "cycle" line after every GC cycle
	start := time.Now()

	live := *liveMiB << 20
	switch *shape {
	case "chunks":
		liveChunks = make([][]byte, 0, *liveMiB)
		for i := 0; i < *liveMiB; i++ {
			liveChunks = append(liveChunks, make([]byte, 1<<20))
			poll()
		}
	case "nodes":
		liveNodes = make([]*node, 0, live/64)
		for i := 0; i < live/64; i++ {
			liveNodes = append(liveNodes, &node{})
			if i%256 == 0 {
				poll()
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown -shape", *shape)
		os.Exit(2)
	}
	built := time.Since(start)

	size := *sizeKiB << 10
	churn := *churnMiB << 20
	for done, n := 0, 1; done < churn; done, n = done+size, n+1 {
		sinkBytes = make([]byte, size)
		spin(*spinN)
		if *pause > 0 && n%*every == 0 {
			time.Sleep(*pause)
		}
		poll()
	}
	runtime.KeepAlive(liveChunks)
	runtime.KeepAlive(liveNodes)
	fmt.Printf("%s seconds=%.6f build_seconds=%.6f gomaxprocs=%d\n", lines.Line("summary"),
		time.Since(start).Seconds(), built.Seconds(), runtime.GOMAXPROCS(0))
}
