"""mcentral: the spans of one span class that no mcache holds, as partial/full × swept/unswept sets.

Models ``mcentral`` (runtime/mcentral.go): per span class, ``partial[2]`` (spans with a free object) and
``full[2]`` (spans without), each pair indexed by ``sweepgen/2 % 2`` so that one ``mheap.sweepgen += 2`` turns
every swept set into the unswept set of the new cycle without moving a span. ``cacheSpan`` gives an mcache a span
with free objects: a partial swept span; else it sweeps partial unswept spans, then full unswept ones (at most
``spanBudget`` = 100 in all, putting still-full spans on the full swept set); else ``grow`` asks the heap for a
fresh span. ``uncacheSpan`` takes a span back from an mcache: a stale one (cached before the sweep began) is swept
now, others go on the partial or full swept set. The sets are FIFO queues, like ``spanSet``'s head and tail.

What it leaves out: the lock-free spanSet blocks and sweepLocker ownership races (one sweeper at a time here),
tracing.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from .mgcsweep import deductSweepCredit, sweep
from .mspan import mspan
from .sizeclasses import SizeClassToNPages, pageSize

if TYPE_CHECKING:
    from .mheap import mheap
    from .mpagecache import pageCache

spanBudget = 100


class mcentral:
    __slots__ = ("spanclass", "partial", "full", "heap", "npages")

    def __init__(self, spanclass: int, heap: mheap) -> None:
        self.spanclass = spanclass
        self.npages = SizeClassToNPages()[spanclass >> 1]  # gc.SizeClassToNPages of the class
        self.partial: tuple[deque[mspan], deque[mspan]] = (deque(), deque())
        self.full: tuple[deque[mspan], deque[mspan]] = (deque(), deque())
        self.heap = heap

    def partialUnswept(self, sweepgen: int) -> deque[mspan]:
        return self.partial[1 - sweepgen // 2 % 2]

    def partialSwept(self, sweepgen: int) -> deque[mspan]:
        return self.partial[sweepgen // 2 % 2]

    def fullUnswept(self, sweepgen: int) -> deque[mspan]:
        return self.full[1 - sweepgen // 2 % 2]

    def fullSwept(self, sweepgen: int) -> deque[mspan]:
        return self.full[sweepgen // 2 % 2]

    def spans(self) -> list[mspan]:
        """Every span this mcentral holds (any set)."""
        return [s for sets in (self.partial, self.full) for q in sets for s in q]

    def cacheSpan(self, pcache: pageCache | None = None) -> mspan:
        """``mcentral.cacheSpan``: a span with at least one free object, for an mcache (``pcache``: the
        allocating P's page cache, which the runtime finds through ``getg().m.p``)."""
        h = self.heap
        if h.sweepPagesPerByte:
            deductSweepCredit(h, self.npages * pageSize, 0)
        budget = spanBudget
        sg = h.sweepgen
        s = None
        q = self.partialSwept(sg)
        if q:
            s = q.popleft()
        else:
            # Partial unswept spans: sweep one and use it.
            q = self.partialUnswept(sg)
            while budget >= 0 and q:
                cand = q.popleft()
                budget -= 1
                if cand.sweepgen == sg - 2:  # tryAcquire: we own it
                    cand.sweepgen = sg - 1
                    sweep(h, cand, preserve=True)
                    s = cand
                    break
            if s is None:
                q = self.fullUnswept(sg)
                while budget >= 0 and q:
                    cand = q.popleft()
                    budget -= 1
                    if cand.sweepgen == sg - 2:
                        cand.sweepgen = sg - 1
                        sweep(h, cand, preserve=True)
                        free_index = cand.nextFreeIndex()
                        if free_index != cand.nelems:
                            cand.freeindex = free_index
                            s = cand
                            break
                        self.fullSwept(sg).append(cand)
            if s is None:
                s = self.grow(pcache)
        n = s.nelems - s.allocCount
        if n == 0 or s.freeindex == s.nelems or s.allocCount == s.nelems:
            raise AssertionError("span has no free objects")
        freeByteBase = s.freeindex & ~63
        s.refillAllocCache(freeByteBase // 8)
        s.allocCache >>= s.freeindex % 64
        return s

    def uncacheSpan(self, s: mspan) -> None:
        """``mcentral.uncacheSpan``: an mcache gives s back."""
        if s.allocCount == 0:
            raise AssertionError("uncaching span but s.allocCount == 0")
        sg = self.heap.sweepgen
        stale = s.sweepgen == sg + 1
        if stale:
            # Cached before the sweep began: sweep it now; sweep puts it on the right list.
            s.sweepgen = sg - 1
            sweep(self.heap, s, preserve=False)
        else:
            s.sweepgen = sg
            if s.nelems - s.allocCount > 0:
                self.partialSwept(sg).append(s)
            else:
                self.fullSwept(sg).append(s)

    def grow(self, pcache: pageCache | None = None) -> mspan:
        """``mcentral.grow``: a fresh span of this class from the heap."""
        return self.heap.alloc(self.npages, self.spanclass, pcache)
