"""Fidelity: the pacer model against the real runtime (gosim/programs/gcchurn under GOGC and GOMEMLIMIT).

The program prints, after every GC cycle, the goal the runtime set and the inputs it set it from (runtime/metrics,
byte precision); the model computes the goal from the same inputs. Then the pacer simulation, given the run's live
set, allocation volume and measured rates, predicts the number of cycles.
"""

from __future__ import annotations

import pytest

from gosim import toolchain as tc
from gosim.checks import gc as checks
from gosim.gc import mgcpacer
from gosim.toolchain import gctrace

pytestmark = pytest.mark.slow

LIVE_MIB, CHURN_MIB = 32, 1536
CONFIGS = {
    "gogc50": {"GOGC": "50"},
    "gogc100": {"GOGC": "100"},
    "gogc200": {"GOGC": "200"},
    "memlimit": {"GOGC": "100", "GOMEMLIMIT": "56MiB"},
    "gogcoff-memlimit": {"GOGC": "off", "GOMEMLIMIT": "64MiB"},
}


@pytest.fixture(scope="module")
def gcchurn():
    return tc.build("gcchurn")


def _run(gcchurn, env):
    r = gctrace.run_gcchurn(LIVE_MIB, CHURN_MIB, env)  # the same run chapter 4 shows
    return r["cycles"], r["summary"], r["trace"], r["pacer"]


@pytest.fixture(scope="module")
def runs(gcchurn):
    return {name: _run(gcchurn, env) for name, env in CONFIGS.items()}


@pytest.mark.parametrize("name", CONFIGS)
def test_model_goal_matches_the_runtime_every_cycle(runs, name):
    cycles, *_ = runs[name]
    rows = checks.goal_rows(cycles)
    assert len(rows) > 20
    assert all(abs(r.error) < 0.01 for r in rows), [r for r in rows if abs(r.error) >= 0.01]
    exact = sum(r.model == r.real for r in rows)
    if "memlimit" in name:
        # Two Ps: the sweeper or scavenger may move the counters between the runtime's goal and the program's
        # read (chapter 4). Measured at load averages 3.5-8 on 2 cores, 15 runs per config: 0.929-1.000 of the
        # cycles to the byte (memlimit), 0.977-1.000 (gogcoff-memlimit); most misses were 247-250 B or a few
        # times that. Every cycle is within 1 % above, so a wrong formula still fails.
        assert exact >= 0.90 * len(rows), [r for r in rows if r.model != r.real]
    else:
        assert exact == len(rows), [r for r in rows if r.model != r.real]


@pytest.mark.parametrize("limit", ["24MiB", "40MiB"])
def test_goal_below_the_live_heap_one_p(limit):
    """With one P the counters rarely move during metrics.Read: goals to the byte, with the limit's overage and
    the heapMarked floor in play (24 MiB is below the 32 MiB live heap). Rarely is not never: none of 563 rows
    differed in the runs behind chapter 4, but one CI run had one row of about 50 at 40 MiB 31,784 bytes (0.09 %)
    apart (metrics.go's comment on sysStatsAggregate: "there could be some skew"). So at most 4 rows, or 10 %, may
    differ, each by under 1 %; a wrong overage or floor rule changes nearly every row."""
    r = gctrace.run_gcchurn(32, 64, {"GOGC": "100", "GOMEMLIMIT": limit}, gomaxprocs=1)
    rows = checks.goal_rows(r["cycles"])
    assert len(rows) > 5
    off = [x for x in rows if x.model != x.real]
    assert len(off) <= max(4, 0.1 * len(rows)), off
    assert all(abs(x.error) < 0.01 for x in rows), off
    if limit == "24MiB":
        floor = sum(int(c["goal"]) == int(c["live"]) for c in r["cycles"])
        assert floor >= len(rows) // 2


@pytest.mark.parametrize("name", ["gogc50", "gogc100", "gogc200"])
def test_model_trigger_matches_the_runtime_every_cycle(name):
    """The model's trigger, fed the runtime's heapMarked, stacks, globals, expected scan work and cons/mark,
    against heapLive when each steady cycle started: within two spans past it, nearly always one: another span
    can be cached between the trigger test and gcStart reading heapLive (chapter 4's check)."""
    r = gctrace.run_gcchurn(LIVE_MIB, 768, CONFIGS[name])
    rows = [t for t in checks.trigger_rows(r["stderr"], r["cycles"], LIVE_MIB << 20) if t.steady]
    assert len(rows) >= 8
    span = checks.largest_span()
    assert all(0 <= t.excess < 2 * span for t in rows), [t for t in rows if not 0 <= t.excess < 2 * span]


@pytest.mark.parametrize("name", CONFIGS)
def test_simulated_cycle_count_within_15_percent(runs, gcchurn, name):
    """The model, given each run's live set, volume and measured rates, predicts that run's number of cycles.
    One real run's count moves with the machine's load (GOGC=50: 41 to 62 cycles for 768 MiB of churn on a busy
    machine), so the check is on the median error of three runs, as chapter 4 does."""
    errors = []
    for k in range(3):
        cycles, summary, trace, _ = runs[name] if k == 0 else _run(gcchurn, CONFIGS[name])
        row, _ = checks.cycle_count_row(cycles, summary, LIVE_MIB << 20, CHURN_MIB << 20, trace)
        errors.append(row.error)
    assert abs(sorted(errors)[1]) <= 0.15, errors


def test_traces_parse_and_agree_with_the_program(runs):
    cycles, summary, trace, pacer = runs["gogc100"]
    # The summary counts cycles from /gc/cycles/total, which a cycle joins at mark termination; its gctrace line
    # is printed a moment later, so a cycle that ends as the program exits may be counted without its line
    # (seen once in about twenty runs). Every printed line is a counted cycle, in order.
    assert summary["cycle"] - 1 <= len(trace) <= summary["cycle"]
    assert [t.n for t in trace] == list(range(1, len(trace) + 1))
    # gctrace's goal is the goal the cycle was paced against: the previous cycle's metrics goal, in MiB
    by_cycle = {c["cycle"]: c for c in cycles}
    for t in trace[1:]:
        if t.n - 1 in by_cycle:
            assert t.goal_mib == by_cycle[t.n - 1]["goal"] >> 20
            assert t.heap2_mib == by_cycle[t.n]["live"] >> 20 if t.n in by_cycle else True
    starts = [p for p in pacer if isinstance(p, gctrace.PacerStart)]
    assert {(p.dedicated, p.fractional) for p in starts} == {mgcpacer.mark_workers(2)}  # 0 + 0.25 at P=2
    ends = [p for p in pacer if isinstance(p, gctrace.PacerEnd)]
    # One "pacer:" end line per cycle; once in many runs on a busy machine one of them came out unparseable
    # (interleaved with another thread's write to stderr), so one may be missing.
    assert len(trace) - 1 <= len(ends) <= len(trace)


def test_first_goal_is_the_heap_minimum(runs):
    for name, gogc in (("gogc50", 50), ("gogc100", 100), ("gogc200", 200)):
        _, _, trace, _ = runs[name]
        assert trace[0].goal_mib == (4 * gogc // 100)
