// schedwork: the scheduler model's other workloads as real programs, to run under GODEBUG=schedtrace.
//
//	schedwork -w syscall -g 20 -d 500ms   goroutines alternate ~50us of work with ~500us blocking syscalls
//	schedwork -w fanout  -g 100 -d 500ms  rounds: start g workers (~100us of work each), collect their results
//	schedwork -w prodcons -g 20 -d 500ms  g/2 producers and g/2 consumers over a channel of capacity 16
//	schedwork ... -trace out.trace         also write a runtime/trace
//
// Work (schedutil.Work) is a busy loop on the monotonic clock; the syscall (schedutil.Nanosleep) is a raw
// nanosleep(2) through syscall.Syscall, which goes through entersyscall/exitsyscall (time.Sleep would park the
// goroutine on a timer instead). It prints how many work items and syscalls were done.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"schedutil"
)

var stop atomic.Bool

func main() {
	w := flag.String("w", "syscall", "workload: syscall, fanout, prodcons")
	g := flag.Int("g", 20, "goroutines")
	d := flag.Duration("d", 500*time.Millisecond, "duration")
	traceFile := flag.String("trace", "", "write a runtime/trace to this file")
	flag.Parse()
	defer schedutil.StartTrace(*traceFile)()
	var items, calls atomic.Int64
	var wg sync.WaitGroup
	switch *w {
	case "syscall":
		for i := 0; i < *g; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := rand.New(rand.NewSource(int64(i)))
				for !stop.Load() {
					schedutil.Work(schedutil.Exp(r, 50*time.Microsecond))
					schedutil.Nanosleep(schedutil.Exp(r, 500*time.Microsecond))
					calls.Add(1)
				}
			}(i)
		}
		time.Sleep(*d)
		stop.Store(true)
		wg.Wait()
	case "fanout":
		r := rand.New(rand.NewSource(1))
		start := time.Now()
		for time.Since(start) < *d {
			results := make(chan int, *g) // buffered: a worker sends and returns at once
			for i := 0; i < *g; i++ {
				go func(t time.Duration) { schedutil.Work(t); results <- 1 }(schedutil.Exp(r, 100*time.Microsecond))
			}
			for i := 0; i < *g; i++ {
				items.Add(int64(<-results))
			}
		}
	case "prodcons":
		ch := make(chan int, 16)
		var prod sync.WaitGroup
		for i := 0; i < max(1, *g/2); i++ {
			prod.Add(1)
			go func(i int) {
				defer prod.Done()
				r := rand.New(rand.NewSource(int64(i)))
				for !stop.Load() {
					schedutil.Work(schedutil.Exp(r, 50*time.Microsecond))
					ch <- 1
				}
			}(i)
		}
		for i := 0; i < max(1, *g-*g/2); i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := rand.New(rand.NewSource(int64(1000 + i)))
				for range ch {
					schedutil.Work(schedutil.Exp(r, 50*time.Microsecond))
					items.Add(1)
				}
			}(i)
		}
		time.Sleep(*d)
		stop.Store(true)
		prod.Wait()
		close(ch)
		wg.Wait()
	default:
		panic("unknown workload " + *w)
	}
	fmt.Println("items", items.Load())
	fmt.Println("syscalls", calls.Load())
}
