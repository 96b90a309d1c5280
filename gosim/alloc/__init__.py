"""gosim.alloc: the Go memory allocator, module by module as the runtime splits it.

``sizeclasses`` (the table, derived by mksizeclasses.go's algorithm), ``mspan``, ``mcache`` (per P), ``mcentral``
(per span class), ``mheap`` with ``mpagealloc`` and ``mpagecache`` (pages, 4 MiB chunks, 64 MiB arenas, per-P page
caches), ``malloc`` (mallocgc's paths and the `Allocator` that holds it all), ``mgcsweep`` (freeing, driven by the
GC model; ``heapstore.AllocatorHeap`` is the collector's `gosim.gc.heap.HeapStore` view of it), ``mstats``/``metrics``
(the counters, named as runtime/metrics names them), ``workloads`` (named, seeded allocation sequences for the
command line and the chapter) and ``views`` (what the chapter plots: span occupancy, per-class waste,
fragmentation, the Go 1.10 and today's arena layouts).
"""

from .malloc import Allocator, malloc_path
from .metrics import Metrics, read
from .sizeclasses import classes, roundupsize, rows, size_to_class

__all__ = ["Allocator", "Metrics", "classes", "malloc_path", "read", "roundupsize", "rows", "size_to_class"]
