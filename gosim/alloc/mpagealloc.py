"""The page allocator: which 8 KiB pages of the heap's address space are free, in 4 MiB chunks.

Models ``pageAlloc`` (runtime/mpagealloc.go, mpallocbits.go): the heap's address space is managed in palloc chunks
of 512 pages (4 MiB); each chunk has a 512-bit bitmap of allocated pages and one of scavenged pages (returned to
the OS). Allocation is address-ordered first fit: ``alloc(npages)`` returns the lowest free run of npages, trying
the chunk at ``searchAddr`` (below which every page is allocated) first, then ``find``. Freed pages lower
``searchAddr`` again. ``grow`` adds whole chunks, free and scavenged (newly mapped memory is not yet backed).

What it leaves out: the five-level radix tree of summaries (``summaryLevels``) that makes ``find`` logarithmic —
here ``find`` walks the chunks in address order, which finds the same run; the scavenger's index and its
background pacing (``scavenge`` releases free pages from the top of the heap down, on demand); 32-bit layouts.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .sizeclasses import pageShift, pageSize

logPallocChunkPages = 9
pallocChunkPages = 1 << logPallocChunkPages  # 512
pallocChunkBytes = pallocChunkPages * pageSize  # 4 MiB
logPallocChunkBytes = logPallocChunkPages + pageShift  # 22
CHUNK_MASK = (1 << pallocChunkPages) - 1
heapAddrBits = 48
maxSearchAddr = 1 << heapAddrBits


def chunkIndex(p: int) -> int:
    return p >> logPallocChunkBytes


def chunkBase(ci: int) -> int:
    return ci << logPallocChunkBytes


def chunkPageIndex(p: int) -> int:
    return (p >> pageShift) & (pallocChunkPages - 1)


def find_run(free: int, npages: int) -> int:
    """The lowest bit index i with bits i..i+npages-1 all set in ``free``, or -1 (by halving shifts)."""
    m = free
    k = 1
    while k < npages and m:
        s = min(k, npages - k)
        m &= m >> s
        k += s
    return (m & -m).bit_length() - 1 if m else -1


@dataclass
class pallocData:
    """``pallocData``: a chunk's allocated-page bits and scavenged-page bits (bit i = page i of the chunk)."""

    pallocBits: int = 0
    scavenged: int = 0

    def free_bits(self) -> int:
        return ~self.pallocBits & CHUNK_MASK

    def summary(self) -> tuple[int, int, int]:
        """``pallocSum`` (start, max, end): free pages at the bottom, longest free run, free pages at the top."""
        free = self.free_bits()
        if free == CHUNK_MASK:
            return pallocChunkPages, pallocChunkPages, pallocChunkPages
        start = (self.pallocBits & -self.pallocBits).bit_length() - 1
        end = pallocChunkPages - self.pallocBits.bit_length()
        longest, m = 0, free
        while m:
            m &= m >> 1
            longest += 1
        return start, longest, end


class pageAlloc:
    """``pageAlloc``: chunks by index, ``searchAddr``, and the in-use address ranges that ``grow`` added."""

    def __init__(self) -> None:
        self.chunks: dict[int, pallocData] = {}
        self.order: list[int] = []  # chunk indices, ascending
        self.searchAddr = maxSearchAddr  # no free page below this address
        self.inUse: list[tuple[int, int]] = []  # [base, limit) ranges, as addrRanges

    # --- growth ----------------------------------------------------------------------------------------------

    def grow(self, base: int, size: int) -> None:
        """``pageAlloc.grow``: make [base, base+size) (whole chunks) available, free and scavenged."""
        if base % pallocChunkBytes or size % pallocChunkBytes:
            raise AssertionError("pageAlloc.grow: not chunk-aligned")
        for ci in range(chunkIndex(base), chunkIndex(base + size)):
            self.chunks[ci] = pallocData(0, CHUNK_MASK)
            bisect.insort(self.order, ci)
        self.inUse.append((base, base + size))
        self.inUse.sort()
        if base < self.searchAddr:
            self.searchAddr = base

    @property
    def end(self) -> int:
        """One past the highest chunk index."""
        return self.order[-1] + 1 if self.order else 0

    def mapped_bytes(self) -> int:
        return len(self.chunks) * pallocChunkBytes

    # --- allocation ------------------------------------------------------------------------------------------

    def find(self, npages: int, start: int | None = None) -> int:
        """``find``: the address of the lowest free run of npages pages at or above ``start`` (default
        searchAddr), or 0. Runs may span chunks."""
        if start is None:
            start = self.searchAddr
        first = bisect.bisect_left(self.order, chunkIndex(start))
        run_base, run = 0, 0  # a free run reaching the top of the previous chunk
        prev = None
        for ci in self.order[first:]:
            chunk = self.chunks[ci]
            free = chunk.free_bits()
            if ci == chunkIndex(start):
                free &= ~((1 << chunkPageIndex(start)) - 1)
            if prev is not None and ci != prev + 1:
                run = 0
            if run:
                used = ~free & CHUNK_MASK
                lead = (used & -used).bit_length() - 1 if used else pallocChunkPages
                if run + lead >= npages:
                    return run_base
            j = find_run(free, npages) if npages <= pallocChunkPages else -1
            if j >= 0:
                return chunkBase(ci) + j * pageSize
            if free == CHUNK_MASK:
                if not run:
                    run_base = chunkBase(ci)
                run += pallocChunkPages
            else:
                top = pallocChunkPages - (~free & CHUNK_MASK).bit_length()
                run_base, run = chunkBase(ci) + (pallocChunkPages - top) * pageSize, top
            prev = ci
        return 0

    def _ranges(self, base: int, npages: int):
        """(chunk, bit mask) for each chunk that [base, base + npages pages) touches."""
        addr, left = base, npages
        while left:
            ci, pi = chunkIndex(addr), chunkPageIndex(addr)
            n = min(left, pallocChunkPages - pi)
            yield addr, self.chunks[ci], ((1 << n) - 1) << pi
            addr += n * pageSize
            left -= n

    def allocRange(self, base: int, npages: int) -> int:
        """``allocRange``: mark the pages allocated; returns the bytes among them that were scavenged."""
        scav = 0
        for addr, chunk, mask in self._ranges(base, npages):
            if chunk.pallocBits & mask:
                raise AssertionError(f"allocRange: pages at {addr:#x} already allocated")
            chunk.pallocBits |= mask
            scav += (chunk.scavenged & mask).bit_count()
            chunk.scavenged &= ~mask
        return scav * pageSize

    def alloc(self, npages: int) -> tuple[int, int]:
        """``pageAlloc.alloc``: (base, scavenged bytes) of npages contiguous pages, or (0, 0) if the heap must grow."""
        if not self.order or chunkIndex(self.searchAddr) >= self.end:
            return 0, 0
        addr = self.find(npages)
        if addr == 0:
            return 0, 0
        scav = self.allocRange(addr, npages)
        if npages == 1 or addr == self.searchAddr:
            # Everything below the new search address is allocated.
            self.searchAddr = self._first_free(addr)
        return addr, scav

    def _first_free(self, start: int) -> int:
        found = self.find(1, start)
        return found if found else chunkBase(self.end)

    def free(self, base: int, npages: int) -> None:
        """``pageAlloc.free``: mark the pages free again; searchAddr may move down."""
        for addr, chunk, mask in self._ranges(base, npages):
            if chunk.pallocBits & mask != mask:
                raise AssertionError(f"free: pages at {addr:#x} were not allocated")
            chunk.pallocBits &= ~mask
        if base < self.searchAddr:
            self.searchAddr = base

    def free_pages(self) -> int:
        return sum(c.free_bits().bit_count() for c in self.chunks.values())

    def scavenged_pages(self) -> int:
        return sum(c.scavenged.bit_count() for c in self.chunks.values())

    def scavenge(self, nbytes: int) -> int:
        """Release free, unscavenged pages to the OS, highest addresses first (``pageAlloc.scavenge``); returns the
        bytes released."""
        want = (nbytes + pageSize - 1) // pageSize
        done = 0
        for ci in reversed(self.order):
            if done >= want:
                break
            chunk = self.chunks[ci]
            candidates = chunk.free_bits() & ~chunk.scavenged
            while candidates and done < want:
                top = candidates.bit_length() - 1
                chunk.scavenged |= 1 << top
                candidates &= ~(1 << top)
                done += 1
        return done * pageSize

    def markRandomPaddingPages(self, base: int, npages: int) -> None:
        """``markRandomPaddingPages``: the randomized heap base hides the first npages pages of the first chunk."""
        self.allocRange(base, npages)
        self.searchAddr = self._first_free(base)

    # --- views -----------------------------------------------------------------------------------------------

    def page_bitmap(self) -> tuple[int, list[bool]]:
        """(base address, allocated flag per page) over all chunks, contiguous from the lowest chunk (for plots)."""
        if not self.order:
            return 0, []
        lo, hi = self.order[0], self.order[-1]
        out: list[bool] = []
        for ci in range(lo, hi + 1):
            chunk = self.chunks.get(ci)
            bits = chunk.pallocBits if chunk else CHUNK_MASK
            out.extend(bool((bits >> i) & 1) for i in range(pallocChunkPages))
        return chunkBase(lo), out
