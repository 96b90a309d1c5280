// schedspin: short-lived goroutines woken at intervals, for the chapter's "Spinning threads".
//
//	schedspin -k 4 -work 50us -every 1ms -d 1s
//
// Every -every, main starts -k goroutines that each compute for -work (a loop reading the clock) and exit, then
// sleeps again (time.Sleep). Each `go` statement and each wake-up of main readies a goroutine while Ps are idle,
// so the scheduler wakes a spinning M (wakep) to look for it. At the end it prints the ticks done, the goroutines
// started, the process's CPU time (getrusage: user and system, ns), the wall time (ns), and the OS threads
// (Threads: in /proc/self/status); -trace FILE also writes a runtime/trace. Run it with GODEBUG=schedtrace=N to see spinningthreads= and idleprocs=.
package main

import (
	"flag"
	"fmt"
	"sync"
	"syscall"
	"time"

	"schedutil"
)

func cpuNS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func main() {
	k := flag.Int("k", 4, "goroutines started per tick")
	w := flag.Duration("work", 50*time.Microsecond, "each goroutine's work")
	every := flag.Duration("every", time.Millisecond, "main's sleep between ticks")
	d := flag.Duration("d", time.Second, "duration")
	traceFile := flag.String("trace", "", "write a runtime/trace to this file")
	flag.Parse()
	defer schedutil.StartTrace(*traceFile)()
	var wg sync.WaitGroup
	start := time.Now()
	cpu0 := cpuNS()
	ticks, started := 0, 0
	for time.Since(start) < *d {
		for i := 0; i < *k; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				schedutil.Work(*w)
			}()
			started++
		}
		ticks++
		time.Sleep(*every)
	}
	wg.Wait()
	fmt.Println("ticks", ticks)
	fmt.Println("goroutines", started)
	fmt.Println("cpu_ns", cpuNS()-cpu0)
	fmt.Println("wall_ns", int64(time.Since(start)))
	fmt.Println("threads", schedutil.OSThreads())
}
