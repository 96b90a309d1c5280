// allocseq performs one deterministic allocation sequence and reports what runtime/metrics saw.
//
// The sizes come from splitmix64 (seeded by -seed), mapped to a size and a kind (noscan []byte or pointerful
// []*byte) by the profile named with -profile; gosim.alloc.workloads generates the same sequence in Python.
// Every object is kept alive. The program disables the GC, collects once (which flushes every P's mcache and
// resets its tiny block), reads the metrics, runs the sequence, collects again and prints the difference as
// JSON. With -bench it only times the sequence and prints ns per allocation.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

type rng struct{ state uint64 }

// next is splitmix64.
func (r *rng) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// size draws one request: its byte count and whether the object holds pointers.
func (r *rng) size(profile string) (int, bool) {
	x := r.next()
	k := x % 1000
	y := x >> 16
	var n int
	switch profile {
	case "mixed": // every mallocgc path, large objects included
		switch {
		case k < 300:
			n = 1 + int(y%15)
		case k < 750:
			n = 16 + int(y%497)
		case k < 950:
			n = 513 + int(y%3584)
		case k < 997:
			n = 4097 + int(y%28664)
		default:
			n = 32761 + int(y%98304)
		}
	case "small": // small objects only, as in the benchmark
		switch {
		case k < 300:
			n = 1 + int(y%15)
		case k < 800:
			n = 16 + int(y%241)
		default:
			n = 257 + int(y%768)
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown profile %q (want mixed or small)\n", profile)
		os.Exit(2)
	}
	scan := (x>>60)&3 == 0 // a quarter of the objects hold pointers
	if scan {
		n = (n + 7) &^ 7
	}
	return n, scan
}

var (
	keep  [][]byte
	keepP [][]*byte
)

var names = []string{
	"/gc/heap/allocs-by-size:bytes",
	"/gc/heap/allocs:bytes",
	"/gc/heap/allocs:objects",
	"/gc/heap/frees:objects",
	"/gc/heap/objects:objects",
	"/gc/heap/tiny/allocs:objects",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/total:bytes",
}

// snapshot holds one reading. It is allocated before the sequence and filled in place, so that reading the
// metrics allocates nothing the next collection would count.
type snapshot struct {
	scalars []uint64
	hist    []uint64
}

func newSnapshot() *snapshot {
	return &snapshot{scalars: make([]uint64, len(names)), hist: make([]uint64, 128)}
}

func (s *snapshot) read(samples []metrics.Sample) {
	metrics.Read(samples)
	for i, x := range samples {
		if x.Value.Kind() == metrics.KindFloat64Histogram {
			h := x.Value.Float64Histogram()
			s.hist = s.hist[:len(h.Counts)]
			copy(s.hist, h.Counts)
		} else {
			s.scalars[i] = x.Value.Uint64()
		}
	}
}

func main() {
	n := flag.Int("n", 50000, "number of allocations")
	seed := flag.Uint64("seed", 1, "splitmix64 seed")
	profile := flag.String("profile", "mixed", "size profile: mixed or small")
	bench := flag.Bool("bench", false, "only time the sequence")
	flag.Parse()

	sizes := make([]int32, *n)
	scans := make([]bool, *n)
	r := rng{*seed}
	for i := range sizes {
		s, p := r.size(*profile)
		sizes[i], scans[i] = int32(s), p
	}
	keep = make([][]byte, *n)
	keepP = make([][]*byte, *n)
	samples := make([]metrics.Sample, len(names))
	for i, name := range names {
		samples[i].Name = name
	}
	before, after := newSnapshot(), newSnapshot()
	debug.SetGCPercent(-1)
	runtime.GC()
	// Let the background scavenger run and sleep once: its first timer on this P grows the P's timer heap, a
	// 16-byte allocation that would otherwise land inside the measured window now and then.
	time.Sleep(20 * time.Millisecond)
	before.read(samples) // the first read allocates the histogram; the second reuses it
	runtime.GC()
	before.read(samples)
	runtime.GC()

	start := time.Now()
	for i, s := range sizes {
		if scans[i] {
			keepP[i] = make([]*byte, s/8)
		} else {
			keep[i] = make([]byte, s)
		}
	}
	elapsed := time.Since(start)
	if *bench {
		fmt.Printf("{\"allocs\": %d, \"ns\": %d, \"ns_per_alloc\": %.2f}\n", *n, elapsed.Nanoseconds(),
			float64(elapsed.Nanoseconds())/float64(*n))
		return
	}
	runtime.GC()
	after.read(samples)

	delta := map[string]int64{}
	before_, after_ := map[string]uint64{}, map[string]uint64{}
	for i, name := range names {
		if name == "/gc/heap/allocs-by-size:bytes" {
			continue
		}
		delta[name] = int64(after.scalars[i]) - int64(before.scalars[i])
		before_[name], after_[name] = before.scalars[i], after.scalars[i]
	}
	hist := make([]int64, len(after.hist))
	for i := range hist {
		hist[i] = int64(after.hist[i]) - int64(before.hist[i])
	}
	out := map[string]any{"n": *n, "seed": *seed, "profile": *profile, "delta": delta, "allocs_by_size": hist,
		"before": before_, "after": after_}
	runtime.KeepAlive(keep)
	runtime.KeepAlive(keepP)
	runtime.KeepAlive(sizes) // alive until after the last collection, so that it frees nothing
	runtime.KeepAlive(scans)
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
