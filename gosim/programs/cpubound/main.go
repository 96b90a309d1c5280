// cpubound: N goroutines spin in loops while main sleeps, then main stops them and prints how much work each did.
//
//	cpubound -g 20 -d 500ms            call-free loops: only asynchronous preemption (SIGURG) can stop them
//	cpubound -g 20 -d 500ms -calls     loops that call a function: cooperative preemption at the prologue works
//	cpubound -g 20 -d 500ms -leaf      loops that call only a small leaf function: it has no prologue check
//	cpubound -trace out.trace          also write a runtime/trace of the run
//
// Run it with GODEBUG=schedtrace=100 to see the scheduler's view. With GODEBUG=asyncpreemptoff=1 and call-free
// loops, main never runs again after its sleep (the loops never reach a preemption point): run it with a timeout.
package main

import (
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"schedutil"
)

var stop atomic.Bool

// spin has no calls in its loop: the atomic load is an intrinsic (a plain MOV on amd64), so the loop contains no
// function prologue and therefore no stack check where a cooperative preemption request could be noticed.
func spin(work *uint64) {
	n := uint64(0)
	for !stop.Load() {
		n++
	}
	*work = n
}

// step is not a leaf (it calls leaf), so the compiler gives it the stack-check prologue. A small leaf function
// gets none (it is marked NOSPLIT automatically), and calling it is no preemption point: a loop around
// leaf alone starves under asyncpreemptoff just like a call-free loop.
//
//go:noinline
func step(n uint64) uint64 { return leaf(n) + 1 }

//go:noinline
func leaf(n uint64) uint64 { return n }

// spinLeaf calls leaf each iteration: a call, but into a function without the stack check, so no preemption
// point either.
func spinLeaf(work *uint64) {
	n := uint64(0)
	for !stop.Load() {
		n = leaf(n) + 1
	}
	*work = n
}

// spinCalls calls step each iteration: step's prologue compares SP with g.stackguard0, which preemptone sets to
// stackPreempt, so the goroutine yields cooperatively.
func spinCalls(work *uint64) {
	n := uint64(0)
	for !stop.Load() {
		n = step(n)
	}
	*work = n
}

func main() {
	g := flag.Int("g", 20, "number of spinning goroutines")
	d := flag.Duration("d", 500*time.Millisecond, "how long main sleeps before stopping them")
	calls := flag.Bool("calls", false, "loop with a function call (cooperative preemption point)")
	leafOnly := flag.Bool("leaf", false, "loop calling only a small leaf function (no preemption point)")
	traceFile := flag.String("trace", "", "write a runtime/trace to this file")
	flag.Parse()

	defer schedutil.StartTrace(*traceFile)()

	work := make([]uint64, *g)
	var wg sync.WaitGroup
	for i := 0; i < *g; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			switch {
			case *calls:
				spinCalls(&work[i])
			case *leafOnly:
				spinLeaf(&work[i])
			default:
				spin(&work[i])
			}
		}(i)
	}
	time.Sleep(*d)
	stop.Store(true)
	wg.Wait()
	for i, w := range work {
		fmt.Printf("work g%d %d\n", i, w)
	}
}
