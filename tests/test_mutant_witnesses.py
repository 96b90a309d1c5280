"""Checks the mutation suite (``make mutants``, scripts/mutants.py) needed and found missing: rules of the models that
no other check compared with the real runtime. Each compares the model with a real run or with the installed
source, so a wrong rule planted in the model (a mutant) makes it fail.
"""

from __future__ import annotations

import re

import pytest

from gosim import boot, sched
from gosim import toolchain as tc
from gosim.alloc import Allocator, read
from gosim.checks import boot as boot_checks
from gosim.checks import gc as gc_checks
from gosim.checks import sched as sched_checks
from gosim.gc import greentea, heap
from gosim.sched import runq
from gosim.sched.proc import p as P

from .conftest import needs_gdb


@needs_gdb
@pytest.mark.gdb
@pytest.mark.parametrize("procs", [2, 4])
def test_idle_ps_at_main_main_are_at_most_the_models(hello, procs):
    """At main.main m0 runs the main goroutine on a P, and in the model every M that wakep started has put its P
    back (the helper it stole parked at once): the model's idle Ps, GOMAXPROCS − 1, are the most the runtime can
    have. An M of the real run may still hold a P (spinning, or parking the updater), so gdb may read fewer idle
    Ps, never more than the model's."""
    trace = tc.gdb_trace(hello, boot_checks.SNAPSHOTS, env={"GOMAXPROCS": str(procs)},
                         snapshot_at=boot_checks.SNAPSHOTS)
    real = boot_checks.state_from_gdb(trace.state_at("main.main"))
    model = boot.boot("current", procs).state_at("main.main")
    assert real.idle_ps <= model.idle_ps, (real.idle_ps, model.idle_ps)


@pytest.mark.slow
def test_small_large_cut_off_and_buckets_as_allocboundary_sees_them():
    """allocboundary allocates one object of 32752..32768 bytes (with and without pointers) between two
    collections and prints the /gc/heap/allocs-by-size bucket that grew (the last one: a large object). The model
    allocating the same object on a fresh heap must fill the same bucket."""
    out = tc.run(tc.build("allocboundary"), env={"GOMAXPROCS": "1"}).stdout
    lines = [dict(kv.split("=", 1) for kv in line.split()) for line in out.splitlines()
             if line.startswith("bytes=")]
    assert len(lines) >= 6
    for f in lines:
        size, pointers, bucket = int(f["bytes"]), f["pointers"] == "true", int(f["bucket"])
        a = Allocator(1, seed=1)
        a.mallocgc(size, not pointers)
        a.flush()
        grew = [i for i, n in enumerate(read(a.mheap_).allocs_by_size.tolist()) if n]
        assert grew == [bucket], (size, pointers, grew, bucket)
    assert {f["large"] for f in lines} == {"true", "false"}  # both sides of the line are exercised


@pytest.mark.slow
def test_green_tea_single_mark_share_on_a_linked_list():
    """gcchurn ``-shape list`` (GOMAXPROCS=1, gctrace=2): every node of the list is found alone, and the runtime
    scans it on span scanning's single-mark path. The model's share of objects scanned alone on a linked list is
    the runtime's (64-byte class, a steady cycle), within one percentage point."""
    r = tc.run(tc.build("gcchurn"), ["-live", "16", "-churn", "64", "-shape", "list"], env={"GOMAXPROCS": "1"},
               godebug="gctrace=2")
    real = gc_checks.scan_stats_of(r.stderr, 64, 16)
    g = greentea.mark_greentea(heap.linked_list(5000))
    model_alone = g.one_mark_visits / g.objects_in_span_visits
    real_alone = real.single_objs / real.objects
    assert abs(model_alone - real_alone) < 0.01, (model_alone, real_alone)


def test_sysmon_sleeps_follow_the_loop_in_proc_go():
    """The model's sysmon wake-ups from its start (no P retaken from a system call: the idle count only grows)
    against sysmon's loop read from the installed proc.go (start, the idle rounds before the sleep doubles, the
    cap), each sleep lasting its request plus the model's timer slack."""
    loop = sched_checks.sysmon_loop(tc.source_file("runtime/proc.go").text)
    r = sched.simulate("cpubound", gomaxprocs=1, goroutines=2, duration="100ms")
    start = r.sysmon_wakeups[0]
    model = [t - start for t in r.sysmon_wakeups[1:]]
    derived = sched_checks.sysmon_wakeups_after_reset(loop, r.costs.timerslack, model[-1])
    n = min(len(model), len(derived), loop.idle_rounds + 20)
    assert n > loop.idle_rounds + 10
    assert model[:n] == derived[:n]


def test_runqgrab_takes_what_proc_go_says():
    """How many Gs a thief grabs from a ring of n (0..9), by the model's runqgrab, against the expression of the
    installed ``runtime.runqgrab`` (``n := t - h`` then ``n = n - n/2``, Go's integer division)."""
    text = tc.source("runtime.runqgrab").text
    assert re.search(r"\bn := t - h\b", text)
    found = re.search(r"^\s*n = (n [-+*/ n\d]+)$", text, re.M)
    assert found, "runqgrab's halving line is not found: the runtime changed"
    expr = found[1].replace("/", "//")
    for n in range(10):
        victim = P(1)
        victim.runq.extend(range(n))
        grabbed = runq.runqgrab(victim, False)
        assert len(grabbed) == eval(expr, {"__builtins__": {}}, {"n": n}), (n, found[1])
