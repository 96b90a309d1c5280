"""The heap as the collector sees it: objects with pointer fields, roots in globals and goroutine stacks.

The collector needs only a narrow view of the allocator (`HeapStore`): allocate an object of a size and kind
(scan or noscan) with some pointer fields, read and write those fields, set and test an object's mark bit, say
which span (and slot in it) holds an object, and sweep: free every unmarked object and clear the marks for the
next cycle. In the runtime these live in ``mspan`` (``allocBits``, ``gcmarkBits``, ``spanclass``, ``elemsize``;
``sweep`` swaps the bit maps, runtime/mgcsweep.go). `ObjectStore` is a small self-contained implementation: it packs
objects of one size into 8 KiB spans the way Green Tea lays them out (``nelems`` computed as in ``scanSpan``), so
that span-granular marking can be counted, but it has no size classes, no mcache or mcentral: `gosim.alloc` can
stand behind the same protocol.

Roots: ``globals`` (slots in the data/bss segments, written with write barriers) and one list of slots per
goroutine stack (written without barriers: the compiler emits none for stack slots). Object ids are ints (indices
here, addresses in `gosim.gc.allocheap`); ``None`` is nil. `roots` and `reachable` work on any store with
``globals`` and ``stacks``; `populate` builds the same seeded random graph in any store.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

PAGE_SIZE = 8192
PTR_SIZE = 8
SPAN_INLINE_MARK_BITS = 128  # spanInlineMarkBits: 63 B scans + 63 B marks + owned + class (mgcmark_greenteagc.go)
MAX_SMALL_SIZE = 32760


def objects_per_span(size: int, scan: bool = True) -> int:
    """Objects of ``size`` bytes in one 8 KiB span. For the sizes Green Tea handles (16..512 B) the end of the
    span holds the inline mark bits and, for scan spans, the pointer/scalar bits (``usableSpanSize`` in
    ``scanSpan``); larger objects use whole spans of 8 KiB (a simplification: the runtime's size classes use up
    to 10 pages)."""
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}")
    if size > 8192:
        return 1
    usable = PAGE_SIZE
    if 16 <= size <= 512:
        usable -= SPAN_INLINE_MARK_BITS
        if scan:
            usable -= PAGE_SIZE // PTR_SIZE // 8
    return max(usable // size, 1)


class HeapStore(Protocol):
    """What the collector needs from the allocator (the wiring point to `gosim.alloc`)."""

    def allocate(self, size: int, nptr: int, scan: bool = True) -> int: ...
    def fields(self, obj: int) -> list[int | None]: ...
    def set_field(self, obj: int, i: int, target: int | None) -> None: ...
    def is_marked(self, obj: int) -> bool: ...
    def set_marked(self, obj: int) -> None: ...
    def is_scan(self, obj: int) -> bool: ...
    def size(self, obj: int) -> int: ...
    def span_of(self, obj: int) -> tuple[int, int]: ...
    def objects(self) -> list[int]: ...
    def sweep(self) -> list[int]: ...
    # Optional, called by `gosim.gc.mgc.Collector` when present: ``gcstart()`` when marking begins (the
    # allocator finishes the last sweep and allocates black from then on), ``gcmarkdone()`` at mark termination.


def roots(heap) -> list[int]:
    """Every object a global or a stack slot of ``heap`` points to (any store with ``globals`` and ``stacks``)."""
    return [o for o in [*heap.globals, *(s for st in heap.stacks for s in st)] if o is not None]


def reachable(heap) -> set[int]:
    """What the program can still reach from the roots through pointer fields: the truth marking must cover."""
    seen: set[int] = set()
    todo = roots(heap)
    while todo:
        o = todo.pop()
        if o in seen:
            continue
        seen.add(o)
        todo.extend(t for t in heap.fields(o) if t is not None and t not in seen)
    return seen


@dataclass
class ObjectStore:
    """A heap of objects. Mark bits are per object, as ``gcmarkBits`` are per slot of a span."""

    size_: list[int] = field(default_factory=list)
    scan_: list[bool] = field(default_factory=list)
    fields_: list[list[int | None]] = field(default_factory=list)
    marked: list[bool] = field(default_factory=list)
    freed: list[bool] = field(default_factory=list)
    span: list[int] = field(default_factory=list)
    slot: list[int] = field(default_factory=list)
    span_size: list[int] = field(default_factory=list)  # elemsize of each span
    span_nelems: list[int] = field(default_factory=list)
    _current: dict[tuple[int, bool], tuple[int, int]] = field(default_factory=dict)  # (size, scan) -> (span, used)
    globals: list[int | None] = field(default_factory=list)
    stacks: list[list[int | None]] = field(default_factory=list)

    # --- the allocator side ---

    def allocate(self, size: int, nptr: int, scan: bool = True) -> int:
        """A new object (fields nil). Spans fill in order, one size and kind per span."""
        if size < 8 or nptr < 0 or nptr * PTR_SIZE > size or (nptr and not scan):
            raise ValueError(f"object of {size} B cannot hold {nptr} pointers (scan={scan})")
        obj = len(self.size_)
        key = (size, scan)
        span, used = self._current.get(key, (-1, 0))
        if span < 0 or used >= self.span_nelems[span]:
            span, used = len(self.span_size), 0
            self.span_size.append(size)
            self.span_nelems.append(objects_per_span(size, scan))
        self._current[key] = (span, used + 1)
        self.size_.append(size)
        self.scan_.append(scan)
        self.fields_.append([None] * nptr)
        self.marked.append(False)
        self.freed.append(False)
        self.span.append(span)
        self.slot.append(used)
        return obj

    def fields(self, obj: int) -> list[int | None]:
        return self.fields_[obj]

    def set_field(self, obj: int, i: int, target: int | None) -> None:
        self.fields_[obj][i] = target

    def is_marked(self, obj: int) -> bool:
        return self.marked[obj]

    def set_marked(self, obj: int) -> None:
        self.marked[obj] = True

    def is_scan(self, obj: int) -> bool:
        return self.scan_[obj]

    def size(self, obj: int) -> int:
        return self.size_[obj]

    def span_of(self, obj: int) -> tuple[int, int]:
        return self.span[obj], self.slot[obj]

    def objects(self) -> list[int]:
        """Allocated, not yet freed objects."""
        return [o for o in range(len(self.size_)) if not self.freed[o]]

    def sweep(self) -> list[int]:
        """Free every unmarked object, clear the mark bits (``sweepone``/``mspan.sweep``); returns the freed."""
        freed = []
        for o in range(len(self.size_)):
            if not self.freed[o]:
                if not self.marked[o]:
                    self.freed[o] = True
                    self.fields_[o] = [None] * len(self.fields_[o])
                    freed.append(o)
                self.marked[o] = False
        return freed

    # --- roots and graph views ---

    def roots(self) -> list[int]:
        """Every object a global or a stack slot points to."""
        return roots(self)

    def reachable(self) -> set[int]:
        """What the program can still reach (the truth the marking must cover)."""
        return reachable(self)

    def to_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """The pointer graph as CSR arrays (indptr, indices) over all object ids: the vectorised engine's input."""
        counts = np.fromiter((sum(t is not None for t in f) for f in self.fields_), dtype=np.int64,
                             count=len(self.fields_))
        indptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        indices = np.fromiter((t for f in self.fields_ for t in f if t is not None), dtype=np.int64,
                              count=int(indptr[-1]))
        return indptr, indices


def random_heap(objects: int = 40, seed: int = 0, *, globals_: int = 3, goroutines: int = 2, slots: int = 3,
                max_fields: int = 3, sizes: tuple[int, ...] = (16, 32, 48, 64)) -> ObjectStore:
    """A random object graph: ``objects`` objects with 1..``max_fields`` pointer fields (some nil), ``globals_``
    global slots and ``goroutines`` stacks of ``slots`` slots, each pointing at a random object or nil."""
    heap = ObjectStore()
    populate(heap, objects, seed, globals_=globals_, goroutines=goroutines, slots=slots, max_fields=max_fields,
             sizes=sizes)
    return heap


def populate(heap, objects: int = 40, seed: int = 0, *, globals_: int = 3, goroutines: int = 2, slots: int = 3,
             max_fields: int = 3, sizes: tuple[int, ...] = (16, 32, 48, 64)) -> list[int]:
    """Allocate `random_heap`'s graph in ``heap`` (any `HeapStore` with ``globals`` and ``stacks``): the same
    seed gives the same graph whatever the store names its objects. Returns the objects' ids in order."""
    if not 1 <= objects <= 1_000_000:
        raise ValueError(f"objects must be 1..1000000, got {objects}")
    rng = random.Random(seed)
    ids = []
    for _ in range(objects):
        size = rng.choice(sizes)
        ids.append(heap.allocate(size, rng.randint(1, min(max_fields, size // PTR_SIZE))))
    for o in ids:
        for i in range(len(heap.fields(o))):
            heap.set_field(o, i, ids[rng.randrange(objects)] if rng.random() < 0.6 else None)
    heap.globals = [ids[rng.randrange(objects)] if rng.random() < 0.8 else None for _ in range(globals_)]
    heap.stacks = [[ids[rng.randrange(objects)] if rng.random() < 0.7 else None for _ in range(slots)]
                   for _ in range(goroutines)]
    return ids


def example_heap() -> ObjectStore:
    """The chapter's small graph, ten objects: ``globals[0]`` → 0 → {1, 2}; 1 → 3; 2 → {3, 4}; 3 → 5 → 1 (a
    reachable cycle); 4 is noscan (a ``[]byte``: marked black at once, nothing to scan); goroutine g0's stack slot
    s0 → 8 → 9 (9's one field is nil); 6 ⇄ 7 is a cycle nothing points to: garbage, which a tracing collector frees
    although each of the two is referenced."""
    heap = ObjectStore()
    shapes = [(32, 2), (16, 1), (32, 2), (16, 1), (64, 0), (16, 1), (16, 1), (16, 1), (16, 1), (16, 1)]
    for size, nptr in shapes:
        heap.allocate(size, nptr, scan=nptr > 0)
    for obj, i, target in ((0, 0, 1), (0, 1, 2), (1, 0, 3), (2, 0, 3), (2, 1, 4), (3, 0, 5), (5, 0, 1), (6, 0, 7),
                           (7, 0, 6), (8, 0, 9)):
        heap.set_field(obj, i, target)
    heap.globals = [0, None]
    heap.stacks = [[8, None]]
    return heap


def barrier_heap() -> ObjectStore:
    """The barrier demo's heap: ``globals[0]`` → 0; 0.f0 → 1 → 2 → 3 (0.f1 nil); goroutine g0's two stack slots
    are nil, goroutine g1's slot s0 holds the only pointer to 5; 4 is garbage."""
    heap = ObjectStore()
    for nptr in (2, 1, 1, 1, 1, 1):
        heap.allocate(16, nptr)
    for obj, i, target in ((0, 0, 1), (1, 0, 2), (2, 0, 3)):
        heap.set_field(obj, i, target)
    heap.globals = [0]
    heap.stacks = [[None, None], [5, None]]
    return heap


def linked_list(n: int, size: int = 64) -> ObjectStore:
    """One global pointing at the head of an ``n``-node list of ``size``-byte nodes (the -ptrlive shape)."""
    heap = ObjectStore()
    for _ in range(n):
        heap.allocate(size, 2)
    for o in range(n - 1):
        heap.fields_[o][0] = o + 1
    heap.globals = [0 if n else None]
    heap.stacks = [[]]
    return heap


def dense_heap(n: int, size: int = 64) -> ObjectStore:
    """A ``[]*node`` slice (one large pointer array, chunked into 512-pointer objects to stay small here) holding
    ``n`` nodes of ``size`` bytes, allocated one after another: each span is full of live objects."""
    heap = ObjectStore()
    nodes = [heap.allocate(size, 2) for _ in range(n)]
    chunk = 512
    arrays = []
    for start in range(0, n, chunk):
        part = nodes[start:start + chunk]
        a = heap.allocate(max(len(part), 1) * PTR_SIZE, len(part))
        heap.fields_[a] = list(part)
        arrays.append(a)
    heap.globals = arrays
    heap.stacks = [[]]
    return heap
