// lockedpingpong: two goroutines pass a token back and forth over unbuffered channels, first both free, then
// with one of them locked to its thread (runtime.LockOSThread). It prints, for each,
//
//	<mode> rounds <n> ns_per_round <ns> ctxsw_per_round <voluntary context switches of the process per round>
//
// A free goroutine that blocks lets its M run the next goroutine: a round trip is two goroutine switches on one
// thread. A locked goroutine's M cannot run anything else: when it blocks, schedule calls stoplockedm (the M hands
// its P to another M and sleeps); when it is readied, the M that finds it calls startlockedm (hands the P over,
// wakes the locked M, sleeps itself). Run it with GOMAXPROCS=1 to see the hand-offs alone.
package main

import (
	"flag"
	"fmt"
	"runtime"
	"syscall"
	"time"
)

func nvcsw() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Nvcsw
}

func pingpong(n int, lock bool) (time.Duration, int64) {
	ping, pong := make(chan int), make(chan int)
	done := make(chan bool)
	go func() {
		if lock {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		for v := range ping {
			pong <- v + 1
		}
		done <- true
	}()
	ping <- 0 // warm up: both goroutines exist and have run once
	<-pong
	cs := nvcsw()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	cs = nvcsw() - cs
	close(ping)
	<-done
	return elapsed, cs
}

func main() {
	n := flag.Int("n", 20000, "round trips")
	flag.Parse()
	for _, lock := range []bool{false, true} {
		d, cs := pingpong(*n, lock)
		mode := "free"
		if lock {
			mode = "locked"
		}
		fmt.Printf("%s rounds %d ns_per_round %d ctxsw_per_round %.2f\n", mode, *n, d.Nanoseconds()/int64(*n),
			float64(cs)/float64(*n))
	}
}
