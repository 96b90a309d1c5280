// cgroupprobe: CPU-bound goroutines under a cgroup CPU quota, and a probe that measures its own wake-up latency.
//
// Run it inside a cgroup with a CPU quota (gosim/toolchain/cgroup.py starts it there). It prints
//
//	gomaxprocs <runtime.GOMAXPROCS(0)> numcpu <runtime.NumCPU()>
//	rule <ncpu> <procs>          with -rule: what the runtime's own defaultGOMAXPROCS(ncpu) answers here
//	gap <worker> <start ns> <end ns>   a worker's clock jumped by more than -gap: its thread was off the CPU
//	probe <late ns>              how late each of the probe's -tick sleeps woke up
//	done <ns>
//
// With -shrink T it runs no workers: at T it restricts every thread of the process to its first allowed CPU
// (sched_setaffinity on each task in /proc/self/task), at T+-restore puts the old CPU set back, and watches
// runtime.GOMAXPROCS(0) every millisecond until -d, printing
//
//	affinity <ns> <CPUs now allowed>
//	watch <ns> <GOMAXPROCS>      at the start and whenever it changed
//
// sysmon re-evaluates the default GOMAXPROCS (which counts the CPUs sched_getaffinity allows) at most once a
// second, so on a 2-CPU machine this is the one way to see the automatic update happen.
//
// Times are relative to the program's start. The workers (-w, default GOMAXPROCS) loop reading the monotonic
// clock: an interval between two readings longer than -gap means the thread did not run, because the kernel
// throttled the cgroup (its quota for the period was used up) or another process had the CPU. The probe sleeps
// -tick again and again, like a server waiting for its next request, and reports how late it woke.
//
// -rule calls runtime.defaultGOMAXPROCS(ncpu), the function schedinit and sysmon use, through a linkname (build
// with -ldflags=-checklinkname=0): with ncpu > 0 it skips sched_getaffinity and applies the cgroup limit the
// runtime opened at start-up to that CPU count, so the rule can be seen for more CPUs than the machine has.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

//go:linkname defaultGOMAXPROCS runtime.defaultGOMAXPROCS
func defaultGOMAXPROCS(ncpu int32) int32

type gap struct{ start, end int64 }

var stop atomic.Bool

func main() {
	w := flag.Int("w", 0, "CPU-bound goroutines (0: GOMAXPROCS)")
	d := flag.Duration("d", time.Second, "how long to run")
	tick := flag.Duration("tick", time.Millisecond, "the probe's sleep")
	minGap := flag.Duration("gap", 2*time.Millisecond, "shortest clock jump reported as a gap")
	rule := flag.String("rule", "", "comma-separated CPU counts to ask runtime.defaultGOMAXPROCS about")
	shrink := flag.Duration("shrink", 0, "watch mode: when to restrict the process to one CPU")
	restore := flag.Duration("restore", 1500*time.Millisecond, "watch mode: how long after -shrink to restore")
	flag.Parse()

	fmt.Printf("gomaxprocs %d numcpu %d\n", runtime.GOMAXPROCS(0), runtime.NumCPU())
	if *rule != "" {
		for _, f := range strings.Split(*rule, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "-rule: %q is not a positive CPU count\n", f)
				os.Exit(2)
			}
			fmt.Printf("rule %d %d\n", n, defaultGOMAXPROCS(int32(n)))
		}
	}
	if *d <= 0 {
		return
	}
	if *shrink > 0 {
		watch(*d, *shrink, *restore)
		return
	}
	workers := *w
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	base := time.Now()
	limit := int64(*minGap)
	gaps := make([][]gap, workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mine := make([]gap, 0, 256)
			last := int64(time.Since(base))
			for !stop.Load() {
				now := int64(time.Since(base))
				if now-last > limit {
					mine = append(mine, gap{last, now})
				}
				last = now
			}
			gaps[i] = mine
		}(i)
	}
	late := make([]int64, 0, 4096)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			t0 := time.Now()
			time.Sleep(*tick)
			late = append(late, int64(time.Since(t0)-*tick))
		}
	}()
	time.Sleep(*d)
	stop.Store(true)
	wg.Wait()
	end := int64(time.Since(base))
	for i, mine := range gaps {
		for _, g := range mine {
			fmt.Printf("gap %d %d %d\n", i, g.start, g.end)
		}
	}
	for _, l := range late {
		fmt.Printf("probe %d\n", l)
	}
	fmt.Printf("done %d\n", end)
}

// affinity sets the CPU mask of every thread of the process; it returns how many CPUs the mask allows.
func affinity(mask []byte) int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot list threads:", err)
		os.Exit(1)
	}
	for _, e := range entries {
		tid, _ := strconv.Atoi(e.Name())
		_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), uintptr(len(mask)),
			uintptr(unsafe.Pointer(&mask[0])))
		if errno != 0 && errno != syscall.ESRCH {
			fmt.Fprintln(os.Stderr, "sched_setaffinity:", errno)
			os.Exit(1)
		}
	}
	n := 0
	for _, b := range mask {
		for ; b != 0; b >>= 1 {
			n += int(b & 1)
		}
	}
	return n
}

func watch(d, shrink, restore time.Duration) {
	orig := make([]byte, 1024)
	r, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, uintptr(len(orig)),
		uintptr(unsafe.Pointer(&orig[0])))
	if errno != 0 {
		fmt.Fprintln(os.Stderr, "sched_getaffinity:", errno)
		os.Exit(1)
	}
	orig = orig[:r]
	one := make([]byte, len(orig))
	for i, b := range orig { // keep the lowest allowed CPU only
		if b != 0 {
			one[i] = b & -b
			break
		}
	}
	base := time.Now()
	last := runtime.GOMAXPROCS(0)
	fmt.Printf("watch 0 %d\n", last)
	shrunk, restored := false, false
	for {
		now := time.Since(base)
		if now >= d {
			break
		}
		if !shrunk && now >= shrink {
			fmt.Printf("affinity %d %d\n", int64(time.Since(base)), affinity(one))
			shrunk = true
		}
		if shrunk && !restored && now >= shrink+restore {
			fmt.Printf("affinity %d %d\n", int64(time.Since(base)), affinity(orig))
			restored = true
		}
		if p := runtime.GOMAXPROCS(0); p != last {
			fmt.Printf("watch %d %d\n", int64(time.Since(base)), p)
			last = p
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Printf("done %d\n", int64(time.Since(base)))
}
