"""How far the peak heap passes the goal (chapter 4, "Why the collector is as it is").

gcchurn (32 MiB live, 768 MiB of churn, 2 Ps) runs seven times under each of the chapter's four settings, with
gcpacertrace: ``endCycle``'s line gives each cycle's peak ``heapLive`` and its distance from the goal, to the byte.
What each check can and cannot catch:

- ``test_model_median_overshoot_matches_the_runtime``: the pacer simulation (`gosim.gc.pacersim`, fed each run's
  own workload) puts the typical steady cycle (the median overshoot) where the runtime does, within the spread
  measured over those runs. Where a steady cycle ends is set by the trigger and the marking rate: a wrong trigger
  turns it red, a wrong ``revise`` does not (the same simulation without assists, or with ``revise`` pacing
  against a goal 20 to 50 % further out, ends these cycles within about a point of the same medians). Planted
  at review on seven real runs of each setting: a runway twice the runtime's goes red (gap 0.10 to 0.28), a runway
  half of it does not (0.07 at most).
- ``test_revise_goal_follows_the_source``: `gosim.gc.mgcpacer.revise_goal`'s four cases against numbers worked by
  hand from ``revise`` (mgcpacer.go): the extrapolation, the hard-goal cap, ``maxOvershoot``, and both at once.
  No run; this is what checks the model's ``revise``.
- ``test_steady_peaks_stay_under_the_hard_goal``: the runtime's side only. No steady peak reaches the hard goal
  ``(1 + GOGC/100) × goal`` (the chapter's "never near the hard goal"). The model plays no part: it would stay
  green with any ``revise_goal``.
- ``test_the_runtime_overshoots_some_steady_cycles``: the runtime's peaks scatter past the goal, which the
  fluid model's never do (the chapter's point about the spread).
"""

from __future__ import annotations

import pytest

from gosim.checks import gc as checks
from gosim.gc import mgcpacer
from gosim.toolchain import gctrace

MiB = 1 << 20
LIVE, CHURN, RUNS = 32, 768, 7
SETTINGS = {"GOGC=50": {"GOGC": "50"}, "GOGC=100": {"GOGC": "100"}, "GOGC=200": {"GOGC": "200"},
            "GOGC=100, GOMEMLIMIT=64MiB": {"GOGC": "100", "GOMEMLIMIT": "64MiB"}}
# the largest gap between the runtime's and the model's median overshoot: 0.064 in the 14 runs per setting behind
# the chapter, 0.092 in seven more of each at review (GOGC=200: the runtime's median -0.1 %, the model's -9.3 %).
# Planted: a runway twice the runtime's gives 0.10 to 0.28 (red); half of it, 0.07 at most (green: the assists
# then pace the model's mark to end on the goal, a median of 0, near enough the runtime's few percent before it)
MEDIAN_GAP = 0.11


@pytest.fixture(scope="module")
def rows():
    return {name: [checks.overshoot_row(gctrace.run_gcchurn(LIVE, CHURN, env), LIVE * MiB, CHURN * MiB)
                   for _ in range(RUNS)] for name, env in SETTINGS.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SETTINGS))
def test_model_median_overshoot_matches_the_runtime(rows, name):
    for r in rows[name]:
        assert abs(r.median - r.model_median) <= MEDIAN_GAP, (name, r)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SETTINGS))
def test_steady_peaks_stay_under_the_hard_goal(rows, name):
    s = checks.overshoot_summary(rows[name])
    hard = 1 + rows[name][0].gogc / 100  # the hard goal over the goal (mgcpacer.go: hardGoal)
    print(name, s, f"hard goal {hard:.2f}x")
    assert s["largest"] < hard - 1, (name, s)




@pytest.mark.parametrize("case, args, want", [
    # (goal, triggered, heapLive, work done, scan work expected, max scan work, GOGC) -> (paced goal, expected)
    # nothing unexpected: the cycle's goal and expectation
    ("steady", (100 * MiB, 80 * MiB, 90 * MiB, 9 * MiB, 10 * MiB, 15 * MiB, 100), (100 * MiB, 10 * MiB)),
    # more work than expected: runway (goal - triggered) stretched by max/expected: 20 MiB x 15/10 + 80 MiB
    ("extrapolated", (100 * MiB, 80 * MiB, 90 * MiB, 11 * MiB, 10 * MiB, 15 * MiB, 100),
     (110 * MiB, 15 * MiB)),
    # the extrapolation (20 x 200/10 + 80 = 480 MiB) capped at the hard goal (1 + 100/100) x 100 MiB
    ("capped", (100 * MiB, 80 * MiB, 90 * MiB, 11 * MiB, 10 * MiB, 200 * MiB, 100), (200 * MiB, 200 * MiB)),
    # heapLive past the goal, work as expected: goal x maxOvershoot, expectation the worst case
    ("late", (100 * MiB, 80 * MiB, 101 * MiB, 9 * MiB, 10 * MiB, 15 * MiB, 100), (110 * MiB, 15 * MiB)),
    # past even the capped goal at GOGC=50: 1.5 x 100 MiB, then x 1.1
    ("capped and late", (100 * MiB, 80 * MiB, 151 * MiB, 11 * MiB, 10 * MiB, 200 * MiB, 50),
     (165 * MiB, 200 * MiB)),
])
def test_revise_goal_follows_the_source(case, args, want):
    goal, expected = mgcpacer.revise_goal(*args)
    assert abs(goal - want[0]) <= 1 and expected == want[1], (case, goal / MiB, expected / MiB)


@pytest.mark.parametrize("gogc", [50, 100, 200, 300])
def test_revise_bound_is_the_hard_goal_padded(gogc):
    assert abs(mgcpacer.revise_bound(gogc) - (1 + gogc / 100) * 1.1) < 1e-9


@pytest.mark.slow
def test_the_runtime_overshoots_some_steady_cycles(rows):
    # the model has no noise; the runtime's peaks scatter around its median, some past the goal
    over = sum(r.over for rs in rows.values() for r in rs)
    assert over > 0
