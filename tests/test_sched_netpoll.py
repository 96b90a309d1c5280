"""Fidelity: the network poller (chapter 5) - the model beside ``gosim/programs/schedsys -w net``, a loopback TCP
server and its clients, recorded by ``scripts/record_syscalls.py --only net`` (tests/data/sched/netpoll.json, 9 runs
per size)."""

from __future__ import annotations

import pytest

from gosim.checks import sched as checks
from gosim.sched import workloads

REF = checks.reference("netpoll.json")


def model_runs() -> tuple[dict, dict]:
    states, threads = {}, {}
    for c in map(int, REF["runs"]):
        s = workloads.network_process(c, REF["gomaxprocs"])
        states[c], threads[c] = s.observed[0], s.sched.mcount
    return states, threads


# The snapshot's known miss: main's 200 ms timer shares its millisecond with about 10 clients in the model (its
# clients fill every millisecond of the poller's waits), and main runs after 4 of them started a round trip (105 in
# IO wait); the real clients gather in a few large groups, so main's millisecond usually has none (101-103).
KNOWN_MISS = "100 connections: goroutines in IO wait"


def test_goroutines_in_io_wait_hold_no_thread():
    states, threads = model_runs()
    for row in checks.netpoll_checks(states, threads, REF):
        assert row.ok or row.quantity == KNOWN_MISS, row
        if row.quantity == KNOWN_MISS:  # still a goroutine per waiting connection and no thread for it
            assert row.model >= 101 and threads[100] <= 5, row


@pytest.mark.xfail(strict=True, reason="the model's clients do not gather in groups as the real ones do "
                                       "(chapter 5's box: goroutines per netpoll)")
def test_snapshot_at_100_connections_within_the_real_range():
    states, threads = model_runs()
    assert all(row.ok for row in checks.netpoll_checks(states, threads, REF) if row.quantity == KNOWN_MISS)
