"""Fidelity: the network poller (chapter 5) - the model beside ``gosim/programs/schedsys -w net``, a loopback TCP
server and its clients, recorded by ``scripts/record_syscalls.py --only net`` (tests/data/sched/netpoll.json, 9 runs
per size)."""

from __future__ import annotations

from gosim.checks import sched as checks
from gosim.sched import workloads

REF = checks.reference("netpoll.json")


def model_runs() -> tuple[dict, dict]:
    states, threads = {}, {}
    for c in map(int, REF["runs"]):
        s = workloads.network_process(c, REF["gomaxprocs"])
        states[c], threads[c] = s.observed[0], s.sched.mcount
    return states, threads


def test_goroutines_in_io_wait_hold_no_thread():
    states, threads = model_runs()
    for row in checks.netpoll_checks(states, threads, REF):
        assert row.ok, row
