"""The pacer's upper trigger bound against the runtime: gosim/programs/gcpacing keeps the runway short, so every
steady cycle triggers on the upper bound: 61/64 of the way from the marked heap to the goal on a 16 MiB gap, and
goal − 4 MiB on a gap over 85 MiB (``trigger``, mgcpacer.go). The model, fed the runtime's heapMarked, stacks,
globals, expected scan work and cons/mark (`gosim.checks.gc.trigger_rows`), must put the trigger where the
runtime's heapLive was when the cycle started: at most one object (each garbage object is large, so the
runtime tests the trigger after every one, ``mallocgcLarge``) past it.
"""

from __future__ import annotations

import pytest

from gosim.checks import gc as checks
from gosim.toolchain import gctrace

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("bound", list(checks.UPPER_WITNESSES))
def test_trigger_on_the_upper_bound_matches_the_runtime(bound):
    args, env = checks.UPPER_WITNESSES[bound]
    r = gctrace.run_gcpacing(args, env)
    rows = checks.upper_trigger_rows(r, args["live"])
    # 10 runs of each: 4 to 12 cycles printed an endCycle line at 61/64, 5 to 7 at goal - 4 MiB
    assert len(rows) >= 3, rows
    obj = args["size"] << 10
    bad = [t for t in rows if not 0 <= t.excess < obj]
    assert not bad, bad
    # the witness exercises the rule: the model's trigger is on that bound in three cycles or more (every cycle
    # in ten runs; on a loaded machine cons/mark can give some cycles a runway longer than the bound allows)
    assert sum(checks.upper_bound_of(t) == bound for t in rows) >= 3, rows
