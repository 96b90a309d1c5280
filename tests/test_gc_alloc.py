"""The collector frees into the allocator's spans (gosim.gc.allocheap over gosim.alloc).

A GC cycle with a seeded mutator runs on objects that ``mallocgc`` placed in real mspans; its marks are the spans'
``gcmarkBits`` and its sweep is the allocator's ``gcSweep``. Checked: nothing reachable is freed, every freed
object's slot is free in its span and is handed out again by later allocations of its size class, objects
allocated during the mark are black, and the allocator's runtime/metrics counters agree with what the cycle freed.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim.alloc import Allocator, metrics
from gosim.alloc.sizeclasses import roundupsize
from gosim.gc import allocheap, heap, mgc


def stats(h: allocheap.SpanHeap) -> metrics.Metrics:
    h.allocator.flush()  # runtime/metrics lags until the mcaches are flushed, as after any GC
    return metrics.read(h.allocator.mheap_)


def test_a_cycle_frees_white_objects_into_their_spans_and_mallocgc_reuses_the_slots():
    h = allocheap.span_heap(300, 7)
    sizes = {o: h.size(o) for o in h.objects()}
    r = mgc.run_cycle(h, "hybrid", 7, mutator_rate=0.6)
    freed = set(r.freed)
    assert r.lost == () and freed and freed <= set(sizes)  # new objects were black: only old ones die
    assert not freed & heap.reachable(h)
    assert all(h.is_free(o) for o in freed)
    assert not any(h.is_free(o) for o in h.objects())
    # later allocations of the same sizes land in the freed slots
    counts: dict[int, int] = {}
    for o in freed:
        counts[sizes[o]] = counts.get(sizes[o], 0) + 1
    reused = {h.allocate(size, 1) for size, n in counts.items() for _ in range(n)}
    assert len(reused & freed) >= len(freed) // 2
    assert not reused & set(h.objects()) - reused  # never on top of a live object


def test_the_allocators_counters_agree_with_the_cycle():
    h = allocheap.span_heap(400, 11)
    sizes = {o: h.size(o) for o in h.objects()}
    m0 = stats(h)
    assert m0.objects == 400 and m0.frees_objects == 0
    r = mgc.run_cycle(h, "hybrid", 11, mutator_rate=0.5)
    m = stats(h)
    assert m.frees_objects == len(r.freed)
    assert m.allocs_objects == 400 + r.allocated_black  # the mutator allocated only during the mark
    assert m.objects == len(h.objects()) == r.marked
    assert m.heap_objects_bytes == sum(roundupsize(h.size(o), False) for o in h.objects())
    assert m.frees_bytes == sum(roundupsize(sizes[o], False) for o in r.freed)


def test_allocation_during_the_mark_is_black_in_the_span():
    h = allocheap.span_heap(50, 2)
    c = mgc.Collector(h, "hybrid")
    c.gcStart()
    new = c.newobject(48, 2)
    s, index = h.allocator.findObject(new)
    assert s.isMarked(index)  # gcmarknewobject, set by mallocgc itself
    c.drain()
    c.mark_termination()
    assert not h.allocator.writeBarrier
    white = {o for o in h.objects() if not h.is_marked(o)}
    assert set(c.sweep()) == white and new not in white
    assert not any(h.is_marked(o) for o in h.objects())  # fresh gcmarkBits for the next cycle


@pytest.mark.parametrize("barrier", ["dijkstra", "yuasa", "hybrid"])
def test_cycles_in_a_row_on_spans(barrier):
    h = allocheap.span_heap(200, 5)
    for seed in range(4):
        r = mgc.run_cycle(h, barrier, seed, mutator_rate=0.6)
        assert r.lost == ()
        assert heap.reachable(h) <= set(h.objects())
    assert stats(h).objects == len(h.objects())


@given(seed=st.integers(0, 10_000), objects=st.integers(2, 80), rate=st.floats(0.0, 0.9))
@settings(max_examples=60, deadline=None)
def test_hybrid_barrier_never_frees_a_reachable_object_on_spans(seed, objects, rate):
    h = allocheap.span_heap(objects, seed)
    r = mgc.run_cycle(h, "hybrid", seed, mutator_rate=rate)
    assert r.lost == () and not set(r.freed) & heap.reachable(h)


def test_same_graph_same_outcome_as_the_object_store():
    """The store does not change the cycle: same seed, same marks and frees (ids mapped to addresses)."""
    for seed in range(5):
        plain = heap.random_heap(60, seed)
        spans = allocheap.SpanHeap(Allocator(1, randomize_heap_base=False))
        address = dict(zip(plain.objects(), heap.populate(spans, 60, seed)))
        a = mgc.run_cycle(plain, "hybrid", seed, mutator_rate=0.5)
        b = mgc.run_cycle(spans, "hybrid", seed, mutator_rate=0.5)
        assert (a.marked, a.allocated_black, a.mutator_ops) == (b.marked, b.allocated_black, b.mutator_ops)
        assert {address[o] for o in a.freed if o in address} == {o for o in b.freed if o in address.values()}
