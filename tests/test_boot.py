"""The boot model and its command line (no toolchain needed except where a test says so)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim import boot
from gosim import toolchain as tc


def test_chain_runs_from_the_entry_point_to_main_main():
    chain = boot.boot().chain()
    assert chain[0] == "_rt0_amd64_linux" and chain[-1] == "main.main"
    assert chain[:6] == ["_rt0_amd64_linux", "_rt0_amd64", "runtime.rt0_go", "runtime.args", "runtime.osinit",
                         "runtime.schedinit"]
    first = boot.boot().first_calls()
    assert len(first) == len(set(first))
    assert first.index("runtime.procresize") < first.index("runtime.newproc") < first.index("runtime.mstart")
    assert chain.count("runtime.newproc") == 5  # main, forcegc helper, sweeper, scavenger, GOMAXPROCS updater


def test_every_step_names_the_file_the_installed_runtime_defines_it_in():
    for step in boot.boot().steps:
        if step.file.startswith("runtime/"):
            assert tc.source(step.function).path == step.file, step.function
        assert not step.function.endswith(".abi0")


@pytest.mark.parametrize("procs", [1, 2, 4, 7])
def test_state_when_m0_enters_the_scheduler(procs):
    state = boot.boot("current", procs).state_at("runtime.mstart")
    assert state.gomaxprocs == procs and state.idle_ps == procs - 1
    assert [(g.goid, g.fn, g.status) for g in state.gs] == [(1, "runtime.main", "runnable")]
    assert state.ps[0].runnext == 1 and state.ps[0].m == 0 and state.ps[0].status == "running"
    assert [m.role for m in state.ms] == ["m0"] and state.ms[0].curg is None


@pytest.mark.parametrize("procs", [1, 2, 4])
def test_state_at_main_main(procs):
    result = boot.boot("current", procs)
    state = result.state_at("main.main")
    assert [g.fn for g in state.gs] == ["runtime.main", "runtime.forcegchelper", "runtime.gcenable.gowrap1",
                                        "runtime.gcenable.gowrap2", "runtime.updateMaxProcsGoroutine"]
    assert result.newproc_order() == [g.fn for g in state.gs]
    assert state.g(1).status == "running" and state.ms[0].curg == 1
    sysmon = [m for m in state.ms if m.role == "sysmon"]
    assert len(sysmon) == 1 and sysmon[0].p is None
    assert {state.g(k).waitreason for k in (2, 3, 4)} == {"force gc (idle)", "GC sweep wait", "GC scavenge wait"}
    assert state.gc_enabled and state.main_started and state.heap and state.signals
    # the updater waits in the runnext of m0's P (GOMAXPROCS=1: wakep finds no idle P; more: the M that wakep
    # woke is still on its way)
    m0p = next(p for p in state.ps if p.m == 0)
    assert m0p.runnext == 5 and state.g(5).status == "runnable"
    # m0, sysmon, the M handoffp starts for m0's P when main blocks in gcenable, and from GOMAXPROCS=2 the
    # spinning M the first wakep starts (with 4 Ps a second one: resetspinning's wakep finds an idle P)
    assert state.threads == {1: 3, 2: 4, 4: 5}[procs]
    assert [m.mstartfn for m in state.ms] == [None, "runtime.sysmon", *{
        1: [None], 2: ["runtime.mspinning", None], 4: ["runtime.mspinning", None, "runtime.mspinning"]}[procs]]
    assert not state.ms[0].locked  # unlockOSThread before main.main


@pytest.mark.parametrize("procs", [1, 2])
def test_init_is_locked_to_m0_so_other_ms_run_the_helpers(procs):
    result = boot.boot("current", procs)
    during = result.state_after("runtime.init")
    assert during.ms[0].locked and during.ms[0].curg == 1
    # which M first ran each helper (gdb's thread numbers: M id + 1); never m0 (thread 1) nor sysmon (thread 2)
    assert set(result.helper_threads()) == {"runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge"}
    assert min(result.helper_threads().values()) >= 3


@pytest.mark.parametrize("costs", [dict(newm=1_000, wakeup=1_000), dict(newm=200_000), dict(wakeup=60_000)])
def test_threads_and_helpers_do_not_depend_on_the_costs(costs, monkeypatch):
    # chapter 1's box: the main goroutine's work takes no time, so every M the model starts runs after main has
    # blocked in gcenable, and the thread counts and helper threads stay the same whatever Costs says
    from gosim.sched import proc

    def run():
        return [(b.threads_at("main.main"), b.ran, b.ran_on, tuple(m.mstartfn for m in b.state_at("main.main").ms))
                for b in (boot.boot("current", n) for n in (1, 2, 4))]

    default = run()
    monkeypatch.setattr(proc.Sched.__init__, "__kwdefaults__",
                        {**proc.Sched.__init__.__kwdefaults__, "costs": proc.Costs(**costs)})
    assert boot.Runtime(1).s.costs == proc.Costs(**costs)  # the patch reaches the boot's scheduler
    assert run() == default


def test_go_1_10_chain():
    old = boot.boot("1.10", 2)
    chain = old.chain()
    assert chain[0] == "_rt0_amd64_linux" and chain[-1] == "main.main"
    assert "runtime.init" in chain and "main.init" in chain
    assert "runtime.mstart0" not in chain and "runtime.doInit" not in chain
    assert "arg" in old.steps[chain.index("runtime.newproc")].does
    state = old.state_at("main.main")
    assert [g.fn for g in state.gs] == ["runtime.main", "runtime.forcegchelper", "runtime.bgsweep"]


def test_differences_name_what_appeared_and_disappeared():
    rows = {d.function: d for d in boot.differences()}
    assert rows["runtime.mstart0"].today and not rows["runtime.mstart0"].go110
    assert rows["runtime.defaultGOMAXPROCSUpdateEnable"].go110 is False
    assert not rows["main.init"].today and "linker" in rows["main.init"].note
    assert "argument size" in rows["runtime.newproc"].note
    assert all(d.note for d in rows.values())


@pytest.mark.parametrize("bad", [0, -1, 1025, "x", "", 2.5, True, None])
def test_bad_gomaxprocs_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"gomaxprocs must be .*1 to 1024"):
        boot.boot("current", bad)


def test_bad_version_is_a_clear_error():
    with pytest.raises(ValueError, match="version must be one of current, 1.10, got '2.0'"):
        boot.boot("2.0")


@settings(max_examples=60, deadline=None)
@given(procs=st.integers(1, 64), version=st.sampled_from(boot.VERSIONS))
def test_state_invariants_hold_after_every_step(procs, version):
    result = boot.boot(version, procs)
    for step, state in zip(result.steps, result.states):
        ps = {p.id: p for p in state.ps}
        queued = [g for p in state.ps for g in ((p.runnext,) if p.runnext else ()) + p.runq]
        assert len(queued) == len(set(queued)), step
        for g in state.gs:
            running_on = [m for m in state.ms if m.curg == g.goid]
            assert (g.status == "running") == (len(running_on) == 1), (step.function, g)
            assert (g.status == "runnable") == (g.goid in queued), (step.function, g)
            assert (g.status == "waiting") == (g.waitreason is not None)
        for m in state.ms:
            if m.p is not None:
                assert ps[m.p].m == m.id and ps[m.p].status == "running"
            if m.role == "sysmon":
                assert m.p is None
        for p in state.ps:
            assert (p.status == "running") == (p.m is not None)
        if state.ps:
            assert state.gomaxprocs == procs and state.idle_ps + sum(p.status == "running" for p in state.ps) == procs


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gosim", *args], capture_output=True, text=True, timeout=60)


def test_cli_prints_the_chain_then_the_state():
    out = _cli("boot", "--gomaxprocs", "2")
    assert out.returncode == 0, out.stderr
    chain, _, summary = out.stdout.partition("\n\n")
    assert chain.split("\n") == boot.boot("current", 2).chain()
    assert "gomaxprocs=2 idleprocs=1 goroutines=5" in summary
    assert "sysmon" in summary and "no P" in summary


def test_cli_default_is_four_ps_and_go110_works():
    assert "gomaxprocs=4 " in _cli("boot").stdout
    old = _cli("boot", "--go", "1.10", "--gomaxprocs", "1")
    assert old.returncode == 0 and "main.init" in old.stdout.split("\n\n")[0]


@pytest.mark.parametrize("args, word", [(["--gomaxprocs", "0"], "gomaxprocs"), (["--gomaxprocs", "x"], "gomaxprocs"),
                                        (["--gomaxprocs", "2000"], "1024"), (["--go", "2.0"], "--go")])
def test_cli_bad_input_exits_2_with_a_message(args, word):
    out = _cli("boot", *args)
    assert out.returncode == 2
    assert "usage:" in out.stderr and word in out.stderr and "Traceback" not in out.stderr
