"""The allocator's statistics as runtime/metrics names them.

Models the allocator half of runtime/metrics.go: ``heapStatsAggregate.compute`` (totals from the per-class
counts; tiny sub-allocations are not objects of their own) and the metrics built on it —
``/gc/heap/allocs-by-size:bytes`` and ``/gc/heap/frees-by-size:bytes`` (one bucket per size class, shifted by one
byte, plus one for large objects), ``/gc/heap/allocs:bytes|objects``, ``/gc/heap/frees:bytes|objects``,
``/gc/heap/objects:objects``, ``/gc/heap/tiny/allocs:objects`` and ``/memory/classes/heap/{objects,unused,free,
released,stacks}:bytes``. Like the runtime's, these lag: objects in spans still cached by an mcache are counted
when the span is flushed (`gosim.alloc.malloc.Allocator.flush`, or any GC).

Model-only extras (not runtime/metrics names) are plain attributes: pages in use, address space mapped and
reserved, arenas, ``heapLive``. What it leaves out: ``/memory/classes/metadata/*``, ``os-stacks``, ``other`` and
``profiling`` (the model keeps no runtime metadata in simulated memory), ``/gc/heap/live`` and ``/gc/heap/goal``
(the GC model's), and ``/memory/classes/total`` (it would need all of those).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mheap import mheap
from .sizeclasses import SizeClassToSize, allocs_by_size_buckets


@dataclass(frozen=True)
class Metrics:
    buckets: tuple[float, ...]  # 69 boundaries: [1, 9, 17, ..., 32769, inf]
    allocs_by_size: np.ndarray  # 68 counts
    frees_by_size: np.ndarray
    allocs_bytes: int
    allocs_objects: int
    frees_bytes: int
    frees_objects: int
    objects: int
    tiny_allocs: int
    heap_objects_bytes: int
    heap_unused_bytes: int
    heap_free_bytes: int
    heap_released_bytes: int
    heap_stacks_bytes: int
    # model-only
    pages_in_use: int
    mapped_bytes: int
    reserved_bytes: int
    arenas: int
    heap_live: int

    NAMES = {
        "/gc/heap/allocs-by-size:bytes": "allocs_by_size",
        "/gc/heap/frees-by-size:bytes": "frees_by_size",
        "/gc/heap/allocs:bytes": "allocs_bytes",
        "/gc/heap/allocs:objects": "allocs_objects",
        "/gc/heap/frees:bytes": "frees_bytes",
        "/gc/heap/frees:objects": "frees_objects",
        "/gc/heap/objects:objects": "objects",
        "/gc/heap/tiny/allocs:objects": "tiny_allocs",
        "/memory/classes/heap/objects:bytes": "heap_objects_bytes",
        "/memory/classes/heap/unused:bytes": "heap_unused_bytes",
        "/memory/classes/heap/free:bytes": "heap_free_bytes",
        "/memory/classes/heap/released:bytes": "heap_released_bytes",
        "/memory/classes/heap/stacks:bytes": "heap_stacks_bytes",
    }

    def as_dict(self) -> dict[str, object]:
        """runtime/metrics name → value (histograms as lists of counts)."""
        out: dict[str, object] = {}
        for name, attr in self.NAMES.items():
            v = getattr(self, attr)
            out[name] = v.tolist() if isinstance(v, np.ndarray) else v
        return out

    @property
    def heap_inuse_bytes(self) -> int:
        """objects + unused = bytes of in-use heap spans (``inHeap``)."""
        return self.heap_objects_bytes + self.heap_unused_bytes


def read(h: mheap) -> Metrics:
    """``metrics.Read`` for the allocator's metrics, from the heap's counters."""
    st = h.memstats
    sizes = SizeClassToSize()
    allocs = np.array(st.smallAllocCount[1:] + [st.largeAllocCount], dtype=np.int64)
    frees = np.array(st.smallFreeCount[1:] + [st.largeFreeCount], dtype=np.int64)
    totalAllocs = st.largeAllocCount + sum(st.smallAllocCount)
    totalFrees = st.largeFreeCount + sum(st.smallFreeCount)
    totalAllocated = st.largeAlloc + sum(n * s for n, s in zip(st.smallAllocCount, sizes))
    totalFreed = st.largeFree + sum(n * s for n, s in zip(st.smallFreeCount, sizes))
    inObjects = totalAllocated - totalFreed
    return Metrics(
        buckets=tuple(allocs_by_size_buckets()),
        allocs_by_size=allocs,
        frees_by_size=frees,
        allocs_bytes=totalAllocated,
        allocs_objects=totalAllocs,
        frees_bytes=totalFreed,
        frees_objects=totalFrees,
        objects=totalAllocs - totalFrees,
        tiny_allocs=st.tinyAllocCount,
        heap_objects_bytes=inObjects,
        heap_unused_bytes=st.inHeap - inObjects,
        heap_free_bytes=st.committed - st.inHeap - st.inStacks - st.inWorkBufs,
        heap_released_bytes=st.released,
        heap_stacks_bytes=st.inStacks,
        pages_in_use=h.pagesInUse,
        mapped_bytes=h.mapped_bytes(),
        reserved_bytes=h.reserved_bytes(),
        arenas=len(h.arenas),
        heap_live=h.gcController.heapLive,
    )
