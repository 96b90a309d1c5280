"""gosim.alloc: the Go memory allocator, module by module as the runtime splits it.

``sizeclasses`` (the table, derived by mksizeclasses.go's algorithm), ``mspan``, ``mcache`` (per P), ``mcentral``
(per span class), ``mheap`` with ``mpagealloc`` and ``mpagecache`` (pages, 4 MiB chunks, 64 MiB arenas, per-P page
caches), ``malloc`` (mallocgc's paths and the `Allocator` that holds it all), ``mgcsweep`` (freeing, driven by the
GC model), ``mstats``/``metrics`` (the counters, named as runtime/metrics names them) and ``workloads`` (named,
seeded allocation sequences for the command line and the chapter).
"""

from .malloc import Allocator, malloc_path
from .metrics import Metrics, read
from .sizeclasses import classes, roundupsize, rows, size_to_class

__all__ = ["Allocator", "Metrics", "classes", "malloc_path", "read", "roundupsize", "rows", "size_to_class"]
