"""Sweeping: how unmarked objects become free slots again, and empty spans go back to the heap.

Models runtime/mgcsweep.go — ``sweepLocked.sweep`` (the marked objects become the span's new ``allocBits``; the
rest is free; an empty small span and an unmarked large object's span go back to the heap with ``freeSpan``;
still-used spans go on their mcentral's partial or full swept set), ``sweepone`` (what the background sweeper and
``finishsweep_m`` call: sweep one span from the unswept sets, span class by span class), ``deductSweepCredit`` and
``gcPaceSweeper`` (proportional sweeping: allocation pays for sweeping pages in proportion to heap growth) — and
``gcSweep`` (mgc.go), which starts a sweep phase by adding 2 to ``mheap.sweepgen``.

This is the interface the GC model drives: mark objects (``malloc.Allocator.mark``), then ``gcSweep``, then
``sweepone`` in the background or ``finishsweep_m``; allocation sweeps lazily on its own (``mcentral.cacheSpan``,
``mheap.reclaim``). What it leaves out: specials (finalizers revive objects), zombie reporting beyond an error,
the sweeper's concurrency (one sweeper at a time; ``sweepLocker`` always succeeds on an unswept span).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .mspan import mSpanInUse, mspan

if TYPE_CHECKING:
    from .mheap import mheap

numSweepClasses = 136 * 2


def sweep(h: mheap, s: mspan, preserve: bool) -> bool:
    """``sweepLocked.sweep``: free s's unmarked objects. Returns True if the span went back to the heap.
    ``preserve``: the caller (``cacheSpan``) keeps the span instead of putting it on a list."""
    sweepgen = h.sweepgen
    if s.state != mSpanInUse or s.sweepgen != sweepgen - 1:
        raise AssertionError(f"mspan.sweep: bad span state {s.state} sweepgen {s.sweepgen} (heap {sweepgen})")
    h.pagesSwept += s.npages
    spc = s.spanclass
    size = s.elemsize
    live = s.gcmarkBits
    below = (1 << s.freeindex) - 1
    zombies = live & ~s.allocBits & ~below
    if zombies:
        index = (zombies & -zombies).bit_length() - 1
        raise ValueError(f"found pointer to free object {s.startAddr + index * size:#x} "
                         f"(span {s.startAddr:#x}, object {index}): a marked object that was never allocated")
    nalloc = live.bit_count()
    nfreed = s.allocCount - nalloc
    if nalloc > s.allocCount:
        raise AssertionError("sweep increased allocation count")
    s.allocCount = nalloc
    s.freeindex = 0
    s.freeIndexForScan = 0
    s.allocBits = live
    s.gcmarkBits = 0
    s.refillAllocCache(0)
    s.sweepgen = sweepgen
    stats, gcc = h.memstats, h.gcController
    if spc >> 1:
        if nfreed > 0:
            s.needzero = 1
            stats.smallFreeCount[spc >> 1] += nfreed
            gcc.totalFree += nfreed * size
        if not preserve:
            if nalloc == 0:
                h.freeSpan(s)
                return True
            c = h.central[spc]
            if nalloc == s.nelems:
                c.fullSwept(sweepgen).append(s)
            else:
                c.partialSwept(sweepgen).append(s)
    elif not preserve:
        if nfreed:
            stats.largeFreeCount += 1
            stats.largeFree += size
            gcc.totalFree += size
            h.freeSpan(s)
            return True
        h.central[spc].fullSwept(sweepgen).append(s)
    return False


def nextSpanForSweep(h: mheap) -> mspan | None:
    """``mheap.nextSpanForSweep``: pop an unswept span, partial before full, span class by span class."""
    sg = h.sweepgen
    sc = h.sweepCentralIndex
    while sc < numSweepClasses:
        c = h.central[sc >> 1]
        q = c.fullUnswept(sg) if sc & 1 else c.partialUnswept(sg)
        if q:
            h.sweepCentralIndex = sc
            return q.popleft()
        sc += 1
    h.sweepCentralIndex = numSweepClasses
    return None


def sweepone(h: mheap) -> int:
    """``sweepone``: sweep one span; the pages it returned to the heap (0 if it stayed in use), or -1
    (``^uintptr(0)``) when there is nothing left to sweep."""
    while True:
        s = nextSpanForSweep(h)
        if s is None:
            h.sweepDrained = True
            return -1
        if s.state != mSpanInUse:
            continue
        if s.sweepgen == h.sweepgen - 2:  # sweepLocker.tryAcquire
            s.sweepgen = h.sweepgen - 1
            npages = s.npages
            if sweep(h, s, preserve=False):
                h.reclaimCredit += npages
                return npages
            return 0


def isSweepDone(h: mheap) -> bool:
    return h.sweepDrained


def finishsweep_m(h: mheap) -> None:
    """``finishsweep_m``: sweep everything still unswept (the GC does this before it starts marking)."""
    while sweepone(h) != -1:
        pass


def deductSweepCredit(h: mheap, spanBytes: int, callerSweepPages: int) -> None:
    """``deductSweepCredit``: proportional sweep — sweep enough pages for ``spanBytes`` more heap."""
    if h.sweepPagesPerByte == 0:
        return
    sweptBasis = h.pagesSweptBasis
    live = h.gcController.heapLive
    newHeapLive = spanBytes + max(0, live - h.sweepHeapLiveBasis)
    pagesTarget = int(h.sweepPagesPerByte * newHeapLive) - callerSweepPages
    while pagesTarget > h.pagesSwept - sweptBasis:
        if sweepone(h) == -1:
            h.sweepPagesPerByte = 0
            break


def gcPaceSweeper(h: mheap, trigger: int) -> None:
    """``gcPaceSweeper``: sweep all in-use pages by the time the heap reaches ``trigger`` (less 1 MiB)."""
    if isSweepDone(h):
        h.sweepPagesPerByte = 0
        return
    heapLiveBasis = h.gcController.heapLive
    heapDistance = max(trigger - heapLiveBasis - (1 << 20), 8192)
    sweepDistancePages = h.pagesInUse - h.pagesSwept
    if sweepDistancePages <= 0:
        h.sweepPagesPerByte = 0
    else:
        h.sweepPagesPerByte = sweepDistancePages / heapDistance
        h.sweepHeapLiveBasis = heapLiveBasis
        h.pagesSweptBasis = h.pagesSwept


def gcSweep(h: mheap, mcaches, blocking: bool = False) -> None:
    """``gcSweep`` (mgc.go) plus the mcache flush of mark termination: begin a sweep phase.

    ``sweepgen += 2`` makes every span unswept at once (the mcentral sets swap roles) and every cached span stale;
    each mcache is flushed (``prepareForSweep``), which sweeps its stale spans. ``blocking`` sweeps everything now,
    as ``runtime.GC()`` and ``GODEBUG=gcstoptheworld`` do; otherwise the caller runs ``sweepone`` (bgsweep) and
    allocation sweeps lazily.
    """
    if not h.sweepDrained:
        raise ValueError("gcSweep: the previous sweep phase has not finished (call finishsweep_m first, as gcStart "
                         "does)")
    h.sweepgen += 2
    h.sweepDrained = False
    h.sweepCentralIndex = 0
    h.pagesSwept = 0
    h.reclaimCredit = 0
    h.start_reclaim()
    for c in mcaches:
        c.prepareForSweep()
    if blocking:
        h.sweepPagesPerByte = 0
        finishsweep_m(h)
