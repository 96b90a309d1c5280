"""gosim.alloc: the Go memory allocator, module by module as the runtime splits it.

``sizeclasses`` (the table, derived by mksizeclasses.go's algorithm), ``mspan``, ``mcache`` (per P), ``mcentral``
(per span class), ``mheap`` with ``mpagealloc`` and ``mpagecache`` (pages, 4 MiB chunks, 64 MiB arenas, per-P page
caches), ``arena`` (from an address to its arena, span entry and object: arenaIndex, divMul, findObject),
``malloc`` (mallocgc's paths and the `Allocator` that holds it all), ``mgcsweep`` (freeing, driven by the
GC model; ``heapstore.AllocatorHeap`` is the collector's `gosim.gc.heap.HeapStore` view of it), ``mstats``/``metrics``
(the counters, named as runtime/metrics names them), ``workloads`` (named, seeded allocation sequences for the
command line and the chapter) and ``views`` (what the chapter plots: span occupancy, per-class waste,
fragmentation, the Go 1.10 and today's arena layouts).

``HISTORY`` lists what changed in the allocator between the seed's Go 1.10 and today (`gosim.history`).
"""

from ..history import Change
from .malloc import Allocator, malloc_path
from .metrics import Metrics, read
from .sizeclasses import classes, roundupsize, rows, size_to_class

_CH = "3 Memory allocation"

HISTORY = [
    Change(_CH, "heap layout",
           "one contiguous reservation at 0xc000000000: spans array (512 MiB, one *mspan per page), GC bitmap "
           "(16 GiB, 2 bits per word, growing down) and a 512 GiB arena; the first object at 0xc420000000",
           "sparse 64 MiB arenas anywhere in the 48-bit address space, each with its heapArena (span map, "
           "page bits) found through the mheap.arenas index; the heap grows in 4 MiB chunks", "Go 1.11",
           evidence="Go 1.11 release notes (Runtime: a sparse heap layout, no more 512 GiB limit); "
                    "golang/go#10460 (runtime: 512GB memory limitation)"),
    Change(_CH, "heap base address", "always 0xc000000000 (0xc4... for the first object)",
           "randomized per run (a random arena, a random 4 MiB chunk in it, up to 511 padding pages); "
           "0xc000000000 again only with the norandomizedheapbase64 experiment", "Go 1.26",
           evidence="the GOEXPERIMENT baseline `RandomizedHeapBase64`, internal/buildcfg/exp.go:85 (on by "
                    "default); Go 1.26 release notes (heap base address randomization)"),
    Change(_CH, "finding free pages", "mheap.free lists by span size and a treap of large free spans",
           "pageAlloc: a radix tree of summaries over 4 MiB chunks of 512-bit page bitmaps, and a per-P cache of "
           "64 pages for spans under 16 pages (no heap lock)", "Go 1.14",
           evidence="golang/go#35112 (runtime: scaling the page allocator); Go 1.14 release notes (the page "
                    "allocator is more efficient, with much less lock contention at high GOMAXPROCS)"),
    Change(_CH, "mcentral", "nonempty and empty span lists under a lock",
           "lock-free span sets: partial/full × swept/unswept, indexed by sweep generation", "Go 1.15",
           evidence="golang/go#37487 (runtime: improve mcentral scalability, February 2020); Go 1.15 release "
                    "notes (allocation of small objects performs much better at high core counts)"),
    Change(_CH, "size classes",
           "66 classes in runtime/sizeclasses.go (_NumSizeClasses = 67 with class 0 for large objects; 8, 16, "
           "32, 48, ...: no 24-byte class)",
           "67 classes (NumSizeClasses = 68; class 3 = 24 B) in internal/runtime/gc/sizeclasses.go, same "
           "generator rules (tails at most 12.5 %; the round-up aims at 12.5 % but 16 classes exceed it)", "Go 1.16",
           evidence="commit 14c7caae (runtime: add 24 byte allocation size class), first in Go 1.16: Go 1.15's "
                    "sizeclasses.go has no 24-byte class; golang/go#8885 (runtime: consider adding 24-byte "
                    "size class)"),
    Change(_CH, "pointer bitmaps", "2 bits per heap word in the arena-wide bitmap",
           "objects up to 512 B: pointer bits at the end of their span; larger objects with pointers: an 8-byte "
           "malloc header (the type) in the slot; large objects: span.largeType", "Go 1.22",
           evidence="Go 1.22 release notes (Runtime: type-based GC metadata kept nearer to each heap object; "
                    "GOEXPERIMENT=noallocheaders turned it off in that release)"),
    Change(_CH, "small/large cut-off", "objects over 32768 B are large",
           "objects over 32760 B are large (32768 minus the 8-byte malloc header), with or without pointers",
           "Go 1.22",
           evidence="the malloc header of the row above (Go 1.22 release notes); today `maxSmallSize` minus "
                    "`MallocHeaderSize` in mallocgc"),
    Change(_CH, "span tail", "none: a span is all slots plus the round-off",
           "spans of 16-512 B objects end with 128 B of Green Tea's inline mark bits (8 KiB span of 48 B "
           "objects: 168 slots, not 170)", "Go 1.26",
           evidence="the GOEXPERIMENT baseline `GreenTeaGC`, internal/buildcfg/exp.go:86 (on by default); Go "
                    "1.26 release notes (the Green Tea collector, an experiment in Go 1.25, is the default); "
                    "golang/go#73581"),
    Change(_CH, "malloc entry", "the compiler calls runtime.newobject(typ), which calls mallocgc",
           "for new(T) up to 80 B the compiler calls a malloc generated for T's size class directly (e.g. "
           "mallocgcTinySC2), and mallocgc sends requests under 81 B to the same functions (GOEXPERIMENT "
           "sizespecializedmalloc: in Go 1.26's source but shipped off; on by default)", "Go 1.27",
           evidence="the GOEXPERIMENT baseline `SizeSpecializedMalloc`, internal/buildcfg/exp.go:88 (on by "
                    "default); golang/go#80279 (\"We plan to ship sizespecializedmalloc on in Go 1.27\", to be "
                    "removed in Go 1.28); golang/go#79286; Go blog, \"Size-Specialized Memory Allocation\""),
    Change(_CH, "returning memory", "sysmon scavenges spans idle for 5 minutes (madvise, MADV_DONTNEED)",
           "a background scavenger goroutine (Go 1.13) returns free pages continuously, about 1 % of a CPU, "
           "keeping 10 % over the heap goal; MADV_DONTNEED by default again since Go 1.16 (Go 1.12 used "
           "MADV_FREE; GODEBUG=madvdontneed=0 still does)", "Go 1.13, 1.16",
           evidence="Go 1.13 release notes (the runtime returns memory to the OS more promptly) and "
                    "golang/go#30333 (runtime: smarter scavenging); Go 1.16 release notes (on Linux, memory is "
                    "released promptly with MADV_DONTNEED by default); today `madvdontneed` is set to 1 at "
                    "start-up, runtime1.go:407"),
]

__all__ = ["HISTORY", "Allocator", "Metrics", "classes", "malloc_path", "read", "roundupsize", "rows",
           "size_to_class"]
