// allocspan prints what the runtime itself knows about the heap objects it allocates: for each object, its
// address and the runtime's answers for it, read from the runtime's own data structures.
//
//	allocspan addr    objects of several size classes (and one large object), kept alive
//	allocspan sweep [N]  a span class filled, half of it dropped, N more (65 if not given), a collection, half
//	                  the first count allocated again
//	allocspan lazy    the same class with the GC on: the spans' sweep states after the first automatic
//	                  collection and after each of three rounds of 120 more allocations
//
// The runtime's answers come from two places. runtime.findObject (reachable by go:linkname: the runtime marks it
// so) gives the object's base, its span and its object index, computed by the runtime's own divMul. The span's
// fields (startAddr, npages, elemsize, nelems, spanclass, divMul, limit, sweepgen) and the heap's arena index
// (mheap_.arenas[0], a pointer to each 64 MiB arena's heapArena) are read from memory at the offsets the binary's
// own DWARF gives for runtime.mspan, runtime.mheap and runtime.heapArena, and mheap_'s address from its ELF symbol
// table. The program never computes an arena index or a page index itself: it scans every entry of the arena
// index and every page entry of each heapArena's spans array, and prints each run of pages that points at the
// object's span (ARENA:FIRST-LAST).
//
// Output, one line per object (keys in this order):
//
//	obj what=NAME size=N ptrs=BOOL addr=A base=B index=I span=S start=A npages=N elemsize=N nelems=N
//	    spanclass=N divmul=N limit=A sweepgen=N pages=ARENA:FIRST-LAST,...
//	heap sweepgen=N
//
// and in sweep mode also
//
//	phase name=NAME allocs=N frees=N allfrees=N   (runtime/metrics: the 640-byte bucket of allocs-by-size and
//	                                            frees-by-size, and /gc/heap/frees:objects)
//	round name=NAME addrs=A,A,...          (the addresses of one round of allocations, in order)
//
// and in lazy mode, for the spans that hold the kept blocks, how many are in each sweep state (span.sweepgen
// against mheap_.sweepgen: h-2, h-1, h, h+1, h+3)
//
//	states when=WHEN kept=N spans=N unswept=N sweeping=N swept=N stale=N cached=N
package main

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

//go:linkname findObject runtime.findObject
func findObject(p, refBase, refOff uintptr) (base uintptr, s unsafe.Pointer, objIndex uintptr)

type field struct{ off, size int64 }

var (
	spanFields  = map[string]field{}
	heapFields  = map[string]field{}
	arenaFields = map[string]field{}
	mheapAddr   uintptr
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "allocspan:", err)
		os.Exit(1)
	}
}

// loadLayout reads the offsets of the runtime's structs from the binary's DWARF, and mheap_'s address.
func loadLayout() {
	exe, err := os.Executable()
	must(err)
	f, err := elf.Open(exe)
	must(err)
	defer f.Close()
	syms, err := f.Symbols()
	must(err)
	for _, s := range syms {
		if s.Name == "runtime.mheap_" {
			mheapAddr = uintptr(s.Value)
		}
	}
	d, err := f.DWARF()
	must(err)
	want := map[string]map[string]field{"runtime.mspan": spanFields, "runtime.mheap": heapFields,
		"runtime.heapArena": arenaFields}
	r := d.Reader()
	for {
		e, err := r.Next()
		must(err)
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		fields, ok := want[name]
		if !ok || len(fields) > 0 {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		t, err := d.Type(e.Offset)
		must(err)
		for _, m := range t.(*dwarf.StructType).Field {
			fields[m.Name] = field{m.ByteOffset, m.Type.Size()}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	if mheapAddr == 0 || len(spanFields) == 0 || len(heapFields) == 0 || len(arenaFields) == 0 {
		must(fmt.Errorf("runtime layout not found in the binary's DWARF and symbols"))
	}
}

func read(base uintptr, fields map[string]field, name string) uint64 {
	f, ok := fields[name]
	if !ok {
		must(fmt.Errorf("no field %s", name))
	}
	p := unsafe.Pointer(base + uintptr(f.off))
	switch f.size {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	case 8:
		return *(*uint64)(p)
	}
	must(fmt.Errorf("field %s has size %d", name, f.size))
	return 0
}

// arenas: the arena index's non-nil entries, index → *heapArena.
func arenas() map[uint64]uintptr {
	l2 := uintptr(read(mheapAddr, heapFields, "arenas")) // arenas[0]: the only L1 entry on linux/amd64
	n := heapFields["arenas"].size / 8
	if n != 1 {
		must(fmt.Errorf("mheap_.arenas has %d L1 entries: this program reads only a one-level index", n))
	}
	out := map[uint64]uintptr{}
	for i := uintptr(0); i < 1<<22; i++ {
		if ha := *(*uintptr)(unsafe.Pointer(l2 + i*8)); ha != 0 {
			out[uint64(i)] = ha
		}
	}
	return out
}

func describe(what string, size int, ptrs bool, p uintptr, index map[uint64]uintptr) string {
	base, s, idx := findObject(p, 0, 0)
	if s == nil {
		must(fmt.Errorf("%#x is not in the heap", p))
	}
	sp := uintptr(s)
	// Every run of entries of the arena index's heapArenas that point at the span: the span's own pages, and
	// perhaps stale entries left by an earlier span that used the same mspan struct (entries are not cleared when
	// a span is freed). Sorted by arena index, then page.
	var ais []uint64
	for ai := range index {
		ais = append(ais, ai)
	}
	sort.Slice(ais, func(i, j int) bool { return ais[i] < ais[j] })
	spansOff := arenaFields["spans"].off
	var runs []string
	for _, ai := range ais {
		ha := index[ai]
		for j := 0; j < 8192; j++ {
			if *(*uintptr)(unsafe.Pointer(ha + uintptr(spansOff) + uintptr(j)*8)) != sp {
				continue
			}
			k := j
			for k+1 < 8192 && *(*uintptr)(unsafe.Pointer(ha + uintptr(spansOff) + uintptr(k+1)*8)) == sp {
				k++
			}
			runs = append(runs, fmt.Sprintf("%d:%d-%d", ai, j, k))
			j = k
		}
	}
	return fmt.Sprintf("obj what=%s size=%d ptrs=%t addr=%#x base=%#x index=%d span=%#x start=%#x npages=%d "+
		"elemsize=%d nelems=%d spanclass=%d divmul=%d limit=%#x sweepgen=%d pages=%s",
		what, size, ptrs, p, base, idx, sp, read(sp, spanFields, "startAddr"), read(sp, spanFields, "npages"),
		read(sp, spanFields, "elemsize"), read(sp, spanFields, "nelems"), read(sp, spanFields, "spanclass"),
		read(sp, spanFields, "divMul"), read(sp, spanFields, "limit"), read(sp, spanFields, "sweepgen"),
		strings.Join(runs, ","))
}

var keep []any

type obj struct {
	what string
	size int
	ptrs bool
	p    uintptr
}

func addrMode() {
	debug.SetGCPercent(-1) // no collection between an allocation and its lookup
	runtime.GC()
	keep = make([]any, 0, 32)
	objs := make([]obj, 0, 32)
	add := func(what string, size int, ptrs bool, p unsafe.Pointer, v any) {
		keep = append(keep, v)
		objs = append(objs, obj{what, size, ptrs, uintptr(p)})
	}
	for i := 0; i < 3; i++ {
		v := new([3]*int)
		add("[3]*int", 24, true, unsafe.Pointer(v), v)
	}
	for i := 0; i < 3; i++ {
		v := new([48]byte)
		add("[48]byte", 48, false, unsafe.Pointer(v), v)
	}
	for i := 0; i < 3; i++ {
		v := new([14]*int)
		add("[14]*int", 112, true, unsafe.Pointer(v), v)
	}
	for i := 0; i < 3; i++ {
		v := make([]byte, 1000)
		add("[1000]byte", 1000, false, unsafe.Pointer(&v[0]), v)
	}
	for i := 0; i < 3; i++ {
		v := make([]*int, 128) // 1024 B with pointers: a malloc header in front
		add("[128]*int", 1024, true, unsafe.Pointer(&v[0]), v)
	}
	for i := 0; i < 3; i++ {
		v := make([]byte, 3000)
		add("[3000]byte", 3000, false, unsafe.Pointer(&v[0]), v)
	}
	for i := 0; i < 3; i++ {
		v := make([]byte, 20000)
		add("[20000]byte", 20000, false, unsafe.Pointer(&v[0]), v)
	}
	v := make([]byte, 100000)
	add("[100000]byte", 100000, false, unsafe.Pointer(&v[0]), v)
	index := arenas()
	var lines []string
	for _, o := range objs {
		lines = append(lines, describe(o.what, o.size, o.ptrs, o.p, index))
		// an interior pointer: the middle of the object's slot
		if o.size >= 48 {
			lines = append(lines, describe(o.what+"+mid", o.size, o.ptrs, o.p+uintptr(o.size/2), index))
		}
	}
	// Addresses a fixed distance past the start of the [3000]byte objects' span (3072-byte slots, 3 pages):
	// findObject needs only an in-use span, not an allocated slot.
	for _, o := range objs {
		if o.what == "[3000]byte" {
			_, s, _ := findObject(o.p, 0, 0)
			start := uintptr(read(uintptr(s), spanFields, "startAddr"))
			for _, off := range []uintptr{3071, 3072, 6143, 6144, 24575} {
				lines = append(lines, describe(fmt.Sprintf("span+%d", off), o.size, o.ptrs, start+off, index))
			}
			break
		}
	}
	lines = append(lines, fmt.Sprintf("heap sweepgen=%d", read(mheapAddr, heapFields, "sweepgen")))
	fmt.Println(strings.Join(lines, "\n"))
}

// The sweep experiment's objects: 640 bytes without pointers. Start-up allocates a few objects of that size class
// (one in loadLayout, others before main, how many depending on the environment), none in a span the experiment
// uses: after its runtime.GC() the first block starts a fresh span (object index 0, which the chapter checks).
type block [640]byte

const sweepN = 240

var samples = []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}, {Name: "/gc/heap/frees-by-size:bytes"},
	{Name: "/gc/heap/frees:objects"}}

// counts: objects of the block's size class allocated and freed so far (the histograms' bucket that holds 640
// bytes; the experiment allocates no other object of that class, and the chapter counts from the first phase), and
// all objects freed.
func counts() (allocs, frees, allFrees uint64) {
	metrics.Read(samples)
	bucket := func(h *metrics.Float64Histogram) uint64 {
		for i := range h.Counts {
			if h.Buckets[i] < float64(len(block{})) && float64(len(block{})) <= h.Buckets[i+1] {
				return h.Counts[i]
			}
		}
		return 0
	}
	return bucket(samples[0].Value.Float64Histogram()), bucket(samples[1].Value.Float64Histogram()),
		samples[2].Value.Uint64()
}

func joined(ps []uintptr) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%#x", p)
	}
	return b.String()
}

func addrsOf(ps []*block) []uintptr {
	out := make([]uintptr, len(ps))
	for i, p := range ps {
		out[i] = uintptr(unsafe.Pointer(p))
	}
	return out
}

// sweepMode: with the GC off, allocate sweepN blocks, drop every odd one, allocate nBefore more (no collection
// yet: nothing is free; the last span stays cached, partly used unless nBefore is a multiple of 12), collect
// (runtime.GC sweeps every span before it returns), then allocate sweepN/2 again.
func sweepMode(nBefore int) {
	debug.SetGCPercent(-1)
	runtime.GC()
	out := make([]string, 0, 16)
	phase := func(name string) {
		a, f, all := counts()
		out = append(out, fmt.Sprintf("phase name=%s allocs=%d frees=%d allfrees=%d", name, a, f, all))
	}
	first := make([]*block, sweepN)
	before := make([]*block, nBefore)
	after := make([]*block, sweepN/2)
	phase("start")
	for i := range first {
		first[i] = new(block)
	}
	firstAddrs := addrsOf(first)
	// Drop every odd one: unreachable from now on, but not free until a sweep frees it.
	for i := 1; i < sweepN; i += 2 {
		first[i] = nil
	}
	phase("dropped")
	for i := range before {
		before[i] = new(block)
	}
	phase("before-gc")
	runtime.GC()
	phase("after-gc")
	index := arenas()
	var spans []string
	for _, p := range first {
		if p != nil {
			spans = append(spans, describe("kept", len(block{}), false, uintptr(unsafe.Pointer(p)), index))
		}
	}
	for i := range after {
		after[i] = new(block)
	}
	phase("reused")
	for _, p := range after {
		spans = append(spans, describe("after", len(block{}), false, uintptr(unsafe.Pointer(p)), index))
	}
	out = append(out, "round name=first addrs="+joined(firstAddrs))
	out = append(out, "round name=before-gc addrs="+joined(addrsOf(before)))
	out = append(out, "round name=after-gc addrs="+joined(addrsOf(after)))
	out = append(out, spans...)
	out = append(out, fmt.Sprintf("heap sweepgen=%d", read(mheapAddr, heapFields, "sweepgen")))
	fmt.Println(strings.Join(out, "\n"))
	runtime.KeepAlive(first)
	runtime.KeepAlive(before)
	runtime.KeepAlive(after)
}

// lazyMode: the GC on (GOGC=100), 640-byte blocks allocated, every other one kept, until the first automatic
// collection completes; then the sweep state of the spans holding the kept blocks, right away and after each of
// a few more rounds of allocation. No runtime.GC(): the spans are swept lazily, by the allocator (cacheSpan,
// deductSweepCredit) and by the background sweeper, not all at once.
func lazyMode() {
	debug.SetGCPercent(100)
	runtime.GC()
	keep := make([]*block, 0, 1<<16)
	cycles := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(cycles)
	c0 := cycles[0].Value.Uint64()
	for i := 0; ; i++ {
		b := new(block)
		if i%2 == 0 {
			keep = append(keep, b)
		}
		metrics.Read(cycles)
		if cycles[0].Value.Uint64() > c0 || len(keep) == cap(keep) {
			break
		}
	}
	out := make([]string, 0, 8)
	states := func(when string) {
		h := read(mheapAddr, heapFields, "sweepgen")
		seen := map[uintptr]bool{}
		n := map[int64]int{}
		for _, p := range keep {
			_, s, _ := findObject(uintptr(unsafe.Pointer(p)), 0, 0)
			if s == nil || seen[uintptr(s)] {
				continue
			}
			seen[uintptr(s)] = true
			n[int64(read(uintptr(s), spanFields, "sweepgen"))-int64(h)]++
		}
		out = append(out, fmt.Sprintf("states when=%s kept=%d spans=%d unswept=%d sweeping=%d swept=%d "+
			"stale=%d cached=%d", when, len(keep), len(seen), n[-2], n[-1], n[0], n[1], n[3]))
	}
	states("gc-done")
	more := make([]*block, 0, 512)
	for round := 1; round <= 3; round++ {
		for i := 0; i < 120; i++ {
			more = append(more, new(block))
		}
		states(fmt.Sprintf("after-%d", 120*round))
	}
	fmt.Println(strings.Join(out, "\n"))
	runtime.KeepAlive(keep)
	runtime.KeepAlive(more)
}

func main() {
	loadLayout()
	mode := "addr"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "addr":
		addrMode()
	case "sweep":
		nBefore := sweepN/4 + 5
		if len(os.Args) > 2 {
			n, err := strconv.Atoi(os.Args[2])
			if err != nil || n < 0 || n > sweepN {
				fmt.Fprintf(os.Stderr, "allocspan: sweep N must be an integer from 0 to %d, got %q\n", sweepN, os.Args[2])
				os.Exit(2)
			}
			nBefore = n
		}
		sweepMode(nBefore)
	case "lazy":
		lazyMode()
	default:
		fmt.Fprintln(os.Stderr, "usage: allocspan addr|sweep [N]|lazy")
		os.Exit(2)
	}
}
