// gcspecials shows what the special records attached to an object (a finalizer, a cleanup, a weak pointer) do
// to the cycle in which the object is freed (chapter 4, gosim.gc.specials).
//
// Run it with GOGC=off: only its own runtime.GC calls collect, and runtime.GC returns after the sweep, so the
// heap counts it reads afterwards are exact. Each scenario allocates one or two 1 MiB objects, attaches the
// specials, drops every reference and then calls runtime.GC several times. After each call it waits for
// the finalizer and cleanup goroutines to run what the sweep queued (runtime.GC does not wait for them), and
// prints one "gc" line: the scenario, the call's number, how many of the scenario's objects are still in the heap
// (from /memory/classes/heap/objects:bytes against its value before the scenario's allocations, in 1 MiB
// objects), whether the weak pointer's Value is nil, and how many finalizers and cleanups have run.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
	"weak"
)

const size = 1 << 20

type obj struct {
	data [size - 16]byte
	next *obj
	id   int
}

var (
	finalizers atomic.Int32
	cleanups   atomic.Int32
	resurrect  *obj
	sink       *obj
)

var samples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapBytes() uint64 {
	metrics.Read(samples)
	return samples[0].Value.Uint64()
}

// settle waits until the finalizers and cleanups the last sweep queued have run (at most 2 s): the counts stop
// changing for 20 ms.
func settle() {
	last := int32(-1)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n := finalizers.Load()*1000 + cleanups.Load()
		if n == last {
			return
		}
		last = n
		time.Sleep(20 * time.Millisecond)
	}
}

type scenario struct {
	name  string
	setup func() (weak.Pointer[obj], int) // returns the weak pointer (if any) and how many objects it made
}

//go:noinline
func newObj(id int) *obj { return &obj{id: id} }

var scenarios = []scenario{
	{"plain", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		sink = o
		sink = nil
		return weak.Pointer[obj]{}, 1
	}},
	{"finalizer", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		runtime.SetFinalizer(o, func(*obj) { finalizers.Add(1) })
		return weak.Pointer[obj]{}, 1
	}},
	{"resurrect", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		runtime.SetFinalizer(o, func(p *obj) { resurrect = p; finalizers.Add(1) })
		return weak.Pointer[obj]{}, 1
	}},
	{"cleanup", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		runtime.AddCleanup(o, func(int) { cleanups.Add(1) }, 0)
		return weak.Pointer[obj]{}, 1
	}},
	{"weak", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		return weak.Make(o), 1
	}},
	{"weak+finalizer", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		runtime.SetFinalizer(o, func(*obj) { finalizers.Add(1) })
		return weak.Make(o), 1
	}},
	{"finalizer+cleanup", func() (weak.Pointer[obj], int) {
		o := newObj(1)
		runtime.SetFinalizer(o, func(*obj) { finalizers.Add(1) })
		runtime.AddCleanup(o, func(int) { cleanups.Add(1) }, 0)
		return weak.Pointer[obj]{}, 1
	}},
	{"chain", func() (weak.Pointer[obj], int) {
		a, b := newObj(1), newObj(2)
		a.next = b
		runtime.SetFinalizer(a, func(*obj) { finalizers.Add(1) })
		runtime.SetFinalizer(b, func(*obj) { finalizers.Add(1) })
		return weak.Pointer[obj]{}, 2
	}},
}

func main() {
	if os.Getenv("GOGC") != "off" {
		fmt.Fprintln(os.Stderr, "gcspecials needs GOGC=off: only its own runtime.GC calls may collect")
		os.Exit(2)
	}
	calls := 4
	for _, sc := range scenarios {
		runtime.GC()
		settle()
		finalizers.Store(0)
		cleanups.Store(0)
		resurrect = nil
		base := heapBytes()
		wp, n := sc.setup()
		for k := 1; k <= calls; k++ {
			runtime.GC()
			settle()
			live := (int64(heapBytes()) - int64(base) + size/2) / size
			nilWeak := "-"
			if wp != (weak.Pointer[obj]{}) {
				nilWeak = fmt.Sprint(wp.Value() == nil)
			}
			fmt.Printf("gc scenario=%s call=%d objects=%d live=%d weak_nil=%s finalizers=%d cleanups=%d\n",
				sc.name, k, n, live, nilWeak, finalizers.Load(), cleanups.Load())
			if sc.name == "resurrect" && k == 2 {
				resurrect = nil // drop the resurrected object: it has no finalizer any more
			}
		}
	}
}
