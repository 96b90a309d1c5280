"""Chapter 4's checks: the pacer model beside the real runtime, and the guide mode beside the guide's numbers.

The real side is plain data: the ``cycle``/``summary`` lines the program ``gosim/programs/gcchurn`` prints from
runtime/metrics after every GC cycle (`gosim.toolchain.gctrace.parse_fields`), and its gctrace. Three checks:

* `goal_rows`: for every real cycle, the heap goal `gosim.gc.mgcpacer` computes from the inputs the runtime had
  (heapMarked, stack and globals scan bytes, GOGC, GOMEMLIMIT, mapped/free/object bytes) beside the goal the
  runtime reported (``/gc/heap/goal:bytes``), at byte precision;
* `cycle_count_row`: the number of cycles the pacer simulation (`gosim.gc.pacersim`) predicts for the same
  allocation volume, live set, allocation and scan rates (measured by the same run) beside the real count;
* `guide_rows`: the guide mode's results beside the numbers the go.dev GC guide's own model gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..gc import guide, mgcpacer, pacersim, workload


@dataclass(frozen=True)
class GoalRow:
    cycle: int
    model: int
    real: int

    @property
    def error(self) -> float:
        """(model − real)/real."""
        return (self.model - self.real) / self.real if self.real else 0.0


def _gogc(value: int) -> int:
    return -1 if value >= 1 << 63 else int(value)


def model_goal(fields: dict) -> int:
    """The goal the pacer model computes from one ``cycle`` line's inputs (runtime/metrics names in comments):
    ``live`` = /gc/heap/live (heapMarked), ``stack`` = /gc/scan/stack (lastStackScan), ``globals`` =
    /gc/scan/globals (globalsScan), ``gogc``, ``memlimit``; for the memory-limit goal mappedReady = ``total`` −
    ``released`` (/memory/classes), heapFree = ``free``, heapAlloc = ``objects``. Right after a cycle the sweep
    is not finished, so the goal is at least ``live + 1 MiB`` (``sweepDistMinTrigger``)."""
    c = mgcpacer.GCController.init(_gogc(fields["gogc"]), min(int(fields["memlimit"]), mgcpacer.MAX_INT64))
    c.heapMarked = c.heapLive = int(fields["live"])
    c.lastStackScan = int(fields["stack"])
    c.globalsScan = int(fields["globals"])
    c.commit(False)
    c.mappedReady = int(fields["total"]) - int(fields["released"])
    c.heapFree = int(fields["free"])
    c.heapAlloc = int(fields["objects"])
    return c.heapGoal()


def goal_rows(cycles: list[dict]) -> list[GoalRow]:
    """One `GoalRow` per ``cycle`` line of a gcchurn run."""
    return [GoalRow(int(f["cycle"]), model_goal(f), int(f["goal"])) for f in cycles]


def gcchurn_workload(cycles: list[dict], summary: dict, live: int, churn: int,
                     trace: list | None = None) -> workload.Workload:
    """The gcchurn run as a `Workload`: the live set and churn volume it was given, and the rates it measured.

    Allocation rate = /gc/heap/allocs bytes per second of wall time (one goroutine allocates all the time).
    Scan rate = scan work (heap + stack + globals, summed over the cycles) per CPU-second the model gives the
    mark: with ``trace`` (parsed gctrace), the concurrent-mark wall time of each cycle times the CPUs the model's
    mark workers have (background + idle workers, `gosim.gc.pacersim`); without it, /cpu/classes/gc/mark/* (those
    are estimates from wall time per P, so on a loaded machine the wall-clock form is the better one). Also: the
    scannable share of the live heap, stacks and globals of the last cycle; non-heap memory = mapped − free −
    objects."""
    alloc_rate = summary["allocs"] / summary["seconds"]
    work = sum(f["heapscan"] + f["stack"] + f["globals"] for f in cycles)
    procs = int(summary.get("gomaxprocs", 2))
    if trace:
        dedicated, fractional = mgcpacer.mark_workers(procs)
        idle = max(procs - dedicated - 1 - fractional * procs, 0.0)
        mark_cpu = sum(t.mark_ms for t in trace[:len(cycles)]) / 1e3 * (dedicated + fractional * procs + idle)
        work = sum(f["heapscan"] + f["stack"] + f["globals"] for f in cycles[:len(trace)])
    else:
        mark_cpu = summary["assist_s"] + summary["dedicated_s"] + summary["idle_mark_s"]
    last = cycles[-1]
    nonheap = int(last["total"]) - int(last["released"]) - int(last["free"]) - int(last["objects"])
    return workload.gcchurn(live, churn, alloc_rate, work / mark_cpu,
                            scan_fraction=last["heapscan"] / max(last["live"], 1), stacks=int(last["stack"]),
                            globals_=int(last["globals"]), nonheap=max(nonheap, 0))


@dataclass(frozen=True)
class CountRow:
    gogc: int
    memlimit: int
    model: int
    real: int

    @property
    def error(self) -> float:
        return (self.model - self.real) / self.real if self.real else 0.0


def cycle_count_row(cycles: list[dict], summary: dict, live: int, churn: int, trace: list | None = None,
                    gomaxprocs: int | None = None) -> tuple[CountRow, pacersim.PacerRun]:
    """The simulated number of GC cycles for the same workload, beside the real count (``summary["cycle"]``)."""
    gogc = _gogc(int(cycles[-1]["gogc"]))
    memlimit = min(int(cycles[-1]["memlimit"]), mgcpacer.MAX_INT64)
    procs = int(gomaxprocs or summary.get("gomaxprocs", 2))
    run = pacersim.simulate(gcchurn_workload(cycles, summary, live, churn, trace), gogc, memlimit, procs)
    return CountRow(gogc, memlimit, len(run.cycles), int(summary["cycle"])), run


# The go.dev GC guide's model on its own workloads (total CPU s, GC CPU %, peak MiB), as the guide's graphs
# print them; the issue quotes these three.
GUIDE_EXPECTED = {
    ("steady", 50): (11.263, 11.22, 30.0),
    ("steady", 200): (10.393, 3.78, 60.0),
    ("spike", 200): (10.339, 3.28, 90.0),
}


def guide_rows(expected: dict = GUIDE_EXPECTED) -> list[tuple[str, int, tuple, tuple]]:
    """(workload, GOGC, the guide mode's (total, GC %, peak) rounded as printed, the expected numbers)."""
    rows = []
    for (name, gogc), want in expected.items():
        r = guide.run_guide(name, gogc)
        rows.append((name, gogc, (round(r.total_cpu_s, 3), round(r.gc_cpu_pct, 2), round(r.peak_mib, 1)), want))
    return rows


def steady_state(run_cycles, skip: int = 5) -> dict:
    """Mean goal, peak and marked heap (MiB) after the first ``skip`` cycles of a simulated run."""
    cs = run_cycles[skip:] or run_cycles
    n = len(cs)
    mib = 1 << 20
    return dict(goal=sum(c.goal for c in cs) / n / mib, peak=sum(c.peak for c in cs) / n / mib,
                marked=sum(c.marked for c in cs) / n / mib) if n else dict(goal=math.nan, peak=math.nan,
                                                                          marked=math.nan)
