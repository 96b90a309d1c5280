"""mspan: a run of pages cut into equal objects, with the bitmaps that say which are allocated and which are marked.

Models ``type mspan`` and its allocation methods: ``mspan.init``/``mheap.initSpan`` (runtime/mheap.go: elemsize,
nelems — with the tail the runtime reserves for heap bits and for Green Tea's inline mark bits), ``nextFreeFast``
(runtime/malloc.go), ``nextFreeIndex``/``refillAllocCache`` (runtime/mbitmap.go) and the mark-bit helpers the GC
uses (``markBitsForIndex``, ``isMarked``, ``setMarked``, ``countAlloc``). The bitmaps are Python ints, bit n for
object n: ``allocBits`` (allocated at the last sweep), ``gcmarkBits`` (marked in this cycle) and the 64-bit
``allocCache``, the complement of ``allocBits`` shifted so that bit 0 is ``freeindex``: finding a free object is
one count-trailing-zeros, as in the runtime. Object n is allocated iff ``n < freeindex`` or its alloc bit is set.

``sweepgen`` follows the runtime's protocol (h = mheap.sweepgen): h-2 needs sweeping, h-1 is being swept, h is
swept, h+1 was cached before the sweep began and needs sweeping, h+3 was swept and is cached.

What it leaves out: specials (finalizers, weak handles, pinning), user arenas, the heap bitmap contents (pointer
bits), ``needzero`` bookkeeping beyond a flag, the separate inline mark bits of Green Tea (marks go straight to
``gcmarkBits``), and the lock-free publication of spans.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .sizeclasses import (SizeClassToNPages, SizeClassToSize, gcUsesSpanInlineMarkBits, heapBitsInSpan, pageSize,
                          spanclass_noscan, spanclass_sizeclass)

MASK64 = (1 << 64) - 1

# mSpanState (runtime/mheap.go).
mSpanDead, mSpanInUse, mSpanManual = 0, 1, 2

# unsafe.Sizeof(spanInlineMarkBits{}) (mgcmark_greenteagc.go): 63 scan bytes, an ownership byte, 63 mark bytes, the
# span class.
spanInlineMarkBitsSize = 128
ptrSize = 8


def ctz64(x: int) -> int:
    """``sys.TrailingZeros64``: 64 for 0."""
    return (x & -x).bit_length() - 1 if x else 64


def nelems_for(spanclass: int, npages: int, greenteagc: bool = True) -> int:
    """How many objects ``mheap.initSpan`` fits in a span: the whole span for large objects (1) and for most
    classes, minus 128 bytes of inline mark bits for 16..512-byte classes under Green Tea (the default since Go
    1.26), minus ``nbytes/64`` bytes of pointer bits at the end of scan spans of objects up to 512 bytes."""
    sizeclass = spanclass_sizeclass(spanclass)
    if sizeclass == 0:
        return 1
    elemsize = SizeClassToSize()[sizeclass]
    nbytes = npages * pageSize
    reserve = 0
    if greenteagc and gcUsesSpanInlineMarkBits(elemsize):
        reserve += spanInlineMarkBitsSize
    if heapBitsInSpan(elemsize) and not spanclass_noscan(spanclass):
        reserve += nbytes // ptrSize // 8
    return (nbytes - reserve) // elemsize


@cache
def _span_shape(greenteagc: bool) -> list[tuple[int, int, int]]:
    """(elemsize, nelems, divMul) of a small span, by span class."""
    out = [(0, 0, 0)] * 2
    for spc in range(2, 136):
        size = SizeClassToSize()[spc >> 1]
        out.append((size, nelems_for(spc, SizeClassToNPages()[spc >> 1], greenteagc), (0xFFFFFFFF // size) + 1))
    return out


class mspan:
    """A span of ``npages`` pages starting at ``startAddr``; the runtime's field names."""

    __slots__ = ("startAddr", "npages", "spanclass", "elemsize", "nelems", "freeindex", "allocCache", "allocBits",
                 "gcmarkBits", "allocCount", "allocCountBeforeCache", "sweepgen", "state", "needzero", "limit",
                 "divMul", "freeIndexForScan")

    def __init__(self) -> None:
        self.startAddr = 0
        self.npages = 0
        self.spanclass = 0
        self.elemsize = 0
        self.nelems = 0
        self.freeindex = 0
        self.freeIndexForScan = 0
        self.allocCache = 0
        self.allocBits = 0
        self.gcmarkBits = 0
        self.allocCount = 0
        self.allocCountBeforeCache = 0
        self.sweepgen = 0
        self.state = mSpanDead
        self.needzero = 0
        self.limit = 0
        self.divMul = 0

    def __repr__(self) -> str:
        return (f"mspan(base={self.startAddr:#x}, npages={self.npages}, spanclass={self.spanclass}, "
                f"elemsize={self.elemsize}, allocCount={self.allocCount}/{self.nelems}, sweepgen={self.sweepgen})")

    # --- set-up (mheap.initSpan) ---------------------------------------------------------------------------------

    def init(self, base: int, npages: int) -> None:
        """``mspan.init``: a blank span over [base, base + npages*pageSize)."""
        self.__init__()
        self.startAddr = base
        self.npages = npages

    def init_heap(self, spanclass: int, sweepgen: int, greenteagc: bool = True) -> None:
        """The heap half of ``mheap.initSpan``: element size and count, empty bitmaps, all-free allocCache."""
        self.spanclass = spanclass
        if spanclass >> 1 == 0:
            self.elemsize = self.npages * pageSize
            self.nelems = 1
            self.divMul = 0
        else:
            self.elemsize, self.nelems, self.divMul = _span_shape(greenteagc)[spanclass]
        self.freeindex = 0
        self.freeIndexForScan = 0
        self.allocCache = MASK64  # all 1s: all free
        self.allocBits = 0
        self.gcmarkBits = 0
        self.allocCount = 0
        self.allocCountBeforeCache = 0
        self.limit = self.startAddr + self.elemsize * self.nelems
        self.sweepgen = sweepgen
        self.state = mSpanInUse

    def base(self) -> int:
        return self.startAddr

    @property
    def sizeclass(self) -> int:
        return self.spanclass >> 1

    @property
    def noscan(self) -> bool:
        return bool(self.spanclass & 1)

    # --- allocation ------------------------------------------------------------------------------------------

    def refillAllocCache(self, whichByte: int) -> None:
        """``refillAllocCache``: the complement of the 64 alloc bits starting at byte ``whichByte``."""
        self.allocCache = ~(self.allocBits >> (whichByte * 8)) & MASK64

    def nextFreeFast(self) -> int:
        """``nextFreeFast`` (malloc.go): the next free object's address from allocCache alone, or 0."""
        cache = self.allocCache
        if cache:
            theBit = (cache & -cache).bit_length() - 1
            result = self.freeindex + theBit
            if result < self.nelems:
                freeidx = result + 1
                if freeidx % 64 == 0 and freeidx != self.nelems:
                    return 0
                self.allocCache = cache >> (theBit + 1)
                self.freeindex = freeidx
                self.allocCount += 1
                return result * self.elemsize + self.startAddr
        return 0

    def nextFreeIndex(self) -> int:
        """``nextFreeIndex`` (mbitmap.go): the index of the next free object at or after freeindex, or nelems."""
        sfreeindex = self.freeindex
        snelems = self.nelems
        if sfreeindex == snelems:
            return sfreeindex
        if sfreeindex > snelems:
            raise AssertionError("s.freeindex > s.nelems")
        aCache = self.allocCache
        bitIndex = ctz64(aCache)
        while bitIndex == 64:
            # Move index to start of next cached bits.
            sfreeindex = (sfreeindex + 64) & ~63
            if sfreeindex >= snelems:
                self.freeindex = snelems
                return snelems
            self.refillAllocCache(sfreeindex // 8)
            aCache = self.allocCache
            bitIndex = ctz64(aCache)
        result = sfreeindex + bitIndex
        if result >= snelems:
            self.freeindex = snelems
            return snelems
        self.allocCache >>= bitIndex + 1
        sfreeindex = result + 1
        if sfreeindex % 64 == 0 and sfreeindex != snelems:
            self.refillAllocCache(sfreeindex // 8)
        self.freeindex = sfreeindex
        return result

    # --- objects and bits ------------------------------------------------------------------------------------

    def objIndex(self, p: int) -> int:
        """``objIndex``: the object that contains address p (the runtime multiplies by divMul; same result)."""
        return (p - self.startAddr) // self.elemsize

    def isFree(self, index: int) -> bool:
        """``isFree``: neither below freeindex nor set in allocBits."""
        return index >= self.freeindex and not (self.allocBits >> index) & 1

    def isMarked(self, index: int) -> bool:
        return bool((self.gcmarkBits >> index) & 1)

    def setMarked(self, index: int) -> bool:
        """``markBits.setMarked``: mark object ``index``; False if it already was. (The arena's ``pageMarks`` bit
        that ``mheap.reclaim`` reads is ``gcmarkBits != 0`` here.)"""
        bit = 1 << index
        if self.gcmarkBits & bit:
            return False
        self.gcmarkBits |= bit
        return True

    def countAlloc(self) -> int:
        """``countAlloc``: marked objects, i.e. what survives this sweep."""
        return self.gcmarkBits.bit_count()

    def allocated_mask(self) -> int:
        """Bit n set iff object n is allocated: below freeindex, or set in allocBits."""
        return ((1 << self.freeindex) - 1) | self.allocBits & ((1 << self.nelems) - 1)

    def allocated(self) -> np.ndarray:
        """Which objects are allocated, as a boolean array of length nelems (for plots and tests)."""
        mask = self.allocated_mask()
        raw = np.frombuffer(mask.to_bytes((self.nelems + 7) // 8 or 1, "little"), dtype=np.uint8)
        return np.unpackbits(raw, bitorder="little")[: self.nelems].astype(bool)

    def object_addresses(self) -> list[int]:
        """Addresses of the allocated objects, lowest first."""
        mask = self.allocated_mask()
        out = []
        while mask:
            low = mask & -mask
            out.append(self.startAddr + (low.bit_length() - 1) * self.elemsize)
            mask ^= low
        return out


def emptymspan() -> mspan:
    """``emptymspan``: the placeholder every mcache slot starts with; nextFreeFast always fails on it."""
    return mspan()
