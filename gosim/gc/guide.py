"""The go.dev GC guide's simple model, reproduced exactly, so a reader can see what it leaves out.

The guide ("A Guide to the Go Garbage Collector", go.dev/doc/gc-guide) draws its sliders over a stop-the-world
toy: the program allocates at the phase's ``allocRate`` (MiB per CPU-second) until live + new heap reaches the
goal; then a GC stops the world for ``live/scanRate + fixedCost`` seconds, the live heap grows by the survivors
(``allocRate·duration·newSurvivalRate`` minus ``oldDeathRate`` × the live heap at the phase's start, pro-rated by
mutator time) and the new heap drops to zero. The goal is ``live·(1+GOGC/100)`` (infinite when GOGC is off),
lowered to ``memoryLimit − otherMem``, raised to the 4 MiB minimum when GOGC is on, never below live + 1/16 MiB;
the first goal pretends the live heap was ``4/(1+GOGC/100)`` MiB. Sizes are MiB, times seconds, as in the guide.

What the guide leaves out, and `gosim.gc.pacersim` models (from mgcpacer.go): concurrent marking (allocation goes
on during the mark, allocated black), the trigger and its runway, stacks and globals in the goal, assists, the
25 % background workers and idle workers, the memory limit's headroom, the heap minimum of 4 MiB·GOGC/100, and
the GC CPU limiter that caps GC at 50 % when the limit is too tight (the guide's toy can thrash without bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_HEAP_GOAL = 4.0  # MiB
FIXED_COST = 0.04  # seconds per GC
LIVE_SLACK = 0.0625  # MiB: the goal never sits closer than this to the live heap


@dataclass(frozen=True)
class Phase:
    """One phase of a guide workload: ``duration`` seconds of mutator time."""

    duration: float
    allocRate: float  # MiB per CPU-second
    scanRate: float  # MiB per CPU-second
    newSurvivalRate: float  # fraction of this phase's new allocation that survives
    oldDeathRate: float  # fraction of the live heap at the phase's start that dies during the phase


def _phases(*rows: tuple[float, float, float, float]) -> tuple[Phase, ...]:
    return tuple(Phase(d, a, 1024.0, s, k) for d, a, s, k in rows)


# The guide's three workloads (its gc-guide.html data-workload attributes); every scanRate is 1024 MiB/s.
WORKLOADS: dict[str, tuple[Phase, ...]] = {
    "steady": _phases((1, 20, 1.0, 0), (9, 20, 0, 0)),
    "shift": _phases((1, 20, 1.0, 0), (1, 20, 0, 0.5), (1, 20, 0.5, 0), (1, 20, 0, 0.5), (1, 20, 0.5, 0),
                     (5, 200, 0.02, 1.0)),
    "spike": _phases((1, 20, 1.0, 0), (4, 20, 0, 0), (0.5, 20, 1.0, 0), (0.5, 20, 0, 0), (0.5, 20, 0, 0.5),
                     (3.5, 20, 0, 0)),
}


@dataclass(frozen=True)
class Point:
    """A point of the heap-over-time graph (MiB), as the guide emits them: before and after each GC."""

    t: float
    other: float
    live: float
    new: float

    @property
    def total(self) -> float:
        return self.other + self.live + self.new


@dataclass(frozen=True)
class GuideResult:
    total_cpu_s: float
    mutator_s: float
    gc_cycles: int
    points: tuple[Point, ...]

    @property
    def gc_cpu_pct(self) -> float:
        """(total − mutator time)/total, in percent."""
        return (self.total_cpu_s - self.mutator_s) / self.total_cpu_s * 100 if self.total_cpu_s else 0.0

    @property
    def peak_mib(self) -> float:
        """The highest other + live + new heap of any point."""
        return max(p.total for p in self.points)

    @property
    def peak_live_mib(self) -> float:
        return max(p.live for p in self.points)

    def line(self) -> str:
        return f"total_cpu_s={self.total_cpu_s:.3f} gc_cpu_pct={self.gc_cpu_pct:.2f} peak_mib={self.peak_mib:.1f}"


def guide_heap_goal(live: float, gogc: float, memory_limit: float = math.inf, other_mem: float = 0.0) -> float:
    """The guide's goal rule (MiB). ``gogc`` = ``math.inf`` (or a negative number) means off."""
    off = gogc < 0 or math.isinf(gogc)
    goal = math.inf if off else live * (1.0 + gogc / 100)
    if goal + other_mem > memory_limit:
        goal = memory_limit - other_mem
    if not off and goal < MIN_HEAP_GOAL:
        goal = MIN_HEAP_GOAL
    if goal < live + LIVE_SLACK:
        goal = live + LIVE_SLACK
    return goal


def run_guide(workload: str | tuple[Phase, ...], gogc: float = 100, memory_limit: float = math.inf,
              other_mem: float = 0.0, fixed_cost: float = FIXED_COST) -> GuideResult:
    """Run the guide's model over a workload (a name in `WORKLOADS` or phases). Sizes in MiB.

    ``gogc``: an integer percent, or ``math.inf``/negative for off. Returns total CPU time, mutator time, the
    number of GCs and the points of the heap-over-time graph.
    """
    phases = WORKLOADS[workload] if isinstance(workload, str) else tuple(workload)
    if isinstance(workload, str) and workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {workload!r}")
    off = gogc < 0 or math.isinf(gogc)
    g = math.inf if off else float(gogc)
    if memory_limit <= 0:
        raise ValueError(f"memory limit must be positive (MiB), got {memory_limit}")
    if other_mem < 0:
        raise ValueError(f"other memory must not be negative (MiB), got {other_mem}")
    if off and math.isinf(memory_limit):
        pass  # no GC ever: the heap just grows

    t = 0.0
    live = 0.0
    new = 0.0
    # Fake a live heap that gives the minimum goal (0 when off: the goal is then limit − other memory).
    goal = guide_heap_goal(0.0 if off else MIN_HEAP_GOAL / (1 + g / 100), g, memory_limit, other_mem)
    points = [Point(t, other_mem, live, new)]
    next_live = 0.0
    mutator = 0.0
    cycles = 0
    for phase in phases:
        left = phase.duration
        will_live = phase.duration * phase.allocRate * phase.newSurvivalRate
        will_die = (live + next_live) * phase.oldDeathRate
        while left > 0:
            alloc = left * phase.allocRate
            end_cycle = live + new + alloc > goal
            if end_cycle:
                alloc = goal - live - new
            new += alloc
            mut = alloc / phase.allocRate
            left -= mut
            t += mut
            mutator += mut
            next_live += (will_live - will_die) * (mut / phase.duration)
            if end_cycle:
                points.append(Point(t, other_mem, live, new))
                live += next_live
                next_live = 0.0
                new = 0.0
                t += live / phase.scanRate + fixed_cost
                cycles += 1
                points.append(Point(t, other_mem, live, new))
                goal = guide_heap_goal(live, g, memory_limit, other_mem)
        points.append(Point(t, other_mem, live, new))
    return GuideResult(t, mutator, cycles, tuple(points))


def tradeoff_curve(workload: str = "steady", gogcs=(25, 50, 100, 200, 400, 800), memory_limit: float = math.inf,
                   other_mem: float = 0.0) -> list[tuple[float, float, float]]:
    """(GOGC, GC CPU %, peak MiB) for each GOGC: the guide's CPU-versus-memory trade-off."""
    return [(g, r.gc_cpu_pct, r.peak_mib) for g in gogcs
            for r in [run_guide(workload, g, memory_limit, other_mem)]]
