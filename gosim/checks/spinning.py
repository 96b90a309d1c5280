"""Chapter 5's "Spinning threads": ``gosim/programs/schedspin`` beside the model (`gosim.sched.spinning`).

Recorded by ``scripts/record_spinning.py`` into tests/data/sched/spinning.json: runs of ``schedspin`` (4
goroutines of 50 µs every 1 ms, for 2 s, GOMAXPROCS=2) under ``GODEBUG=schedtrace=1`` and ``-trace`` at once.
From each run: its SCHED lines reduced by `gosim.sched.spinning.spin_stats`, its ticks and wall time (how long
main's 1 ms sleep really lasted), its CPU time, and from its execution trace how long a spinning M took to
start after main's first ``go`` of a tick (`wake_latencies`): the model's wake-ups last as long (`costs`).
Untraced runs at GOMAXPROCS 1, 2 and 4 give the process's CPU time: at 1 (where no M spins) per goroutine, the
model's cost of one (`work_ns`).
"""

from __future__ import annotations

import statistics

from ..sched import proc
from ..sched.spinning import SpinStats, spin_process, spin_stats
from .sched import Comparison, reference, spread

SKIP_NS = 20_000_000  # start-up left out of every share, the model's and the real lines'


def spin_reference() -> dict:
    """tests/data/sched/spinning.json (scripts/record_spinning.py)."""
    return reference("spinning.json")


def wake_latencies(transitions) -> list[int]:
    """From a real trace's transitions (`gosim.toolchain.rtrace.parse_transitions`): for each tick, from main's
    first ``go`` (G1 makes a goroutine NotExist->Runnable) to the next P that goes Idle->Running on another
    P: ``wakep`` started a spinning M for an idle P, and this is when that M took it (``acquirep``), ns."""
    out = []
    pending = None  # (t, p) of the tick's first go, until another P starts
    prev_create = -1
    for ev in transitions:
        if ev.kind == "G" and ev.src == "NotExist" and ev.dst == "Runnable" and ev.m >= 0 and ev.p >= 0:
            first_of_tick = prev_create < 0 or ev.t - prev_create > 200_000
            prev_create = ev.t
            if first_of_tick and pending is None:
                pending = (ev.t, ev.p)
        elif ev.kind == "P" and ev.src == "Idle" and ev.dst == "Running" and pending is not None:
            if ev.id != pending[1]:
                out.append(ev.t - pending[0])
                pending = None
    return out


def costs(ref: dict, seed: int = 0) -> DrawnCosts:
    """The model's costs for this machine: every wake-up of a parked M lasts one of the recorded latencies
    (`wake_sample`, drawn with a seeded generator). They are bimodal on this shared
    two-CPU machine: a few µs when a CPU is free, about 200 µs when the woken thread waits for one until the
    process's running thread blocks."""
    return DrawnCosts(proc.Costs(), wake_sample(ref), seed)


def wake_sample(ref: dict) -> list[int]:
    """The recorded wake latencies as one sample: each run's 0th to 99th percentiles (one per hundredth of its
    wake-ups; the maximum, a single wake-up, left out), every run pooled."""
    return sorted(x for r in ref["runs"] for x in r["wake_percentiles_ns"][:100])


class DrawnCosts:
    """A `gosim.sched.proc.Costs` whose ``wakeup`` is drawn, at each wake-up, from measured latencies
    (uniformly, seeded); every other cost is the base's."""

    def __init__(self, base: proc.Costs, latencies: list[int], seed: int = 0) -> None:
        import random

        if not latencies or min(latencies) < 0:
            raise ValueError(f"latencies must be a non-empty list of ns >= 0, got {latencies[:5]!r}")
        self._base = base
        self._latencies = list(latencies)
        self._rng = random.Random(seed)

    @property
    def wakeup(self) -> int:
        return self._rng.choice(self._latencies)

    @property
    def mean_wakeup(self) -> float:
        return statistics.mean(self._latencies)

    def __getattr__(self, name: str):
        return getattr(self._base, name)


def every_ns(ref: dict) -> int:
    """The sleep main asks for (the recorded ``-every``, 1 ms): what the model's main sleeps. Its poller then
    waits whole milliseconds as the runtime's does (`gosim.sched.proc.netpollWaitNS`); the real tick is longer
    by the kernel's slack on each wait and the ``go`` statements (the table's "a tick lasts")."""
    from ..units import parse_duration

    return round(parse_duration(ref["every"], "every") * 1e9)


def work_ns(ref: dict) -> int:
    """The CPU the real process spends per goroutine where no M spins (GOMAXPROCS=1, the median run: its CPU time
    over its goroutines): the 50 µs loop plus what creating, scheduling and ending it, and main's wake-ups, cost
    the runtime and the kernel. The model's goroutines compute that long."""
    return int(statistics.median(r["cpu_ns"] / r["goroutines"] for r in ref["cpu"]["1"]))


def model_run(ref: dict, duration: int | None = None, seed: int = 0):
    """`gosim.sched.spinning.spin_process` with the recorded settings, main's sleep (`every_ns`), this machine's
    wake-ups (`costs`) and cost per goroutine (`work_ns`)."""
    return spin_process(ref["gomaxprocs"], k=ref["k"], work=work_ns(ref), every=every_ns(ref),
                        duration=duration or ref["duration_ns"], costs=costs(ref, seed), seed=seed)


def model_stats(s) -> SpinStats:
    """`SpinStats` of the model's looks (every `gosim.sched.spinning.SAMPLE_NS`), as SCHED-line-like rows."""
    from types import SimpleNamespace

    rows = [SimpleNamespace(ms=t // 1_000_000, gomaxprocs=s.gomaxprocs, idleprocs=idle, threads=threads,
                            spinningthreads=spinning)
            for t, idle, threads, spinning in s.looks]
    return spin_stats(rows, SKIP_NS // 1_000_000)


BURST_K, BURST_WORK = 64, 5_000  # schedspin -k 64 -work 5us: every P busy, then every M out of work, every tick
BURST_PROCS = (4, 6)


def spin_limit(gomaxprocs: int) -> int:
    """The most Ms spinning at once that findRunnable's condition allows, worked out from the condition itself
    (``mp.spinning || 2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load()``), not from the model: an M that
    does not spin yet may start only while 2 × spinning < busy Ps ≤ GOMAXPROCS, so only while spinning ≤
    (GOMAXPROCS - 1) / 2, and it makes one more: ⌊(GOMAXPROCS + 1) / 2⌋. ``wakep`` adds one only when none
    spins, and so asks for the needspinning hand-over (which spins without the test) only then."""
    return (gomaxprocs + 1) // 2


def burst_max_spinning(gomaxprocs: int, duration: int = 60_000_000) -> int:
    """The most Ms spinning at once in the model's ``schedspin -k 64 -work 5us`` (default costs)."""
    return model_stats(spin_process(gomaxprocs, k=BURST_K, work=BURST_WORK, duration=duration)).max_spinning


def burst_checks(procs=BURST_PROCS) -> list[Comparison]:
    """At each GOMAXPROCS in ``procs``: the model's most spinning Ms in bursts of 64 short goroutines beside
    `spin_limit`. Equal, not at most: a model that let fewer spin (a stricter condition) fails too."""
    out = []
    for n in procs:
        m, limit = burst_max_spinning(n), spin_limit(n)
        out.append(Comparison(f"most spinning Ms, bursts of 64 at GOMAXPROCS={n}", m, limit, m == limit,
                              "derived from findRunnable's condition: ⌊(GOMAXPROCS + 1) / 2⌋"))
    return out


def spinning_checks(model: SpinStats, ref: dict, bursts: bool = True) -> list[Comparison]:
    """The model's looks beside the recorded runs' SCHED lines: the most spinning threads on any line (the rule:
    an M spins only while fewer than half the busy Ps do, so at GOMAXPROCS=2 at most one), the threads (the most
    common count), and the shares of lines with a spinning thread and with every P idle, within the
    interquartile range of the runs around their median. ``bursts``: then `burst_checks`, where every M runs
    out of work at once and the limit, not the timing, decides how many spin."""
    runs = ref["runs"]
    maxes = [r["stats"]["max_spinning"] for r in runs]
    threads = [r["stats"]["threads"] for r in runs]
    common = statistics.mode(threads)
    out = [
        Comparison("most spinning threads on one line", model.max_spinning, max(maxes),
                   model.max_spinning == max(maxes),
                   f"findRunnable: spin only if 2 × spinning < busy Ps; runs' maxima {sorted(maxes)}"),
        Comparison("threads (most common)", model.threads, common, model.threads == common,
                   f"{threads.count(common)} of {len(threads)} runs"),
    ]
    for key, name, why in (
            ("spinning1", "share of lines with a spinning thread",
             "wakep's M is spinning from wakep until it finds the goroutine or parks"),
            ("all_idle", "share of lines with every P idle", "main asleep and every goroutine done")):
        vals = [r["stats"][key] for r in runs]
        real = statistics.median(vals)
        tol = spread(vals)
        m = getattr(model, key)
        out.append(Comparison(name, round(m, 3), round(real, 3), abs(m - real) <= tol,
                              f"{why}; tolerance {tol:.3f}: the interquartile range of {len(vals)} runs"))
    if bursts:
        out += burst_checks()
    return out

