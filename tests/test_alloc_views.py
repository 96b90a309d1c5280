"""What the chapter plots (gosim.alloc.views) and the collector's view of the allocator (AllocatorHeap)."""

from __future__ import annotations

import random

import numpy as np

from gosim.alloc import Allocator, views, workloads
from gosim.alloc.heapstore import AllocatorHeap
from gosim.alloc.sizeclasses import pageSize


def test_fragmentation_accounts_for_every_mapped_byte():
    r = workloads.run("churn", 2, 1, scale=0.1)
    f = views.fragmentation(r.allocator)
    assert f.mapped == r.allocator.mheap_.mapped_bytes()
    assert f.objects == r.metrics.heap_objects_bytes
    assert f.inuse == r.metrics.heap_inuse_bytes
    assert f.released_pages + f.free_pages > 0 and 0 < f.internal_pct < 100


def test_page_map_matches_the_spans():
    a = Allocator(2, seed=3)
    a.mallocgc_many(*workloads.allocseq(3000, 3), p=[0, 1] * 1500)
    pm = views.page_map(a)
    counts = pm.counts()
    spans = a.spans()
    assert counts["small-object span"] + counts["large-object span"] == sum(s.npages for s in spans)
    assert counts["in a P's page cache"] == sum(pc.cache.bit_count() for pc in a.pcaches)
    assert len(pm.state) * pageSize == a.mheap_.mapped_bytes()
    assert ((pm.fill > 0) == (pm.spanclass >= 0)).all()


def test_span_occupancy_counts_allocated_slots():
    a = Allocator(1, seed=1)
    xs = [a.mallocgc(100) for _ in range(200)]
    a.collect(xs[::4])
    occ = views.span_occupancy(a)
    assert sum(int(o.allocated.sum()) for o in occ) == 50
    assert all(o.elemsize == 112 for o in occ) and 0 < occ[0].fill < 1


def test_class_waste_by_class():
    w = views.class_waste([1, 9, 17, 100, 513, 513, 40000], [True, True, True, True, True, False, True])
    assert w.objects[2] == 2  # the tiny request and the 9-byte one share class 2's bucket
    assert w.roundup_waste[3] == 24 - 17 and w.roundup_waste[9] == 112 - 100
    assert w.objects[27] == 2 and w.requested[27] == 513 + 521 and w.slots[27] == 2 * 576  # header counted
    assert w.objects[0] == 1 and w.slots[0] == 40960
    assert w.tail_waste[2] == 128 and w.tail_waste[1] == 0  # Green Tea's mark bits at the end of 16-byte spans
    assert w.objects.sum() == 7


def test_arena_layouts():
    old = views.arena_layout_go110()
    assert old[0].start == 0xC000000000 and old[2].start == 0xC420000000  # Go 1.10's famous first heap address
    assert old[1].size == 16 << 30 and old[2].size == 512 << 30
    a = Allocator(1, randomize_heap_base=False)
    a.mallocgc(80 << 20)  # more than one arena
    now = views.arena_layout(a)
    arenas = [r for r in now if r.kind == "arena"]
    assert len(arenas) == 2 and arenas[0].start == 0xC000000000 and arenas[1].start == 0xC004000000
    assert sum(r.size for r in now if r.kind == "in use") == a.mheap_.mapped_bytes()


def test_heap_growth_timeline():
    t = workloads.run("allocseq", 1, 2, scale=0.2).timeline_arrays()
    assert (np.diff(t["heap_inuse"]) >= 0).all() and (t["mapped"] >= t["heap_inuse"]).all()
    assert (t["mapped"] % (4 << 20) == 0).all()


def test_allocator_heap_sweeps_what_marking_missed():
    heap = AllocatorHeap(Allocator(1, seed=5))
    rng = random.Random(5)
    objs = [heap.allocate(rng.choice([16, 32, 48, 64, 700]), 2) for _ in range(300)]
    for o in objs:
        heap.set_field(o, 0, rng.choice(objs) if rng.random() < 0.5 else None)
    roots = objs[:5]
    seen, todo = set(), list(roots)
    while todo:
        o = todo.pop()
        if o in seen:
            continue
        seen.add(o)
        heap.set_marked(o)
        todo.extend(t for t in heap.fields(o) if t is not None)
    assert all(heap.is_marked(o) for o in seen)
    freed = heap.sweep()
    assert set(freed) == set(objs) - seen and set(heap.objects()) == seen
    assert not any(heap.is_marked(o) for o in seen)  # marks cleared for the next cycle
    span, slot = heap.span_of(roots[0])
    assert span > 0 and slot >= 0
    again = heap.allocate(64, 2)
    assert again not in seen and len(heap.objects()) == len(seen) + 1
