"""From an address to its object: the arithmetic the runtime does to find the arena, the span and the object an
address points into.

Models, for linux/amd64, ``arenaIndex``/``arenaBase`` and the ``arenaIdx`` L1/L2 split (runtime/mheap.go), the
``heapArena.spans`` lookup of ``spanOf`` and the page bitmap index of ``pageIndexOf`` (mheap.go), and
``findObject``/``mspan.objIndex``/``divideByElemSize`` (runtime/mbitmap.go) with the span's ``divMul``, the magic
number ``mksizeclasses.go`` writes into ``SizeClassToDivMagic`` (``^uint32(0)/size + 1``).

On linux/amd64 the arena index has one level (``arenaL1Bits`` = 0, so ``mheap_.arenas[0]`` is the only L1 entry and
holds 2^22 pointers, one per 64 MiB of the 48-bit address space), and it is offset by ``arenaBaseOffset`` =
0xffff800000000000 so that the upper half of the sign-extended address space gets indices too: a user-space heap
address p has index (p + 2^47) >> 26, not p >> 26.

What it leaves out: the span map itself (which span owns a page is the heap's state, not arithmetic: the caller
gives the span's start, element size and class, from a real run or from `gosim.alloc.mheap`), the L1 level of
64-bit Windows (``arenaL1Bits`` = 6) and the other platforms' constants, ``badPointer`` and the ``mSpanManual``
(stack) case of ``findObject``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .mpagealloc import heapAddrBits
from .sizeclasses import SizeClassToNPages, SizeClassToSize, pageSize, spanclass_noscan, spanclass_sizeclass

MASK64 = (1 << 64) - 1
logHeapArenaBytes = 26  # 64 MiB on linux/amd64
heapArenaBytes = 1 << logHeapArenaBytes
pagesPerArena = heapArenaBytes // pageSize  # 8192
arenaL1Bits = 0  # 6 on 64-bit Windows only
arenaL2Bits = heapAddrBits - logHeapArenaBytes - arenaL1Bits  # 22
arenaL1Shift = arenaL2Bits
arenaBaseOffset = 0xFFFF800000000000  # goarch.IsAmd64; 0 on most other platforms


def _check_addr(p: object) -> int:
    if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= MASK64:
        raise ValueError(f"address must be an integer from 0 to 2^64-1, got {p!r}")
    return p


def arenaIndex(p: int) -> int:
    """``arenaIndex``: ``(p - arenaBaseOffset) / heapArenaBytes`` in uintptr arithmetic (wrapping at 2^64)."""
    return ((_check_addr(p) - arenaBaseOffset) & MASK64) // heapArenaBytes


def arenaBase(i: int) -> int:
    """``arenaBase``: the low address of the region heap arena i covers."""
    return (i * heapArenaBytes + arenaBaseOffset) & MASK64


def l1(i: int) -> int:
    """``arenaIdx.l1``: 0 when there is no L1 map."""
    return 0 if arenaL1Bits == 0 else i >> arenaL1Shift


def l2(i: int) -> int:
    """``arenaIdx.l2``: the whole index when there is no L1 map."""
    return i if arenaL1Bits == 0 else i & ((1 << arenaL2Bits) - 1)


def spanIndex(p: int) -> int:
    """The entry of ``heapArena.spans`` that ``spanOf`` reads: ``(p/pageSize) % pagesPerArena``."""
    return (_check_addr(p) // pageSize) % pagesPerArena


def pageIndexOf(p: int) -> tuple[int, int, int]:
    """``pageIndexOf``: (arena index, byte of the arena's ``pageInUse`` bitmap, bit mask in it)."""
    return arenaIndex(p), ((p // pageSize) // 8) % (pagesPerArena // 8), 1 << ((p // pageSize) % 8)


def divMagic(size: int) -> int:
    """``SizeClassToDivMagic`` / ``mspan.divMul`` for an element size: ``^uint32(0)/size + 1``."""
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return 0xFFFFFFFF // size + 1


def divideByElemSize(n: int, divMul: int) -> int:
    """``mspan.divideByElemSize``: ``(uint64(n) * uint64(divMul)) >> 32``."""
    return ((n * divMul) & MASK64) >> 32


@cache
def divMul_table() -> tuple[int, ...]:
    """The model's ``SizeClassToDivMagic``, by size class (0 for class 0)."""
    return (0, *(divMagic(z) for z in SizeClassToSize()[1:]))


def divMul_exact(sizeclass: int) -> bool:
    """What ``computeDivMagic`` in mksizeclasses.go checks: the magic division equals n // size for every offset n
    in [0, the span's bytes] (n a multiple of nothing in particular: every byte)."""
    size = SizeClassToSize()[sizeclass]
    span = SizeClassToNPages()[sizeclass] * pageSize
    m = divMul_table()[sizeclass]
    return all(divideByElemSize(n, m) == n // size for n in range(span + 1))


@dataclass(frozen=True)
class Span:
    """What the span map says about an address's span (from a real run, or `gosim.alloc.mheap`)."""

    start: int
    npages: int
    elemsize: int
    spanclass: int
    size: int | None = None  # a large object's requested size (``allocLarge`` sets ``s.limit = s.base() + size``)

    @property
    def nelems(self) -> int:
        """``mheap.initSpan``'s slot count (1 for a large object's span)."""
        from .mspan import nelems_for

        return nelems_for(self.spanclass, self.npages)

    @property
    def limit(self) -> int:
        """``s.limit``, the end of the span's last object: ``initSpan`` sets ``base + elemsize*nelems`` for a
        small span (mheap.go), ``allocLarge`` ``base + size`` for a large one (mcache.go); ``findObject`` finds no
        object at or past it."""
        if self.sizeclass:
            return self.start + self.elemsize * self.nelems
        return self.start + (self.elemsize if self.size is None else self.size)

    @property
    def sizeclass(self) -> int:
        return spanclass_sizeclass(self.spanclass)

    @property
    def noscan(self) -> bool:
        return spanclass_noscan(self.spanclass)

    @property
    def divMul(self) -> int:
        """``mheap.initSpan``: ``SizeClassToDivMagic[sizeclass]``, 0 for a large object's span."""
        return divMul_table()[self.sizeclass] if self.sizeclass else 0


@dataclass(frozen=True)
class Lookup:
    """An address, followed down: its arena, the spans entry, the page bit, and, given its span, the object."""

    addr: int
    arena: int  # arenaIndex
    arena_base: int
    span_page: int  # index into heapArena.spans
    page_byte: int  # pageIndexOf: byte of pageInUse
    page_mask: int
    base: int | None = None  # findObject: the object's base
    index: int | None = None  # findObject: the object index


def lookup(p: int, span: Span | None = None) -> Lookup:
    """Follow address p as ``spanOf`` and ``findObject`` do. Without its span, only the arena and page part."""
    ai = arenaIndex(p)
    _, byte, mask = pageIndexOf(p)
    if span is None:
        return Lookup(p, ai, arenaBase(ai), spanIndex(p), byte, mask)
    if not span.start <= p < span.start + span.npages * pageSize:
        raise ValueError(f"address {p:#x} is not in the span [{span.start:#x}, "
                         f"{span.start + span.npages * pageSize:#x})")
    if p >= span.limit:
        raise ValueError(f"address {p:#x} is past the span's last object (limit {span.limit:#x}): findObject finds "
                         "no object there")
    index = divideByElemSize(p - span.start, span.divMul) if span.sizeclass else 0
    return Lookup(p, ai, arenaBase(ai), spanIndex(p), byte, mask, span.start + index * span.elemsize, index)
