// timeslice: CPU-bound goroutines measure their own run intervals (meant for GOMAXPROCS=1).
//
// Each goroutine loops reading the monotonic clock. A gap longer than -gap between two readings means it was
// descheduled: the interval before the gap was one time slice. Output: one line per slice,
//
//	slice <goroutine> <start ns> <end ns>
//
// relative to the program's start. The first and the last interval of each goroutine are cut by the start and the
// stop, so they are marked "partial".
package main

import (
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

type slice struct{ start, end int64 }

var stop atomic.Bool

func main() {
	g := flag.Int("g", 2, "number of CPU-bound goroutines")
	d := flag.Duration("d", 500*time.Millisecond, "how long to run")
	gap := flag.Duration("gap", 200*time.Microsecond, "a clock gap longer than this ends a slice")
	flag.Parse()

	base := time.Now()
	out := make([][]slice, *g)
	var wg sync.WaitGroup
	for i := 0; i < *g; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var mine []slice
			start := int64(time.Since(base))
			last := start
			for !stop.Load() {
				now := int64(time.Since(base))
				if now-last > int64(*gap) {
					mine = append(mine, slice{start, last})
					start = now
				}
				last = now
			}
			mine = append(mine, slice{start, last})
			out[i] = mine
		}(i)
	}
	time.Sleep(*d)
	stop.Store(true)
	wg.Wait()
	for i, ss := range out {
		for j, s := range ss {
			tag := ""
			if j == 0 || j == len(ss)-1 {
				tag = " partial"
			}
			fmt.Printf("slice %d %d %d%s\n", i, s.start, s.end, tag)
		}
	}
}
