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
    # the order alone misses a step left out of the model: each step's caller must be gdb's too
    rows = boot_checks.chain_caller_rows(model, trace.hits)
    assert all(equal for *_, equal in rows), rows
    assert boot_checks.unknown_callers(model) == []


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
        # equal; the measured race (one more M: tests/test_boot_threads.py checks the count without it); or a
        # difference the model's box explains, inside the bound checks.Row states
        assert verdict in ("equal", "race", "model leaves out"), (procs, at, quantity, model, real)
        if verdict != "equal":
            assert at == "main.main" and why
        if verdict == "model leaves out":
            assert procs > 1, (quantity, model, real)
    by = {(r[1], r[2]): r for r in rows}
    assert by[("runtime.main", "schedtick of m0's P")][4] == 0  # G1 inherited the slice: sysmon preempts it
    assert by[("main.main", "sysmon's M")][4] == 1


def test_a_model_without_sysmon_fails(hello, monkeypatch):
    # The rows must be able to fail: plant a wrong rule in the model and watch the comparison go red.
    from gosim.sched import proc

    trace = tc.gdb_trace(hello, checks.SNAPSHOTS, env={"GOMAXPROCS": "1"}, snapshot_at=checks.SNAPSHOTS)
    assert all(r[5] in ("equal", "race") for r in checks.state_comparison(1, trace))
    original = proc.Sched.newm_sysmon

    def sysmon_without_m(self):  # sysmon runs on no M of its own
        mp = original(self)
        self.allm.remove(mp)
        return mp
    monkeypatch.setattr(proc.Sched, "newm_sysmon", sysmon_without_m)
    assert any(r[5] == "differs" for r in checks.state_comparison(1, trace))
    # Without the lock of init to m0 the model has one thread fewer: a single run cannot tell that from the race
    # (one more thread), the fewest threads of several runs can (tests/test_boot_threads.py).


def test_goroutine_ids_at_gomaxprocs_1_are_the_models():
    # No gdb needed: bootids panics in main.main and GOTRACEBACK=system lists every goroutine.
    binary = tc.build("bootids")
    model = boot.boot("current", 1).state_at("main.main")
    for _ in range(3):
        dump = boot_checks.goroutine_dump(tc.run(binary, env={"GOTRACEBACK": "system", "GOMAXPROCS": "1"},
                                                 check=False).stderr)
        assert [(g.goid, g.fn) for g in dump] == [(g.goid, g.fn) for g in model.gs]
    for procs in (2, 4):  # bounded, not exact: ids from at most GOMAXPROCS batches of 16
        for _ in range(5):
            dump = boot_checks.goroutine_dump(tc.run(binary, env={"GOTRACEBACK": "system",
                                                                  "GOMAXPROCS": str(procs)}, check=False).stderr)
            ids = [g.goid for g in dump]
            assert ids[0] == 1 and len(set(ids)) == 5 and max(ids) <= 16 * procs, ids


def test_runtime_init_tasks_are_the_linkers():
    from gosim.toolchain import inittrace

    binary = tc.build("hello", gcflags="-N -l")
    linked = inittrace.linked_order(binary, symbol="go:runtime.inittasks")
    assert all(equal for *_, equal in boot_checks.runtime_task_rows(boot.RUNTIME_INITTASKS, linked)), linked
    fns = inittrace.inittask_records(binary)["runtime"].fns
    makers = [s.called_from for s in boot.boot("current", 1).steps if s.function == "runtime.newproc"]
    assert fns[0] == "runtime.init" and makers[1] == fns[-1]


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
    # GOMAXPROCS=1: main, locked to m0, leaves the P (sysmon's preemption, gcenable's receive); m0 sleeps
    # (stoplockedm) and handoffp gives P0 to another M, which runs the helpers in the order P0's queues hold them.
    trace = tc.gdb_trace(hello, boot_checks.INIT_PINNED, env={"GOMAXPROCS": "1"})
    for what, holds in boot_checks.pinned_checks(trace):
        assert holds, (what, boot_checks.helper_threads(trace))
    assert boot_checks.helper_order(trace) == list(boot.boot("current", 1).ran)
