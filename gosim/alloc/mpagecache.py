"""The per-P page cache: 64 pages a P can hand out to small spans without taking the heap lock.

Models ``pageCache`` (runtime/mpagecache.go): a base address aligned to 64 pages, a 64-bit bitmap of its free pages
(1 = free) and one of scavenged pages. ``pageAlloc.allocToCache`` claims the 64-page block that holds the first
free page at ``searchAddr`` (every free page in it at once); ``mheap.allocSpan`` takes spans of fewer than 16
pages from it (one page: the lowest set bit; more: the lowest run). ``flush`` gives the remaining pages back, as
the runtime does for idle Ps at the end of a GC cycle and when a P is destroyed.

What it leaves out: nothing of the mechanism; the heap lock and the P it belongs to are implicit.
"""

from __future__ import annotations

from dataclasses import dataclass

from .mpagealloc import (CHUNK_MASK, chunkBase, chunkIndex, chunkPageIndex, find_run, pageAlloc,
                         pallocChunkPages)
from .sizeclasses import pageSize

pageCachePages = 64
MASK64 = (1 << 64) - 1


@dataclass
class pageCache:
    base: int = 0  # address of the first page the cache covers
    cache: int = 0  # 1 = free page
    scav: int = 0  # 1 = scavenged page

    def empty(self) -> bool:
        return self.cache == 0

    def alloc(self, npages: int) -> tuple[int, int]:
        """``pageCache.alloc``: (base, scavenged bytes) of npages pages from the cache, or (0, 0)."""
        c = self.cache
        if c == 0:
            return 0, 0
        if npages == 1:
            i = (c & -c).bit_length() - 1
            scav = (self.scav >> i) & 1
            self.cache &= ~(1 << i)
            self.scav &= ~(1 << i)
            return self.base + i * pageSize, scav * pageSize
        i = find_run(c, npages)  # allocN: findBitRange64
        if i < 0:
            return 0, 0
        mask = ((1 << npages) - 1) << i
        scav = (self.scav & mask).bit_count()
        self.cache &= ~mask
        self.scav &= ~mask
        return self.base + i * pageSize, scav * pageSize

    def flush(self, p: pageAlloc) -> None:
        """``pageCache.flush``: give every page still in the cache back to the page allocator."""
        if self.empty():
            return
        ci, pi = chunkIndex(self.base), chunkPageIndex(self.base)
        chunk = p.chunks[ci]
        mask = self.cache << pi
        chunk.pallocBits &= ~mask
        chunk.scavenged |= self.scav << pi
        if self.base < p.searchAddr:
            p.searchAddr = self.base
        self.base, self.cache, self.scav = 0, 0, 0


def allocToCache(p: pageAlloc) -> pageCache:
    """``pageAlloc.allocToCache``: claim every free page of the 64-page block holding the first free page."""
    if not p.order or chunkIndex(p.searchAddr) >= p.end:
        return pageCache()
    ci = chunkIndex(p.searchAddr)
    chunk = p.chunks.get(ci)
    j = -1
    if chunk is not None and chunk.free_bits():
        j = find_run(chunk.free_bits() & ~((1 << chunkPageIndex(p.searchAddr)) - 1) & CHUNK_MASK, 1)
    if j < 0:
        addr = p.find(1)
        if addr == 0:
            p.searchAddr = chunkBase(p.end)
            return pageCache()
        ci, j = chunkIndex(addr), chunkPageIndex(addr)
        chunk = p.chunks[ci]
    block = j // pageCachePages * pageCachePages
    cache = (chunk.free_bits() >> block) & MASK64
    c = pageCache(chunkBase(ci) + block * pageSize, cache, (chunk.scavenged >> block) & MASK64 & cache)
    chunk.pallocBits |= cache << block
    chunk.scavenged &= ~(c.scav << block)
    p.searchAddr = c.base + pageSize * (pageCachePages - 1)
    assert block + pageCachePages <= pallocChunkPages
    return c
