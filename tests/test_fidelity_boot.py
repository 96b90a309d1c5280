"""Fidelity: the boot model against gdb on the real runtime.

For each function of the model's chain, gdb stops on it and we compare the order of the first stops on thread 1
(m0, the process's first thread) with the model's order, in 5 separate runs. Left out, because their order races
between threads: the functions new Ms run on their own threads (runtime.mstart, mstart0, mstart1, schedule and
runtime.sysmon on sysmon's M and on Ms woken by wakep), and repeated calls of runtime.newm and runtime.schedule
on m0 (how many Ms wakep and handoffp start, and when m0 reschedules, depends on timing). The first call of every
chain function on m0 does not race; neither does who calls runtime.newproc, in order.
"""

from __future__ import annotations

import pytest

from gosim import boot, checks
from gosim import toolchain as tc
from gosim.checks import boot as boot_checks

from .conftest import needs_gdb

pytestmark = [needs_gdb, pytest.mark.gdb]


@pytest.mark.parametrize("run", range(5))
def test_first_calls_on_m0_follow_the_model(hello, run):
    model = boot.boot("current", 2)
    trace = tc.gdb_trace(hello, model.first_calls(), env={"GOMAXPROCS": "2"})
    assert trace.first_hits(1) == model.first_calls()


def test_goroutines_are_created_by_the_callers_the_model_names(hello):
    model = boot.boot("current", 2)
    trace = tc.gdb_trace(hello, ["runtime.newproc"], env={"GOMAXPROCS": "2"})
    want = [s.called_from for s in model.steps if s.function == "runtime.newproc"]
    assert checks.callers(trace.hits, "runtime.newproc") == want


@pytest.mark.parametrize("procs", [1, 2, 4])
def test_state_read_by_gdb_matches_the_model(hello, procs):
    trace = tc.gdb_trace(hello, checks.SNAPSHOTS, env={"GOMAXPROCS": str(procs)}, snapshot_at=checks.SNAPSHOTS)
    rows = checks.state_comparison(procs, trace)  # what chapter 1 shows
    assert {r[1] for r in rows} == set(checks.SNAPSHOTS)
    for procs_, at, quantity, model, real, verdict, why in rows:
        assert verdict in ("equal", "varies", "model leaves out"), (procs, at, quantity, model, real)
        if verdict == "varies":
            assert quantity in ("idle Ps", "P0.runnext") and why
        if verdict == "model leaves out":  # the M that handoffp starts (and perhaps one spinning M)
            assert (at, quantity) == ("main.main", "OS threads (Ms)") and 1 <= real - model <= max(2, procs)
    at_main = checks.state_from_gdb(trace.state_at("main.main"))
    if procs > 1:  # not stable, but bounded: at most one spinning M holds a P
        assert procs - 2 <= at_main.idle_ps <= procs - 1


def test_runtime_init_runs_under_doinit1_and_main_init_is_gone(hello):
    # runtime.init (compiler-made, sets package runtime's variables) is still entered: first in runtime..inittask.
    names = {s.name for s in tc.nm(hello)}
    assert "runtime.init" in names and "main.init" not in names
    trace = tc.gdb_trace(hello, ["runtime.init", "runtime.doInit1", "main.main"], env={"GOMAXPROCS": "1"})
    init = next(h for h in trace.hits if h.function == "runtime.init")
    assert init.thread == 1 and init.caller_function == "runtime.doInit1"
    first = trace.first_hits()
    assert first.index("runtime.doInit1") < first.index("runtime.init") < first.index("main.main")
    model = boot.boot("current", 1)
    assert [s.called_from for s in model.steps if s.function == "runtime.init"] == ["runtime.doInit1"]


def test_init_is_pinned_to_m0_so_another_m_runs_the_helpers(hello):
    # GOMAXPROCS=1: main, locked to m0, blocks in gcenable; m0 sleeps (stoplockedm) and handoffp gives P0 to a new M.
    trace = tc.gdb_trace(hello, boot_checks.INIT_PINNED, env={"GOMAXPROCS": "1"})
    rows = {f: (thread, caller) for f, thread, caller in boot_checks.helper_threads(trace)}
    assert rows["runtime.stoplockedm"][0] == 1 and rows["main.main"][0] == 1
    helpers = {rows[f][0] for f in boot_checks.HELPERS}
    assert len(helpers) == 1 and 1 not in helpers, rows
    assert rows["runtime.startlockedm"][0] in helpers
