"""The pacer model (gosim.gc.mgcpacer, pacersim), the GC guide mode, and `python -m gosim pacer`."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim import cli
from gosim.checks import gc as checks
from gosim.gc import guide, mgcpacer, pacersim, workload
from gosim.gc.mgcpacer import GCController, heap_goal, mark_workers, readGOGC, readGOMEMLIMIT
from gosim.units import MiB

# --- GOGC and GOMEMLIMIT ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,want", [("100", 100), ("50", 50), ("0", 0), ("off", -1), ("-1", -1), ("-20", -1),
                                       (None, 100), ("", 100), (200, 200), ("+7", 7)])
def test_readGOGC_follows_the_runtime(text, want):
    assert readGOGC(text) == want


@pytest.mark.parametrize("text", ["abc", "1O0", "100%", "1e3", "Off", "50.5", "99999999999"])
def test_bad_GOGC_is_an_error_that_names_the_runtimes_fallback(text):
    with pytest.raises(ValueError, match="GOGC.*fall back to GOGC=100"):
        readGOGC(text)


@pytest.mark.parametrize("text,want", [("off", mgcpacer.MAX_INT64), ("", mgcpacer.MAX_INT64), ("100MiB", 100 * MiB),
                                       ("4096", 4096), ("1GiB", 1 << 30)])
def test_readGOMEMLIMIT_takes_the_runtimes_byte_counts(text, want):
    assert readGOMEMLIMIT(text) == want


@pytest.mark.parametrize("text", ["100MB", "100 MiB", "-5", "lots", "1.5GiB"])
def test_bad_GOMEMLIMIT_is_an_error(text):
    with pytest.raises(ValueError, match="GOMEMLIMIT"):
        readGOMEMLIMIT(text)


# --- goal and trigger ------------------------------------------------------------------------------------------


def test_goal_includes_stacks_and_globals():
    # goal = H_m + (H_m + S + G)·GOGC/100, in uint64 arithmetic (the facts file's formula)
    assert heap_goal(50 * MiB, 100, stacks=2680, globals_=159594) == 50 * MiB + (50 * MiB + 2680 + 159594)
    assert heap_goal(17683272, 100, stacks=2264, globals_=159594) == 35528402  # a real gcchurn cycle
    assert heap_goal(10 * MiB, 50, stacks=3, globals_=0) == 10 * MiB + (10 * MiB + 3) * 50 // 100


@pytest.mark.parametrize("gogc", [50, 100, 200, 400])
def test_first_goal_is_the_heap_minimum(gogc):
    c = GCController.init(gogc)
    assert c.heapGoal() == (4 << 20) * gogc // 100


def test_goal_keeps_the_sweep_distance_for_tiny_GOGC():
    assert heap_goal(10 * MiB, 0) == 11 * MiB  # GOGC=0: heapMinimum 0, goal = live + sweepMinHeapDistance
    assert heap_goal(10 * MiB, 0, sweep_done=True) == 10 * MiB


def test_memory_limit_goal_with_headroom():
    # GOGC=off, 100 MiB limit, ~8 MiB non-heap: the facts file saw a constant 89 MiB goal.
    goal = heap_goal(50 * MiB, -1, memlimit=100 * MiB, nonheap=8 * MiB)
    raw = 92 * MiB
    assert goal == raw - raw // 100 * 3
    assert 89 * MiB <= goal < 90 * MiB
    # small limits: the headroom is at least 1 MiB
    assert heap_goal(1 * MiB, -1, memlimit=20 * MiB, nonheap=0) == 19 * MiB
    # never below the live heap
    assert heap_goal(80 * MiB, 100, memlimit=64 * MiB, nonheap=8 * MiB) == 80 * MiB
    # the smaller of the two goals wins
    assert heap_goal(20 * MiB, 100, memlimit=1 << 40) == 40 * MiB


def _runtime_constant(name: str) -> int:
    """A constant's value from the installed runtime's source (``name = <int expression>``)."""
    import re

    from gosim import toolchain as tc

    text = tc.source_file("runtime/mgcpacer.go").text
    m = re.search(rf"^\s*{name}\s*=\s*([0-9<> ]+?)\s*(?://.*)?$", text, re.M)
    assert m, name
    return eval(m[1], {})  # noqa: S307 - a literal like "1 << 20" from the Go source


def _limit_goal_by_the_formula(limit, mapped_ready, heap_free, heap_alloc, heap_marked):
    """memoryLimitHeapGoal's design comment, worked out without the model:
    goal = limit - ((mappedReady - heapFree - heapAlloc) + max(mappedReady - limit, 0)), less a headroom of
    memoryLimitHeapGoalHeadroomPercent % (at least memoryLimitMinHeapGoalHeadroom), never below heapMarked."""
    pct = _runtime_constant("memoryLimitHeapGoalHeadroomPercent")
    least = _runtime_constant("memoryLimitMinHeapGoalHeadroom")
    taken = (mapped_ready - heap_free - heap_alloc) + max(mapped_ready - limit, 0)
    if taken >= limit:
        return heap_marked
    goal = limit - taken
    headroom = max(goal // 100 * pct, least)
    goal = headroom if goal < 2 * headroom else goal - headroom
    return max(goal, heap_marked)


@pytest.mark.parametrize("live,heap_alloc,nonheap,heap_free,limit", [
    (30 * MiB, 30 * MiB, 8 * MiB, 0, 100 * MiB),  # no free pages, no overage
    (30 * MiB, 30 * MiB, 8 * MiB, 20 * MiB, 100 * MiB),  # free pages stay inside the heap's budget
    (30 * MiB, 40 * MiB, 8 * MiB, 20 * MiB, 64 * MiB),  # mapped 68 MiB > 64 MiB: the overage lowers the goal
    (50 * MiB, 60 * MiB, 8 * MiB, 30 * MiB, 64 * MiB),  # overage pushes it below heapMarked: floored there
    (1 * MiB, 1 * MiB, 2 * MiB, 1 * MiB, 6 * MiB),  # small: the 1 MiB minimum headroom
    (3 * MiB, 3 * MiB, 70 * MiB, 0, 64 * MiB),  # non-heap alone exceeds the limit: heapMarked
])
def test_memory_limit_goal_is_the_runtimes_formula(live, heap_alloc, nonheap, heap_free, limit):
    mapped = nonheap + heap_free + heap_alloc
    want = _limit_goal_by_the_formula(limit, mapped, heap_free, heap_alloc, live)
    assert heap_goal(live, -1, memlimit=limit, nonheap=nonheap, heap_free=heap_free,
                     heap_alloc=heap_alloc) == want
    # with GOGC=100 the smaller goal wins (both computed without the model)
    gogc_goal = max(2 * live, 4 * MiB, live + (1 << 20))
    assert heap_goal(live, 100, memlimit=limit, nonheap=nonheap, heap_free=heap_free,
                     heap_alloc=heap_alloc) == min(want, gogc_goal)


def test_free_pages_are_not_non_heap_memory():
    # 20 MiB of free, unscavenged pages under a 100 MiB limit leave the goal where it was: the runtime counts
    # them as room for the heap, not as overhead (mgcpacer.go, memoryLimitHeapGoal).
    kw = dict(memlimit=100 * MiB, nonheap=8 * MiB)
    assert heap_goal(30 * MiB, -1, heap_free=20 * MiB, **kw) == heap_goal(30 * MiB, -1, **kw)
    # ...until mapped memory exceeds the limit: then the overage counts
    over = heap_goal(30 * MiB, -1, memlimit=64 * MiB, nonheap=8 * MiB, heap_free=30 * MiB)
    assert over < heap_goal(30 * MiB, -1, memlimit=64 * MiB, nonheap=8 * MiB)


@given(live=st.integers(0, 1 << 36), gogc=st.integers(0, 2000), stacks=st.integers(0, 1 << 24),
       consmark=st.floats(0, 50))
@settings(max_examples=300, deadline=None)
def test_trigger_stays_within_its_clamps(live, gogc, stacks, consmark):
    c = GCController.init(gogc)
    c.heapMarked = c.heapLive = c.lastHeapScan = live
    c.lastStackScan = stacks
    c.consMark = consmark
    c.commit(True)
    trigger, goal = c.trigger()
    assert trigger <= goal
    if goal > live:
        span = goal - live
        assert trigger >= live + (span // 64) * 45
        assert trigger <= max(live + (span // 64) * 61, goal - (4 << 20))


def test_zero_runway_triggers_at_61_64ths_and_a_long_one_at_45_64ths():
    c = GCController.init(100)
    c.heapMarked = c.heapLive = c.lastHeapScan = 64 * MiB
    c.commit(True)
    assert c.trigger()[0] == 64 * MiB + (64 * MiB // 64) * 61  # 61/64 beats goal − 4 MiB here
    c.consMark = 10.0
    c.commit(True)
    assert c.trigger()[0] == 64 * MiB + (64 * MiB // 64) * 45


@pytest.mark.parametrize("procs,dedicated,fractional", [
    (1, 0, 0.25), (2, 0, 0.25), (3, 0, 0.25), (4, 1, 0.0), (5, 1, 0.0), (6, 1, 0.5 / 6), (7, 2, 0.0), (8, 2, 0.0),
    (16, 4, 0.0)])
def test_background_workers_per_gomaxprocs(procs, dedicated, fractional):
    d, f = mark_workers(procs)
    assert d == dedicated and f == pytest.approx(fractional)


def test_cons_mark_is_the_max_of_the_last_five():
    c = GCController.init(100)
    values = []
    for n in range(7):
        c.heapMarked = c.heapLive = 10 * MiB
        c.lastHeapScan = 1 * MiB
        c.startCycle(0, 2)
        c.heapLive += (n + 1) * MiB if n != 3 else 9 * MiB
        c.heapScanWork = 1 * MiB
        c.idleMarkTime = 0
        values.append(c.endCycle(1_000_000, 2))
        assert c.consMark == max(values[-5:])
    assert c.consMark == values[3]  # the spike is remembered for five cycles


def test_assist_ratio_is_remaining_work_over_remaining_heap():
    c = GCController.init(100)
    c.heapMarked = 50 * MiB
    c.lastHeapScan = 10 * MiB
    c.commit(True)
    c.heapLive = 90 * MiB
    c.heapScan = 20 * MiB
    c.startCycle(0, 2)
    assert c.assistWorkPerByte == pytest.approx(10 * MiB / (c.heapGoal() - 90 * MiB))


# --- the simulation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(pacersim.SCENARIOS))
def test_every_scenario_runs_and_stays_near_its_goal(name):
    run = pacersim.simulate(name)
    assert len(run.cycles) > 5
    for c in run.cycles:
        assert c.trigger <= c.goal
        assert c.peak <= c.goal * (1 + run.gogc / 100) * 1.1  # revise's hard goal, padded by 10 % when late
    for c in run.cycles[8:]:
        assert c.peak <= c.goal * 1.1 + (1 << 20) or name in ("ramp", "step", "random", "oscillate", "allocspike")
        assert 0.703 - 1e-3 <= c.trigger_fraction <= 0.953 + 1e-3 or c.limit_bound
    rows = run.rows()
    assert set(rows[0]) >= {"goal_mib", "peak_mib", "live_mib", "util_pct", "overshoot_pct", "trigger_mib"}


def test_higher_GOGC_means_fewer_cycles_and_more_memory():
    runs = [pacersim.simulate("steady", g) for g in (50, 100, 200)]
    assert [len(r.cycles) for r in runs] == sorted((len(r.cycles) for r in runs), reverse=True)
    assert runs[0].peak < runs[1].peak < runs[2].peak
    assert runs[0].gc_cpu_pct > runs[2].gc_cpu_pct


def test_memory_limit_below_the_live_heap_turns_the_cpu_limiter_on():
    # 10 s: the limiter's bucket holds one CPU-second per P, so it takes a while to fill and start limiting
    steady = dataclasses.replace(workload.SCENARIOS["steady"], duration=10.0)
    run = pacersim.simulate(steady, 100, "60MiB", max_cycles=3000)
    assert any(c.limiter for c in run.cycles)
    assert run.mutator_cpu_s / run.seconds > 0.4  # the mutator keeps a CPU share: no death spiral


def test_a_run_ends_at_its_duration_even_when_cycles_run_back_to_back():
    run = pacersim.simulate("ramp", 100, "160MiB")  # the live heap outgrows the limit
    assert run.seconds < workload.SCENARIOS["ramp"].duration + 0.1
    assert any(c.limit_bound for c in run.cycles)


def test_gogc_off_without_a_limit_never_collects():
    assert pacersim.simulate("steady", "off").cycles == ()


def test_random_scenario_is_reproducible():
    a, b = pacersim.simulate("random"), pacersim.simulate("random")
    assert a.rows() == b.rows()


# --- guide mode ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workload,gogc,want", [(w, g, v) for (w, g), v in checks.GUIDE_EXPECTED.items()])
def test_guide_mode_reproduces_the_guides_numbers(workload, gogc, want):
    r = guide.run_guide(workload, gogc)
    assert (round(r.total_cpu_s, 3), round(r.gc_cpu_pct, 2), round(r.peak_mib, 1)) == want


def test_guide_goal_rules():
    assert guide.guide_heap_goal(10, 100) == 20
    assert guide.guide_heap_goal(1, 100) == 4  # the 4 MiB minimum
    assert guide.guide_heap_goal(10, math.inf) == math.inf
    assert guide.guide_heap_goal(10, math.inf, memory_limit=30, other_mem=5) == 25
    assert guide.guide_heap_goal(40, 100, memory_limit=30, other_mem=5) == 40.0625  # never below live + 1/16
    r = guide.run_guide("steady", math.inf, memory_limit=40)
    assert r.peak_mib == pytest.approx(40)


def test_guide_tradeoff_curve_is_monotone():
    curve = guide.tradeoff_curve("steady")
    cpu = [c for _, c, _ in curve]
    peak = [p for _, _, p in curve]
    assert cpu == sorted(cpu, reverse=True) and peak == sorted(peak)


# --- command line ----------------------------------------------------------------------------------------------


def test_cli_guide(capsys):
    assert cli.main(["pacer", "guide", "--workload", "steady", "--gogc", "50"]) == 0
    assert capsys.readouterr().out == "total_cpu_s=11.263 gc_cpu_pct=11.22 peak_mib=30.0\n"


def test_cli_goal(capsys):
    assert cli.main(["pacer", "goal", "--live", "50MiB", "--gogc", "100", "--stacks", "1MiB"]) == 0
    assert capsys.readouterr().out == f"{50 * MiB + 51 * MiB}\n"
    assert cli.main(["pacer", "goal", "--live", "50MiB", "--gogc", "off", "--memlimit", "100MiB",
                     "--nonheap", "8MiB"]) == 0
    assert int(capsys.readouterr().out) == 92 * MiB - 92 * MiB // 100 * 3
    # free pages are not non-heap memory: the same goal; with mapped memory over the limit, the overage counts
    assert cli.main(["pacer", "goal", "--live", "50MiB", "--gogc", "off", "--memlimit", "100MiB",
                     "--nonheap", "8MiB", "--heap-free", "20MiB"]) == 0
    assert int(capsys.readouterr().out) == 92 * MiB - 92 * MiB // 100 * 3
    assert cli.main(["pacer", "goal", "--live", "30MiB", "--gogc", "off", "--memlimit", "64MiB",
                     "--nonheap", "8MiB", "--heap-free", "20MiB", "--heap-alloc", "40MiB"]) == 0
    assert int(capsys.readouterr().out) == _limit_goal_by_the_formula(64 * MiB, 68 * MiB, 20 * MiB, 40 * MiB,
                                                                        30 * MiB)


def test_cli_run(capsys):
    assert cli.main(["pacer", "run", "--scenario", "step", "--cycles", "6"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# scenario=step gogc=100") and len(out) == 8
    assert out[1].split()[:4] == ["cycle", "t_s", "trigger_mib", "goal_mib"]


@pytest.mark.parametrize("argv", [
    ["pacer", "guide", "--workload", "steady", "--gogc", "fifty"],
    ["pacer", "guide", "--workload", "bursty", "--gogc", "100"],
    ["pacer", "guide", "--workload", "steady", "--gogc", "100", "--memlimit", "10MB"],
    ["pacer", "goal", "--live", "-5", "--gogc", "100"],
    ["pacer", "goal", "--live", "5MiB", "--gogc", "100", "--nonheap", "1MiB"],
    ["pacer", "goal", "--live", "5MiB", "--gogc", "100", "--heap-free", "1MiB"],
    ["pacer", "run", "--scenario", "steady", "--gomaxprocs", "0"],
    ["pacer", "run", "--scenario", "nope"],
])
def test_cli_bad_input_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_full_model_tradeoff_curve():
    curve = pacersim.tradeoff("steady", (50, 100, 200, 400))
    cpu = [c for _, c, _ in curve]
    peak = [p for _, _, p in curve]
    assert cpu == sorted(cpu, reverse=True) and peak == sorted(peak)


@pytest.mark.parametrize("name", ["steady", "shift", "spike"])
@pytest.mark.parametrize("gogc", [50, 100, 200])
def test_full_model_on_the_guides_workloads_is_close_to_the_guides_toy(name, gogc):
    """Same program, two models: about as many cycles and a similar peak; the toy's 40 ms fixed cost per GC
    makes its GC CPU several times higher. (shift at GOGC 200: what is allocated black during a long mark at
    200 MiB/s counts as marked, so the full model's goal, and peak, sit up to 1.6× higher.)"""
    toy = guide.run_guide(name, gogc)
    full = pacersim.guide_workload_run(name, gogc)
    assert abs(len(full.cycles) - toy.gc_cycles) <= max(2, 0.4 * toy.gc_cycles)
    assert 0.8 < full.peak / MiB / toy.peak_mib < 1.7
    assert full.gc_cpu_pct < toy.gc_cpu_pct


def test_no_scan_work_expected_is_not_a_division_by_zero():
    # a heap with no globals and no stacks: Go divides by zero into +Inf, and int64(+Inf) is MinInt64 on amd64
    assert mgcpacer._int64(mgcpacer._fdiv(1.0, 0.0)) == -(1 << 63)
    assert pacersim.guide_workload_run("steady", 100).cycles


def test_span_tails_make_heap_live_reach_the_trigger_sooner():
    """heap_live_per_byte > 1 (span tails counted as allocated) means more cycles for the same allocation."""
    from gosim.gc import workload

    plain = workload.gcchurn(32 << 20, 768 << 20, 1.5e9, 1e9)
    tails = workload.gcchurn(32 << 20, 768 << 20, 1.5e9, 1e9, churn_heap_live_per_byte=1.05)
    a, b = pacersim.simulate(plain, 100), pacersim.simulate(tails, 100)
    assert len(b.cycles) > len(a.cycles)
    # heapMarked counts objects: black allocation is object bytes, not span bytes
    assert all(c.marked <= c.live + (c.peak - c.heap0) + 256 for c in b.cycles)  # + int() truncation
    assert sum(c.marked < c.live + (c.peak - c.heap0) for c in b.cycles) > len(b.cycles) // 2
