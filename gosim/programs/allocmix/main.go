// allocmix does a small program's ordinary work and prints the /gc/heap/allocs-by-size histogram of it.
//
// The work is a log pipeline: make records (strings, slices, maps), encode each to JSON, decode it back, format a
// text line per record with fmt, count the words of all lines in a map and sort the counts. Nothing here thinks
// about allocation; the histogram shows what sizes such code asks the allocator for. The program collects before
// and after the work (a collection flushes every P's cached spans into the counts) and prints the difference as
// JSON: the bucket boundaries (the last bucket is unbounded), the counts, the tiny allocations and the totals.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
)

type record struct {
	Time  int64             `json:"time"`
	Level string            `json:"level"`
	Msg   string            `json:"msg"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
}

var words = strings.Fields("request served cache miss hit user login failed retry timeout upstream " +
	"database query slow fast connection closed opened handler panic recovered queue full empty worker")

var levels = []string{"debug", "info", "info", "info", "warn", "error"}

type rng struct{ state uint64 }

func (r *rng) next() uint64 { // splitmix64
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func makeRecord(r *rng, i int) record {
	msg := make([]string, 3+r.intn(12))
	for k := range msg {
		msg[k] = words[r.intn(len(words))]
	}
	tags := make([]string, r.intn(4))
	for k := range tags {
		tags[k] = words[r.intn(len(words))]
	}
	attrs := map[string]string{"id": fmt.Sprint(i)}
	for k := r.intn(5); k > 0; k-- {
		attrs[words[r.intn(len(words))]] = strings.Repeat("x", 1+r.intn(200))
	}
	return record{int64(1_700_000_000 + i), levels[r.intn(len(levels))], strings.Join(msg, " "), tags, attrs}
}

var sink []string // keeps the formatted lines alive until the end

func work(n int, seed uint64) int {
	r := rng{seed}
	encoded := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		b, err := json.Marshal(makeRecord(&r, i))
		if err != nil {
			panic(err)
		}
		encoded = append(encoded, b)
	}
	counts := map[string]int{}
	for _, b := range encoded {
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			panic(err)
		}
		line := fmt.Sprintf("%d %-5s %s tags=%v attrs=%d", rec.Time, rec.Level, rec.Msg, rec.Tags, len(rec.Attrs))
		sink = append(sink, line)
		for _, w := range strings.Fields(line) {
			counts[w]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return counts[keys[i]] > counts[keys[j]] || counts[keys[i]] ==
			counts[keys[j]] && keys[i] < keys[j]
	})
	return len(keys)
}

var names = []string{"/gc/heap/allocs-by-size:bytes", "/gc/heap/tiny/allocs:objects", "/gc/heap/allocs:objects",
	"/gc/heap/allocs:bytes"}

func read(samples []metrics.Sample) (hist []uint64, buckets []float64, scalars []uint64) {
	runtime.GC() // flush the Ps' cached spans into the counts
	metrics.Read(samples)
	h := samples[0].Value.Float64Histogram()
	hist = append([]uint64(nil), h.Counts...)
	for _, s := range samples[1:] {
		scalars = append(scalars, s.Value.Uint64())
	}
	return hist, h.Buckets, scalars
}

func main() {
	n := flag.Int("n", 2000, "records")
	seed := flag.Uint64("seed", 1, "splitmix64 seed")
	flag.Parse()
	samples := make([]metrics.Sample, len(names))
	for i, name := range names {
		samples[i].Name = name
	}
	before, _, s0 := read(samples)
	distinct := work(*n, *seed)
	after, buckets, s1 := read(samples)
	counts := make([]uint64, len(after))
	for i := range after {
		counts[i] = after[i] - before[i]
	}
	out := map[string]any{
		"n": *n, "seed": *seed, "distinct_words": distinct,
		"buckets":        buckets[:len(buckets)-1], // the last boundary is +Inf, which JSON cannot hold
		"counts":         counts,
		"tiny_allocs":    s1[0] - s0[0],
		"allocs_objects": s1[1] - s0[1],
		"allocs_bytes":   s1[2] - s0[2],
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
	runtime.KeepAlive(sink)
}
