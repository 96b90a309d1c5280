"""Size classes: the table derived by the runtime's own generator, and the size → class lookup.

Models ``runtime/_mkmalloc/mksizeclasses.go`` (which writes ``internal/runtime/gc/sizeclasses.go``) and the lookups
that use its output: ``mallocgcSmallNoscan``'s ``SizeToSizeClass8``/``SizeToSizeClass128`` (runtime/malloc.go) and
``spanClass`` (runtime/mheap.go). The table is *computed* here by the same two passes as ``makeClasses``: one
walk over the sizes, in steps of an alignment that changes only at powers of two (8; 16 from 32 B; from 128 B an
eighth of the last power of two; 256 from 2048 B), giving each size the fewest pages that waste at most 1/8 of the
span and merging it into the previous class (whose size it takes) when page count and objects per span are the
same; then a second pass that grows each class to the largest multiple of 128 that still fits the same number of
objects. ``computeDivMagic``'s
32-bit reciprocal check and ``printComment``'s waste columns are reproduced too. Nothing is parsed or copied from
the runtime; the tests compare the result with the installed runtime's file row by row.

What it leaves out: 32-bit platforms (minimum alignment, the 12-byte tiny case) and ``MallocHeaderSize`` on
platforms with 4-byte pointers; gosim models linux/amd64.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

# The generator's inputs (runtime/_mkmalloc/constants.go).
minHeapAlign = 8
maxSmallSize = 32 << 10
smallSizeDiv = 8
smallSizeMax = 1024
largeSizeDiv = 128
pageShift = 13
tinySize = 16
pageSize = 1 << pageShift

# internal/runtime/gc/malloc.go (64-bit).
MallocHeaderSize = 8
MinSizeForMallocHeader = 8 * 64  # goarch.PtrSize * goarch.PtrBits; exclusive minimum

# The cut-off mallocgc actually uses: a small object is at most maxSmallSize - MallocHeaderSize bytes, whether it
# has pointers or not (malloc.go, mallocgc).
maxSmallAllocSize = maxSmallSize - MallocHeaderSize


@dataclass(frozen=True)
class SizeClass:
    """One row of the table, with the columns of ``printComment`` (mksizeclasses.go)."""

    sizeclass: int
    size: int  # bytes/obj
    npages: int

    @property
    def span_bytes(self) -> int:
        """bytes/span."""
        return self.npages * pageSize

    @property
    def objects(self) -> int:
        """Objects per span as the generator counts them (the runtime may reserve a tail; see `mspan.nelems_for`)."""
        return self.span_bytes // self.size

    @property
    def tail_waste(self) -> int:
        """Bytes at the end of the span that no object uses."""
        return self.span_bytes - self.size * self.objects

    @property
    def div_magic(self) -> int:
        """``SizeClassToDivMagic``: ``n / size == (n * magic) >> 32`` for every offset n in the span."""
        return (0xFFFFFFFF // self.size) + 1


@dataclass(frozen=True)
class Row:
    """A row as ``python -m gosim sizeclasses`` and the runtime's comment print it."""

    sizeclass: int
    size: int
    span_bytes: int
    objects: int
    tail_waste: int
    max_waste_pct: float  # rounded to 2 decimals, as printComment's %8.2f
    min_align: int


def _power_of_two(x: int) -> bool:
    return x != 0 and x & (x - 1) == 0


def size_steps() -> list[int]:
    """The candidate sizes ``makeClasses`` walks, in order: 8, 16, 24, 32, 48, ... 32768 (steps of an alignment
    that changes at powers of two: 8, then 16 from 32 B, an eighth of the last power of two from 128 B, 256 from
    2048 B)."""
    out = []
    align = minHeapAlign
    size = align
    while size <= maxSmallSize:
        if _power_of_two(size):
            if size >= 2048:
                align = 256
            elif size >= 128:
                align = size // 8
            elif size >= 32:
                align = 16
        out.append(size)
        size += align
    return out


def make_classes(grow: bool = True) -> list[tuple[int, int]]:
    """(size, npages) for classes 0..67, by the steps of ``makeClasses`` (mksizeclasses.go). Class 0 is (0, 0).
    ``grow=False`` stops before the second pass (the one that grows each class to the largest size that still fits
    the same number of objects), to show what that pass changed."""
    classes: list[list[int]] = [[0, 0]]  # class #0 is a dummy entry
    align = minHeapAlign
    size = align
    while size <= maxSmallSize:
        if _power_of_two(size):  # bump alignment once in a while
            if size >= 2048:
                align = 256
            elif size >= 128:
                align = size // 8
            elif size >= 32:
                align = 16  # heap bitmaps assume 16-byte alignment for allocations >= 32 bytes
        if not _power_of_two(align):
            raise AssertionError("incorrect alignment")
        # The fewest pages whose leftover is at most 1/8 of the total.
        allocsize = pageSize
        while allocsize % size > allocsize // 8:
            allocsize += pageSize
        npages = allocsize // pageSize
        prev = classes[-1]
        # Same pages and same objects per span as the previous class: just use this (larger) size for it.
        if len(classes) > 1 and npages == prev[1] and allocsize // size == allocsize // prev[0]:
            prev[0] = size
        else:
            classes.append([size, npages])
        size += align
    # Grow each class to the largest size that fits the same number of objects, keeping largeSizeDiv alignment.
    for c in (classes[1:] if grow else ()):
        psize = c[1] * pageSize
        new_size = (psize // (psize // c[0])) & ~(largeSizeDiv - 1)
        if new_size > c[0]:
            c[0] = new_size
    if len(classes) != 68:
        raise AssertionError("number of size classes has changed")
    return [(s, n) for s, n in classes]


def class_origins() -> list[tuple[int, int, int]]:
    """For classes 1..67: (size before the grow pass, candidate sizes it took in, size after it). More
    than one candidate: the walk merged smaller sizes into this class (same pages, same objects per span);
    a larger final size: the grow pass grew it."""
    before, after, steps = make_classes(grow=False), make_classes(), size_steps()
    out = []
    for i in range(1, len(before)):
        lo = before[i - 1][0]
        taken = sum(1 for z in steps if lo < z <= before[i][0])
        out.append((before[i][0], taken, after[i][0]))
    return out


def check_div_magic(size: int, npages: int) -> int:
    """``computeDivMagic``: the fractional bits F that Lemire et al.'s Algorithm 2 needs, checked to be <= 32, and
    the 32-bit multiply checked for every offset 0..npages*pageSize (vectorised; the generator loops)."""
    top = npages * pageSize
    n_bits = top.bit_length()
    if _power_of_two(size):
        f = size.bit_length() - 1
    else:
        lsh = 0
        while not size <= ((1 << (n_bits + lsh)) % size) + (1 << lsh):
            lsh += 1
        f = n_bits + lsh
    if f > 32:
        raise AssertionError(f"size class {size} requires more than 32 bits of precision")
    magic = (0xFFFFFFFF // size) + 1
    n = np.arange(top + 1, dtype=np.uint64)
    if not np.array_equal((n * np.uint64(magic)) >> np.uint64(32), n // np.uint64(size)):
        raise AssertionError(f"bad 32-bit multiply magic for size {size}")
    return f


@cache
def classes() -> tuple[SizeClass, ...]:
    """The 68 size classes (index = class; class 0 stands for large objects)."""
    return tuple(SizeClass(i, s, n) for i, (s, n) in enumerate(make_classes()))


NumSizeClasses = 68
numSpanClasses = NumSizeClasses << 1
tinySizeClass = 2
tinySpanClass = tinySizeClass << 1 | 1


@cache
def _columns() -> tuple[list[int], list[int], list[int], list[int]]:
    cs = classes()
    sizes = [c.size for c in cs]
    npages = [c.npages for c in cs]

    def size_to_class(size: int) -> int:  # printClasses' sizeToSizeClass: the first class that is big enough
        return next(j for j, c in enumerate(cs) if c.size >= size)

    by8 = [size_to_class(i * smallSizeDiv) for i in range(smallSizeMax // smallSizeDiv + 1)]
    by128 = [size_to_class(smallSizeMax + i * largeSizeDiv)
             for i in range((maxSmallSize - smallSizeMax) // largeSizeDiv + 1)]
    return sizes, npages, by8, by128


def SizeClassToSize() -> list[int]:
    """``gc.SizeClassToSize``: bytes per object, by class."""
    return _columns()[0]


def SizeClassToNPages() -> list[int]:
    """``gc.SizeClassToNPages``: pages per span, by class."""
    return _columns()[1]


def SizeToSizeClass8() -> list[int]:
    """``gc.SizeToSizeClass8``: class for sizes up to 1024, indexed by ceil(size/8)."""
    return _columns()[2]


def SizeToSizeClass128() -> list[int]:
    """``gc.SizeToSizeClass128``: class for sizes 1024..32768, indexed by ceil((size-1024)/128)."""
    return _columns()[3]


def rows() -> list[Row]:
    """The table as ``printComment`` writes it above the runtime's table, classes 1..67."""
    out = []
    prev = 0
    min_aligns = [0] * (pageShift + 1)
    for c in classes()[1:]:
        max_waste = ((c.size - prev - 1) * c.objects + c.tail_waste) / c.span_bytes
        align_bits = min((c.size & -c.size).bit_length() - 1, pageShift)  # capped at page alignment
        for i in range(len(min_aligns)):
            if i > align_bits:
                min_aligns[i] = 0
            elif min_aligns[i] == 0:
                min_aligns[i] = c.size
        out.append(Row(c.sizeclass, c.size, c.span_bytes, c.objects, c.tail_waste,
                       float(f"{100 * max_waste:.2f}"), 1 << align_bits))
        prev = c.size
    return out


def check_size(size: object, *, name: str = "size", small: bool = False) -> int:
    """A byte count as mallocgc takes it: an integer >= 0 (``small``: 1..maxSmallSize)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"{name} must be an integer number of bytes, got {size!r}")
    size = int(size)
    hi = maxSmallSize if small else (1 << 48)  # heapAddrBits: nothing larger can ever be mapped
    lo = 1 if small else 0
    if not lo <= size <= hi:
        raise ValueError(f"{name} must be from {lo} to {hi} bytes, got {size}")
    return size


def size_to_class(size: int) -> int:
    """The size class a request of ``size`` bytes (1..32768) rounds up to, by the runtime's two lookup tables
    (``mallocgcSmallNoscan``, runtime/malloc.go). Callers that add a malloc header add it first."""
    size = check_size(size, small=True)
    sizes, _, by8, by128 = _columns()
    if size <= smallSizeMax - 8:
        return by8[(size + smallSizeDiv - 1) // smallSizeDiv]
    return by128[(size - smallSizeMax + largeSizeDiv - 1) // largeSizeDiv]


def roundupsize(size: int, noscan: bool) -> int:
    """``roundupsize`` (runtime/msize.go): the bytes mallocgc really uses for a ``size``-byte request — the class
    size (minus the malloc header for scan objects above 512 B), or whole pages for large objects."""
    size = check_size(size)
    reqsize = size
    if size <= maxSmallAllocSize:
        if not noscan and size > MinSizeForMallocHeader:
            reqsize += MallocHeaderSize
        if reqsize <= smallSizeMax - 8:
            return SizeClassToSize()[SizeToSizeClass8()[(reqsize + 7) // 8]] - (reqsize - size)
        return SizeClassToSize()[SizeToSizeClass128()[(reqsize - smallSizeMax + 127) // 128]] - (reqsize - size)
    # Large object: whole pages.
    return (size + pageSize - 1) // pageSize * pageSize


# spanClass (runtime/mheap.go): sizeclass << 1 | noscan.
def makeSpanClass(sizeclass: int, noscan: bool) -> int:
    """``makeSpanClass``: the span class of a size class and its scan/noscan kind."""
    if not 0 <= sizeclass < NumSizeClasses:
        raise ValueError(f"sizeclass must be from 0 to {NumSizeClasses - 1}, got {sizeclass}")
    return sizeclass << 1 | int(bool(noscan))


def spanclass_sizeclass(spc: int) -> int:
    """``spanClass.sizeclass``."""
    return spc >> 1


def spanclass_noscan(spc: int) -> bool:
    """``spanClass.noscan``: the span's objects hold no pointers."""
    return bool(spc & 1)


def spanclass_name(spc: int) -> str:
    """``"5 (class 2, noscan)"``: how the book prints a span class."""
    return f"{spc} (class {spc >> 1}, {'noscan' if spc & 1 else 'scan'})"


def heapBitsInSpan(size: int) -> bool:
    """``heapBitsInSpan`` (runtime/mbitmap.go): objects up to 512 B keep their pointer bitmap at the end of the
    span; larger scan objects carry an 8-byte malloc header instead."""
    return size <= MinSizeForMallocHeader


def gcUsesSpanInlineMarkBits(size: int) -> bool:
    """``gcUsesSpanInlineMarkBits`` (runtime/mgcmark_greenteagc.go): spans of 16..512-byte objects end with 128
    bytes of inline mark bits for Green Tea's span-granular marking."""
    return heapBitsInSpan(size) and size >= 16


def allocs_by_size_buckets() -> list[float]:
    """The bucket boundaries of ``/gc/heap/allocs-by-size:bytes`` (``sizeClassBuckets``, runtime/metrics.go):
    ``[1, 9, 17, 25, 33, 49, ..., 32769, inf]`` — each class (prev, size] shifted to [prev+1, size+1)."""
    return [1.0] + [float(s + 1) for s in SizeClassToSize()[1:]] + [float("inf")]
