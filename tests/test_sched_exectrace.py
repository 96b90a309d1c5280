"""Fidelity: chapter 5's "The execution trace beside the model" - the model's network workload beside
``gosim/programs/schedsys -w net`` run with ``-trace`` (tests/data/sched/netpoll_trace.json, recorded by
``scripts/record_syscalls.py --only nettrace``, 9 runs per size): parks on the network, who makes the parked
goroutines runnable again, the Ms. Two planted wrong rules must turn the rows red; and the trace parser on a
hand-written dump."""

from __future__ import annotations

import pytest

from gosim.checks import exectrace
from gosim.sched import proc
from gosim.toolchain import rtrace

REF = exectrace.nettrace_reference()
CONNS = (10, 100)


def model_runs() -> dict:
    return {c: exectrace.model_net(c) for c in CONNS}


def test_model_beside_the_execution_trace():
    for row in exectrace.exectrace_checks(model_runs(), REF, CONNS):
        assert row.ok, row


def _failing() -> list:
    return [r.quantity for r in exectrace.exectrace_checks(model_runs(), REF, CONNS) if not r.ok]


def test_wakeups_only_from_sysmon_fail(monkeypatch):
    """Plant: a ready descriptor is seen only by sysmon's netpoll (every 10 ms), never by findRunnable's or the
    poller's."""
    ready_fd = proc.Sched.netpollready_fd

    def netpollready_fd(self, pd):
        if pd.rg is None:
            return ready_fd(self, pd)
        self.net.writes += 1  # the write happened; only who sees it changes
        self.__dict__.setdefault("_hidden", []).append(pd.rg)
        pd.rg = None

    def sysmon_only(self, now):  # every 10 ms, whatever the other Ms did
        if self.__dict__.get("_polled", 0) + 10_000_000 < now and self.__dict__.get("_hidden"):
            self._polled = now
            self.netpollReadyList = self.__dict__.pop("_hidden")
            self.injectglist(self.netpoll_list("sysmon"))

    monkeypatch.setattr(proc.Sched, "netpollready_fd", netpollready_fd)
    monkeypatch.setattr(proc.Sched, "sysmon_netpoll", sysmon_only)
    failing = _failing()
    for c in CONNS:
        assert f"{c} connections: share woken by an M with a P" in failing, failing
        assert f"{c} connections: share woken by sysmon" in failing, failing


def test_read_holding_its_m_fails(monkeypatch):
    """Plant: a goroutine parked on a socket keeps a thread (one more M per goroutine waiting at once)."""
    netpollblock = proc.Sched.netpollblock

    def holding(self, pp, mp, gp, pd):
        parked = netpollblock(self, pp, mp, gp, pd)
        if parked and self.netpollWaiters > self.__dict__.get("_held", 0):
            self._held = self.netpollWaiters
            self.newm_struct()
        return parked

    monkeypatch.setattr(proc.Sched, "netpollblock", holding)
    failing = _failing()
    assert all(any(f"{c} connections: Ms" in q for q in failing) for c in CONNS), failing


INJECT = exectrace.netinject_reference()


def test_injectglist_beside_the_execution_trace():
    """The rule row and the share run next within the 9 traced runs; the model's known misses
    (`exectrace.INJECT_MISSES`, its fixed 15 µs wake-up) are exactly the rows it misses, on the side stated."""
    model = exectrace.model_inject()
    rule, *shares = exectrace.inject_checks(model, INJECT)
    assert rule.ok, rule
    for key, row in zip(exectrace.PLACEMENT_KEYS, shares):
        if key not in exectrace.INJECT_MISSES:
            assert row.ok, row
            continue
        assert not row.ok, row  # a known miss that closed: update INJECT_MISSES and the chapter
        real = [exectrace.placement_share(r["placement"], key) for r in INJECT["runs"]]
        side = "below" if row.model < min(real) else "above"
        assert side == exectrace.INJECT_MISSES[key], (row, side)


def test_injectglist_shares_fit_an_80us_wakeup():
    """The fit the chapter reports: with an M's wake-up of 80 µs instead of 15, all three shares lie within the
    traced runs' ranges (fitted to the same nine runs, only 40 and 80 µs tried: a fit, not a cause shown)."""
    rows = exectrace.inject_wakeup_finding(INJECT, 80_000)
    assert all(r.ok for r in rows), rows


def _mutants():
    """scripts/mutants.py: the wrong injectglist rules are its mutants' (one definition of each)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import mutants

    return mutants


def _inject_failing() -> list:
    return [r.quantity for r in exectrace.inject_checks(exectrace.model_inject(), INJECT) if not r.ok]


def test_injectglist_all_local_fails(monkeypatch):
    """Plant: with a P, injectglist puts every goroutine on the caller's local queue (none on the global queue)."""
    monkeypatch.setattr(proc.Sched, "injectglist", _mutants()._inject_all_local(proc.Sched.injectglist))
    assert any("after others of it" in q for q in _inject_failing())


def test_injectglist_starting_no_m_fails(monkeypatch):
    """Plant: injectglist starts no M for the idle Ps (no startIdle, no wakep)."""
    monkeypatch.setattr(proc.Sched, "injectglist", _mutants()._inject_no_m(proc.Sched.injectglist))
    assert any("ran next" in q for q in _inject_failing())


def test_recorded_traces_explain_the_threads_at_400():
    """At 400 connections on a loaded machine the extra Ms come from sysmon's retakes (handoffp -> startm ->
    newm), each after a system call that lost its P; quiet, 400 connections take no more Ms than 10 or 100."""
    loaded = REF["loaded"]["runs"]["400"]
    for r in [*(r for c in ("10", "100", "400") for r in REF["runs"][c]), *loaded]:
        assert r["new_ms_after_retake"] <= r["new_ms"] <= r["ms"]
        assert r["retakes"] >= r["new_ms_after_retake"]
    quiet = REF["runs"]["400"]
    assert max(r["threads"] for r in quiet) <= max(r["threads"] for c in ("10", "100") for r in REF["runs"][c])
    assert sum(r["new_ms_after_retake"] for r in loaded) > 3 * sum(r["new_ms_after_retake"] for r in quiet)
    assert min(r["threads"] for r in loaded) >= max(r["threads"] for r in quiet)


DUMP = """\
M=10 P=0 G=-1 StateTransition Time=900 GoID=7 NotExist->Runnable Reason=""
M=10 P=0 G=-1 StateTransition Time=950 GoID=8 NotExist->Runnable Reason=""
M=10 P=0 G=-1 StateTransition Time=1000 GoID=7 Runnable->Running Reason=""
M=10 P=0 G=7 StateTransition Time=1100 GoID=7 Running->Syscall Reason=""
M=10 P=0 G=7 StateTransition Time=1200 GoID=7 Syscall->Running Reason=""
M=10 P=0 G=7 StateTransition Time=1300 GoID=7 Running->Waiting Reason="network"
M=10 P=0 G=-1 StateTransition Time=1400 GoID=8 Runnable->Running Reason=""
M=10 P=0 G=8 StateTransition Time=1500 GoID=8 Running->Syscall Reason=""
M=11 P=-1 G=-1 StateTransition Time=1600 ProcID=0 Running->Idle Reason=""
M=11 P=-1 G=-1 StateTransition Time=1610 ProcID=0 Idle->Running Reason=""
M=11 P=0 G=-1 StateTransition Time=1620 ProcID=0 Running->Idle Reason=""
M=12 P=-1 G=-1 StateTransition Time=1700 ProcID=0 Idle->Running Reason=""
M=12 P=0 G=-1 StateTransition Time=1800 GoID=7 Waiting->Runnable Reason=""
M=10 P=-1 G=8 StateTransition Time=1900 GoID=8 Syscall->Runnable Reason=""
M=12 P=0 G=-1 StateTransition Time=2000 GoID=7 Runnable->Running Reason=""
M=12 P=0 G=7 StateTransition Time=2100 GoID=7 Running->Waiting Reason="network"
M=11 P=-1 G=-1 StateTransition Time=2200 GoID=7 Waiting->Runnable Reason=""
"""


def test_net_summary_reads_a_dump():
    s = rtrace.net_summary(DUMP)
    assert s["blocks"] == 2 and s["max_waiting"] == 1
    assert s["wakes"] == {"m_with_p": 1, "m_without_p": 0, "sysmon": 1, "goroutine": 0}
    assert (s["ms"], s["ms_running_g"]) == (3, 2)
    assert (s["syscalls"], s["fast"], s["retakes"]) == (2, 1, 1)
    assert (s["new_ms"], s["new_ms_after_retake"]) == (3, 1)
    assert s["retaken_us"] == [0.4] and s["runnable_at_retake"] == [0]


BATCH_DUMP = """\
M=10 P=0 G=5 StateTransition Time=100 GoID=5 Running->Waiting Reason="network"
M=10 P=0 G=-1 StateTransition Time=110 GoID=6 Runnable->Running Reason=""
M=10 P=0 G=6 StateTransition Time=120 GoID=6 Running->Waiting Reason="network"
M=10 P=0 G=-1 StateTransition Time=130 GoID=7 Runnable->Running Reason=""
M=10 P=0 G=7 StateTransition Time=140 GoID=7 Running->Waiting Reason="network"
M=10 P=0 G=-1 StateTransition Time=200 GoID=5 Waiting->Runnable Reason=""
M=11 P=-1 G=-1 StateTransition Time=205 ProcID=1 Idle->Running Reason=""
M=10 P=0 G=-1 StateTransition Time=210 GoID=6 Waiting->Runnable Reason=""
M=10 P=0 G=-1 StateTransition Time=220 GoID=5 Runnable->Running Reason=""
M=10 P=0 G=5 StateTransition Time=230 GoID=5 Running->Waiting Reason="network"
M=11 P=1 G=-1 StateTransition Time=240 GoID=7 Waiting->Runnable Reason=""
M=11 P=1 G=-1 StateTransition Time=250 GoID=7 Runnable->Running Reason=""
M=11 P=1 G=7 StateTransition Time=260 GoID=7 Running->NotExist Reason=""
M=10 P=0 G=-1 StateTransition Time=300 GoID=5 Waiting->Runnable Reason=""
"""


def test_net_summary_groups_one_ms_wakeups_into_polls():
    """G5 and G6, written by M10 one after the other (M11's event between them is another M's), are one poll,
    after M10's goroutine parked; G7, right after M11 started P1, another; G5 again a third."""
    s = rtrace.net_summary(BATCH_DUMP)
    assert s["batches"] == {1: 2, 2: 1} and s["per_netpoll"] == round(4 / 3, 3)
    assert s["m_with_p_after"] == {"g_stopped": 3, "p_started": 1, "other": 0}
    assert s["p_busy_ms"] == 0.0 and s["g_busy_ms"] == round((140 - 130 + 120 - 110 + 230 - 220 + 260 - 250) / 1e6, 2)
    # each batch by its first wake-up, from the trace's first event (t=100): 200 (2), 240 (1), 300 (1)
    assert rtrace.poll_bins([(t - 100, k) for t, k in [(200, 2), (240, 1), (300, 1)]], 150) == [[2, 3], [1, 1]]
    assert s["poll_bins"] == [[3, 4]] and s["big_polls"] == []


TIMES = exectrace.nettimes_reference()


def test_real_lists_grow_and_the_models_do_not():
    """tests/data/sched/netpoll_times.json (9 traced runs, 100 connections, GOMAXPROCS=2): in every run the
    netpolls after 200 ms return more than twice as many goroutines each as in the first 100 ms (3.1-4.4, then
    8.3-22.3), and every run has lists of 30 or more after 50 ms. The model's lists do not grow: its ratio (late
    over early) is below every run's, at 100 and at 400 connections."""
    ratios = [exectrace.late_over_early(r["poll_bins"]) for r in TIMES["runs"]]
    assert min(ratios) > 2, ratios
    assert all(any(t >= 50 for t, _ in r["big_polls"]) for r in TIMES["runs"])
    for c in (100, 400):
        model = exectrace.late_over_early(rtrace.poll_bins(exectrace.model_net(c)["poll_sizes"]))
        assert model < min(ratios), (c, model, ratios)


def test_recorded_batches_hold_every_wakeup():
    """Each network wake-up of a recorded run is in exactly one batch; batching is real (more than one goroutine
    per netpoll at 10 and 100 connections in every run). The model batches too, by the whole milliseconds of
    its blocked poller, but less (the chapter's box): one goroutine per netpoll at 10 connections, 3.5 at 100
    (injectglist's split between the global and the local queue, netpoll's list newest first; the kernel's
    slack on each wait of the poller took it from 3.7 to 3.5), both below every real run."""
    model = {c: exectrace.model_net(c)["per_netpoll"] for c in CONNS}
    for c in CONNS:
        for r in REF["runs"][str(c)]:
            assert sum(int(k) * v for k, v in r["batches"].items()) == sum(r["wakes"].values())
            assert sum(r["m_with_p_after"].values()) == r["wakes"]["m_with_p"]
            assert r["per_netpoll"] > 1.1
        assert model[c] < min(r["per_netpoll"] for r in REF["runs"][str(c)])
    assert model[10] == 1.0 and round(model[100], 1) == 3.5


def test_model_net_rejects_bad_connections():
    with pytest.raises(ValueError, match="connections"):
        exectrace.model_net(0)


def _lateness_us() -> float:
    import statistics

    from gosim.checks import sched as checks

    return statistics.median(checks.poller_slack_us(r) for r in checks.sleepgrain_reference()["runs"])


def test_model_batches_at_the_pollers_wake():
    """At 100 connections each wake of the model's blocked poller readies the clients due during its wait: within
    10 % of 100 × (1 ms + 84.5 µs) / 10 ms = 10.84 (EpollWait's least wait, the lateness measured in the recorded
    ``schedsleep -timer`` runs, the workload's period), two-sided; the model 10.97, all of them within 100 µs of
    the wake (the running Ps run no client's timer in between). Not checked at 10 connections (its poller also
    wakes between whole milliseconds: 0.50 per wake) or 400 (37.8 against 43.4)."""
    m = exectrace.model_clients_per_wake(100)
    row = exectrace.clients_per_wake_check(m, 100, _lateness_us())
    assert row.ok and m["wakes"] > 100 and m["near_share"] > 0.99, (row, m)


@pytest.mark.parametrize("plant", ["exact-wakeup", "no-lateness"])
def test_model_batches_at_the_pollers_wake_fails_planted(plant, monkeypatch):
    """Planted: a poller that wakes exactly when the next timer is due (``netpollWaitNS = delay``, the mutant
    ``sched-netpoll-exact-wakeup``: 0.69 per wake) and one without the lateness (``Costs.pollslack`` 0: 6.9)."""
    costs = None
    if plant == "exact-wakeup":
        monkeypatch.setattr(proc, "netpollWaitNS", lambda delay: max(delay, 0))
    else:
        costs = proc.Costs(pollslack=0)
    row = exectrace.clients_per_wake_check(exectrace.model_clients_per_wake(100, costs=costs), 100, _lateness_us())
    assert not row.ok, row
