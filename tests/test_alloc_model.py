"""The allocator model: mallocgc's paths, the tiny allocator, spans, the page heap, sweeping, and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosim.alloc import Allocator, malloc_path, read, workloads
from gosim.alloc.malloc import zerobase
from gosim.alloc.mheap import heapArenaBytes
from gosim.alloc.mpagealloc import pallocChunkBytes
from gosim.alloc.mspan import nelems_for
from gosim.alloc.sizeclasses import makeSpanClass, pageSize, roundupsize

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def alloc(**kw) -> Allocator:
    return Allocator(kw.pop("gomaxprocs", 1), seed=kw.pop("seed", 1), **kw)


# --- paths ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, noscan, path", [
    (0, True, "zero"), (0, False, "zero"), (1, True, "tiny"), (15, True, "tiny"), (16, True, "smallNoscan"),
    (8, False, "smallScanNoHeader"), (15, False, "smallScanNoHeader"), (512, False, "smallScanNoHeader"),
    (513, False, "smallScanHeader"), (32760, False, "smallScanHeader"), (32760, True, "smallNoscan"),
    (32761, True, "large"), (32761, False, "large"), (32768, True, "large"),
])
def test_malloc_paths(size, noscan, path):
    assert malloc_path(size, noscan) == path


def test_zero_size_is_zerobase():
    a = alloc()
    assert a.mallocgc(0) == a.mallocgc(0, noscan=False) == zerobase
    a.flush()
    assert read(a.mheap_).allocs_objects == 0


def test_small_objects_get_their_class_slot_and_span_class():
    a = alloc()
    x = a.mallocgc(100, noscan=True)
    s, i = a.findObject(x)
    assert (s.elemsize, s.spanclass, i) == (112, makeSpanClass(9, True), 0)
    y = a.mallocgc(100, noscan=True)
    assert y == x + 112
    z = a.mallocgc(100, noscan=False)
    assert a.findObject(z)[0].spanclass == makeSpanClass(9, False)


def test_scan_objects_over_512_bytes_carry_an_8_byte_malloc_header():
    a = alloc()
    x = a.mallocgc(513, noscan=False)  # 521 bytes with the header: class 27 (576)
    s, i = a.findObject(x)
    assert s.elemsize == 576 and x == s.startAddr + 8
    assert a.findObject(a.mallocgc(512, noscan=False))[0].elemsize == 512  # no header at 512
    n = a.mallocgc(513, noscan=True)
    assert a.findObject(n)[0].elemsize == 576 and (n - a.findObject(n)[0].startAddr) % 576 == 0
    assert a.findObject(a.mallocgc(1017, noscan=False))[0].elemsize == 1152  # 1025 > 1024: class 33


def test_large_cutoff_is_32760_bytes():
    a = alloc()
    small = a.findObject(a.mallocgc(32760))[0]
    large = a.findObject(a.mallocgc(32761))[0]
    assert small.spanclass >> 1 == 67 and small.npages == 4
    assert large.spanclass == makeSpanClass(0, True) and large.npages == 4 and large.nelems == 1
    assert a.findObject(a.mallocgc(32761, noscan=False))[0].spanclass == 0
    a.flush()
    m = read(a.mheap_)
    assert m.allocs_by_size[-1] == 2 and m.allocs_by_size[66] == 1  # 67th class, then the large bucket


def test_greentea_reserves_mark_bits_and_scan_spans_reserve_heap_bits():
    assert nelems_for(makeSpanClass(2, True), 1) == (8192 - 128) // 16 == 504
    assert nelems_for(makeSpanClass(2, False), 1) == (8192 - 128 - 128) // 16 == 496
    assert nelems_for(makeSpanClass(1, True), 1) == 1024  # 8-byte objects: no inline mark bits
    assert nelems_for(makeSpanClass(1, False), 1) == (8192 - 128) // 8
    assert nelems_for(makeSpanClass(27, False), 1) == 14  # 576 > 512: headers, nothing reserved
    assert nelems_for(makeSpanClass(2, True), 1, greenteagc=False) == 512
    assert nelems_for(makeSpanClass(2, False), 1, greenteagc=False) == 504


# --- the tiny allocator ----------------------------------------------------------------------------------------

def test_tiny_allocations_share_aligned_16_byte_blocks():
    a = alloc()
    b = a.mallocgc(1)  # a fresh block
    assert b % 16 == 0
    assert a.mallocgc(1) == b + 1
    assert a.mallocgc(2) == b + 2  # even size: 2-aligned
    assert a.mallocgc(4) == b + 4  # 4-aligned
    assert a.mallocgc(3) == b + 8  # odd size: no alignment
    assert a.mallocgc(4) == b + 12  # 11 → 12
    c = a.mallocgc(1)  # 16 + 1 > 16: a new block
    assert c == b + 16
    assert a.mallocgc(8) == c + 8  # 8-aligned
    a.flush()
    m = read(a.mheap_)
    assert m.tiny_allocs == 6 and m.allocs_by_size[1] == 2  # two blocks in the [9,17) bucket
    assert m.allocs_objects == 2


def test_tiny_keeps_the_block_with_more_room():
    a = alloc()
    b = a.mallocgc(12)  # block b, offset 12
    c = a.mallocgc(10)  # does not fit: new block c; 10 < 12, so c becomes the tiny block
    assert c == b + 16 and a.mcaches[0].tiny == c and a.mcaches[0].tinyoffset == 10
    d = a.mallocgc(14)  # new block d; 14 > 10: c stays the tiny block
    assert a.mcaches[0].tiny == c and d == c + 16
    assert a.mallocgc(6) == c + 10


def test_tiny_is_only_for_noscan_objects_under_16_bytes():
    a = alloc()
    x, y = a.mallocgc(8, noscan=False), a.mallocgc(8, noscan=False)
    assert y - x == 8 and a.findObject(x)[0].spanclass == makeSpanClass(1, False)
    z = a.mallocgc(16)
    assert a.findObject(z)[0].spanclass == 5 and a.mcaches[0].tiny == 0


def test_each_p_has_its_own_tiny_block_and_spans():
    a = alloc(gomaxprocs=2)
    x0, x1 = a.mallocgc(1, p=0), a.mallocgc(1, p=1)
    assert a.findObject(x0)[0] is not a.findObject(x1)[0]
    assert a.mallocgc(1, p=0) == x0 + 1


# --- pages, chunks, arenas ------------------------------------------------------------------------------------

def test_heap_grows_in_4_mib_chunks_out_of_64_mib_arenas():
    a = alloc(randomize_heap_base=False)
    x = a.mallocgc(8)
    h = a.mheap_
    assert h.mapped_bytes() == pallocChunkBytes and h.reserved_bytes() == heapArenaBytes
    assert x == 0xC000000000  # the classic base without randomizedheapbase64
    a.mallocgc(5 * 1024 * 1024)  # 640 pages: the heap grows by whole chunks
    assert h.mapped_bytes() == pallocChunkBytes + 2 * pallocChunkBytes
    a.mallocgc(100 * 1024 * 1024)  # more than an arena: new arenas are reserved
    assert h.reserved_bytes() >= 2 * heapArenaBytes and len(h.growth) == 3


def test_randomized_heap_base_follows_the_seed():
    one, again, other = (alloc(seed=s).mallocgc(8) for s in (1, 1, 2))
    assert one == again != other
    assert one % pageSize == 0 and one < 1 << 47


def test_page_cache_hands_each_p_its_own_64_page_block():
    a = alloc(gomaxprocs=2, randomize_heap_base=False)
    s0 = a.findObject(a.mallocgc(48, p=0))[0]
    s1 = a.findObject(a.mallocgc(48, p=1))[0]
    t0 = a.findObject(a.mallocgc(64, p=0))[0]
    u0 = a.findObject(a.mallocgc(80, p=0))[0]
    # P0's first span came straight from the page allocator, right after the heap grew (its cache was empty and
    # there was nothing to fill it from); P1 then claimed the other 63 pages of that 64-page block; so P0's next
    # span opens the next block, and the one after comes from P0's cache.
    assert s1.startAddr == s0.startAddr + pageSize
    assert t0.startAddr == s0.startAddr + 64 * pageSize
    assert u0.startAddr == t0.startAddr + pageSize
    assert a.pcaches[0].cache == ((1 << 64) - 1) & ~0b11 and a.pcaches[1].cache == ((1 << 64) - 1) & ~0b11


def test_memory_classes_add_up():
    a = alloc()
    a.mallocgc_many(*workloads.allocseq(3000, 5))
    a.flush()
    m = read(a.mheap_)
    assert m.heap_objects_bytes + m.heap_unused_bytes == m.pages_in_use * pageSize
    assert m.heap_objects_bytes + m.heap_unused_bytes + m.heap_free_bytes + m.heap_released_bytes \
        == m.mapped_bytes
    assert m.allocs_objects == int(m.allocs_by_size.sum())


# --- freeing: marks and sweep -----------------------------------------------------------------------------------

def test_sweep_frees_unmarked_objects_and_returns_empty_spans():
    a = alloc()
    keep = [a.mallocgc(64) for _ in range(10)]
    lose = [a.mallocgc(4096) for _ in range(10)]  # 5 spans of 2 objects
    pages_before = a.mheap_.pagesInUse
    a.collect(keep)
    m = read(a.mheap_)
    assert m.frees_objects == 10 and m.objects == 10 and m.frees_by_size[43] == 10
    assert a.mheap_.pagesInUse == pages_before - 5
    assert all(a.findObject(x) is None for x in lose)
    assert all(a.isMarked(x) is False for x in keep)  # marks are cleared by the sweep


def test_lazy_sweep_sweepgen_protocol():
    a = alloc()
    xs = [a.mallocgc(48) for _ in range(300)]  # two spans: one full (uncached), one cached
    h = a.mheap_
    cached = a.mcaches[0].alloc[makeSpanClass(5, True)]
    assert cached.sweepgen == h.sweepgen + 3
    for x in xs[::2]:
        a.mark(x)
    a.gcSweep()  # concurrent: the cached span was flushed and swept, the other waits
    assert cached.sweepgen == h.sweepgen and h.sweepDrained is False
    full = a.findObject(xs[0])[0]
    assert full.sweepgen == h.sweepgen - 2
    y = a.mallocgc(48)  # the mcache refills from mcentral: takes the swept partial span first
    assert a.findObject(y)[0] is cached
    while a.sweepone() != -1:
        pass
    assert full.sweepgen == h.sweepgen and full.allocCount == 84  # 168 objects, every other one marked
    a.gcSweep()
    with pytest.raises(ValueError, match="previous sweep phase has not finished"):
        a.gcSweep()


def test_allocation_while_marking_is_black():
    a = alloc()
    a.writeBarrier = True
    x = a.mallocgc(32)
    t = a.mallocgc(3)
    assert a.isMarked(x) and a.isMarked(t) and a.black_alloc_bytes == 32 + 16
    a.writeBarrier = False
    a.collect([])  # marked objects survive a collection with no roots
    assert a.findObject(x) is not None


def test_marking_a_free_slot_is_an_error():
    a = alloc()
    x = a.mallocgc(64)
    with pytest.raises(ValueError, match="free slot"):
        a.mark(x + 64)
    with pytest.raises(ValueError, match="not in an in-use heap span"):
        a.mark(12345)


def test_hooks_fire_where_mallocgc_tests_the_trigger():
    a = alloc()
    calls, assists = [], []
    a.gc_trigger = lambda: calls.append(a.mheap_.gcController.heapLive)
    a.mallocgc(64)  # first allocation of the class: a refill
    a.mallocgc(64)  # fast path: no test
    a.mallocgc(40000)  # large: always tested
    assert len(calls) == 2 and calls[0] == 8192 and calls[1] == 8192 + 40960
    a.gcBlackenEnabled, a.assist = True, assists.append
    a.mallocgc(10)
    assert assists == [10]


# --- the batch path -------------------------------------------------------------------------------------------

def _state(a: Allocator):
    h = a.mheap_
    spans = [(s.startAddr, s.npages, s.spanclass, s.nelems, s.freeindex, s.allocCache, s.allocBits, s.allocCount,
              s.allocCountBeforeCache, s.sweepgen, s.state) for s in h.allspans]
    caches = [(c.tiny, c.tinyoffset, c.tinyAllocs, c.scanAlloc, [s.startAddr for s in c.alloc]) for c in a.mcaches]
    return spans, caches, vars(h.memstats), vars(h.gcController), h.pages.searchAddr, \
        [(p.base, p.cache, p.scav) for p in a.pcaches]


requests = st.lists(st.tuples(st.sampled_from([0, 1, 3, 5, 8, 12, 15, 16, 24, 100, 500, 513, 1000, 4000, 9000,
                                               32760, 32761, 70000]),
                              st.booleans(), st.integers(0, 2)), max_size=400)


@FAST
@given(requests, st.integers(0, 3), st.booleans())
def test_batch_path_equals_one_mallocgc_per_object(reqs, seed, collect_first):
    one, many = alloc(gomaxprocs=3, seed=seed), alloc(gomaxprocs=3, seed=seed)
    if collect_first:  # start from a swept heap with holes
        for a in (one, many):
            xs = a.mallocgc_many(*workloads.allocseq(2000, seed), p=1)
            a.collect(xs[::3].tolist())
    sizes = np.array([r[0] for r in reqs], dtype=np.int64)
    noscan = np.array([r[1] for r in reqs], dtype=bool)
    ps = np.array([r[2] for r in reqs], dtype=np.int64)
    want = [one.mallocgc(int(z), bool(k), int(p)) for z, k, p in zip(sizes, noscan, ps)]
    half = len(reqs) // 2
    got = np.concatenate([many.mallocgc_many(sizes[:half], noscan[:half], ps[:half]),
                          many.mallocgc_many(sizes[half:], noscan[half:], ps[half:])])
    assert got.tolist() == want
    assert _state(one) == _state(many)


# --- properties -----------------------------------------------------------------------------------------------

program = st.lists(st.one_of(
    st.tuples(st.just("alloc"), st.integers(0, 40000), st.booleans(), st.integers(0, 1)),
    st.tuples(st.just("gc"), st.floats(0, 1)),
), max_size=120)


def _run_program(steps, seed):
    """Allocate and collect; returns the allocator and the live objects {address: size requested}."""
    a = alloc(gomaxprocs=2, seed=seed)
    live: dict[int, tuple[int, bool]] = {}
    rng = np.random.default_rng(seed)
    for step in steps:
        if step[0] == "alloc":
            _, size, noscan, p = step
            x = a.mallocgc(size, noscan, p)
            if size:
                live[x] = (size, noscan)
        else:
            survivors = [x for x in live if rng.random() < step[1]]
            a.collect(survivors)
            live = {x: live[x] for x in survivors}
    return a, live


@FAST
@given(program, st.integers(0, 5))
def test_no_two_live_objects_overlap(steps, seed):
    a, live = _run_program(steps, seed)
    extents = sorted((x, x + size) for x, (size, _) in live.items())
    for (_, end), (start, _) in zip(extents, extents[1:]):
        assert end <= start
    for x, (size, noscan) in live.items():  # and each lies inside its slot
        s, i = a.findObject(x)
        assert s.startAddr + i * s.elemsize <= x and x + size <= s.startAddr + (i + 1) * s.elemsize


@FAST
@given(program, st.integers(0, 5))
def test_bytes_in_use_equal_the_live_objects_rounded_sizes(steps, seed):
    a, live = _run_program(steps, seed)
    slots = {}
    for x, (size, noscan) in live.items():
        if noscan and size < 16:
            slots[x & ~15] = 16  # tiny objects live in 16-byte blocks
        else:
            s, i = a.findObject(x)
            slots[s.startAddr + i * s.elemsize] = roundupsize(size, noscan) + (x - s.startAddr - i * s.elemsize)
    assert a.heap_objects_bytes() == sum(slots.values())
    a.flush()
    assert read(a.mheap_).heap_objects_bytes == sum(slots.values())


@FAST
@given(st.sampled_from([8, 16, 48, 100, 700, 3000, 9000, 20000]), st.booleans(), st.integers(50, 600),
       st.floats(0, 1), st.integers(0, 5))
def test_every_freed_slot_is_reusable(size, noscan, n, keep, seed):
    noscan = noscan and size >= 16  # a tiny object frees nothing alone: its 16-byte block dies with all of them
    a = alloc(seed=seed)
    xs = [a.mallocgc(size, noscan) for _ in range(n)]
    rng = np.random.default_rng(seed)
    survivors = [x for x in xs if rng.random() < keep]
    a.collect(survivors)
    freed = set(xs) - set(survivors)
    in_spans = {x for x in freed if a.mheap_.spanOf(x) is not None}  # the rest went back to the heap as pages
    free_slots = sum(s.nelems - s.allocCount for s in a.spans())
    pages, mapped = a.mheap_.pagesInUse, a.mheap_.mapped_bytes()
    again = {a.mallocgc(size, noscan) for _ in range(free_slots)}
    assert in_spans <= again  # every freed slot of a span still in use is handed out again
    assert (a.mheap_.pagesInUse, a.mheap_.mapped_bytes()) == (pages, mapped)  # before any new span
    more = a.mallocgc(size, noscan)  # no free slot is left: the next object opens a fresh span
    assert a.mheap_.spanOf(more).allocCount == 1


# --- errors ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda a: a.mallocgc(-1), r"size must be from 0 to 281474976710656 bytes, got -1"),
    (lambda a: a.mallocgc("8"), r"size must be an integer number of bytes, got '8'"),
    (lambda a: a.mallocgc(8.0), "got 8.0"),
    (lambda a: a.mallocgc(8, p=2), r"p must be from 0 to 0 \(GOMAXPROCS=1\), got 2"),
    (lambda a: a.mallocgc_many([8, -5]), "got -5"),
    (lambda a: a.mallocgc_many([8], p=[3]), "got 3"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call(alloc())


@pytest.mark.parametrize("gomaxprocs, match", [(0, "from 1 to 1024, got 0"), (1025, "got 1025"),
                                               ("4", "an integer from 1 to 1024, got '4'")])
def test_bad_gomaxprocs(gomaxprocs, match):
    with pytest.raises(ValueError, match=match):
        Allocator(gomaxprocs)


def test_bad_workload_parameters():
    with pytest.raises(ValueError, match="workload must be one of allocseq, sizemix, seed, churn, got 'x'"):
        workloads.run("x")
    with pytest.raises(ValueError, match="profile must be one of mixed, small, got 'big'"):
        workloads.allocseq(10, 1, "big")
    with pytest.raises(ValueError, match="scale must be from 0.001 to 100, got 0.0"):
        workloads.run("seed", scale=0)


# --- workloads ------------------------------------------------------------------------------------------------

def test_allocseq_sizes_follow_splitmix64():
    sizes, noscan = workloads.allocseq(5, 1)
    x = workloads.splitmix64(1, 1)[0]
    assert int(x) == 0x910A2DEC89025CC1  # splitmix64's first output for seed 1
    assert len(sizes) == 5 and sizes.dtype == np.int64 and noscan.dtype == bool
    assert all(z % 8 == 0 for z, k in zip(sizes, noscan) if not k)


@pytest.mark.parametrize("name", list(workloads.WORKLOADS))
def test_workloads_are_deterministic(name):
    one = workloads.run(name, 2, 3, scale=0.05)
    two = workloads.run(name, 2, 3, scale=0.05)
    assert one.metrics.as_dict() == two.metrics.as_dict() and one.timeline == two.timeline
    arrays = one.timeline_arrays()
    assert len(arrays["heap_inuse"]) == len(one.timeline) and (np.diff(arrays["allocs"]) >= 0).all()


def test_more_ps_hold_more_partly_used_spans():
    one = workloads.run("sizemix", 1, 1, scale=0.2).metrics
    eight = workloads.run("sizemix", 8, 1, scale=0.2).metrics
    assert eight.heap_unused_bytes > 1.5 * one.heap_unused_bytes


def test_reclaim_frees_unmarked_spans_before_the_heap_grows():
    a = alloc(randomize_heap_base=False)
    xs = [a.mallocgc(4096) for _ in range(600)]  # 300 one-page spans, ~2.3 MiB of a 4 MiB chunk
    mapped = a.mheap_.mapped_bytes()
    a.gcSweep()  # nothing marked; sweeping is left to the allocator
    big = a.mallocgc(2 << 20)  # 256 pages: mheap.alloc reclaims unmarked spans first
    assert a.mheap_.mapped_bytes() == mapped
    assert big == xs[0]  # first fit: the lowest reclaimed pages
    assert a.mheap_.pagesSwept >= 256


def test_proportional_sweep_pays_for_allocation():
    from gosim.alloc.mgcsweep import gcPaceSweeper

    a = alloc()
    xs = [a.mallocgc(1024) for _ in range(4000)]  # 500 spans
    for x in xs[::2]:
        a.mark(x)
    a.gcSweep()
    h = a.mheap_
    gcPaceSweeper(h, h.gcController.heapLive + (2 << 20))  # sweep every span before 1 MiB more (2 MiB - 1 MiB)
    assert h.sweepPagesPerByte > 0
    before = h.pagesSwept
    for _ in range(8):
        a.mallocgc(2048)  # refills: cacheSpan deducts sweep credit first
    assert h.pagesSwept > before
    while a.sweepone() != -1:
        pass
    assert h.sweepDrained and a.heap_objects_bytes() == 2000 * 1024 + 8 * 2048


def test_tiny_blocks_are_marked_when_marking_starts():
    a = alloc(gomaxprocs=2)
    x, y = a.mallocgc(3, p=0), a.mallocgc(5, p=1)
    a.gcMarkTinyAllocs()
    a.writeBarrier = True
    z = a.mallocgc(2, p=0)  # a sub-allocation: not marked itself, its block already is
    assert z == x + 4 and a.isMarked(x) and a.isMarked(y) and a.isMarked(z)
