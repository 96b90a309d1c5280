"""The allocator behind the collector's view of the heap: `gosim.gc.heap.HeapStore`, implemented on `Allocator`.

The GC model (gosim/gc) reads and writes objects through a narrow protocol — allocate an object with pointer
fields, read and write the fields, set and test mark bits, find an object's span and slot, sweep. `AllocatorHeap`
answers it with the real allocator: objects are named by their addresses, marks are the spans' ``gcmarkBits``,
``span_of`` is ``spanOf`` + ``objIndex``, and ``sweep`` is ``gcSweep`` after the mcache flush of mark
termination, so freed slots are reused by later allocations and empty spans go back to the heap, with every
statistic of `gosim.alloc.metrics` kept. Pointer fields are the only object contents gosim keeps (in a dict).

What it leaves out: tiny objects never have pointers, so marking one marks its whole 16-byte block, as in the
runtime; the roots (globals, stacks) stay the collector's business.
"""

from __future__ import annotations

from .malloc import Allocator

PTR_SIZE = 8


class AllocatorHeap:
    """`HeapStore` over an `Allocator` (GOMAXPROCS Ps; objects allocate on P ``p``, settable between calls)."""

    def __init__(self, allocator: Allocator | None = None, *, p: int = 0) -> None:
        self.allocator = allocator or Allocator(1)
        self.p = p
        self.fields_: dict[int, list[int | None]] = {}
        self.size_: dict[int, int] = {}
        self.scan_: dict[int, bool] = {}
        self.globals: list[int | None] = []
        self.stacks: list[list[int | None]] = []

    def allocate(self, size: int, nptr: int, scan: bool = True) -> int:
        """``mallocgc(size, typ with nptr pointers)``: the new object's address, fields nil."""
        if size < 1 or nptr < 0 or nptr * PTR_SIZE > size or (nptr and not scan):
            raise ValueError(f"object of {size} B cannot hold {nptr} pointers (scan={scan})")
        obj = self.allocator.mallocgc(size, noscan=not scan, p=self.p)
        self.fields_[obj] = [None] * nptr
        self.size_[obj] = size
        self.scan_[obj] = scan
        return obj

    def fields(self, obj: int) -> list[int | None]:
        return self.fields_[obj]

    def set_field(self, obj: int, i: int, target: int | None) -> None:
        self.fields_[obj][i] = target

    def is_marked(self, obj: int) -> bool:
        return self.allocator.isMarked(obj)

    def set_marked(self, obj: int) -> None:
        self.allocator.mark(obj)

    def is_scan(self, obj: int) -> bool:
        return self.scan_[obj]

    def size(self, obj: int) -> int:
        return self.size_[obj]

    def span_of(self, obj: int) -> tuple[int, int]:
        """(the span's base page number, the object's slot index)."""
        s, index = self.allocator.findObject(obj)
        return s.startAddr >> 13, index

    def objects(self) -> list[int]:
        """Allocated, not yet freed objects, by address."""
        return sorted(self.fields_)

    def sweep(self) -> list[int]:
        """``gcSweep`` with the mcache flush of mark termination, swept to the end: free every unmarked object
        and clear the marks. Returns the freed objects."""
        a = self.allocator
        a.finishsweep()
        a.gcSweep(blocking=True)
        freed = [o for o in self.fields_ if self._is_free(o)]
        for o in freed:
            del self.fields_[o], self.size_[o], self.scan_[o]
        return freed

    def _is_free(self, obj: int) -> bool:
        found = self.allocator.findObject(obj)
        return found is None or found[0].isFree(found[1])
