"""How far the peak heap passes the goal (chapter 4, "Why the collector is as it is").

gcchurn (32 MiB live, 768 MiB of churn, 2 Ps) runs seven times under each of the chapter's four settings, with
gcpacertrace: ``endCycle``'s line gives each cycle's peak ``heapLive`` and its distance from the goal, to the byte.
Two checks. The pacer simulation (`gosim.gc.pacersim`, fed each run's own workload) puts the typical steady cycle
(the median overshoot) where the runtime does, within the spread measured over those runs; and no steady cycle
passes the largest goal ``revise`` ever paces against (`gosim.gc.mgcpacer.revise_bound`).
"""

from __future__ import annotations

import pytest

from gosim.checks import gc as checks
from gosim.toolchain import gctrace

pytestmark = pytest.mark.slow

MiB = 1 << 20
LIVE, CHURN, RUNS = 32, 768, 7
SETTINGS = {"GOGC=50": {"GOGC": "50"}, "GOGC=100": {"GOGC": "100"}, "GOGC=200": {"GOGC": "200"},
            "GOGC=100, GOMEMLIMIT=64MiB": {"GOGC": "100", "GOMEMLIMIT": "64MiB"}}
# the largest gap between the runtime's and the model's median overshoot in the runs behind the chapter: 0.064
# (GOGC=200, where the runtime's own medians ran from -8.4 % to -0.9 %)
MEDIAN_GAP = 0.08


@pytest.fixture(scope="module")
def rows():
    return {name: [checks.overshoot_row(gctrace.run_gcchurn(LIVE, CHURN, env), LIVE * MiB, CHURN * MiB)
                   for _ in range(RUNS)] for name, env in SETTINGS.items()}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_model_median_overshoot_matches_the_runtime(rows, name):
    for r in rows[name]:
        assert abs(r.median - r.model_median) <= MEDIAN_GAP, (name, r)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_steady_peaks_stay_under_revise_bound(rows, name):
    s = checks.overshoot_summary(rows[name])
    bound = checks.revise_bound(rows[name][0].gogc)
    print(name, s, f"bound {bound:.3f}")
    assert s["largest"] < bound - 1, (name, s)


def test_the_runtime_overshoots_some_steady_cycles(rows):
    # the model has no noise; the runtime's peaks scatter around its median, some past the goal
    over = sum(r.over for rs in rows.values() for r in rs)
    assert over > 0
