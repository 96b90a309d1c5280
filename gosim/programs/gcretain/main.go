// gcretain shows how much free heap memory the background scavenger leaves mapped, cycle after cycle
// (chapter 4, gosim.gc.mgcscavenge).
//
// It keeps -live MiB of 64 KiB []byte chunks, allocates a -burst MiB of 64 KiB chunks and touches every page,
// drops the burst, and then calls runtime.GC -gcs times, each followed by a -watch pause (the scavenger is a
// background goroutine: it works while the program sleeps); after the last call it waits until the scavenger has
// released nothing for -quiet. After each call, at once, every -every during the pause and at its end, it prints
// one "sample" line from runtime/metrics: the heap goal, the bytes in in-use heap spans
// (objects + unused), the free heap pages still mapped, the released ones, and the GC cycle count.
package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"
)

var (
	live  [][]byte
	burst [][]byte
)

var samples = []metrics.Sample{
	{Name: "/gc/heap/goal:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/gc/cycles/total:gc-cycles"},
	{Name: "/gc/gomemlimit:bytes"},
	{Name: "/memory/classes/total:bytes"},
}

var short = []string{"goal", "objects", "unused", "free", "released", "cycles", "memlimit", "total"}

func sample(phase string, gc int) {
	metrics.Read(samples)
	out := fmt.Sprintf("sample phase=%s gc=%d", phase, gc)
	for i, s := range samples {
		out += fmt.Sprintf(" %s=%d", short[i], s.Value.Uint64())
	}
	fmt.Println(out)
}

func released() uint64 {
	metrics.Read(samples)
	return samples[4].Value.Uint64()
}

func chunks(mib int) [][]byte {
	const chunk = 64 << 10
	var out [][]byte
	for i := 0; i < mib<<20/chunk; i++ {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		out = append(out, b)
	}
	return out
}

func main() {
	liveMiB := flag.Int("live", 16, "live set in MiB")
	burstMiB := flag.Int("burst", 128, "burst in MiB")
	gcs := flag.Int("gcs", 4, "runtime.GC calls after the burst is dropped")
	watch := flag.Duration("watch", 300*time.Millisecond, "pause after each runtime.GC")
	every := flag.Duration("every", 50*time.Millisecond, "also sample this often during each pause")
	quiet := flag.Duration("quiet", 500*time.Millisecond, "after the last call: stop once nothing was released for this long")
	settle := flag.Duration("settle", 5*time.Second, "after the last call: stop after this long in any case")
	flag.Parse()

	live = chunks(*liveMiB)
	runtime.GC()
	sample("live", 0)
	burst = chunks(*burstMiB)
	sample("burst", 0)
	burst = nil
	for k := 1; k <= *gcs; k++ {
		runtime.GC()
		sample("after", k)
		start := time.Now()
		if k == *gcs {
			// after the last call: until the scavenger has released nothing for -quiet (at most -settle)
			last, since := released(), time.Now()
			for time.Since(start) < *settle && time.Since(since) < *quiet {
				time.Sleep(*every)
				sample("watch", k)
				if r := released(); r != last {
					last, since = r, time.Now()
				}
			}
			sample("end", k)
			continue
		}
		for *every > 0 && time.Since(start)+*every < *watch {
			time.Sleep(*every)
			sample("watch", k)
		}
		time.Sleep(*watch - time.Since(start))
		sample("end", k)
	}
	runtime.KeepAlive(live)
}
