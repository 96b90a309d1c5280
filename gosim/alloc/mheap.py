"""mheap: pages for spans, grown from the OS in 4 MiB chunks out of 64 MiB arenas.

Models ``mheap`` (runtime/mheap.go) with its ``mallocinit`` set-up (malloc.go): ``alloc`` (after ``reclaim``
while a sweep is running) → ``allocSpan``, which takes spans of fewer than 16 pages from the P's page cache
(``pageCachePages/4``), others from the page allocator, and on failure calls ``grow``: the heap grows by whole
palloc chunks (``alignUp(npage, 512)`` pages) carved from the current arena, and ``sysAlloc`` reserves more 64 MiB
arenas (``heapArenaBytes``) when that runs out, at the addresses the arena hints give — randomized on this
runtime (``randomizedheapbase64``: random arena, random chunk in it, and up to 511 padding pages). Each arena has
a ``heapArena`` with its ``spans`` map (page → span, how a pointer finds its span) and ``pageInUse`` bits.
``initSpan`` sets up a span; ``freeSpan`` returns its pages. The byte counters move as in the runtime: fresh
memory is *released* (mapped, not backed), allocating from it commits it, freeing makes it *free*.

What it leaves out: manual spans (stacks, workbufs) and user arenas, the memory-limit and heap-growth scavenging
inside ``allocSpan`` (``scavenge`` exists, on demand), huge pages, the fixalloc metadata allocators (mspan and
mcache structs are Python objects, so the metadata memory classes are not modelled), 32-bit platforms and the
arena L1 level (none on linux/amd64; `gosim.alloc.arena` has the index arithmetic).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import arena as _arena
from .mcentral import mcentral
from .mgcsweep import sweep
from .mpagealloc import heapAddrBits, logPallocChunkBytes, pageAlloc, pallocChunkBytes, pallocChunkPages
from .mpagecache import allocToCache, pageCache, pageCachePages
from .mspan import mSpanDead, mSpanInUse, mspan
from .mstats import gcControllerState, heapStatsDelta
from .sizeclasses import numSpanClasses, pageShift, pageSize

logHeapArenaBytes = 26
heapArenaBytes = 1 << logHeapArenaBytes  # 64 MiB on linux/amd64
pagesPerArena = heapArenaBytes // pageSize  # 8192
arenaL1Bits, arenaL2Bits = 0, heapAddrBits - logHeapArenaBytes  # 0 and 22 on amd64
physPageSize = 4096
_MASK64 = (1 << 64) - 1
heapArenaSize = pagesPerArena * 8 + 4 * pagesPerArena // 8 + 16  # unsafe.Sizeof(heapArena{}) on amd64


def alignUp(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def alignDown(n: int, a: int) -> int:
    return n // a * a


def arena_index(p: int) -> int:
    """``arenaIndex``: which 64 MiB arena an address is in, numbered as the runtime numbers them (offset by
    amd64's ``arenaBaseOffset``: `gosim.alloc.arena.arenaIndex`, without its argument check)."""
    return ((int(p) - _arena.arenaBaseOffset) & _MASK64) >> logHeapArenaBytes


@dataclass
class heapArena:
    """``heapArena``: per-arena metadata. ``spans[i]`` is the span holding page i of the arena."""

    base: int
    spans: list = field(default_factory=lambda: [None] * pagesPerArena)
    pageInUse: bytearray = field(default_factory=lambda: bytearray(pagesPerArena // 8))  # bit: first page of an
    # in-use span
    zeroedBase: int = 0  # bytes from the start of the arena that have ever been used


class mheap:
    """The heap: page allocator, central lists, arenas, the sweep state and the counters."""

    def __init__(self, *, randomize_heap_base: bool = True, seed: int = 0, greenteagc: bool = True) -> None:
        self.pages = pageAlloc()
        self.central = [mcentral(i, self) for i in range(numSpanClasses)]
        self.greenteagc = greenteagc
        self.arenas: dict[int, heapArena] = {}
        self.heapArenas: list[int] = []  # arena indices, in the order they were added
        self.curArena = [0, 0]  # [base, end) of the arena space not yet handed to the page allocator
        self.allspans: list[mspan] = []
        self.spanpool: list[mspan] = []  # dead mspan structs for reuse (the spanalloc fixalloc's free list)
        self.memstats = heapStatsDelta()
        self.gcController = gcControllerState()
        # Sweeping (mgcsweep.go).
        self.sweepgen = 0
        self.sweepDrained = True
        self.sweepCentralIndex = 0
        self.pagesInUse = 0
        self.pagesSwept = 0
        self.pagesSweptBasis = 0
        self.sweepPagesPerByte = 0.0
        self.sweepHeapLiveBasis = 0
        self.reclaimCredit = 0
        self.reclaimList: list[mspan] = []
        self.reclaimIndex = 0
        # History, for plots: one entry per grow (bytes mapped after it, arena count).
        self.growth: list[tuple[int, int, int]] = []  # (heapInUse before, bytes added, total mapped)
        # mallocinit: arena hints. The randomized base mirrors malloc.go: the top bits of the first arena, then the
        # chunk within it and the padding pages on the first grow, all from one random word.
        self.randomize_heap_base = randomize_heap_base
        self._rng = random.Random(seed)
        self._randbits = self._rng.getrandbits(64)
        self._randleft = 64
        if randomize_heap_base:
            randHeapAddrBits = heapAddrBits - 1 - 1  # amd64: the top bit is sign-extended; keep one more spare
            topBits = randHeapAddrBits - logHeapArenaBytes
            self.arenaHint = alignUp(self._nextHeapRandBits(topBits) << (randHeapAddrBits - topBits),
                                     heapArenaBytes)
        else:
            self.arenaHint = 0x00C0 << 32  # the classic 0xc000000000
        self.heapBase = 0  # the first page the page allocator handed out can be below it; set by the first grow

    def _nextHeapRandBits(self, bits: int) -> int:
        """``nextHeapRandBits``: take the top ``bits`` bits of the random word."""
        r = self._randbits >> (64 - bits)
        self._randbits = (self._randbits << bits) & ((1 << 64) - 1)
        self._randleft -= bits
        return r

    # --- finding spans -------------------------------------------------------------------------------------

    def spanOf(self, p: int) -> mspan | None:
        """``spanOfHeap``: the in-use span containing address p, or None."""
        ha = self.arenas.get(arena_index(p))
        if ha is None:
            return None
        s = ha.spans[(p >> pageShift) % pagesPerArena]
        if s is None or s.state != mSpanInUse or p < s.startAddr or p >= s.limit:
            return None
        return s

    def setSpans(self, base: int, npage: int, s: mspan | None) -> None:
        """``setSpans``: point the spans map of every page of [base, base+npage pages) at s."""
        p = base >> pageShift
        if npage == 1:
            self.arenas[arena_index(p << pageShift)].spans[p % pagesPerArena] = s
            return
        end = p + npage
        while p < end:
            ai, i = divmod(p, pagesPerArena)
            n = min(end - p, pagesPerArena - i)
            self.arenas[arena_index(ai * heapArenaBytes)].spans[i:i + n] = [s] * n
            p += n

    def inuse_spans(self) -> list[mspan]:
        """Every in-use span, by address."""
        return sorted((s for s in self.allspans if s.state == mSpanInUse), key=lambda s: s.startAddr)

    # --- allocating spans ----------------------------------------------------------------------------------

    def alloc(self, npages: int, spanclass: int, pcache: pageCache | None = None) -> mspan:
        """``mheap.alloc``: a new in-use span of npages pages for span class ``spanclass``."""
        if not self.sweepDrained:
            self.reclaim(npages)
        return self.allocSpan(npages, spanclass, pcache)

    def allocSpan(self, npages: int, spanclass: int, pcache: pageCache | None) -> mspan:
        """``mheap.allocSpan`` for heap spans: page cache, page allocator, grow."""
        base = scav = 0
        if pcache is not None and npages < pageCachePages // 4:
            if pcache.empty():
                fresh = allocToCache(self.pages)
                pcache.base, pcache.cache, pcache.scav = fresh.base, fresh.cache, fresh.scav
            base, scav = pcache.alloc(npages)
        if base == 0:
            base, scav = self.pages.alloc(npages)
            if base == 0:
                if not self.grow(npages):
                    raise MemoryError(f"out of memory: cannot grow the heap by {npages} pages")
                base, scav = self.pages.alloc(npages)
                if base == 0 and self.randomize_heap_base and len(self.growth) == 1:
                    # Only a model whose very first allocation is large gets here: the first chunk lost up to 511
                    # pages to the random padding. (The runtime's first growth is always a small allocation of its
                    # own, during init.) Grow once more.
                    self.grow(npages)
                    base, scav = self.pages.alloc(npages)
                if base == 0:
                    raise AssertionError("grew heap, but no adequate free space found")
        s = self.spanpool.pop() if self.spanpool else self._recordspan()
        self.initSpan(s, spanclass, base, npages, scav)
        nbytes = npages * pageSize
        gcc, stats = self.gcController, self.memstats
        gcc.heapReleased -= scav
        gcc.heapFree -= nbytes - scav
        gcc.heapInUse += nbytes
        stats.committed += scav
        stats.released -= scav
        stats.inHeap += nbytes
        return s

    def _recordspan(self) -> mspan:
        """``recordspan``: a new mspan struct joins allspans (reused ones come from the pool)."""
        s = mspan()
        self.allspans.append(s)
        return s

    def initSpan(self, s: mspan, spanclass: int, base: int, npages: int, scav: int) -> None:
        """``mheap.initSpan`` for heap spans."""
        s.startAddr, s.npages = base, npages  # mspan.init; init_heap sets every other field
        ha = self.arenas[arena_index(base)]
        offset = base - ha.base
        end = offset + npages * pageSize
        # allocNeedsZero: memory below zeroedBase was used before and is dirty, unless it was scavenged.
        needzero = offset < ha.zeroedBase
        ha.zeroedBase = max(ha.zeroedBase, end)
        s.init_heap(spanclass, self.sweepgen, self.greenteagc)
        s.needzero = int(needzero and scav != npages * pageSize)
        self.setSpans(base, npages, s)
        i = (base >> pageShift) % pagesPerArena
        ha.pageInUse[i >> 3] |= 1 << (i & 7)
        self.pagesInUse += npages

    def freeSpan(self, s: mspan) -> None:
        """``mheap.freeSpan``/``freeSpanLocked``: return a heap span's pages."""
        if s.state != mSpanInUse:
            raise AssertionError(f"freeSpan of a span that is not in use: {s!r}")
        nbytes = s.npages * pageSize
        self.pagesInUse -= s.npages
        ha = self.arenas[arena_index(s.startAddr)]
        i = (s.startAddr >> pageShift) % pagesPerArena
        ha.pageInUse[i >> 3] &= ~(1 << (i & 7)) & 0xFF
        gcc, stats = self.gcController, self.memstats
        gcc.heapFree += nbytes
        gcc.heapInUse -= nbytes
        stats.inHeap -= nbytes
        self.pages.free(s.startAddr, s.npages)
        s.state = mSpanDead
        self.spanpool.append(s)

    # --- growing ------------------------------------------------------------------------------------------

    def grow(self, npage: int) -> bool:
        """``mheap.grow``: add at least npage pages, in whole 4 MiB chunks, reserving arenas as needed."""
        firstGrow = self.curArena[0] == 0
        ask = alignUp(npage, pallocChunkPages) * pageSize
        total = 0
        end = self.curArena[0] + ask
        nBase = alignUp(end, physPageSize)
        if nBase > self.curArena[1] or end < self.curArena[0]:
            av, asize = self.sysAlloc(ask)
            if av == self.curArena[1]:
                self.curArena[1] = av + asize  # contiguous: extend the current space
            else:
                size = self.curArena[1] - self.curArena[0]
                if size:
                    self._sysMap(self.curArena[0], size)
                    total += size
                self.curArena = [av, av + asize]
                if firstGrow and self.randomize_heap_base:
                    # A random 4 MiB chunk inside the first arena.
                    offset = self._nextHeapRandBits(logHeapArenaBytes - logPallocChunkBytes)
                    self.curArena[0] = alignDown(self.curArena[0] | (offset << logPallocChunkBytes),
                                                 pallocChunkBytes)
            nBase = alignUp(self.curArena[0] + ask, physPageSize)
            while nBase > self.curArena[1]:
                # The random chunk offset of the first grow left less than ask in the arena (the runtime never
                # meets this: its first growth is one chunk). Reserve the next, contiguous arena too.
                av, asize = self.sysAlloc(nBase - self.curArena[1])
                if av != self.curArena[1]:
                    raise AssertionError("arena hints are not contiguous")
                self.curArena[1] = av + asize
        v = self.curArena[0]
        self.curArena[0] = nBase
        self._sysMap(v, nBase - v)
        total += nBase - v
        if firstGrow and self.randomize_heap_base:
            # A random number of pages at the start of the first chunk are marked allocated forever.
            randNumPages = alignDown(self._nextHeapRandBits(logPallocChunkBytes), pageSize) // pageSize
            if randNumPages:
                self.pages.markRandomPaddingPages(v, randNumPages)
        if firstGrow:
            self.heapBase = self.pages.searchAddr
        self.growth.append((self.gcController.heapInUse, total, self.pages.mapped_bytes()))
        return True

    def _sysMap(self, v: int, size: int) -> None:
        """Reserved → prepared: the space counts as released until spans use it."""
        self.gcController.heapReleased += size
        self.memstats.released += size
        self.pages.grow(v, size)

    def sysAlloc(self, n: int) -> tuple[int, int]:
        """``mheap.sysAlloc``: reserve whole arenas at the next hint; register their heapArena metadata."""
        n = alignUp(n, heapArenaBytes)
        v = self.arenaHint
        self.arenaHint += n
        for a in range(v, v + n, heapArenaBytes):
            ai = arena_index(a)
            self.arenas[ai] = heapArena(a)
            self.heapArenas.append(ai)
        return v, n

    # --- sweeping support ---------------------------------------------------------------------------------

    def start_reclaim(self) -> None:
        """Snapshot, in address order, the spans ``reclaim`` may free this cycle: in use, nothing marked
        (the arenas' ``pageInUse &^ pageMarks``)."""
        self.reclaimList = [s for s in self.inuse_spans() if s.gcmarkBits == 0]
        self.reclaimIndex = 0

    def reclaim(self, npage: int) -> None:
        """``mheap.reclaim``: before taking npage new pages, sweep-free at least that many pages of unmarked
        spans, in address order (using credit from spans ``sweepone`` already freed)."""
        while npage > 0:
            if self.reclaimCredit > 0:
                take = min(self.reclaimCredit, npage)
                self.reclaimCredit -= take
                npage -= take
                continue
            if self.reclaimIndex >= len(self.reclaimList):
                return
            s = self.reclaimList[self.reclaimIndex]
            self.reclaimIndex += 1
            if s.state == mSpanInUse and s.sweepgen == self.sweepgen - 2 and s.gcmarkBits == 0:
                s.sweepgen = self.sweepgen - 1
                n = s.npages
                if sweep(self, s, preserve=False):
                    if n <= npage:
                        npage -= n
                    else:
                        self.reclaimCredit += n - npage
                        npage = 0

    # --- views --------------------------------------------------------------------------------------------

    def mapped_bytes(self) -> int:
        """Heap address space handed to the page allocator (whole chunks)."""
        return self.pages.mapped_bytes()

    def reserved_bytes(self) -> int:
        """Address space reserved in arenas."""
        return len(self.arenas) * heapArenaBytes

    def arena_metadata_bytes(self) -> int:
        """Bytes of ``heapArena`` structs: a span pointer per page, four page bitmaps and two words each."""
        return len(self.arenas) * heapArenaSize
