"""Running a workload on the simulated scheduler, and what comes out: a `SchedResult` to print, test and plot.

`simulate` boots a `gosim.sched.proc.Sched` with GOMAXPROCS Ps, runs a named workload (`gosim.sched.workloads`)
for ``duration`` of virtual time plus the time its goroutines need to finish (at most ``limit``), and returns
plain data: the per-P timeline (Gantt intervals), ``SCHED`` rows in the runtime's format (``schedtrace`` in
proc.go), run-queue lengths over time, steals, syscall hand-offs, preemptions, per-goroutine CPU. The analysis
functions (time slices, CPU share, fairness) read only that data, so they apply as well to a real run parsed by
`gosim.toolchain` (the checks in `gosim.checks.sched` do exactly that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, NamedTuple

from ..units import parse_duration
from .proc import GSTATUS, Costs, _Grunning, check_gomaxprocs, gc_paused, simulate_program
from .workloads import SYSTEM_PREFIX, WORKLOADS, Sampler, runtime_main
from .workloads import workload as workload_fn

if TYPE_CHECKING:  # numpy is imported where an array is made: `python -m gosim sched` does without it
    import numpy as np

GOROUTINES_LIMIT = 100_000
_WHY = itemgetter(4)  # an interval's why
_NAME = itemgetter(1)  # a GStat's name
_IS_SYSTEM = methodcaller("startswith", SYSTEM_PREFIX)
_NOT_SYSTEM = False.__eq__


@dataclass(frozen=True)
class SchedTraceRow:
    """One ``SCHED`` line (proc.go ``schedtrace``): ``runq`` are the local queues without ``runnext``."""

    ms: int
    gomaxprocs: int
    idleprocs: int
    threads: int
    spinningthreads: int
    needspinning: int
    idlethreads: int
    runqueue: int
    runq: tuple[int, ...]
    schedticks: tuple[int, ...]

    def line(self) -> str:
        """The line exactly as the runtime prints it with ``GODEBUG=schedtrace=N``."""
        return (f"SCHED {self.ms}ms: gomaxprocs={self.gomaxprocs} idleprocs={self.idleprocs} threads={self.threads}"
                f" spinningthreads={self.spinningthreads} needspinning={self.needspinning}"
                f" idlethreads={self.idlethreads} runqueue={self.runqueue} [ {' '.join(map(str, self.runq))} ]"
                f" schedticks=[ {' '.join(map(str, self.schedticks))} ]")


class GStat(NamedTuple):
    """One goroutine at the end of a run (a named tuple: 10,000 of them are built per big run)."""

    goid: int
    name: str
    created_ns: int
    finished_ns: int  # -1: still alive at the end
    cpu_ns: int
    slices: int
    status: str

    @property
    def system(self) -> bool:
        """One of the runtime's own goroutines (forcegc, bgsweep...): they park for good, by design."""
        return self.name.startswith(SYSTEM_PREFIX)


@dataclass(frozen=True)
class SchedResult:
    """A simulated run. Times are virtual nanoseconds from the process start."""

    workload: str
    gomaxprocs: int
    goroutines: int
    duration_ns: int
    seed: int
    asyncpreempt: bool
    end_ns: int
    exited: bool  # main returned (False: the limit was hit, e.g. starvation)
    intervals: tuple  # (p, goid, start, end, why) - why: preempted, block, syscall, exit, gosched, stw
    syscalls: tuple  # (goid, m, start, end, lost_p)
    steals: tuple  # (t, thief, victim, n, runnext)
    handoffs: tuple  # (t, p, why) - retake or syscallblock
    preemptions: tuple  # (t, p, goid, how)
    schedtrace: tuple[SchedTraceRow, ...]
    samples: tuple  # (t, global, (local + runnext per P))
    resizes: tuple  # (t, old, new)
    gs: tuple[GStat, ...]
    decisions: int
    events: int
    threads: int
    max_local_runq: int
    max_global_runq: int
    conservation_max_ns: int  # longest stretch with an idle P, a queued G and no spinning M
    sysmon_ticks: int
    sysmon_wakeups: tuple = ()  # when each sysmon round woke (ns)
    costs: Costs = field(default_factory=Costs)
    observed: tuple = ()  # what the workload's goroutines recorded (schedpair: W's counter differences)
    schedticks: tuple = ()  # each P's schedtick at the end

    # --- the timeline -----------------------------------------------------------------------------------------

    def gantt(self) -> dict[int, list[tuple[int, int, int, str]]]:
        """Per P: (start, end, goid, why) in time order - the per-P timeline."""
        out: dict[int, list] = {}
        for pid, goid, start, end, why in self.intervals:
            out.setdefault(pid, []).append((start, end, goid, why))
        for rows in out.values():
            rows.sort()
        return dict(sorted(out.items()))

    def runq_series(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times ns, global queue length, local lengths per P incl. runnext [time × P]) from the samples."""
        import numpy as np

        if not self.samples:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, self.gomaxprocs), np.int64)
        width = max(len(s[2]) for s in self.samples)
        t = np.array([s[0] for s in self.samples], np.int64)
        glob = np.array([s[1] for s in self.samples], np.int64)
        local = np.array([tuple(s[2]) + (0,) * (width - len(s[2])) for s in self.samples], np.int64)
        return t, glob, local

    # --- time slices, CPU, fairness --------------------------------------------------------------------------

    def timeslices(self, why: str = "preempted", skip_ns: int = 0) -> np.ndarray:
        """Lengths (ns) of the running intervals that ended ``why`` (default: by preemption), started after
        ``skip_ns`` (to leave out the warm-up while sysmon's sleep backs off)."""
        import numpy as np

        return np.array(self.timeslice_list(why, skip_ns), np.int64)

    def timeslice_list(self, why: str = "preempted", skip_ns: int = 0) -> list[int]:
        """`timeslices` as a list."""
        intervals = self.intervals  # picked in C first: a run has 100,000 intervals and a few preemptions
        return [e - s for _, _, s, e, _ in compress(intervals, map(why.__eq__, map(_WHY, intervals))) if s >= skip_ns]

    def cpu_share(self, names: str | None = None) -> dict[int, float]:
        """Each goroutine's CPU time over the run's total goroutine CPU time (only those whose name starts with
        ``names``, if given)."""
        gs = [g for g in self.user_gs() if names is None or g.name.startswith(names)]
        total = sum(g.cpu_ns for g in gs) or 1
        return {g.goid: g.cpu_ns / total for g in gs}

    def fairness(self, names: str | None = None) -> float:
        """min/max CPU time over the goroutines (the real cpubound program's work min/max)."""
        return fairness([g.cpu_ns for g in self.user_gs() if g.goid != 1 and (names is None or
                                                                               g.name.startswith(names))])

    def user_gs(self) -> list[GStat]:
        """The program's goroutines (main and those it started), without the runtime's own."""
        gs = self.gs  # not g.system: 100,000 calls; the test in C (`_IS_SYSTEM`)
        return list(compress(gs, map(_NOT_SYSTEM, map(_IS_SYSTEM, map(_NAME, gs)))))

    def all_finished(self) -> bool:
        """Every goroutine of the program finished (the runtime's own park for good and are not counted)."""
        return all(g.finished_ns >= 0 for g in self.user_gs())

    def overlaps(self) -> list[tuple[int, int, int]]:
        """(goid, t, t') where a goroutine's running intervals overlap (it would run on two Ps at once)."""
        by_g: dict[int, list] = {}
        for pid, goid, start, end, _ in self.intervals:
            by_g.setdefault(goid, []).append((start, end))
        bad = []
        for goid, rows in by_g.items():
            rows.sort()
            for (s0, e0), (s1, e1) in zip(rows, rows[1:]):
                if s1 < e0:
                    bad.append((goid, s1, e0))
        return bad

    def busy_fraction(self) -> dict[int, float]:
        """Per P: the fraction of [0, end] it ran goroutines."""
        end = self.end_ns or 1
        out: dict[int, float] = {}
        for pid, _, s, e, _ in self.intervals:
            out[pid] = out.get(pid, 0) + (e - s) / end
        return dict(sorted(out.items()))

    def schedtrace_lines(self) -> list[str]:
        return [row.line() for row in self.schedtrace]

    def schedticks_per_100ms(self) -> np.ndarray:
        """Per P, schedtick increments per 100 ms between consecutive SCHED rows (rows × P)."""
        return schedticks_rate(self.schedtrace)


def fairness(work) -> float:
    """min/max of per-goroutine work (1.0: perfectly even)."""
    work = [w for w in work]
    if not work or max(work) == 0:
        return 0.0
    return min(work) / max(work)


def schedticks_rate(rows) -> np.ndarray:
    """Schedtick increments per 100 ms of each P between consecutive rows (rows with equal gomaxprocs)."""
    import numpy as np

    out = []
    for a, b in zip(rows, rows[1:]):
        if len(a.schedticks) != len(b.schedticks) or b.ms <= a.ms:
            continue
        out.append([(tb - ta) * 100.0 / (b.ms - a.ms) for ta, tb in zip(a.schedticks, b.schedticks)])
    return np.array(out, float)


def percentiles(values, ps=(10, 50, 90, 99)) -> dict[int, float]:
    """{p: value} for the given percentiles (empty input: {}), interpolated linearly between the two nearest
    values as ``numpy.percentile`` does by default (its ``_lerp``, the same floats)."""
    v = sorted(float(x) for x in values)
    if not v:
        return {}
    out = {}
    for p in ps:
        idx = p / 100 * (len(v) - 1)
        lo = int(idx)
        t = idx - lo
        a, b = v[lo], v[min(lo + 1, len(v) - 1)]
        out[p] = b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t
    return out


def check_goroutines(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"goroutines must be an integer from 1 to {GOROUTINES_LIMIT}, got {value!r}")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"goroutines must be an integer from 1 to {GOROUTINES_LIMIT}, got {value!r}") from None
    if not 1 <= n <= GOROUTINES_LIMIT:
        raise ValueError(f"goroutines must be from 1 to {GOROUTINES_LIMIT}, got {n}")
    return n


def _ns(value, name: str) -> int:
    return int(round(parse_duration(value, name) * 1e9))


def simulate(workload: str = "cpubound", *, gomaxprocs: int = 4, goroutines: int = 8, duration="500ms",
             seed: int = 0, schedtrace="0", asyncpreempt: bool = True, limit=None, costs: Costs = Costs(),
             sample="1ms", resize=(), record: bool = True, check: bool = False,
             release: bool = True) -> SchedResult:
    """Simulate ``workload`` (a name in `WORKLOADS`) with ``goroutines`` goroutines for ``duration`` (Go duration
    syntax or seconds) on ``gomaxprocs`` Ps. ``schedtrace``: period of the SCHED rows (``"100ms"``; 0: none);
    ``sample``: period of run-queue samples; ``resize``: ((time, gomaxprocs), ...) changes while it runs;
    ``limit``: the latest virtual time (default: duration + 1 s); ``check``: assert invariants as it runs.
    ``release=False``: leave the run's goroutines to the process's end instead of freeing them (the command line,
    which exits without freeing anything). Deterministic for ``seed``."""
    procs = check_gomaxprocs(gomaxprocs)
    fn = workload_fn(workload)
    n = check_goroutines(goroutines)
    dur = _ns(duration, "duration")
    trace_ns = _ns(schedtrace, "schedtrace")
    sample_ns = _ns(sample, "sample")
    until = dur + 1_000_000_000 if limit is None else _ns(limit, "limit")
    resize = tuple((_ns(t, "resize time"), check_gomaxprocs(k)) for t, k in resize)
    rng = Sampler(seed)
    with gc_paused():  # see `gosim.sched.proc.gc_paused`: the result's 100,000 GStats too
        s = simulate_program(lambda sched: runtime_main(sched, fn(sched, n, dur, rng)), procs, until=until,
                             seed=seed, asyncpreempt=asyncpreempt, schedtrace_ns=trace_ns, costs=costs,
                             record=record, sample_ns=sample_ns, check=check, resize=resize)
        rec = s.rec
        now = s.now
        new = tuple.__new__  # GStat(...) without the named tuple's Python-level __new__ (a third of the cost)
        gs = tuple([new(GStat, (x.goid, x.name or f"g{x.goid}", x.created, x.finished,
                                x.cpu + (now - x.run_start if x.status == _Grunning else 0), x.nslices,
                                GSTATUS[x.status])) for x in s.allgs])
        rows = tuple(SchedTraceRow(t // 1_000_000, *rest) for t, *rest in rec.schedtrace)
        intervals = list(rec.intervals)
        for x in s.allgs:  # still running at the end: close their intervals
            if x.status == _Grunning and x.m is not None and x.m.p is not None:
                intervals.append((x.m.p.id, x.goid, x.run_start, now, "end"))
        result = SchedResult(
            workload=workload, gomaxprocs=procs, goroutines=n, duration_ns=dur, seed=seed,
            asyncpreempt=asyncpreempt, end_ns=now, exited=s.exited, intervals=tuple(intervals),
            syscalls=tuple(rec.syscalls), steals=tuple(rec.steals), handoffs=tuple(rec.handoffs),
            preemptions=tuple(rec.preemptions), schedtrace=rows, samples=tuple(rec.samples),
            resizes=tuple(rec.resizes), gs=gs, decisions=s.decisions, events=s.nevents, threads=s.sched.mcount,
            max_local_runq=s.max_runq, max_global_runq=s.max_globrunq, conservation_max_ns=s.conservation_max,
            sysmon_ticks=s.sysmon_ticks, sysmon_wakeups=tuple(rec.sysmon), costs=costs, observed=tuple(s.observed),
            schedticks=tuple(pp.schedtick for pp in s.allp),
        )
        if release:
            s.release()  # freed now by reference counting, not walked by the collector once it is back on
        return result


__all__ = ["GStat", "SchedResult", "SchedTraceRow", "WORKLOADS", "fairness", "percentiles", "schedticks_rate",
           "simulate"]
