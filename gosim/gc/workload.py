"""Workload streams for the pacer simulation: how a program's live heap, allocation and scanning change over time.

A `Stream` is a function of time (seconds since the program started) to a value: `Constant`, `Step`, `Ramp`,
`Oscillate`, `Piecewise` (linear between points) and `Random` (piecewise-constant values drawn from a seeded
``numpy.random.Generator``). A `Workload`
bundles the streams a cycle-by-cycle simulation (`gosim.gc.pacersim`) needs: the true live heap, the mutator's
allocation rate (bytes per CPU-second of mutator time), the collector's scan rate (bytes of scan work per
CPU-second of mark work), the scannable fraction of the live heap, goroutine stacks, globals, non-heap memory
(for GOMEMLIMIT), and how many goroutines run. `SCENARIOS` names the ones the chapter and ``python -m gosim pacer
run`` use; `gcchurn` builds the one that matches the real program ``gosim/programs/gcchurn``; `from_guide` turns
one of the go.dev GC guide's workloads (`gosim.gc.guide`) into streams, so the full model runs the guide's program.

Not modelled: a live heap larger than what was allocated (streams are taken as given), per-object lifetimes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..units import KiB, MiB


class Stream:
    """A value over time."""

    def at(self, t: float) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def __call__(self, t: float) -> float:
        return self.at(t)


@dataclass(frozen=True)
class Constant(Stream):
    value: float

    def at(self, t: float) -> float:
        return self.value


@dataclass(frozen=True)
class Step(Stream):
    """``before`` until ``at_s``, then ``after``."""

    before: float
    after: float
    at_s: float

    def at(self, t: float) -> float:
        return self.before if t < self.at_s else self.after


@dataclass(frozen=True)
class Ramp(Stream):
    """From ``start`` to ``end`` linearly between ``t0`` and ``t1``, flat outside."""

    start: float
    end: float
    t1: float
    t0: float = 0.0

    def at(self, t: float) -> float:
        if t <= self.t0:
            return self.start
        if t >= self.t1:
            return self.end
        return self.start + (self.end - self.start) * (t - self.t0) / (self.t1 - self.t0)


@dataclass(frozen=True)
class Oscillate(Stream):
    """``mean + amplitude·sin(2πt/period)``."""

    mean: float
    amplitude: float
    period: float

    def at(self, t: float) -> float:
        return self.mean + self.amplitude * math.sin(2 * math.pi * t / self.period)


@dataclass(frozen=True)
class Piecewise(Stream):
    """Linear between ``points`` ((t, value) pairs, t increasing); flat before the first and after the last.
    Equal times make a jump (the value after it is the later point's)."""

    points: tuple[tuple[float, float], ...]

    def at(self, t: float) -> float:
        pts = self.points
        if t < pts[0][0]:
            return pts[0][1]
        for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
            if t0 <= t < t1:
                return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return pts[-1][1]


@dataclass(frozen=True)
class Random(Stream):
    """A new value every ``interval`` seconds, uniform in ``mean·(1 ± spread)``, from a generator seeded ``seed``."""

    mean: float
    spread: float
    interval: float
    seed: int = 0
    _values: tuple = field(default=(), compare=False, repr=False)

    def at(self, t: float) -> float:
        i = int(t // self.interval)
        if i >= len(self._values):
            rng = np.random.default_rng(self.seed)
            n = max(2 * i + 16, 64)
            object.__setattr__(self, "_values", tuple(self.mean * (1 + self.spread * rng.uniform(-1, 1, n))))
        return self._values[i]


@dataclass(frozen=True)
class Workload:
    """What the program does, as streams over time. Bytes and seconds."""

    live: Stream
    alloc_rate: Stream  # bytes allocated per CPU-second of mutator time
    scan_rate: Stream = Constant(2 << 30)  # bytes of scan work per CPU-second of marking
    scan_fraction: Stream = Constant(0.5)  # scannable share of the live heap (noscan objects are not scanned)
    stacks: Stream = Constant(8 * KiB)
    globals_: Stream = Constant(160 * KiB)
    nonheap: Stream = Constant(8 * MiB)  # mapped memory that is not heap objects (for GOMEMLIMIT)
    goroutines: int = 1  # goroutines that want to run (mutator parallelism)
    duration: float = 2.0  # seconds; or stop at `volume`
    volume: float = math.inf  # bytes allocated in total
    stw: float = 50e-6  # seconds of each of the two stop-the-world pauses per cycle
    # heapLive's growth per byte of objects allocated: 1, or more when each cached span is counted whole
    # (mcache.refill) and the span's tail holds no object (see gosim.checks.gc.span_tail_ratio)
    heap_live_per_byte: Stream = Constant(1.0)
    name: str = ""
    description: str = ""


def _scenarios() -> dict[str, Workload]:
    a = 512.0 * MiB  # per mutator CPU-second
    return {
        "steady": Workload(Constant(64 * MiB), Constant(a), name="steady",
                           description="64 MiB live, half of it scannable, 512 MiB/s allocation"),
        "step": Workload(Step(32 * MiB, 128 * MiB, 1.0), Constant(a), name="step",
                         description="the live heap jumps from 32 to 128 MiB at t=1s"),
        "ramp": Workload(Ramp(16 * MiB, 256 * MiB, 2.0), Constant(a), name="ramp",
                         description="the live heap grows from 16 to 256 MiB over 2 s"),
        "oscillate": Workload(Oscillate(96 * MiB, 48 * MiB, 0.5), Constant(a), name="oscillate",
                              description="the live heap swings 48..144 MiB every 0.5 s"),
        "random": Workload(Random(64 * MiB, 0.5, 0.1, seed=1), Random(a, 0.5, 0.05, seed=2), name="random",
                           description="live heap and allocation rate redrawn every 0.1 s / 0.05 s (seed 1, 2)"),
        "noscan": Workload(Constant(64 * MiB), Constant(a), scan_fraction=Constant(0.03), name="noscan",
                           description="64 MiB live of which 3 % scannable ([]byte chunks): cheap marking"),
        "allocspike": Workload(Constant(64 * MiB), Step(a, 4 * a, 1.0), goroutines=4, name="allocspike",
                               description="allocation rate ×4 at t=1s, four goroutines"),
    }


SCENARIOS: dict[str, Workload] = _scenarios()


def gcchurn(live: int, churn: int, alloc_rate: float, scan_rate: float, *, scan_fraction: float = 0.027,
            stacks: int = 2680, globals_: int = 159594, nonheap: int = 8 * MiB, stw: float = 50e-6,
            churn_heap_live_per_byte: float = 1.0) -> Workload:
    """The workload of ``gosim/programs/gcchurn`` (noscan shape): the live set is built first at the allocation
    rate, then ``churn`` bytes of garbage, for which heapLive grows ``churn_heap_live_per_byte`` per byte (span
    tails; the live set's 1 KiB chunks fill their spans exactly). Rates come from the real run's own counters (see
    `gosim.checks.gc.gcchurn_workload`)."""
    build = live / alloc_rate
    return Workload(Ramp(0.0, float(live), build), Constant(alloc_rate), Constant(scan_rate),
                    Constant(scan_fraction), Constant(stacks), Constant(globals_), Constant(nonheap),
                    goroutines=1, duration=math.inf, volume=float(live + churn), stw=stw,
                    heap_live_per_byte=Steps(((0.0, 1.0), (build, churn_heap_live_per_byte))), name="gcchurn",
                    description=f"{live / MiB:.0f} MiB live (noscan), {churn / MiB:.0f} MiB churn")



@dataclass(frozen=True)
class Steps(Stream):
    """Piecewise-constant: ``points`` are (start time, value) pairs, t increasing; the first value before them."""

    points: tuple[tuple[float, float], ...]

    def at(self, t: float) -> float:
        value = self.points[0][1]
        for t0, v in self.points:
            if t < t0:
                break
            value = v
        return value


def from_guide(name: str, other_mem: float = 0.0) -> Workload:
    """One of the go.dev GC guide's workloads (`gosim.gc.guide.WORKLOADS`, sizes in MiB) as streams for
    `gosim.gc.pacersim`: each phase's allocation rate, and a live heap that moves linearly from the phase's start
    to ``live + duration·allocRate·newSurvivalRate − live·oldDeathRate`` (the guide's survivors); everything
    scannable at the guide's scan rate, no stacks or globals, ``other_mem`` MiB of non-heap memory. Time is the
    mutator's time here; the guide's clock also runs during its stop-the-world pauses."""
    from .guide import WORKLOADS

    if name not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {name!r}")
    t = live = 0.0
    live_pts: list[tuple[float, float]] = [(0.0, 0.0)]
    rates: list[tuple[float, float]] = []
    for ph in WORKLOADS[name]:
        rates.append((t, ph.allocRate * MiB))
        live = max(live + ph.duration * ph.allocRate * ph.newSurvivalRate - live * ph.oldDeathRate, 0.0)
        t += ph.duration
        live_pts.append((t, live * MiB))
    scan = WORKLOADS[name][0].scanRate * MiB
    return Workload(Piecewise(tuple(live_pts)), Steps(tuple(rates)), Constant(scan), Constant(1.0), Constant(0.0),
                    Constant(0.0), Constant(other_mem * MiB), goroutines=1, duration=t, name=f"guide:{name}",
                    description=f"the go.dev GC guide's {name!r} workload")
