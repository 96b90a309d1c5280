"""Finalizers, cleanups and weak pointers against the runtime: gosim/programs/gcspecials (GOGC=off, one
runtime.GC at a time) prints after each call how many of a scenario's objects are left, whether its weak pointer
is nil and how many finalizers and cleanups have run; `gosim.gc.specials` must give the same after every call.
"""

from __future__ import annotations

import pytest

from gosim.checks import gc as checks
from gosim.gc import specials


@pytest.mark.slow
@pytest.mark.parametrize("procs", [1, 2])
def test_specials_model_matches_every_call(procs):
    rows = checks.specials_rows(checks.run_gcspecials(procs))
    assert {r.scenario for r in rows} == set(specials.SCENARIOS)
    bad = [r for r in rows if not r.same]
    assert not bad, bad


def test_cycles_until_freed():
    """Worked out from the rules in the module's docstring: a finalizer costs one more cycle, a resurrected
    object lives until the program drops it, a chain of two finalizers frees one object per cycle, a cleanup on
    a finalizer object waits for the cycle that frees it."""
    assert [(r.live, r.finalizers, r.cleanups) for r in specials.scenario("finalizer+cleanup", 2)] == [(1, 1, 0),
                                                                                                    (0, 1, 1)]
    want = {"plain": 1, "finalizer": 2, "resurrect": 3, "cleanup": 1, "weak": 1, "weak+finalizer": 2,
            "finalizer+cleanup": 2, "chain": 3}
    assert {n: specials.cycles_until_freed(n) for n in specials.SCENARIOS} == want


def test_bad_input():
    with pytest.raises(ValueError, match="scenario must be one of"):
        specials.scenario("nope")
    with pytest.raises(ValueError, match="refers to 'z'"):
        specials.replay([specials.Obj("a", refs=("z",))])
    with pytest.raises(ValueError, match="calls must be"):
        specials.replay([specials.Obj("a")], calls=0)
