"""What the chapter plots, computed from an `Allocator`: plain dataclasses and numpy arrays, no drawing.

- `span_occupancy`: every in-use span with a boolean per slot (which objects are allocated), and a page-level map
  of the heap: free page, page cache, small span (with its fill), large span.
- `class_waste`: per size class, for a list of requests — round-up waste (request → class size), the span's tail
  waste, the bytes the runtime reserves at the end of a span (heap bits, Green Tea's inline mark bits).
- `fragmentation`: where the bytes between "objects" and "mapped" go: free slots in in-use spans, span tails,
  free pages (committed or released), pages held in per-P page caches.
- `arena_layout_go110` / `arena_layout`: the Go 1.10 heap — one contiguous reservation at 0xc000000000 with the
  spans array (512 MiB), the GC bitmap (16 GiB) and a 512 GiB arena, so the first object lived at 0xc420000000 —
  beside today's sparse 64 MiB arenas with their ``heapArena`` metadata and the 4 MiB chunks in use.
Heap growth over time is `gosim.alloc.workloads.Result.timeline_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .malloc import Allocator, batch_spanclasses
from .mheap import arenaL2Bits, heapArenaBytes, heapArenaSize, pagesPerArena
from .mpagealloc import chunkBase, pallocChunkBytes
from .mspan import mspan, nelems_for
from .sizeclasses import NumSizeClasses, SizeClassToNPages, SizeClassToSize, makeSpanClass, pageShift, pageSize

# Page states in `PageMap.state`.
PAGE_UNMAPPED, PAGE_FREE, PAGE_RELEASED, PAGE_CACHED, PAGE_SMALL, PAGE_LARGE = range(6)
PAGE_STATES = ("unmapped", "free", "released", "in a P's page cache", "small-object span", "large-object span")


@dataclass(frozen=True)
class SpanOccupancy:
    base: int
    npages: int
    spanclass: int
    elemsize: int
    allocated: np.ndarray  # bool per slot

    @property
    def fill(self) -> float:
        return float(self.allocated.mean()) if len(self.allocated) else 0.0


@dataclass(frozen=True)
class PageMap:
    """One entry per page from the lowest to the highest mapped chunk."""

    base: int
    state: np.ndarray  # PAGE_* codes
    fill: np.ndarray  # fraction of the slots allocated in the page's span (0 for non-span pages)
    spanclass: np.ndarray  # -1 for non-span pages

    def counts(self) -> dict[str, int]:
        return {name: int((self.state == i).sum()) for i, name in enumerate(PAGE_STATES)}


def span_occupancy(a: Allocator) -> list[SpanOccupancy]:
    """Every in-use span by address, with which of its slots are allocated."""
    return [SpanOccupancy(s.startAddr, s.npages, s.spanclass, s.elemsize, s.allocated()) for s in a.spans()]


def page_map(a: Allocator) -> PageMap:
    """The heap page by page: what each mapped page holds."""
    h = a.mheap_
    if not h.pages.order:
        empty = np.zeros(0, dtype=np.int64)
        return PageMap(0, empty, empty.astype(float), empty)
    lo, hi = h.pages.order[0], h.pages.order[-1] + 1
    base = chunkBase(lo)
    npages = (hi - lo) * (pallocChunkBytes // pageSize)
    state = np.full(npages, PAGE_UNMAPPED, dtype=np.int64)
    fill = np.zeros(npages)
    spc = np.full(npages, -1, dtype=np.int64)
    for ci, chunk in h.pages.chunks.items():
        start = (ci - lo) * 512
        bits = np.unpackbits(np.frombuffer(chunk.pallocBits.to_bytes(64, "little"), dtype=np.uint8),
                             bitorder="little").astype(bool)
        scav = np.unpackbits(np.frombuffer(chunk.scavenged.to_bytes(64, "little"), dtype=np.uint8),
                             bitorder="little").astype(bool)
        state[start:start + 512] = np.where(bits, PAGE_CACHED, np.where(scav, PAGE_RELEASED, PAGE_FREE))
    for s in a.spans():
        i = (s.startAddr - base) >> pageShift
        state[i:i + s.npages] = PAGE_LARGE if s.spanclass >> 1 == 0 else PAGE_SMALL
        fill[i:i + s.npages] = s.allocCount / s.nelems
        spc[i:i + s.npages] = s.spanclass
    # Allocated pages that no span and no page cache holds are the randomized base's padding: show them as
    # unusable (unmapped) rather than as cached.
    cached = np.zeros(npages, dtype=bool)
    for pc in a.pcaches:
        if pc.cache:
            i = (pc.base - base) >> pageShift
            cached[i:i + 64] = np.unpackbits(np.frombuffer(pc.cache.to_bytes(8, "little"), dtype=np.uint8),
                                             bitorder="little").astype(bool)
    state[(state == PAGE_CACHED) & ~cached] = PAGE_UNMAPPED
    return PageMap(base, state, fill, spc)


@dataclass(frozen=True)
class ClassWaste:
    """Per size class (index = class; 0 = large objects)."""

    objects: np.ndarray  # requests that landed in the class
    requested: np.ndarray  # bytes asked for
    slots: np.ndarray  # bytes of the slots they got (class size, or whole pages)
    span_bytes: np.ndarray  # bytes/span of the class
    tail_waste: np.ndarray  # bytes at the end of each span no slot uses (with today's reserved tail)

    @property
    def roundup_waste(self) -> np.ndarray:
        return self.slots - self.requested

    @property
    def roundup_waste_pct(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.slots > 0, 100 * self.roundup_waste / np.maximum(self.slots, 1), 0.0)


def class_waste(sizes, noscan, greenteagc: bool = True) -> ClassWaste:
    """Round-up waste by size class for a list of requests (``sizes``, ``noscan`` as `Allocator.mallocgc_many`
    takes them; a malloc header counts as requested), with each class's span tail as the runtime lays noscan spans
    out. Tiny requests count as what they ask: their 16-byte blocks are shared, so their waste is not a round-up."""
    sizes = np.asarray(sizes, dtype=np.int64)
    noscan = np.broadcast_to(np.asarray(noscan, dtype=bool), sizes.shape)
    spc, header = batch_spanclasses(sizes, noscan)
    cls = np.where(spc >= 0, spc >> 1, 0)
    class_sizes = np.array(SizeClassToSize(), dtype=np.int64)
    tiny = noscan & (sizes > 0) & (sizes < 16)
    large = sizes > 32760
    cls[tiny] = 2
    slot = np.where(large, (sizes + pageSize - 1) // pageSize * pageSize, class_sizes[cls])
    slot = np.where(tiny, sizes, slot)
    keep = sizes > 0
    objects = np.bincount(cls[keep], minlength=NumSizeClasses).astype(np.int64)
    requested = np.bincount(cls[keep], weights=(sizes + header)[keep], minlength=NumSizeClasses).astype(np.int64)
    slots = np.bincount(cls[keep], weights=slot[keep], minlength=NumSizeClasses).astype(np.int64)
    npages = SizeClassToNPages()
    span_bytes = np.array([n * pageSize for n in npages], dtype=np.int64)
    tail = np.array([0] + [span_bytes[c] - class_sizes[c] * nelems_for(makeSpanClass(c, True), npages[c], greenteagc)
                           for c in range(1, NumSizeClasses)], dtype=np.int64)
    return ClassWaste(objects, requested, slots, span_bytes, tail)


@dataclass(frozen=True)
class Fragmentation:
    """Where the heap's mapped bytes are, in the order a plot would stack them."""

    objects: int  # bytes in allocated slots
    free_slots: int  # free slots in in-use spans (reusable by their class only)
    span_tails: int  # ends of spans no slot uses (tail waste and the reserved heap/mark bits)
    free_pages: int  # free, committed pages (any span class can take them)
    released_pages: int  # free pages returned to the OS (or never touched)
    page_caches: int  # pages claimed by Ps' page caches, not yet in spans
    padding: int  # the randomized heap base's padding pages

    @property
    def mapped(self) -> int:
        return sum(vars(self).values())

    @property
    def inuse(self) -> int:
        return self.objects + self.free_slots + self.span_tails

    @property
    def internal_pct(self) -> float:
        """Share of in-use span bytes not in objects."""
        return 100 * (self.inuse - self.objects) / self.inuse if self.inuse else 0.0


def fragmentation(a: Allocator) -> Fragmentation:
    """Break the heap down (see `Fragmentation`), from the spans, the page caches and the page allocator's bits."""
    spans: list[mspan] = a.spans()
    objects = sum(s.allocCount * s.elemsize for s in spans)
    free_slots = sum((s.nelems - s.allocCount) * s.elemsize for s in spans)
    tails = sum(s.npages * pageSize - s.nelems * s.elemsize for s in spans)
    h = a.mheap_
    cached = sum(pc.cache.bit_count() for pc in a.pcaches)
    free = released = taken = 0
    for chunk in h.pages.chunks.values():
        idle = chunk.free_bits()
        free += (idle & ~chunk.scavenged).bit_count()
        released += (idle & chunk.scavenged).bit_count()
        taken += chunk.pallocBits.bit_count()
    padding = taken - sum(s.npages for s in spans) - cached
    return Fragmentation(objects, free_slots, tails, free * pageSize, released * pageSize, cached * pageSize,
                         padding * pageSize)


@dataclass(frozen=True)
class Region:
    """A piece of the address space: [start, start + size)."""

    name: str
    start: int
    size: int
    kind: str  # "metadata", "arena", "in use"


def arena_layout_go110() -> list[Region]:
    """Go 1.10's heap on linux/amd64 (runtime/malloc.go ``mallocinit`` of that release): one reservation at
    0xc000000000 of spans array + bitmap + arena, so the first heap object lived at 0xc420000000."""
    arena_size = 512 << 30  # _MaxMem + 1
    spans_size = arena_size // 8192 * 8  # one *mspan per page
    bitmap_size = arena_size // (8 * 8 // 2)  # 2 bits per heap word
    p1 = 0x00C0 << 32
    return [Region("spans (one *mspan per page)", p1, spans_size, "metadata"),
            Region("bitmap (2 bits per word, grows down)", p1 + spans_size, bitmap_size, "metadata"),
            Region("arena (512 GiB, used from the bottom up)", p1 + spans_size + bitmap_size, arena_size, "arena")]


def arena_layout(a: Allocator) -> list[Region]:
    """Today's heap: each reserved 64 MiB arena, the chunks in use in it, and the arena index (``mheap.arenas``,
    an L1 × L2 map of ``*heapArena``: on amd64 one L2 array of 2^22 pointers = 32 MiB of address space)."""
    h = a.mheap_
    out = [Region("mheap.arenas L2 index (2^22 × *heapArena)", 0, (1 << arenaL2Bits) * 8, "metadata")]
    for ai in sorted(h.arenas):
        ha = h.arenas[ai]
        out.append(Region(f"arena {ai:#x} (64 MiB)", ha.base, heapArenaBytes, "arena"))
        out.append(Region(f"heapArena {ai:#x} (spans [{pagesPerArena}]*mspan, page bitmaps)", 0, heapArenaSize,
                          "metadata"))
    for ci in h.pages.order:
        out.append(Region(f"chunk {ci:#x} (4 MiB)", chunkBase(ci), pallocChunkBytes, "in use"))
    return out
