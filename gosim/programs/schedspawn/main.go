// schedspawn: what a goroutine's life costs the runtime. main starts N goroutines that do nothing (wg.Done and
// return) and waits for them (wg.Wait), R times; each round prints its wall time and the process's CPU time (user
// + system, every thread) per goroutine. The simulator does the same in its "empty" workload
// (gosim.sched.workloads.empty), and benchmarks/bench_sched.py sets the two side by side.
//
//	schedspawn -n 100000 -r 7
//
// Output: one line per round, then the best round:
//
//	round <i> goroutines <n> wall_ns <ns> cpu_ns <ns> ns_per_goroutine <wall/n> cpu_ns_per_goroutine <cpu/n>
//	best ns_per_goroutine <min wall/n> cpu_ns_per_goroutine <cpu/n of that round> done <goroutines that ran>
package main

import (
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	n := flag.Int("n", 100000, "goroutines per round")
	rounds := flag.Int("r", 5, "rounds")
	flag.Parse()

	var done atomic.Int64
	best, bestCPU := time.Duration(1<<62), time.Duration(0)
	for r := 0; r < *rounds; r++ {
		var wg sync.WaitGroup
		wg.Add(*n)
		cpu0, t0 := cpuNow(), time.Now()
		for i := 0; i < *n; i++ {
			go func() {
				done.Add(1)
				wg.Done()
			}()
		}
		wg.Wait()
		wall, cpu := time.Since(t0), cpuNow()-cpu0
		fmt.Printf("round %d goroutines %d wall_ns %d cpu_ns %d ns_per_goroutine %.1f cpu_ns_per_goroutine %.1f\n",
			r, *n, wall.Nanoseconds(), cpu.Nanoseconds(), float64(wall)/float64(*n), float64(cpu)/float64(*n))
		if wall < best {
			best, bestCPU = wall, cpu
		}
	}
	fmt.Printf("best ns_per_goroutine %.1f cpu_ns_per_goroutine %.1f done %d\n",
		float64(best)/float64(*n), float64(bestCPU)/float64(*n), done.Load())
}
