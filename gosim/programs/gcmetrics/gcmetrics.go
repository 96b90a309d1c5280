// Package gcmetrics prints the runtime/metrics lines gcchurn and gcpacing write: one "cycle" line after every
// GC cycle and a "summary" line at the end, each "kind short=value ...", for gosim.toolchain.gctrace.parse_fields.
package gcmetrics

import (
	"fmt"
	"runtime/metrics"
)

// Metric is one field of a line: its short name and the runtime/metrics name it reads.
type Metric struct{ Short, Name string }

// Pacer is what both programs read: the goal the next cycle is paced against and the inputs the pacer computed
// it from (heapMarked, stack and globals scan bytes, and what the memory-limit goal needs: mapped, released, free
// and object bytes), then bytes allocated and CPU time by class.
var Pacer = []Metric{
	{"cycle", "/gc/cycles/total:gc-cycles"},
	{"goal", "/gc/heap/goal:bytes"},
	{"live", "/gc/heap/live:bytes"},
	{"stack", "/gc/scan/stack:bytes"},
	{"globals", "/gc/scan/globals:bytes"},
	{"heapscan", "/gc/scan/heap:bytes"},
	{"gogc", "/gc/gogc:percent"},
	{"memlimit", "/gc/gomemlimit:bytes"},
	{"total", "/memory/classes/total:bytes"},
	{"released", "/memory/classes/heap/released:bytes"},
	{"free", "/memory/classes/heap/free:bytes"},
	{"objects", "/memory/classes/heap/objects:bytes"},
	{"allocs", "/gc/heap/allocs:bytes"},
	{"assist_s", "/cpu/classes/gc/mark/assist:cpu-seconds"},
	{"dedicated_s", "/cpu/classes/gc/mark/dedicated:cpu-seconds"},
	{"idle_mark_s", "/cpu/classes/gc/mark/idle:cpu-seconds"},
	{"pause_s", "/cpu/classes/gc/pause:cpu-seconds"},
	{"gc_s", "/cpu/classes/gc/total:cpu-seconds"},
	{"user_s", "/cpu/classes/user:cpu-seconds"},
	{"idle_s", "/cpu/classes/idle:cpu-seconds"},
}

// Lines reads a fixed list of metrics.
type Lines struct {
	short     []string
	samples   []metrics.Sample
	cycleOnly []metrics.Sample
	lastCycle uint64
}

// New reads Pacer followed by extra.
func New(extra ...Metric) *Lines {
	l := &Lines{cycleOnly: []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}}
	for _, m := range append(append([]Metric{}, Pacer...), extra...) {
		l.short = append(l.short, m.Short)
		l.samples = append(l.samples, metrics.Sample{Name: m.Name})
	}
	return l
}

func value(s metrics.Sample) string {
	switch s.Value.Kind() {
	case metrics.KindUint64:
		return fmt.Sprint(s.Value.Uint64())
	case metrics.KindFloat64:
		return fmt.Sprintf("%.6f", s.Value.Float64())
	}
	return "?"
}

// Line reads every metric now: "kind short=value ...".
func (l *Lines) Line(kind string) string {
	metrics.Read(l.samples)
	out := kind
	for i, s := range l.samples {
		out += " " + l.short[i] + "=" + value(s)
	}
	return out
}

// Poll prints a "cycle" line if a GC cycle ended since the last call.
func (l *Lines) Poll() {
	metrics.Read(l.cycleOnly)
	if c := l.cycleOnly[0].Value.Uint64(); c != l.lastCycle {
		l.lastCycle = c
		fmt.Println(l.Line("cycle"))
	}
}
