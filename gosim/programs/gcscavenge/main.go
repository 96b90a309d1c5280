// gcscavenge shows the heap's memory going back to the operating system after a burst (chapter 4, History).
//
// It allocates a burst of -burst MiB in 64 KiB []byte chunks and writes to every page (so the kernel really backs
// them: RSS grows), drops the burst, and lets the collector free it (runtime.GC). The freed pages stay mapped:
// they are "free" heap memory until the background scavenger (bgscavenge, runtime/mgcscavenge.go) returns them
// with madvise(MADV_DONTNEED), a few at a time (about 1 % of one CPU), keeping some over the heap goal. It skips
// chunks that were densely used in this GC cycle or the last (likely to be reused soon), so nothing goes back
// until a second cycle has passed: the program watches -first after the GC that frees the burst, then runs one
// more runtime.GC and watches -watch. Every -every it prints one "sample" line: seconds since the drop, the
// process's RSS (/proc/self/statm), and the runtime's own view (runtime/metrics: heap objects, free, released,
// mapped, the goal, GC cycles). Finally it calls debug.FreeOSMemory, which scavenges everything at once.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

var burst [][]byte

var samples = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/gc/heap/goal:bytes"},
	{Name: "/gc/cycles/total:gc-cycles"},
}

var short = []string{"objects", "free", "released", "mapped", "goal", "cycles"}

func rss() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseUint(fields[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func sample(phase string, t time.Duration) {
	metrics.Read(samples)
	out := fmt.Sprintf("sample phase=%s t=%.3f rss=%d", phase, t.Seconds(), rss())
	for i, s := range samples {
		out += fmt.Sprintf(" %s=%d", short[i], s.Value.Uint64())
	}
	fmt.Println(out)
}

func main() {
	burstMiB := flag.Int("burst", 256, "burst size in MiB")
	first := flag.Duration("first", 300*time.Millisecond, "how long to watch after the GC that frees the burst")
	watch := flag.Duration("watch", 1200*time.Millisecond, "how long to watch after the second GC")
	every := flag.Duration("every", 50*time.Millisecond, "sampling interval")
	flag.Parse()

	sample("start", 0)
	const chunk = 64 << 10
	for i := 0; i < *burstMiB<<20/chunk; i++ {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		burst = append(burst, b)
	}
	sample("burst", 0)
	burst = nil
	runtime.GC()
	start := time.Now()
	for time.Since(start) < *first {
		sample("gc1", time.Since(start))
		time.Sleep(*every)
	}
	runtime.GC()
	second := time.Since(start)
	for time.Since(start) < second+*watch {
		sample("gc2", time.Since(start))
		time.Sleep(*every)
	}
	debug.FreeOSMemory()
	sample("freeosmemory", time.Since(start))
}
