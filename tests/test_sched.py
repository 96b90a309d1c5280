"""The scheduler model on its own: run queues, stealing order, properties (hypothesis), preemption, procresize,
stacks, and the command line."""

from __future__ import annotations

import statistics
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim import sched
from gosim.cli import main as cli_main
from gosim.sched import runq, stack
from gosim.sched.chan import chanrecv, chansend, hchan
from gosim.sched.proc import Costs


class P:
    def __init__(self):
        self.runq = deque()
        self.runnext = None


class Schedt:
    def __init__(self):
        self.runq = deque()
        self.runqputslow = 0


# --- run queues -------------------------------------------------------------------------------------------------


def test_runqput_next_kicks_the_old_runnext_to_the_tail():
    pp, s = P(), Schedt()
    runq.runqput(pp, "a", True, s)
    runq.runqput(pp, "b", True, s)
    assert pp.runnext == "b" and list(pp.runq) == ["a"]
    assert runq.runqget(pp) == ("b", True)  # runnext inherits the time slice
    assert runq.runqget(pp) == ("a", False)


def test_a_full_local_queue_spills_half_and_the_new_g_to_the_global_queue():
    pp, s = P(), Schedt()
    for i in range(256):
        runq.runqput(pp, i, False, s)
    runq.runqput(pp, 256, False, s)
    assert list(s.runq) == list(range(128)) + [256]
    assert list(pp.runq) == list(range(128, 256))


@pytest.mark.parametrize("n, want", [(1, 1), (2, 1), (3, 2), (7, 4), (256, 128)])
def test_runqsteal_takes_n_minus_n_over_2_and_runs_the_last(n, want):
    thief, victim = P(), P()
    victim.runq.extend(range(n))
    gp = runq.runqsteal(thief, victim, False)
    assert gp == want - 1
    assert list(thief.runq) == list(range(want - 1))
    assert len(victim.runq) == n - want


def test_runnext_is_stolen_only_when_asked():
    thief, victim = P(), P()
    victim.runnext = "g"
    assert runq.runqsteal(thief, victim, False) is None
    assert runq.runqsteal(thief, victim, True) == "g" and victim.runnext is None


@pytest.mark.parametrize("size, procs, want", [(19, 1, 19), (20, 2, 11), (300, 1, 128), (5, 8, 1)])
def test_globrunqgetbatch_takes_min_n_size_size_over_gomaxprocs_plus_1(size, procs, want):
    s = Schedt()
    s.runq.extend(range(size))
    gp, rest = runq.globrunqgetbatch(s, 128, procs)
    assert gp == 0 and len(rest) == want - 1


@given(st.integers(1, 64), st.integers(0, 2**32 - 1))
def test_random_order_is_a_permutation_for_every_start(count, start):
    order = runq.randomOrder(count).order(start)
    assert sorted(order) == list(range(count))


def test_channels_hand_off_directly_and_buffer():
    c = hchan(1)
    assert chanrecv(c, "r") == (True, None, True)  # blocks
    assert chansend(c, "s") == (False, "r")  # direct to the waiting receiver
    assert chansend(c, "s") == (False, None)  # buffered
    assert chansend(c, "t") == (True, None)  # full
    assert chanrecv(c, "r") == (False, "t", True)  # head of buffer; t's value moves in


# --- the simulation ---------------------------------------------------------------------------------------------


def test_cpu_bound_time_slice_is_about_20ms_from_sysmon_not_a_constant():
    r = sched.simulate("cpubound", gomaxprocs=1, goroutines=4, duration="400ms")
    slices = r.timeslices(skip_ns=100_000_000)
    assert 19.5e6 < statistics.median(slices) < 20.5e6
    # forcePreemptNS is 10 ms; with a sysmon that woke every 10 ms exactly the slice would still be 2 periods.
    fast = sched.simulate("cpubound", gomaxprocs=1, goroutines=4, duration="400ms", costs=Costs(timerslack=0))
    assert statistics.median(fast.timeslices(skip_ns=100_000_000)) == pytest.approx(20e6, rel=0.01)


def test_a_syscall_retake_resets_sysmon_and_shortens_the_next_slice():
    """After sysmon takes the nanosleep loop's P, its sleep climbs back from 20 us, and the spinner that runs next
    is preempted at the first wake-up 10 ms after it started: the model's slice equals the one worked out from
    proc.go's own constants (`gosim.checks.sched.first_slice_after_reset`)."""
    from gosim import toolchain as tc
    from gosim.checks import sched as checks

    loop = checks.sysmon_loop(tc.source_file("runtime/proc.go").text)
    assert (loop.start_us, loop.idle_rounds, loop.max_us) == (20, 50, 10_000)
    r = sched.simulate("timeslice-sys", gomaxprocs=1, goroutines=2, duration="300ms")
    retakes = [t for t, _, why in r.handoffs if why == "retake" and t > 50e6]
    after = [e - s for _, _, s, e, why in r.intervals
             if why == "preempted" and any(0 <= s - t < 100_000 for t in retakes)]
    assert len(after) >= 3
    want = checks.first_slice_after_reset(loop, r.costs.timerslack, r.costs.wakeup)
    # exact up to the loop's 100 ns to its next call: one 20 us round more or less would move it by 70 us
    assert all(abs(a - want) <= r.costs.coop_preempt for a in after), (after, want)
    assert 10e6 < want < 16e6
    assert statistics.median(r.timeslices(skip_ns=50_000_000)) < 19e6  # shorter than without the loop


def test_derived_slices_lie_between_forcepreempt_and_two_sysmon_periods():
    from gosim.checks import sched as checks

    loop = checks.SysmonLoop(20, 50, 10_000, 10_000_000)
    for start in range(0, 40_000_000, 250_000):
        d = checks.first_slice_after_reset(loop, 50_000, start)
        assert 10_000_000 < d <= 20_300_000, (start, d)
    steady = checks.first_slice_after_reset(loop, 50_000, checks.sysmon_wakeups_after_reset(loop, 50_000, 30e6)[-2])
    assert steady == 2 * 10_050_000


def test_gomaxprocs_1_preempted_goroutines_cycle_through_the_global_queue():
    r = sched.simulate("cpubound", gomaxprocs=1, goroutines=20, duration="500ms", schedtrace="100ms")
    rows = [(row.runqueue, row.runq[0]) for row in r.schedtrace[1:5]]
    assert rows == [(5, 14), (10, 9), (15, 4), (0, 19)]  # as the real runtime prints (facts P4)


def test_asyncpreemptoff_starves_main_behind_call_free_loops():
    off = sched.simulate("cpubound", gomaxprocs=2, goroutines=4, duration="50ms", asyncpreempt=False, limit="500ms")
    assert not off.exited and not off.preemptions
    calls = sched.simulate("cpubound-calls", gomaxprocs=2, goroutines=4, duration="50ms", asyncpreempt=False)
    assert calls.exited and calls.all_finished()
    assert {how for *_, how in calls.preemptions} == {"coop"}


def test_deterministic_for_a_seed():
    a = sched.simulate("mix", gomaxprocs=4, goroutines=16, duration="50ms", seed=3)
    b = sched.simulate("mix", gomaxprocs=4, goroutines=16, duration="50ms", seed=3)
    c = sched.simulate("mix", gomaxprocs=4, goroutines=16, duration="50ms", seed=4)
    assert a == b
    assert a.intervals != c.intervals


def test_syscalls_are_handed_off_by_retake():
    r = sched.simulate("syscall", gomaxprocs=2, goroutines=8, duration="50ms")
    assert r.all_finished()
    assert any(h[2] == "retake" for h in r.handoffs)
    assert any(s[4] for s in r.syscalls)  # some exits found their P taken


def test_many_goroutines_overflow_to_the_global_queue():
    r = sched.simulate("fanout", gomaxprocs=1, goroutines=600, duration="20ms", check=True)
    assert r.all_finished()
    assert r.max_local_runq == 256 and r.max_global_runq > 0


def test_procresize_moves_work_and_keeps_every_goroutine():
    r = sched.simulate("cpubound", gomaxprocs=4, goroutines=12, duration="300ms", schedtrace="50ms",
                       resize=(("100ms", 2), ("200ms", 6)), check=True)
    assert r.exited and r.all_finished() and not r.overlaps()
    assert [x[1:] for x in r.resizes] == [(4, 2), (2, 6)]
    assert {row.gomaxprocs for row in r.schedtrace} == {4, 2, 6}


@pytest.mark.parametrize("bad", [0, 1025, "x"])
def test_bad_gomaxprocs_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="gomaxprocs"):
        sched.simulate("cpubound", gomaxprocs=bad)


# schedpair's goroutines stay blocked when main returns (as in the real program): a GOMAXPROCS=1 witness; so do
# block's, in their 1 s system calls (schedsys -w block), and network's servers, in IO wait (schedsys -w net)
WORKLOADS = sorted(w for w in sched.WORKLOADS if not w.startswith("schedpair") and w not in ("block", "network"))


@settings(max_examples=25, deadline=None)
@given(workload=st.sampled_from(WORKLOADS), procs=st.integers(1, 8), n=st.integers(1, 40),
       seed=st.integers(0, 1000), ms=st.integers(5, 60))
def test_properties(workload, procs, n, seed, ms):
    r = sched.simulate(workload, gomaxprocs=procs, goroutines=n, duration=f"{ms}ms", seed=seed, check=True)
    assert r.exited and r.all_finished(), "every goroutine finishes"
    assert not r.overlaps(), "no goroutine runs on two Ps at once"
    assert r.max_local_runq <= 256, "local run queues stay bounded"
    assert r.max_global_runq <= len(r.gs)
    # Work conservation: never an idle P while a runnable G waits and nobody is spinning for longer than it
    # takes to wake a thread.
    assert r.conservation_max_ns <= r.costs.newm


# --- stacks -----------------------------------------------------------------------------------------------------


def test_stacks_start_at_2k_and_double():
    run = stack.recursion(200, 100)
    assert [g.old for g in run.growths] == [2048, 4096, 8192, 16384]
    assert all(g.new == 2 * g.old for g in run.growths)
    assert run.size == 32768 and run.max_used <= run.size


def test_a_huge_frame_skips_sizes():
    run = stack.grow([64, 20000])
    assert [(g.old, g.new) for g in run.growths] == [(2048, 32768)]


def test_first_growth_is_where_the_guard_is_crossed():
    # frames of <= StackSmall bytes: grow when SP - lo <= stackGuard (928)
    run = stack.recursion(20, 120)
    g = run.growths[0]
    assert 2048 - g.used <= stack.stackGuard < 2048 - (g.used - 128)


def test_stack_overflow():
    with pytest.raises(OverflowError, match="stack overflow"):
        stack.grow([600_000_000])


# --- the command ------------------------------------------------------------------------------------------------


def test_cli_prints_sched_lines_and_a_summary(capsys):
    assert cli_main(["sched", "--gomaxprocs", "2", "--workload", "cpubound", "--goroutines", "8",
                     "--duration", "200ms", "--schedtrace", "100ms", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("SCHED 0ms: gomaxprocs=2 idleprocs=")
    assert any(line.startswith("time slices (preempted") for line in out)
    assert any(line.startswith("steals:") for line in out)


@pytest.mark.parametrize("bad", ["0", "1025", "x"])
def test_cli_bad_gomaxprocs_exits_2(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["sched", "--gomaxprocs", bad])
    assert exc.value.code == 2
    assert "gomaxprocs" in capsys.readouterr().err


# --- parsers ----------------------------------------------------------------------------------------------------

DATA = __import__("pathlib").Path(__file__).parent / "data" / "sched"


def test_parse_schedtrace_lines():
    from gosim.toolchain.schedtrace import parse_schedtrace

    rows = parse_schedtrace((DATA / "schedtrace_p2.txt").read_text())
    assert len(rows) >= 3 and all(r.gomaxprocs == 2 and len(r.runq) == 2 == len(r.schedticks) for r in rows)
    assert rows[0].ms == 0 and rows[1].ms >= 100
    # the model's rows print the same format
    model = sched.SchedTraceRow(*[getattr(rows[1], f) for f in ("ms", "gomaxprocs", "idleprocs", "threads",
                                  "spinningthreads", "needspinning", "idlethreads", "runqueue", "runq", "schedticks")])
    line = next(x for x in (DATA / "schedtrace_p2.txt").read_text().splitlines() if x.startswith(f"SCHED {rows[1].ms}ms"))
    assert model.line() == line


def test_parse_scheddetail_takes_runq_and_schedticks_from_the_p_lines():
    from gosim.toolchain.schedtrace import parse_schedtrace

    rows = parse_schedtrace((DATA / "scheddetail_p2.txt").read_text())
    assert rows[0].schedticks == (0, 0) and rows[0].runq == (2, 0) and rows[0].pstatus == (0, 0)
    assert rows[1].ms == 108 and rows[1].runqueue == 1 and rows[1].schedticks == (6, 7) and rows[1].pstatus == (1, 1)


def test_sysmon_sleeps_20us_then_doubles_after_50_idle_rounds_up_to_10ms():
    r = sched.simulate("cpubound", gomaxprocs=1, goroutines=2, duration="100ms")
    slack = r.costs.timerslack
    gaps = [b - a for a, b in zip(r.sysmon_wakeups, r.sysmon_wakeups[1:])]
    delays = [(g - slack) // 1000 for g in gaps]  # usleep's argument, in us
    # r.sysmon_wakeups[0] is sysmon's start; then idle = 0..50 (rounds without a syscall retake) sleep 20 us
    assert delays[:51] == [20] * 51
    assert delays[51:60] == [40, 80, 160, 320, 640, 1280, 2560, 5120, 10000]
    assert set(delays[60:]) == {10000}


def test_a_syscall_retake_resets_sysmons_sleep():
    r = sched.simulate("syscall", gomaxprocs=1, goroutines=4, duration="50ms")
    gaps = [b - a for a, b in zip(r.sysmon_wakeups, r.sysmon_wakeups[1:])]
    assert max(gaps) < 1_000_000  # retakes keep happening, so sysmon never backs off to 10 ms


@settings(max_examples=15, deadline=None)
@given(procs=st.integers(1, 8), extra=st.integers(0, 8), seed=st.integers(0, 1000))
def test_asyncpreemptoff_call_free_loops_starve_main_iff_they_hold_every_p(procs, extra, seed):
    n = max(1, procs - 4 + extra)  # from fewer spinners than Ps to more
    r = sched.simulate("cpubound", gomaxprocs=procs, goroutines=n, duration="20ms", seed=seed,
                       asyncpreempt=False, limit="300ms")
    # With a P left over, an idle M polls until main's timer, steals it (stealWork runs other Ps' timers) and
    # runs main; with every P in a call-free loop nothing ever reaches a preemption point.
    assert r.exited == (n < procs)
    # No loop is preempted while it spins; a request left pending is honoured at the first call after the loop.
    assert all(t >= 20_000_000 for t, *_ in r.preemptions)


def test_main_preempted_while_starting_goroutines_waits_behind_them():
    # 10,000 goroutines take ~20 ms to start: sysmon preempts main before it is done, main goes to the tail of
    # the global queue behind thousands of CPU-bound goroutines, and the 1 s program runs for many seconds
    # (the real cpubound -g 3000 does the same whenever its start-up crosses the 10 ms mark: 4-30 s here).
    r = sched.simulate("cpubound", gomaxprocs=8, goroutines=10_000, duration="1s", limit="60s", sample="0")
    main_preempted = [t for t, _, goid, _ in r.preemptions if goid == 1]
    assert main_preempted and main_preempted[0] < 50_000_000
    assert r.exited and r.end_ns > 5_000_000_000
    fewer = sched.simulate("cpubound", gomaxprocs=8, goroutines=1000, duration="1s", sample="0")
    assert fewer.end_ns < 1_100_000_000


def test_the_61st_tick_takes_the_waiter_from_the_global_queue_and_runnext_inherits_the_slice():
    """schedpair: through the ring, W (in the global queue) runs every 61 ticks: 60 pair runs between its runs;
    through runnext the pair shares one slice and W waits for sysmon (many more)."""
    from collections import Counter

    ring = sched.simulate("schedpair", gomaxprocs=1, goroutines=1, duration="1ms", limit="5s")
    assert Counter(ring.observed[2:]).most_common(1)[0][0] == 60 and set(ring.observed[2:]) == {60}
    two = sched.simulate("schedpair", gomaxprocs=1, goroutines=2, duration="1ms", limit="5s")
    assert Counter(two.observed).most_common(1)[0][0] == 120
    nxt = sched.simulate("schedpair-runnext", gomaxprocs=1, goroutines=1, duration="1ms", limit="5s")
    assert min(nxt.observed[2:]) > 600 and len(nxt.preemptions) > 0


def test_measured_sleeps_set_sysmons_period():
    costs = Costs.measured({"20": 95_000, "10000": 10_160_000})
    assert costs.usleep(20) == 95_000 and costs.usleep(10_000) == 10_160_000
    assert costs.usleep(40) == 40_000 + costs.timerslack  # not measured: the slack
    with pytest.raises(ValueError, match="sleeps"):
        Costs.measured({"20": 10_000})
    r = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="300ms", costs=costs)
    assert statistics.median(r.timeslices(skip_ns=100_000_000)) == pytest.approx(2 * 10_160_000, abs=200)


def test_percentiles_interpolate_as_numpy_does():
    """`gosim.sched.model.percentiles` is pure Python (the CLI does without numpy); it gives numpy.percentile's
    default (linear) values, to the float."""
    import random

    import numpy as np

    from gosim.sched.model import percentiles

    rng = random.Random(7)
    for n in (1, 2, 3, 10, 101, 1000):
        values = [rng.expovariate(1e-3) if rng.random() < 0.9 else rng.randrange(5) for _ in range(n)]
        ps = (0, 1, 10, 25, 50, 75, 90, 99, 100)
        assert percentiles(values, ps) == {p: float(np.percentile(np.asarray(values, float), p)) for p in ps}
    assert percentiles([]) == {}


def test_parse_schedtrace_drops_a_line_cut_by_a_kill():
    """A run killed while the runtime printed a SCHED line (the starvation demo, killed after 1 s) leaves that line
    cut: it is dropped, not read as a row with no schedticks (seen once in check-lab: the stall check failed)."""
    from gosim.toolchain.schedtrace import parse_schedtrace

    line = ("SCHED {}ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 "
            "runqueue=2 [ 1 0 ] schedticks=[ 12 9 ]\n")
    text = line.format(950) + line.format(1000)
    assert [r.schedticks for r in parse_schedtrace(text)] == [(12, 9), (12, 9)]
    cut = text + line.format(1050)[:-8]  # "... schedticks=[ 12" and no more
    assert [r.schedticks for r in parse_schedtrace(cut)] == [(12, 9), (12, 9)]


# --- recvs: a loop of receives as one action ---------------------------------------------------------------------


def _one_at_a_time(ch, k):
    """``recvs`` as the loop it stands for: a `recv` action per receive."""
    for _ in range(k):
        yield sched.proc.recv(ch)


def _digest(r) -> tuple:
    return (r.decisions, r.events, r.end_ns, r.intervals, r.steals, r.gs, r.schedtrace, r.handoffs, r.preemptions)


@pytest.mark.parametrize("workload,n", [("fanout", 300), ("cpubound", 12), ("prodcons", 40), ("mix", 24),
                                        ("syscall", 16), ("schedpair", 4)])
def test_recvs_decides_what_a_loop_of_recv_decides(workload, n, monkeypatch):
    """`workloads.recvs` takes buffered values at once; a loop of single `recv` actions must give the very same run
    (every decision, interval, steal and SCHED row). Not the pinned digests: this compares the two ways live."""
    kw = dict(gomaxprocs=4, goroutines=n, duration="30ms", seed=3, schedtrace="10ms")
    batched = sched.simulate(workload, **kw)
    monkeypatch.setattr(sched.workloads, "recvs", _one_at_a_time)
    single = sched.simulate(workload, **kw)
    assert _digest(batched) == _digest(single)


@pytest.mark.parametrize("capacity,close_after", [(8, None), (1, None), (0, None), (4, 2)])
def test_recvs_with_blocked_senders_and_a_closed_channel(capacity, close_after, monkeypatch):
    """Four receives from six senders: more values buffered than asked for (only four taken), senders blocked on a
    full buffer (each receive wakes one: no batching), an unbuffered channel, and a channel closed before every
    receive is matched (the rest complete at once): the same run as single receives."""
    from gosim.sched.chan import hchan as mk
    from gosim.sched.proc import close, run, send, simulate_program, sleep
    from gosim.sched.workloads import runtime_main, spawn

    def program(s):
        ch = mk(capacity, "ch")
        nsend = 6 if close_after is None else close_after

        def sender(i):
            yield run(1000 * (i + 1))
            yield send(ch)

        def closer():
            yield run(50_000)
            yield close(ch)

        yield from spawn((sender(i), f"s{i}") for i in range(nsend))
        if close_after is not None:
            yield from spawn([(closer(), "closer")])
        yield sleep(1_000_000)  # the senders have sent or blocked by now
        yield from sched.workloads.recvs(ch, 4)
        s.observed.extend((s.now, ch.qcount, ch.recvs, len(ch.sendq)))

    def result():
        s = simulate_program(lambda s: runtime_main(s, program(s)), 2, until=10**9, seed=1)
        return s.decisions, s.now, tuple(s.rec.intervals), tuple(s.observed), s.exited

    batched = result()
    monkeypatch.setattr(sched.workloads, "recvs", _one_at_a_time)
    assert batched == result()
    assert batched[-1]  # main got its four receives and returned
