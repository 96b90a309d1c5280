// schedpair: two goroutines hand the CPU to each other while a third waits in the global run queue (meant for
// GOMAXPROCS=1). It shows which hand-offs start a new time slice (a schedtick) and how often findRunnable looks
// at the global queue.
//
// A and B take turns: each, when it runs, adds one to a shared counter and wakes the other through an unbuffered
// channel, then blocks until woken itself. A wake-up puts the woken goroutine in the P's runnext slot.
//
//	-via runnext   the woken partner stays in runnext and runs next: it inherits the running time slice
//	-via ring      after waking its partner, the goroutine also wakes C (which only blocks again at once): C
//	               takes runnext and pushes the partner to the tail of the local ring, so the partner, taken
//	               from the ring, starts a new time slice
//
// W loops on runtime.Gosched, which puts it at the tail of the global run queue. Each time W runs, it records
// the counter. Output: one line per W run after the first,
//
//	w <counter difference since W's previous run>
//
// then "runs <counter>" (A's and B's runs in all). With -w 2, two such goroutines wait in the global queue.
package main

import (
	"flag"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

var (
	n    atomic.Int64
	stop atomic.Bool
)

func main() {
	via := flag.String("via", "ring", "how the pair hands over: runnext or ring")
	k := flag.Int("k", 40, "how many runs of each W to record")
	nw := flag.Int("w", 1, "how many goroutines wait in the global queue")
	flag.Parse()
	ring := *via == "ring"

	toA, toB, toC := make(chan int), make(chan int), make(chan int)
	go func() { // C: woken only to push the partner out of runnext; blocks again at once
		for range toC {
		}
	}()
	partner := func(in, out chan int) {
		for range in {
			if stop.Load() {
				return
			}
			n.Add(1)
			out <- 1
			if ring {
				toC <- 1
			}
		}
	}
	go partner(toA, toB)
	go partner(toB, toA)
	// Let C, A and B run until each waits in its receive, so that every wake-up below finds its goroutine
	// waiting (otherwise a sender could find its partner not yet receiving, block, and change the pattern).
	time.Sleep(time.Millisecond)

	done := make(chan [][]int64)
	for w := 0; w < *nw; w++ {
		go func() {
			seen := make([]int64, 0, *k+1)
			for len(seen) <= *k {
				seen = append(seen, n.Load())
				runtime.Gosched()
			}
			done <- [][]int64{seen}
		}()
	}
	toA <- 1 // start the pair; main blocks until every W is done
	var all [][]int64
	for w := 0; w < *nw; w++ {
		all = append(all, (<-done)...)
	}
	stop.Store(true)
	for _, seen := range all {
		for i := 1; i < len(seen); i++ {
			fmt.Printf("w %d\n", seen[i]-seen[i-1])
		}
	}
	fmt.Printf("runs %d\n", n.Load())
}
