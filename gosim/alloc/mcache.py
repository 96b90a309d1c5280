"""mcache: each P's private span per span class, its tiny block, and the counters it flushes.

Models ``mcache`` (runtime/mcache.go): ``alloc[numSpanClasses]`` holds one span per span class (``emptymspan``
until first use); ``nextFree`` (malloc.go) takes the next free slot and, when the span is full, ``refill`` hands
it back to its mcentral (``uncacheSpan``), counts its new objects in the heap statistics and caches a span with
free objects from ``mcentral.cacheSpan`` (marking it ``sweepgen+3``, and telling the pacer the whole span is
live). ``allocLarge`` takes a span of whole pages straight from the heap for one object. ``releaseAll`` (at
mark termination, through ``prepareForSweep``) flushes every span and the tiny block.

What it leaves out: the stack cache, heap profiling samples, the ``runtimefreegc`` experiment's reusable-object
lists (off by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .mgcsweep import deductSweepCredit
from .mspan import emptymspan, mspan
from .sizeclasses import numSpanClasses, pageShift, pageSize, tinySpanClass

if TYPE_CHECKING:
    from .mheap import mheap
    from .mpagecache import pageCache

_EMPTY = emptymspan()


class mcache:
    __slots__ = ("alloc", "tiny", "tinyoffset", "tinyAllocs", "scanAlloc", "flushGen", "heap", "pcache", "id")

    def __init__(self, heap: mheap, pcache: pageCache, pid: int = 0) -> None:
        self.alloc: list[mspan] = [_EMPTY] * numSpanClasses
        self.tiny = 0  # address of the current tiny block, 0 if none
        self.tinyoffset = 0
        self.tinyAllocs = 0
        self.scanAlloc = 0
        self.flushGen = heap.sweepgen
        self.heap = heap
        self.pcache = pcache  # the P's page cache (p.pcache), used by mheap.allocSpan
        self.id = pid

    def nextFree(self, spc: int) -> tuple[int, mspan, bool]:
        """``mcache.nextFree`` (malloc.go): (address, span, checkGCTrigger) — refilling when the span is full."""
        s = self.alloc[spc]
        checkGCTrigger = False
        freeIndex = s.nextFreeIndex()
        if freeIndex == s.nelems:
            if s.allocCount != s.nelems:
                raise AssertionError("s.allocCount != s.nelems && freeIndex == s.nelems")
            self.refill(spc)
            checkGCTrigger = True
            s = self.alloc[spc]
            freeIndex = s.nextFreeIndex()
        if freeIndex >= s.nelems:
            raise AssertionError("freeIndex is not valid")
        s.allocCount += 1
        return freeIndex * s.elemsize + s.startAddr, s, checkGCTrigger

    def refill(self, spc: int) -> None:
        """``mcache.refill``: swap a full span for one with free space."""
        h = self.heap
        s = self.alloc[spc]
        if s.allocCount != s.nelems:
            raise AssertionError("refill of span with free space remaining")
        if s is not _EMPTY:
            if s.sweepgen != h.sweepgen + 3:
                raise AssertionError("bad sweepgen in refill")
            h.central[spc].uncacheSpan(s)
            slotsUsed = s.allocCount - s.allocCountBeforeCache
            h.memstats.smallAllocCount[spc >> 1] += slotsUsed
            if spc == tinySpanClass:
                h.memstats.tinyAllocCount += self.tinyAllocs
                self.tinyAllocs = 0
            h.gcController.totalAlloc += slotsUsed * s.elemsize
            s.allocCountBeforeCache = 0
        s = h.central[spc].cacheSpan(self.pcache)
        if s.allocCount == s.nelems:
            raise AssertionError("span has no free space")
        s.sweepgen = h.sweepgen + 3
        s.allocCountBeforeCache = s.allocCount
        # Assume the whole span will be used: heapLive is an over-estimate until the span is uncached.
        usedBytes = s.allocCount * s.elemsize
        h.gcController.update(s.npages * pageSize - usedBytes, self.scanAlloc)
        self.scanAlloc = 0
        self.alloc[spc] = s

    def allocLarge(self, size: int, noscan: bool) -> mspan:
        """``mcache.allocLarge``: a span of whole pages for one object of ``size`` bytes."""
        h = self.heap
        npages = size >> pageShift
        if size & (pageSize - 1):
            npages += 1
        deductSweepCredit(h, npages * pageSize, npages)
        spc = int(noscan)  # makeSpanClass(0, noscan)
        s = h.alloc(npages, spc, self.pcache)
        h.memstats.largeAlloc += npages * pageSize
        h.memstats.largeAllocCount += 1
        h.gcController.totalAlloc += npages * pageSize
        h.gcController.update(s.npages * pageSize, 0)
        h.central[spc].fullSwept(h.sweepgen).append(s)
        s.limit = s.startAddr + size
        return s

    def releaseAll(self) -> None:
        """``mcache.releaseAll``: give every cached span back, count its objects, drop the tiny block."""
        h = self.heap
        scanAlloc = self.scanAlloc
        self.scanAlloc = 0
        sg = h.sweepgen
        dHeapLive = 0
        for i, s in enumerate(self.alloc):
            if s is _EMPTY:
                continue
            slotsUsed = s.allocCount - s.allocCountBeforeCache
            s.allocCountBeforeCache = 0
            h.memstats.smallAllocCount[i >> 1] += slotsUsed
            h.gcController.totalAlloc += slotsUsed * s.elemsize
            if s.sweepgen != sg + 1:
                # refill assumed the whole span live; undo the part not used (stale spans were reset by the GC).
                dHeapLive -= (s.nelems - s.allocCount) * s.elemsize
            h.central[i].uncacheSpan(s)
            self.alloc[i] = _EMPTY
        self.tiny = 0
        self.tinyoffset = 0
        h.memstats.tinyAllocCount += self.tinyAllocs
        self.tinyAllocs = 0
        h.gcController.update(dHeapLive, scanAlloc)

    def prepareForSweep(self) -> None:
        """``mcache.prepareForSweep``: flush once per sweep phase."""
        sg = self.heap.sweepgen
        if self.flushGen == sg:
            return
        if self.flushGen != sg - 2:
            raise AssertionError(f"bad flushGen {self.flushGen} in prepareForSweep; sweepgen {sg}")
        self.releaseAll()
        self.flushGen = sg

    def cached_spans(self) -> list[mspan]:
        return [s for s in self.alloc if s is not _EMPTY]


def is_empty_span(s: mspan) -> bool:
    return s is _EMPTY
