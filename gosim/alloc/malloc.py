"""mallocgc: which path an allocation takes, and the heap those paths share.

Models ``mallocgc`` and its paths (runtime/malloc.go): size 0 → ``&zerobase``; noscan objects under 16 bytes →
the **tiny allocator** (``mallocgcTiny``: sub-allocate from the P's current 16-byte block, aligned to 8, 4 or 2
by the size's low bits; else take a fresh block from span class 5 and keep whichever block has more room left);
noscan objects up to 32760 bytes → ``mallocgcSmallNoscan``; pointerful objects up to 512 bytes →
``mallocgcSmallScanNoHeader`` (pointer bits live at the end of the span); pointerful 513..32760 bytes →
``mallocgcSmallScanHeader`` (8 more bytes for the malloc header, the object starts after it); anything larger
→ ``mallocgcLarge`` (whole pages, one object per span). Small paths try ``nextFreeFast`` on the P's cached span,
then ``mcache.nextFree`` (refill from mcentral, which may sweep or grow the heap). While the GC marks
(``writeBarrier``) new objects are allocated black (``gcmarknewobject``).

`Allocator` holds the whole state: ``mheap_``, one mcache and one page cache per P (GOMAXPROCS of them). The GC
model drives it through `Allocator.mark`, `Allocator.gcSweep`, `Allocator.sweepone`, `Allocator.finishsweep`
and the hooks ``gc_trigger`` (called where mallocgc tests ``gcTrigger{kind: gcTriggerHeap}``) and ``assist``
(``deductAssistCredit`` while ``gcBlackenEnabled``).

What it leaves out: the size-specialised generated mallocs (``sizespecializedmalloc``: same paths and results,
generated per size), heap profiling samples, sanitizers, ``runtime/secret``, the ``runtimefreegc`` experiment,
zeroing costs, and which goroutine runs on which P (callers say which P allocates).
"""

from __future__ import annotations

import heapq
from functools import cache
from typing import Callable, Iterable

import numpy as np

from . import mgcsweep
from .mcache import mcache
from .mheap import mheap
from .mpagecache import pageCache
from .mspan import MASK64, mSpanInUse, mspan
from .sizeclasses import (MallocHeaderSize, MinSizeForMallocHeader, SizeClassToSize, SizeToSizeClass8,
                          SizeToSizeClass128, check_size, maxSmallAllocSize, numSpanClasses, tinySize,
                          tinySpanClass)

maxTinySize = tinySize
# runtime.zerobase is a variable in the binary's .noptrbss, never in the heap; its address here is a stand-in.
zerobase = 0x5A0000
GOMAXPROCS_LIMIT = 1024

# mallocgcTiny's alignment of a sub-allocation, as a mask by size: 8 if size&7 == 0, 4 if size&3 == 0, 2 if even,
# else none (amd64: the 12-byte case for 32-bit does not apply).
tinyAlignMask = [7 if z & 7 == 0 else 3 if z & 3 == 0 else 1 if z & 1 == 0 else 0 for z in range(maxTinySize)]

PATHS = ("zero", "tiny", "smallNoscan", "smallScanNoHeader", "smallScanHeader", "large")


def tiny_keeps_new_block(size: int, tinyoffset: int, have: bool) -> bool:
    """``mallocgcTiny``'s choice after it took a new 16-byte block for a ``size``-byte object: keep the new block
    as the P's tiny block when it has more room left than the old one (``size < c.tinyoffset``) or there was
    none (``c.tiny == 0``)."""
    return size < tinyoffset or not have


def check_gomaxprocs_int(gomaxprocs: object) -> int:
    """GOMAXPROCS as `gosim.boot.check_gomaxprocs` takes it (a positive integer up to 1024)."""
    if isinstance(gomaxprocs, bool) or not isinstance(gomaxprocs, (int, np.integer)):
        raise ValueError(f"gomaxprocs must be an integer from 1 to {GOMAXPROCS_LIMIT}, got {gomaxprocs!r}")
    if not 1 <= gomaxprocs <= GOMAXPROCS_LIMIT:
        raise ValueError(f"gomaxprocs must be from 1 to {GOMAXPROCS_LIMIT}, got {gomaxprocs} (the runtime has no "
                         f"upper bound; {GOMAXPROCS_LIMIT} is the model's practical limit)")
    return int(gomaxprocs)


def malloc_path(size: int, noscan: bool) -> str:
    """Which of mallocgc's paths a request takes (one of `PATHS`)."""
    size = check_size(size)
    if size == 0:
        return "zero"
    if size <= maxSmallAllocSize:
        if noscan:
            return "tiny" if size < maxTinySize else "smallNoscan"
        return "smallScanNoHeader" if size <= MinSizeForMallocHeader else "smallScanHeader"
    return "large"


class Allocator:
    """The heap and GOMAXPROCS Ps' caches; ``mallocgc`` allocates, the GC hooks free.

    ``seed`` drives the randomized heap base (``randomizedheapbase64``, on in this runtime); with
    ``randomize_heap_base=False`` the heap starts at the classic 0xc000000000.
    """

    def __init__(self, gomaxprocs: int = 1, *, seed: int = 0, randomize_heap_base: bool = True,
                 greenteagc: bool = True) -> None:
        gomaxprocs = check_gomaxprocs_int(gomaxprocs)
        self.mheap_ = mheap(randomize_heap_base=randomize_heap_base, seed=seed, greenteagc=greenteagc)
        self.pcaches = [pageCache() for _ in range(gomaxprocs)]
        self.mcaches = [mcache(self.mheap_, self.pcaches[i], i) for i in range(gomaxprocs)]
        self.gomaxprocs = gomaxprocs
        self.writeBarrier = False  # the GC is marking: allocate black
        self.gcBlackenEnabled = False  # assists are on
        self.gc_trigger: Callable[[], None] | None = None
        self.assist: Callable[[int], None] | None = None
        self.black_alloc_bytes = 0  # bytes allocated black (gcmarknewobject's gcw.bytesMarked)
        SizeClassToSize()  # build the tables now, not inside the first allocation
        self._by8 = SizeToSizeClass8()
        self._by128 = SizeToSizeClass128()

    # --- allocation ------------------------------------------------------------------------------------

    def mallocgc(self, size: int, noscan: bool = True, p: int = 0) -> int:
        """``mallocgc``: allocate ``size`` bytes (``noscan``: the type has no pointers) on P ``p``; the object's
        address. Sizes are checked (0..2^48); ``p`` must be a P of this allocator."""
        if size.__class__ is not int or size < 0 or size > 1 << 48:
            size = check_size(size)
        try:
            c = self.mcaches[p]
        except (IndexError, TypeError):
            raise ValueError(f"p must be from 0 to {self.gomaxprocs - 1} (GOMAXPROCS={self.gomaxprocs}), "
                             f"got {p!r}") from None
        if size == 0:
            return zerobase
        if self.gcBlackenEnabled and self.assist is not None:
            self.assist(size)
        if size > maxSmallAllocSize:
            return self._mallocgcLarge(c, size, noscan)
        if noscan:
            if size < 16:
                return self._mallocgcTiny(c, size)
            if size <= 1016:
                spc = self._by8[(size + 7) >> 3] << 1 | 1
            else:
                spc = self._by128[(size - 1024 + 127) >> 7] << 1 | 1
            header = 0
        else:
            if size <= MinSizeForMallocHeader:
                spc = self._by8[(size + 7) >> 3] << 1
                header = 0
            else:
                reqsize = size + MallocHeaderSize
                if reqsize <= 1016:
                    spc = self._by8[(reqsize + 7) >> 3] << 1
                else:
                    spc = self._by128[(reqsize - 1024 + 127) >> 7] << 1
                header = MallocHeaderSize
        s = c.alloc[spc]
        # nextFreeFast, inline.
        cache = s.allocCache
        if cache:
            theBit = (cache & -cache).bit_length() - 1
            result = s.freeindex + theBit
            nelems = s.nelems
            if result < nelems:
                freeidx = result + 1
                if freeidx & 63 or freeidx == nelems:
                    s.allocCache = cache >> (theBit + 1)
                    s.freeindex = freeidx
                    s.allocCount += 1
                    v = result * s.elemsize + s.startAddr
                    if not noscan:
                        c.scanAlloc += size  # heapSetType: the scannable bytes, after the slot is taken
                    if self.writeBarrier:
                        self.gcmarknewobject(s, v)
                    return v + header
        v, s, checkGCTrigger = c.nextFree(spc)
        if not noscan:
            c.scanAlloc += size
        if self.writeBarrier:
            self.gcmarknewobject(s, v)
        if checkGCTrigger and self.gc_trigger is not None:
            self.gc_trigger()
        return v + header

    def _mallocgcTiny(self, c: mcache, size: int) -> int:
        """``mallocgcTiny``: combine noscan objects under 16 bytes into 16-byte blocks."""
        m = tinyAlignMask[size]
        off = (c.tinyoffset + m) & ~m
        if off + size <= maxTinySize and c.tiny:
            c.tinyoffset = off + size
            c.tinyAllocs += 1
            return c.tiny + off
        span = c.alloc[tinySpanClass]
        v = span.nextFreeFast()
        checkGCTrigger = False
        if v == 0:
            v, span, checkGCTrigger = c.nextFree(tinySpanClass)
        # Keep the new block if it has more room left than the old one.
        if tiny_keeps_new_block(size, c.tinyoffset, c.tiny != 0):
            c.tiny = v
            c.tinyoffset = size
        if self.writeBarrier:
            self.gcmarknewobject(span, v)
        if checkGCTrigger and self.gc_trigger is not None:
            self.gc_trigger()
        return v

    def _mallocgcLarge(self, c: mcache, size: int, noscan: bool) -> int:
        """``mallocgcLarge``: a span of its own."""
        s = c.allocLarge(size, noscan)
        s.freeindex = 1
        s.allocCount = 1
        if not noscan:
            c.scanAlloc += size
        if self.writeBarrier:
            self.gcmarknewobject(s, s.startAddr)
        if self.gc_trigger is not None:
            self.gc_trigger()
        return s.startAddr

    def gcmarknewobject(self, s: mspan, obj: int) -> None:
        """``gcmarknewobject``: an object allocated during marking is marked (black) at once."""
        s.setMarked((obj - s.startAddr) // s.elemsize)
        self.black_alloc_bytes += s.elemsize

    def mallocgc_many(self, sizes: Iterable[int] | np.ndarray, noscan: bool | Iterable[bool] = True,
                      p: int | Iterable[int] = 0) -> np.ndarray:
        """Allocate a sequence of objects in order and return their addresses: exactly what calling `mallocgc` for
        each would return, leaving exactly the same heap, spans, caches and counters.

        It is vectorised. Between two refills of the same span class, the runtime hands out a span's free slots
        in index order, so a whole run of allocations of one class is one numpy expression. What must happen in
        order — refills (which may sweep, take pages or grow the heap) and large objects — is replayed event by
        event with the sequential code, at the position in the sequence where it happens; the tiny allocator's
        block choices are worked out first (they depend only on the sizes). While GC hooks are set
        (``gc_trigger``, ``assist``, marking) it falls back to one `mallocgc` per object.
        """
        sizes = np.asarray(sizes, dtype=np.int64).ravel()
        n = len(sizes)
        if n and (sizes.min() < 0 or sizes.max() > 1 << 48):
            check_size(int(sizes[(sizes < 0) | (sizes > 1 << 48)][0]))
        ns = np.broadcast_to(np.asarray(noscan, dtype=bool), (n,))
        ps = np.broadcast_to(np.asarray(p, dtype=np.int64), (n,))
        if n and (ps.min() < 0 or ps.max() >= self.gomaxprocs):
            raise ValueError(f"p must be from 0 to {self.gomaxprocs - 1} (GOMAXPROCS={self.gomaxprocs}), "
                             f"got {int(ps[(ps < 0) | (ps >= self.gomaxprocs)][0])}")
        if self.writeBarrier or self.gcBlackenEnabled or self.gc_trigger is not None or self.assist is not None:
            return np.array([self.mallocgc(z, q, r) for z, q, r in zip(sizes.tolist(), ns.tolist(), ps.tolist())],
                            dtype=np.int64)
        return _Batch(self, sizes, ns, ps).run()

    # --- the GC's side: finding, marking, sweeping -------------------------------------------------------

    def findObject(self, p: int) -> tuple[mspan, int] | None:
        """``findObject``: the span and object index of the heap object containing address p, or None."""
        s = self.mheap_.spanOf(p)
        if s is None:
            return None
        return s, (p - s.startAddr) // s.elemsize

    def mark(self, p: int) -> bool:
        """Mark the object containing address p (``greyobject``'s mark bit); True if it was not yet marked.
        A pointer into a tiny block marks the whole block. p must point into an allocated object."""
        found = self.findObject(p)
        if found is None:
            raise ValueError(f"mark: {p:#x} is not in an in-use heap span")
        s, index = found
        if s.isFree(index):
            raise ValueError(f"mark: {p:#x} points to a free slot (object {index} of span {s.startAddr:#x})")
        return s.setMarked(index)

    def gcMarkTinyAllocs(self) -> None:
        """``gcMarkTinyAllocs`` (mgcmark.go), at the start of marking: each P's current tiny block is marked,
        since sub-allocations into it are not allocated black."""
        for c in self.mcaches:
            if c.tiny:
                self.mark(c.tiny)

    def isMarked(self, p: int) -> bool:
        found = self.findObject(p)
        return found is not None and found[0].isMarked(found[1])

    def gcSweep(self, blocking: bool = False) -> None:
        """Begin a sweep phase after marking (``gcSweep`` + the mcache flush of mark termination): unmarked
        objects become free as their spans are swept. ``blocking``: sweep everything now."""
        mgcsweep.gcSweep(self.mheap_, self.mcaches, blocking=blocking)
        for pc in self.pcaches:  # idle Ps' page caches are flushed at mark termination
            pc.flush(self.mheap_.pages)

    def sweepone(self) -> int:
        """One step of the background sweeper: pages freed, 0, or -1 when done."""
        return mgcsweep.sweepone(self.mheap_)

    def finishsweep(self) -> None:
        """``finishsweep_m``: sweep every span still unswept."""
        mgcsweep.finishsweep_m(self.mheap_)

    def flush(self) -> None:
        """Flush every P's mcache (``releaseAll``), as a GC's mark termination does: the statistics become exact
        and the tiny blocks are dropped."""
        for c in self.mcaches:
            c.releaseAll()

    def collect(self, live: Iterable[int]) -> None:
        """A whole stop-the-world collection for workloads and tests (not the GC model): finish the last sweep,
        mark the objects at the given addresses, then ``gcSweep`` (whose mcache flush sweeps the cached, now stale
        spans) and sweep everything (``runtime.GC()`` with a known live set)."""
        mgcsweep.finishsweep_m(self.mheap_)
        for addr in live:
            self.mark(addr)
        self.gcSweep(blocking=True)

    # --- views ----------------------------------------------------------------------------------------

    def spans(self) -> list[mspan]:
        """In-use spans by address."""
        return self.mheap_.inuse_spans()

    def heap_objects_bytes(self) -> int:
        """Bytes in allocated slots right now (``/memory/classes/heap/objects:bytes`` after a flush)."""
        return sum(s.allocCount * s.elemsize for s in self.mheap_.allspans if s.state == mSpanInUse)

    def live_slots(self) -> list[tuple[int, int]]:
        """(address, elemsize) of every allocated slot (tiny blocks and malloc headers included), by address."""
        out = []
        for s in self.spans():
            out.extend((a, s.elemsize) for a in s.object_addresses())
        return out


def batch_spanclasses(sizes: np.ndarray, noscan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Span class (-1 for zero, tiny and large requests) and header bytes for each request, vectorised."""
    by8 = np.asarray(SizeToSizeClass8(), dtype=np.int64)
    by128 = np.asarray(SizeToSizeClass128(), dtype=np.int64)
    header = np.where(~noscan & (sizes > MinSizeForMallocHeader), MallocHeaderSize, 0).astype(np.int64)
    req = sizes + header
    small = (sizes > 0) & (sizes <= maxSmallAllocSize)
    cls = np.zeros(len(sizes), dtype=np.int64)
    lo = small & (req <= 1016)
    hi = small & (req > 1016)
    cls[lo] = by8[(req[lo] + 7) >> 3]
    cls[hi] = by128[(req[hi] - 1024 + 127) >> 7]
    spc = cls << 1 | noscan.astype(np.int64)
    spc[~small | (noscan & (sizes < maxTinySize))] = -1
    return spc, header


_EMPTY_SLOTS = np.zeros(0, dtype=np.int64)


@cache
def _arange(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def free_slots(s: mspan) -> np.ndarray:
    """The indices nextFreeFast/nextFreeIndex would hand out from s, in order: free alloc bits from freeindex."""
    fi, ne = s.freeindex, s.nelems
    if fi >= ne:
        return _EMPTY_SLOTS
    rest = s.allocBits >> fi
    if rest == 0:
        return _arange(ne)[fi:]
    free = ~rest & ((1 << (ne - fi)) - 1)
    raw = np.frombuffer(free.to_bytes((ne - fi + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")[: ne - fi]) + fi


def take_slots(s: mspan, slots: np.ndarray, m: int) -> None:
    """Leave s as m allocations through nextFreeFast/nextFreeIndex would: the first m of ``slots`` taken."""
    if m == 0:
        return
    fi = int(slots[m - 1]) + 1
    s.allocCount += m
    s.freeindex = fi
    if fi % 64:
        s.allocCache = (~(s.allocBits >> fi)) & ((1 << (64 - fi % 64)) - 1)
    elif fi == s.nelems:
        s.allocCache = 0
    else:  # nextFreeIndex refilled the cache at the word boundary
        s.allocCache = (~(s.allocBits >> fi)) & MASK64


class _Batch:
    """One `Allocator.mallocgc_many` call (see there)."""

    def __init__(self, a: Allocator, sizes: np.ndarray, ns: np.ndarray, ps: np.ndarray) -> None:
        self.a, self.sizes, self.ns, self.ps = a, sizes, ns, ps

    def run(self) -> np.ndarray:
        a, sizes, ns, ps = self.a, self.sizes, self.ns, self.ps
        n = len(sizes)
        out = np.zeros(n, dtype=np.int64)
        if n == 0:
            return out
        spc, header = batch_spanclasses(sizes, ns)
        out[sizes == 0] = zerobase
        large = np.flatnonzero(sizes > maxSmallAllocSize)
        tiny = np.flatnonzero(ns & (sizes > 0) & (sizes < maxTinySize))
        # 1. The tiny allocator's choices: which requests open a new 16-byte block (a span class 5 allocation).
        subs, sub_blocks, sub_offs, tiny_allocs, final_tiny = self._tiny_plan(tiny)
        spc = spc.copy()
        new_blocks = np.setdiff1d(tiny, subs, assume_unique=True)
        spc[new_blocks] = tinySpanClass
        header[new_blocks] = 0
        # 2. Positions of the small requests, grouped by (P, span class), in order.
        small = np.flatnonzero(spc >= 0)
        keys = ps[small] * numSpanClasses + spc[small]
        if a.gomaxprocs * numSpanClasses < 1 << 15:
            keys = keys.astype(np.int16)  # a stable sort of 16-bit keys is a radix sort
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        cuts = np.flatnonzero(np.diff(sorted_keys)) + 1
        groups = np.split(small[order], cuts)
        group_keys = sorted_keys[np.concatenate(([0], cuts))].tolist() if len(small) else []
        # Counters a refill consumes: scanAlloc (into heapScan; scan sizes count after their slot is taken) and,
        # for span class 5, tinyAllocs. Only each P's last refill matters: they are settled after the replay.
        scan_small = np.where((spc >= 0) & ~ns, sizes, 0)
        counted = {}
        for pid in np.unique(ps).tolist():
            on_p = ps == pid
            counted[pid] = (np.concatenate(([0], np.cumsum(np.where(on_p, scan_small, 0)))),
                            np.concatenate(([0], np.cumsum(on_p & tiny_allocs))))
        last_refill: dict[int, int] = {}
        last_tiny_refill: dict[int, int] = {}

        # 3. Replay refills and large objects in order; everything between them is a run of free slots.
        state = []
        events: list[tuple[int, int]] = []
        for g, (key, pos) in enumerate(zip(group_keys, groups)):
            pid, sc = divmod(key, numSpanClasses)
            s = a.mcaches[pid].alloc[sc]
            slots = free_slots(s)
            state.append([pid, sc, int(header[pos[0]]), pos, 0, s, slots])
            if len(slots) < len(pos):
                events.append((int(pos[len(slots)]), g))
        events.extend((int(q), -1) for q in large)
        heapq.heapify(events)
        runs: list[tuple[np.ndarray, int, int, np.ndarray, int]] = []
        while events:
            q, g = heapq.heappop(events)
            if g < 0:
                pid = int(ps[q])
                out[q] = a._mallocgcLarge(a.mcaches[pid], int(sizes[q]), bool(ns[q]))
                continue
            st = state[g]
            pid, sc, hdr, pos, j, s, slots = st
            m = len(slots)
            if m:
                runs.append((pos[j:j + m], s.startAddr, s.elemsize, slots, hdr))
                take_slots(s, slots, m)
            last_refill[pid] = q
            if sc == tinySpanClass:
                last_tiny_refill[pid] = q
            v, s, _ = a.mcaches[pid].nextFree(sc)
            out[q] = v + hdr
            j += m + 1
            slots = free_slots(s)
            st[4], st[5], st[6] = j, s, slots
            if j + len(slots) < len(pos):
                heapq.heappush(events, (int(pos[j + len(slots)]), g))
        for pid, sc, hdr, pos, j, s, slots in state:
            m = len(pos) - j
            if m:
                runs.append((pos[j:], s.startAddr, s.elemsize, slots, hdr))
                take_slots(s, slots, m)
        if runs:  # every run of free slots at once
            lengths = np.array([len(r[0]) for r in runs])
            out[np.concatenate([r[0] for r in runs])] = (
                np.repeat(np.array([r[1] + r[4] for r in runs], dtype=np.int64), lengths)
                + np.concatenate([r[3][: len(r[0])] for r in runs])
                * np.repeat(np.array([r[2] for r in runs], dtype=np.int64), lengths))
        h = a.mheap_
        for pid, (scan_cum, tiny_cum) in counted.items():
            c = a.mcaches[pid]
            q = last_refill.get(pid, 0)  # the first refill took what scanAlloc held before the batch
            h.gcController.heapScan += int(scan_cum[q])
            c.scanAlloc += int(scan_cum[n] - scan_cum[q])
            q = last_tiny_refill.get(pid, 0)
            h.memstats.tinyAllocCount += int(tiny_cum[q])
            c.tinyAllocs += int(tiny_cum[n] - tiny_cum[q])
        # 4. Tiny sub-allocations: inside a block opened earlier in this batch, or the P's block from before.
        if len(subs):
            known = sub_blocks < 0
            out[subs[~known]] = out[sub_blocks[~known]] + sub_offs[~known]
            out[subs[known]] = np.array([a.mcaches[int(ps[q])].tiny for q in subs[known]], dtype=np.int64) \
                + sub_offs[known]
        for pid, (block, offset) in final_tiny.items():
            c = a.mcaches[pid]
            c.tiny = int(out[block]) if block >= 0 else c.tiny
            c.tinyoffset = offset
        return out

    def _tiny_plan(self, tiny: np.ndarray):
        """Walk the tiny requests as ``mallocgcTiny`` would, per P, without addresses: which go into an existing
        block (and at which offset of which block), and each P's current block and offset at the end.

        A block is named by the position of the request that opened it, or -1 for the block the P already had."""
        a, sizes, ps = self.a, self.sizes, self.ps
        subs: list[int] = []
        blocks: list[int] = []
        offs: list[int] = []
        final = {}
        tiny_ps = ps[tiny]
        for pid in np.unique(tiny_ps).tolist():
            mine = tiny[tiny_ps == pid]
            c = a.mcaches[pid]
            block, tinyoffset, have = -1, c.tinyoffset, c.tiny != 0
            for q, size in zip(mine.tolist(), sizes[mine].tolist()):
                m = tinyAlignMask[size]
                off = (tinyoffset + m) & ~m
                if off + size <= 16 and have:
                    subs.append(q)
                    blocks.append(block)
                    offs.append(off)
                    tinyoffset = off + size
                elif tiny_keeps_new_block(size, tinyoffset, have):
                    block, tinyoffset, have = q, size, True
            final[pid] = (block, tinyoffset)
        subs_a = np.array(subs, dtype=np.int64)
        order = np.argsort(subs_a, kind="stable") if len(final) > 1 else slice(None)  # one P: already in order
        subs_a = subs_a[order]
        is_sub = np.zeros(len(sizes), dtype=bool)
        is_sub[subs_a] = True
        return subs_a, np.array(blocks, dtype=np.int64)[order], np.array(offs, dtype=np.int64)[order], is_sub, final
