"""Spinning threads: ``gosim/programs/schedspin`` as a model workload, and what its ``SCHED`` lines say.

Every ``every`` ns main starts ``k`` goroutines that each compute ``work`` ns and exit, then sleeps. Each ``go``
and each timer that readies main happens while Ps are idle, so ``wakep`` starts a spinning M; the M looks for
work (``findRunnable``'s ``stealWork``, allowed only while at most half the busy Ps spin), finds it or parks.
`spin_process` simulates the program as a whole process (``runtime.main`` first) with ``GODEBUG=schedtrace``
rows, `spin_stats` reduces SCHED rows (the model's or a real run's) to the numbers the chapter compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from .chan import hchan
from .proc import Costs, Sched, go, main_main, recv, run, send, sleep
from .workloads import MS, RUNTIME_INIT, US, spawn

SPIN_K = 4  # schedspin -k
SPIN_WORK = 50 * US  # schedspin -work
SPIN_EVERY = 1 * MS  # schedspin -every: what main asks time.Sleep for


def ticker(s, k: int, work: int, every: int, duration: int) -> Iterator:
    """``schedspin``'s main: ``k`` goroutines of ``work`` ns each, then ``time.Sleep(every)``, for ``duration``.
    ``s.observed`` gets the number of ticks done."""
    def worker() -> Iterator:
        yield run(work)

    start = s.now
    ticks = 0
    while s.now - start < duration:
        yield from spawn((worker(), f"work{ticks}.{i}") for i in range(k))
        ticks += 1
        yield sleep(every)
    s.observed.append(ticks)


def runtime_main_locked(s, user_main: Iterator) -> Iterator:
    """`gosim.sched.workloads.runtime_main` with the lock `gosim.boot` has: ``runtime.main`` holds m0
    (``lockOSThread``) until the inits are done, so when it waits in ``gcenable`` m0 sleeps (``stoplockedm``)
    and its P goes to another M (``handoffp``): one thread more than without the lock, as real programs have."""
    forever = hchan(0, "never")

    def parked(c: hchan | None = None) -> Iterator:
        yield run(2 * US)
        if c is not None:
            yield send(c)
        yield recv(forever)

    s.lockOSThread(s.main.m)
    yield run(RUNTIME_INIT)
    yield go(parked(), "runtime.forcegchelper")
    c = hchan(2, "gcenable")
    yield go(parked(c), "runtime.bgsweep")
    yield go(parked(c), "runtime.bgscavenge")
    yield recv(c)
    yield recv(c)
    yield go(parked(), "runtime.updateMaxProcsGoroutine")
    yield go(parked(), "runtime.runfinq")
    s.unlockOSThread(s.main.m)
    yield main_main(user_main)


def _positive(name: str, value: int, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return value


SAMPLE_NS = 7_919  # how often `SpinSched` looks: a prime number of ns, in no step with the workload's period


class SpinSched(Sched):
    """A `gosim.sched.proc.Sched` that looks at itself every ``sample_ns`` ns, as a SCHED line would: each
    look is (t, idleprocs, threads, spinningthreads) in ``looks``. A real program's SCHED lines are printed at
    sysmon's rounds, at no fixed phase of its ticks, so they sample its time; the model's sysmon runs in step
    with its ticks (both periods are constants), so its own SCHED lines would sample a few phases only."""

    def sample(self) -> None:
        s = self.sched
        self.looks.append((self.now, s.npidle, s.mcount, s.nmspinning))


def spin_process(gomaxprocs: int, *, k: int = SPIN_K, work: int = SPIN_WORK, every: int = SPIN_EVERY,
                 duration: int = 200 * MS, schedtrace: int = 0, sample: int = SAMPLE_NS, seed: int = 0,
                 costs: Costs | None = None) -> SpinSched:
    """Simulate ``schedspin`` with GOMAXPROCS Ps for ``duration`` ns and return the `SpinSched` at the end:
    ``looks`` every ``sample`` ns, SCHED rows every ``schedtrace`` ns if given (at sysmon's rounds, as the
    runtime prints them), ``observed[0]`` the ticks done. ``every`` is the sleep main asks for; the
    blocked poller waits it in whole milliseconds (`gosim.sched.proc.netpollWaitNS`)."""
    _positive("k", k, 1, 64)
    _positive("work", work, 1, 100 * MS)
    _positive("every", every, 1 * US, 1000 * MS)
    _positive("duration", duration, 1 * MS, 10_000 * MS)
    _positive("sample", sample, 100, 10 * MS)
    s = SpinSched(gomaxprocs, seed=seed, schedtrace_ns=schedtrace, costs=costs or Costs(), sample_ns=sample)
    s.looks = []
    s.boot(runtime_main_locked(s, ticker(s, k, work, every, duration)))
    s.run(duration + 100 * MS)
    return s


@dataclass(frozen=True)
class SpinStats:
    """What a run's SCHED lines say: how many lines, the share with at least one (two) spinning threads, the
    most spinning threads on one line, the most common thread count, the share with every P idle."""

    lines: int
    spinning1: float
    spinning2: float
    max_spinning: int
    threads: int
    all_idle: float


def spin_stats(rows: Sequence, skip_ms: int = 20) -> SpinStats:
    """`SpinStats` of SCHED rows (``SchedTraceRow`` or a parsed real ``SchedLine``), those before
    ``skip_ms`` left out (start-up)."""
    rows = [r for r in rows if r.ms >= skip_ms]
    if not rows:
        raise ValueError(f"rows: no SCHED line at or after {skip_ms} ms")
    n = len(rows)
    threads = [r.threads for r in rows]
    return SpinStats(n, sum(r.spinningthreads >= 1 for r in rows) / n,
                     sum(r.spinningthreads >= 2 for r in rows) / n,
                     max(r.spinningthreads for r in rows),
                     max(set(threads), key=lambda t: (threads.count(t), -t)),
                     sum(r.idleprocs == r.gomaxprocs for r in rows) / n)
