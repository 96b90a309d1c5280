"""The collector on the allocator's spans: a GC cycle that frees into `gosim.alloc`'s mspans.

`gosim.alloc.heapstore.AllocatorHeap` answers the collector's `HeapStore` protocol with the real allocator model:
objects are addresses handed out by ``mallocgc``, mark bits are the spans' ``gcmarkBits`` (``greyobject`` →
``mspan.setMarked``), and sweep is ``gcSweep`` (``sweepgen += 2``, the mcache flush of mark termination, every
span swept), which makes the marked objects the span's new ``allocBits``: the white objects' slots are free, and
the next ``mallocgc`` of that size class takes them again (``nextFreeFast`` over the refreshed ``allocCache``).

`SpanHeap` adds the two moments of a cycle the allocator must hear about, as ``gcStart`` and ``gcMarkDone`` tell
it in the runtime (runtime/mgc.go): when marking begins, the last sweep is finished (``finishsweep_m``) and
``writeBarrier.enabled`` is set, so every object ``mallocgc`` returns from then on is allocated black
(``gcmarknewobject``); at mark termination the flag is cleared. `span_heap` builds `gosim.gc.heap.random_heap`'s
seeded graph on it, so the chapter's cycles (`gosim.gc.mgc.run_cycle`, the barriers, the mutator) run unchanged on
real spans.

What it leaves out: the allocator's own GC hooks (``gc_trigger``, assists) stay unset: the cycle is started by the
caller, not by the pacer.
"""

from __future__ import annotations

from ..alloc.heapstore import AllocatorHeap
from ..alloc.malloc import Allocator
from .heap import populate


class SpanHeap(AllocatorHeap):
    """`AllocatorHeap` with the collector's phase hooks (see the module comment)."""

    def gcstart(self) -> None:
        """``gcStart``: ``finishsweep_m``, then ``setGCPhase(_GCmark)`` turns the write barrier on (allocate black)."""
        self.allocator.finishsweep()
        self.allocator.writeBarrier = True

    def gcmarkdone(self) -> None:
        """``gcMarkTermination``: ``setGCPhase(_GCmarktermination)`` then ``_GCoff``: allocation is white again."""
        self.allocator.writeBarrier = False

    def is_free(self, obj: int) -> bool:
        """The object's slot is free in its span (or its span went back to the heap)."""
        found = self.allocator.findObject(obj)
        return found is None or found[0].isFree(found[1])

    def slot(self, obj: int) -> tuple[int, int]:
        """(span base address, object index) of an address: where sweep frees it and mallocgc reuses it."""
        s, index = self.allocator.findObject(obj)
        return s.startAddr, index


def span_heap(objects: int = 40, seed: int = 0, *, gomaxprocs: int = 1, allocator: Allocator | None = None,
              **shape) -> SpanHeap:
    """`random_heap`'s seeded graph (same ``shape`` keywords) allocated by ``mallocgc`` on a fresh `Allocator`
    (classic heap base 0xc000000000, so addresses are the same on every run)."""
    a = allocator or Allocator(gomaxprocs, randomize_heap_base=False)
    heap = SpanHeap(a)
    populate(heap, objects, seed, **shape)
    return heap
