"""Fidelity: system calls, end to end (chapter 5) - the model beside ``gosim/programs/schedsys``.

The real runs were recorded by scripts/record_syscalls.py (tests/data/sched/syscalls.json: 9 runs of each kind on
this 2-vCPU machine); every rate and share is compared with the median real run, within the interquartile range
of the recorded runs (a run that shared the CPUs with other jobs lies far off, so not the whole range); thread
counts with the most common count; the thread limit with every run.
"""

from __future__ import annotations

import pytest

from gosim import sched
from gosim.checks import sched as checks
from gosim.sched import workloads
from gosim.sched.proc import ThreadExhaustion

REF = checks.syscall_reference()
SLEEPS = checks.recorded_sleeps(checks.reference())


def syscall_model(seed: int = 0):
    return sched.simulate("syscall", gomaxprocs=REF["gomaxprocs"], goroutines=REF["goroutines"],
                          duration=REF["duration"], schedtrace="100ms", seed=seed,
                          costs=checks.syscall_costs(REF, SLEEPS))


@pytest.fixture(scope="module")
def model():
    return syscall_model()


def test_syscall_workload_beside_the_median_real_run(model):
    """System calls done, threads and schedticks per P per 100 ms, beside the median untraced run."""
    for row in checks.syscall_checks(model, REF)[:3]:
        assert row.ok, row


def test_how_system_calls_end_beside_the_traced_runs(model):
    """The share of system calls that kept their P, got one back in exitsyscall, found none, and that sysmon
    retook a P for, beside the median traced run."""
    for row in checks.syscall_checks(model, REF)[3:]:
        assert row.ok, row


def test_each_retake_is_a_new_tick_in_the_model_and_the_runtime(model):
    """Independent of the rates: a retaken P goes to an M that runs a G it found (a new schedtick), and a G that
    found no P waits in the global queue until one does. So retakes ≈ no-P exits in both."""
    paths = checks.exit_paths(model)
    assert abs(paths["retakes"] - paths["no_p"]) <= 0.05 * paths["syscalls"]
    for t in REF["traced"]:
        assert abs(t["retakes"] - t["no_p"]) <= 0.05 * t["syscalls"], t


def blocked_threads() -> tuple[dict[int, int], dict[int, int]]:
    """The model's threads when main wakes halfway and at the end, for each recorded N."""
    runs = {int(g): workloads.blocked_process(int(g), REF["gomaxprocs"]) for g in REF["block"]}
    return {g: s.observed[0] for g, s in runs.items()}, {g: s.sched.mcount for g, s in runs.items()}


def test_threads_with_goroutines_blocked_in_system_calls():
    """N goroutines in system calls: N + 3 threads (for N >= 2) when main wakes halfway and at the end, as in
    the most common real run."""
    mid, end = blocked_threads()
    for key, model in (("block_mid", mid), ("block", end)):
        for row in checks.blocked_threads_checks(model, REF, key):
            assert row.ok, row


def dies(g: int) -> bool:
    try:
        workloads.blocked_process(g, REF["gomaxprocs"], maxthreads=REF["limit"]["maxthreads"])
    except ThreadExhaustion:
        return True
    return False


def test_set_max_threads_kills_the_process_where_the_runtime_dies():
    died = {int(g): dies(int(g)) for g in REF["limit"]["runs"]}
    for row in checks.thread_limit_checks(died, REF):
        assert row.ok, row


def test_a_p_allocm_borrows_is_not_a_retake():
    """sysmon's M writes Running->Idle twice over: ``ProcSteal`` (a retake: it holds no P, P=-1) and ``releasep``
    after ``newm``'s ``allocm`` borrowed the P for a new M (P=N). Only the first is a retake."""
    from gosim.toolchain.syscalls import exit_paths

    run = "M=7 P=0 G=1 StateTransition Time=100 GoID=1 Runnable->Running Reason=\"\"\n"  # M 7 runs goroutines
    steal = "M=9 P=-1 G=-1 StateTransition Time=200 ProcID=1 Running->Idle Reason=\"\"\n"
    borrow = ("M=9 P=-1 G=-1 StateTransition Time=300 ProcID=1 Idle->Running Reason=\"\"\n"
              "M=9 P=1 G=-1 StateTransition Time=301 ProcID=1 Running->Idle Reason=\"\"\n")
    assert exit_paths(run + steal)["retakes"] == 1
    assert exit_paths(run + steal + borrow)["retakes"] == 1


def test_a_p_stolen_by_an_m_running_a_goroutine_is_not_a_retake():
    """``exitsyscall`` writes a ``ProcSteal`` too, from the goroutine's own M (proc.go:4988: its G on the line,
    P=-1; about 3,300 a run of the syscall workload). Only an M that never wrote an event while running a
    goroutine, of any kind (a ``Metric`` line counts), is sysmon's."""
    from gosim.toolchain.syscalls import exit_paths

    own = "M=7 P=-1 G=1 StateTransition Time=200 ProcID=1 Running->Idle Reason=\"\"\n"
    metric = "M=8 P=1 G=5 Metric Time=90 Name=\"/gc/heap/goal:bytes\" Value=Value{Uint64(4194304)}\n"
    steal = "M=8 P=-1 G=-1 StateTransition Time=200 ProcID=1 Running->Idle Reason=\"\"\n"
    assert exit_paths(own)["retakes"] == 0
    assert exit_paths(metric + steal)["retakes"] == 0
    assert exit_paths(steal)["retakes"] == 1
