// histleak leaks three goroutines (each blocked receiving from a channel that nothing else can reach) and asks
// for the goroutine-leak profile: `pprof.Lookup("goroutineleak")` is nil where the release has no such profile;
// where it has one, writing it first runs a GC cycle that finds the leaked goroutines, and its count says how
// many it found. Chapter 4's History runs it under every release (an experiment in Go 1.26, on in 1.27).
// Run it with GOMAXPROCS=1: each goroutine signals, then blocks before main runs again.
package main

import (
	"fmt"
	"io"
	"runtime/pprof"
	"sync"
)

func leak(wg *sync.WaitGroup) {
	ch := make(chan int)
	go func() {
		wg.Done()
		<-ch // nobody else holds ch: this goroutine can never run again
	}()
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		leak(&wg)
		wg.Wait()
	}
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		fmt.Println("goroutineleak profile: none")
		return
	}
	if err := p.WriteTo(io.Discard, 1); err != nil {
		fmt.Println("goroutineleak profile: error", err)
		return
	}
	fmt.Println("goroutineleak profile: leaked", p.Count())
}
