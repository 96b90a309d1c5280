// timeslice: CPU-bound goroutines measure their own run intervals (meant for GOMAXPROCS=1).
//
// Each goroutine loops reading the monotonic clock and writes its number into a shared "owner" word. Finding
// another goroutine's number there means that goroutine ran since the previous iteration: the interval up to the
// previous reading was one time slice. (A gap in the clock alone is not enough: on a busy machine the OS also
// takes the CPU away from a thread for a while, without the Go scheduler switching goroutines.) Output: one line
// per slice,
//
//	slice <goroutine> <start ns> <end ns>
//
// relative to the program's start. The first and the last interval of each goroutine are cut by the start and the
// stop, so they are marked "partial".
//
// With -sys N, N more goroutines loop on 1 ms nanosleep(2) system calls (through package syscall, so each call
// goes through the runtime's entersyscall and exitsyscall). They do not take part in the measurement: they are
// there to make sysmon take their P from a system call again and again, which resets sysmon's sleep to 20 us.
package main

import (
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type slice struct{ start, end int64 }

var (
	stop  atomic.Bool
	owner atomic.Int64
)

func main() {
	g := flag.Int("g", 2, "number of CPU-bound goroutines")
	d := flag.Duration("d", 500*time.Millisecond, "how long to run")
	sys := flag.Int("sys", 0, "number of goroutines looping on 1 ms nanosleep system calls")
	flag.Parse()

	base := time.Now()
	out := make([][]slice, *g)
	var wg sync.WaitGroup
	for i := 0; i < *g; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			me := int64(i + 1)
			mine := make([]slice, 0, 1024)
			owner.Store(me)
			start := int64(time.Since(base))
			last := start
			for !stop.Load() {
				now := int64(time.Since(base))
				if owner.Load() != me {
					mine = append(mine, slice{start, last})
					start = now
					owner.Store(me)
				}
				last = now
			}
			mine = append(mine, slice{start, last})
			out[i] = mine
		}(i)
	}
	for i := 0; i < *sys; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := syscall.Timespec{Nsec: int64(time.Millisecond)}
			for !stop.Load() {
				syscall.Nanosleep(&ts, nil)
			}
		}()
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
