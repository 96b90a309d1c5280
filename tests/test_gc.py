"""The marking model (gosim.gc.mgc, mbarrier, markvec, greentea, heap) and `python -m gosim gc`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim import cli
from gosim.gc import greentea, heap, markvec, mgc
from gosim.gc.mbarrier import Barrier

schedules = dict(seed=st.integers(0, 10_000), objects=st.integers(2, 60), rate=st.floats(0.0, 0.9))


@given(**schedules)
@settings(max_examples=300, deadline=None)
def test_hybrid_barrier_never_frees_a_reachable_object(seed, objects, rate):
    h = heap.random_heap(objects, seed)
    r = mgc.run_cycle(h, "hybrid", seed, mutator_rate=rate)
    assert r.lost == ()
    assert not (h.reachable() & set(r.freed))  # nothing the program can reach was freed


@pytest.mark.parametrize("name", ["dijkstra", "yuasa"])
@given(**schedules)
@settings(max_examples=100, deadline=None)
def test_classic_barriers_with_their_stack_rules_lose_nothing(name, seed, objects, rate):
    assert mgc.run_cycle(None, name, seed, objects=objects, mutator_rate=rate).lost == ()


def test_without_a_barrier_some_schedule_loses_an_object():
    r = mgc.find_loss("none")
    assert r is not None and r.lost
    # the same heap and schedule with the hybrid barrier keeps it
    assert mgc.run_cycle(None, "hybrid", r.seed, objects=r.objects, mutator_rate=0.6).lost == ()


@pytest.mark.parametrize("variant", [
    Barrier("dijkstra-no-rescan", False, True),  # Go 1.5's barrier without the STW stack re-scan
    Barrier("yuasa-concurrent-stacks", True, False),  # deletion barrier without the snapshot of all stacks
])
def test_each_half_of_the_hybrid_alone_loses_objects(variant):
    assert mgc.find_loss(variant, seeds=range(3000)) is not None


def test_allocate_black_and_sweep_frees_exactly_the_white():
    h = heap.random_heap(30, 4)
    c = mgc.Collector(h, "hybrid")
    c.gcStart()
    new = c.newobject(32, 2)
    assert c.color(new) == mgc.BLACK
    c.drain()
    c.mark_termination()
    white = {o for o in h.objects() if not h.is_marked(o)}
    assert set(c.sweep()) == white and new not in white
    assert all(not h.is_marked(o) for o in h.objects())  # marks cleared for the next cycle


def test_step_through_frames():
    frames = mgc.step_through(8, 1)
    assert frames[0].phase == "_GCmark" and set(frames[0].colors) == {mgc.WHITE}
    assert frames[-1].phase == "_GCoff" and mgc.GREY not in frames[-1].colors
    for f in frames:
        assert set(f.colors) <= {mgc.WHITE, mgc.GREY, mgc.BLACK, mgc.FREE}
        assert all(f.colors[o] == mgc.GREY for o in f.queue)


@given(seed=st.integers(0, 10_000), objects=st.integers(1, 400))
@settings(max_examples=100, deadline=None)
def test_vectorised_engine_marks_the_same_set_as_object_at_a_time(seed, objects):
    h = heap.random_heap(objects, seed, max_fields=3)
    indptr, indices = h.to_csr()
    vec = set(np.flatnonzero(markvec.mark_csr(indptr, indices, h.roots())))
    c = mgc.Collector(h, "hybrid")
    c.gcStart()
    c.drain()
    c.mark_termination()
    assert vec == {o for o in h.objects() if h.is_marked(o)} == h.reachable()


def test_vectorised_engine_on_a_large_graph_matches_a_plain_walk():
    indptr, indices, roots = markvec.random_csr(20_000, 2, 3)
    m = markvec.mark_csr(indptr, indices, roots)
    seen, todo = set(), list(roots)
    while todo:
        o = int(todo.pop())
        if o not in seen:
            seen.add(o)
            todo.extend(indices[indptr[o]:indptr[o + 1]])
    assert set(np.flatnonzero(m)) == seen
    g = markvec.MarkGraph(*markvec.tree_csr(1000)[:2])
    assert g.mark([0]).all()
    g.ell = None  # the CSR path
    assert g.mark([0]).all()


def test_objects_per_span_follow_green_teas_layout():
    assert heap.objects_per_span(64) == (8192 - 128 - 128) // 64  # inline mark bits + heap bits at the end
    assert heap.objects_per_span(64, scan=False) == (8192 - 128) // 64
    assert heap.objects_per_span(1024) == 8


def test_green_tea_batches_dense_heaps_and_not_lists():
    classic, gt = greentea.compare(heap.dense_heap(5000))
    assert classic.objects_marked == gt.objects_marked
    assert gt.objects_per_visit > 50 and gt.span_visits < classic.objects_scanned / 50
    classic, gt = greentea.compare(heap.linked_list(5000))
    assert classic.objects_marked == gt.objects_marked == 5000
    assert gt.objects_per_visit == 1.0 and gt.one_mark_visits == gt.span_visits == 5000


@given(seed=st.integers(0, 1000), objects=st.integers(1, 300))
@settings(max_examples=50, deadline=None)
def test_green_tea_marks_the_reachable_set(seed, objects):
    h = heap.random_heap(objects, seed)
    classic, gt = greentea.compare(h)
    assert classic.objects_marked == gt.objects_marked == len(h.reachable())


def test_cli_gc(capsys):
    r = mgc.find_loss("none")
    assert cli.main(["gc", "--barrier", "none", "--seed", str(r.seed), "--objects", str(r.objects)]) == 0
    out = capsys.readouterr().out
    assert f"lost={len(r.lost)}" in out and f"lost object {r.lost[0]}" in out
    assert cli.main(["gc", "--barrier", "hybrid", "--seed", str(r.seed), "--objects", str(r.objects)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("barrier=hybrid") and "lost=0" in out[0] and out[-1] == "lost: none"


@pytest.mark.parametrize("argv", [
    ["gc", "--barrier", "steele", "--seed", "1"],
    ["gc", "--barrier", "hybrid", "--seed", "-1"],
    ["gc", "--barrier", "hybrid", "--seed", "1", "--objects", "0"],
    ["gc", "--barrier", "hybrid"],
])
def test_cli_gc_bad_input(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2 and "usage:" in capsys.readouterr().err


# The barrier demo's scripted schedules: which barrier loses what (the chapter's table).
EXPECTED_LOSSES = {
    "store into a black object": {"none": (2, 3)},
    "hide in a stack": {"none": (2, 3), "dijkstra-no-rescan": (2, 3)},
    "from an unscanned stack": {"none": (5,), "yuasa-no-snapshot": (5,)},
}


@pytest.mark.parametrize("schedule", list(mgc.SCHEDULES))
@pytest.mark.parametrize("name", ["none", "dijkstra-no-rescan", "dijkstra", "yuasa-no-snapshot", "yuasa", "hybrid"])
def test_scripted_schedules_lose_exactly_what_each_barrier_lets_through(schedule, name):
    r = mgc.run_script(schedule, name)
    assert r.lost == EXPECTED_LOSSES[schedule].get(name, ())
    assert set(r.lost) <= set(r.freed)  # sweep frees them: the dangling pointers
    assert 4 in r.freed  # the real garbage goes either way


def test_dijkstra_rescan_is_what_saves_the_hidden_object():
    r = mgc.run_script("hide in a stack", "dijkstra")
    assert "stacks re-scanned: shaded 2" in r.frames[-2].action


def test_wb_entries_follow_the_compilers_omissions():
    from gosim.gc.mbarrier import Store, wb_entries

    assert wb_entries([Store()]) == 2  # old and new
    assert wb_entries([Store(fresh_slot=True)]) == 1  # a freshly zeroed slot has no old value
    assert wb_entries([Store(global_value=True)]) == 1  # the address of a global needs no shade
    assert wb_entries([Store(fresh_slot=True), Store()]) == 3
    with pytest.raises(ValueError, match="splits"):
        wb_entries([Store()] * 5)


def test_scan_and_scav_trace_parsers():
    from gosim.toolchain import gctrace

    text = ("gc 9 @0.173s 32%: 0.015+10+0.004 ms clock, 0.015+5.3/0/0+0.004 ms cpu, 42->50->25 MB, 50 MB goal, "
            "0 MB stacks, 0 MB globals, 1 P\n"
            "scan: total 539+35+262146=262720 objs, 7+2117=2124 spans\n"
            "scan: class L 16+0+0=16 objs, 0+0=0 spans\n"
            "scan: class 64B 494+16+262131=262641 objs, 2+2114=2116 spans\n"
            "scav 0 KiB work (bg), 190464 KiB work (eager), 269608 KiB now, 91% util (forced)\n")
    st = gctrace.parse_scanstats(text)[9]
    assert st[64].objects == 262641 and st[64].span_visits == 2116 and st[0].objects == 16
    assert st[-1].dense_spans == 2117 and round(st[64].objects_per_span_visit, 1) == 123.9
    assert gctrace.parse_scavtrace(text) == [dict(bg_kib=0, eager_kib=190464, now_kib=269608, util_pct=91,
                                                  forced=True)]
