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

from ..gc import guide, mgclimit, mgcpacer, pacersim, workload


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
                            globals_=int(last["globals"]), nonheap=max(nonheap, 0),
                            churn_heap_live_per_byte=span_tail_ratio(GCCHURN_MIX))


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


# --- what the chapter shows of the real runs ------------------------------------------------------------------


def gctrace_fields(t) -> list[tuple[str, str, str]]:
    """One parsed gctrace line (`gosim.toolchain.gctrace.GCTraceLine`) field by field: (field, value, meaning
    with where the runtime computes it). The format is printed at the end of ``gcMarkTermination`` (mgc.go) and
    documented in runtime/extern.go."""
    return [
        ("`gc N`", f"gc {t.n}", "the cycle number (`memstats.numgc`)"),
        ("`@T s`", f"@{t.at_s}s", "seconds since the runtime started, at this cycle's sweep termination"),
        ("`P%`", f"{t.cpu_pct}%", "GC's share of all CPU time since the program started, idle mark workers "
         "not counted (`gc_cpu_fraction`; truncated)"),
        ("`a+b+c ms clock`", f"{t.sweep_term_ms}+{t.mark_ms}+{t.mark_term_ms}",
         "wall time: sweep-termination pause (STW) + concurrent mark + mark-termination pause (STW)"),
        ("`d+e/f/g+h ms cpu`", f"{t.stw_sweep_cpu_ms}+{t.assist_cpu_ms}/{t.background_cpu_ms}/{t.idle_cpu_ms}"
         f"+{t.stw_mark_term_cpu_ms}",
         "CPU time: first pause × Ps + mutator assists / background workers (dedicated + fractional) / idle "
         "workers + second pause × Ps"),
        ("`H0->H1->H2 MB`", f"{t.heap0_mib}->{t.heap1_mib}->{t.heap2_mib}",
         "heapLive when the cycle started (≥ the trigger) -> at mark termination (the peak) -> what was marked "
         "(work.bytesMarked: /gc/heap/live:bytes, not the /gc/scan/heap:bytes extern.go names); MiB, truncated"),
        ("`G MB goal`", f"{t.goal_mib}", "the heap goal this cycle was paced against (`gcController.lastHeapGoal`)"),
        ("`S MB stacks`", f"{t.stacks_mib}", "scannable stack bytes (`lastStackScan`), part of the GOGC goal"),
        ("`X MB globals`", f"{t.globals_mib}", "scannable global bytes (`globalsScan`), part of the GOGC goal"),
        ("`N P`", f"{t.procs}", "GOMAXPROCS"),
        ("`(forced)`", "yes" if t.forced else "no", "the cycle was started by runtime.GC()"),
    ]


def pacertrace_fields(start, end) -> list[tuple[str, str, str]]:
    """A cycle's two gcpacertrace lines (`PacerStart` from ``startCycle``, `PacerEnd` from ``endCycle``,
    mgcpacer.go) field by field: (field, value, meaning)."""
    return [
        ("`assist ratio`", f"{start.assist_ratio:.3f}",
         "scan work an allocating goroutine owes per byte it allocates (`assistWorkPerByte`, from `revise`)"),
        ("`scan N MB in H0->G MB`", f"{start.scan_mib} MB in {start.heap0_mib}->{start.goal_mib} MB",
         "the scannable heap (`heapScan`, MiB) and the distance left to the goal: heapLive when the cycle "
         "starts -> the goal"),
        ("`workers=D+F`", f"{start.dedicated}+{start.fractional:g}",
         "dedicated mark workers + `fractionalUtilizationGoal`, the share of each other P's time its fractional "
         "worker aims to take (25 % of GOMAXPROCS in all when there is no dedicated worker; less otherwise)"),
        ("`U% CPU (25 exp.)`", f"{end.utilization_pct}% ({end.expected_pct} exp.)",
         "GC CPU utilisation during the mark: the background workers' 25 %, assumed, plus the assists' measured "
         "share, against the 25 % goal (idle mark workers not counted)"),
        ("`H+S+G B work`", f"{end.heap_work}+{end.stack_work}+{end.globals_work}",
         "scan work done: heap, stacks, globals (bytes)"),
        ("`(W B exp.)`", f"{end.expected_work}",
         "the scan work the pacer expected: the last cycle's heap scan work + stacks + globals"),
        ("`in T B -> L B`", f"{end.triggered} -> {end.live}",
         "heapLive when the cycle was triggered -> at the end of the mark"),
        ("`∆goal`", f"{end.delta_goal}", "heapLive at the end minus the goal: negative means finished early"),
        ("`cons/mark`", f"{end.cons_mark:.3f}",
         "the estimate this cycle was paced with (before this cycle updates it): the allocation rate (bytes per "
         "mutator CPU-second) over the scan rate (bytes of scan work per GC CPU-second, idle workers' time "
         "included)"),
    ]


def median_mark_ms(trace, live_mib: int, cpu: bool = False) -> float:
    """The median concurrent-mark time (ms) of the cycles that marked at least the live set (the steady state,
    after the live set was built): wall clock, or with ``cpu`` the CPU time of the mark (assists + background +
    idle workers), which a busy machine disturbs less."""
    steady = sorted(t.mark_cpu_ms if cpu else t.mark_ms for t in trace if t.heap2_mib >= live_mib)
    if not steady:
        raise ValueError(f"no cycle marked {live_mib} MiB or more")
    mid = len(steady) // 2
    return steady[mid] if len(steady) % 2 else (steady[mid - 1] + steady[mid]) / 2


def scavenge_summary(samples: list[dict]) -> dict:
    """gosim/programs/gcscavenge's ``sample`` lines in MiB at the moments the chapter talks about: after the
    burst, at the end of the watch after the first GC and after the second, and after debug.FreeOSMemory."""
    mib = 1 << 20

    def at(phase: str, last: bool = True) -> dict:
        rows = [s for s in samples if s["phase"] == phase]
        s = rows[-1] if last else rows[0]
        return {k: s[k] / mib for k in ("rss", "objects", "free", "released", "mapped")}

    return {"burst": at("burst"), "gc1": at("gc1"), "gc2": at("gc2"), "freeosmemory": at("freeosmemory"),
            "gc1_first": at("gc1", last=False)}


def median_count_row(real_runs: list[tuple], live: int, churn: int) -> tuple[CountRow, list[int], list[int]]:
    """`cycle_count_row` over several runs of the same configuration (each ``(cycles, summary, trace)``): the
    median model count beside the median real count, and the counts of each run (real, model). The runtime's own
    count varies from run to run (most where the runway is short, as at GOGC=50 on a busy machine); the median
    is what one run would give on a quiet one."""
    rows = [cycle_count_row(c, s, live, churn, t)[0] for c, s, t in real_runs]
    real = [r.real for r in rows]
    model = [r.model for r in rows]
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731 - an odd number of runs: a count, not a mean
    return CountRow(rows[0].gogc, rows[0].memlimit, med(model), med(real)), real, model


# --- why the runtime runs a few more cycles than the model: where it triggers, and what heapLive counts -----------


@dataclass(frozen=True)
class PacingRow:
    """One real cycle seen from both sides: the pacer's trace (``endCycle``'s ``in T B -> L B``) and the
    program's runtime/metrics line after the cycle before it (heapMarked, the goal) and after this one."""

    cycle: int
    last_marked: int  # heapMarked of the cycle before (/gc/heap/live)
    goal: int  # the goal this cycle was paced against (/gc/heap/goal after the cycle before)
    triggered: int  # heapLive when the cycle started
    live_end: int  # heapLive at the end of the mark
    allocated: int  # /gc/heap/allocs:bytes between the two metrics lines: bytes of objects allocated

    @property
    def lower_bound(self) -> int:
        """``triggerLowerBound`` (mgcpacer.go): 45/64 of the way from heapMarked to the goal, in uint64."""
        return (self.goal - self.last_marked) // mgcpacer.triggerRatioDen * mgcpacer.minTriggerRatioNum \
            + self.last_marked

    @property
    def trigger_fraction(self) -> float:
        return (self.triggered - self.last_marked) / (self.goal - self.last_marked)

    @property
    def growth(self) -> int:
        """How far heapLive grew over the cycle: from heapMarked to the end of the mark."""
        return self.live_end - self.last_marked


def pacing_rows(stderr: str, cycles: list[dict], live: int) -> list[PacingRow]:
    """The steady-state cycles (the cycle before marked at least ``live`` bytes) of a gcchurn run: each gctrace
    ``gc N`` line closes cycle N, and the ``endCycle`` pacer line printed before it belongs to it."""
    ends = pacer_ends(stderr)
    by = {int(c["cycle"]): c for c in cycles}
    rows = []
    for n, e in sorted(ends.items()):
        if e is None or n - 1 not in by or n not in by or int(by[n - 1]["live"]) < live:
            continue
        before, after = by[n - 1], by[n]
        rows.append(PacingRow(n, int(before["live"]), int(before["goal"]), e.triggered, e.live,
                              int(after["allocs"]) - int(before["allocs"])))
    return rows


def span_tail_ratio(mix: list[tuple[int, bool, int]], greenteagc: bool = True) -> float:
    """heapLive's growth per byte allocated, for an allocation ``mix`` of (object size, has pointers, count),
    when every span is filled: ``mcache.refill`` adds a whole span (``npages·pageSize`` less what is in use) to
    heapLive and ``releaseAll`` takes back only the unused slots, so each span's tail (bytes that hold no object:
    the size class's tail waste, and for small pointerful spans the heap bits and Green Tea's inline mark bits at
    the span's end) counts as allocated."""
    from ..alloc import mspan, sizeclasses

    counted = allocated = 0.0
    for size, pointers, count in mix:
        sc = sizeclasses.size_to_class(size)
        npages = sizeclasses.SizeClassToNPages()[sc]
        spc = sizeclasses.makeSpanClass(sc, not pointers)
        nelems = mspan.nelems_for(spc, npages, greenteagc)
        elem = sizeclasses.SizeClassToSize()[sc]
        counted += count * npages * 8192 / nelems
        allocated += count * elem
    return counted / allocated


# gcchurn's churn loop, one iteration: 256 nodes of 64 bytes with pointers and one 4 KiB []byte.
GCCHURN_MIX = [(64, True, 256), (4096, False, 1)]


def quickest_mark_ms(trace, live_mib: int) -> float:
    """The smallest mark CPU time (ms: assists + background + idle workers) of the cycles that marked at least the
    live set. gctrace's worker times are wall time while a worker holds a P, so other load on the machine only
    ever adds to them: the quickest cycle is the least disturbed estimate of what a mark costs."""
    steady = [t.mark_cpu_ms for t in trace if t.heap2_mib >= live_mib]
    if not steady:
        raise ValueError(f"no cycle marked {live_mib} MiB or more")
    return min(steady)


# --- the pacer's trigger, cycle by cycle: the model's trigger() fed what the runtime used ---------------------


@dataclass(frozen=True)
class TriggerRow:
    """One real cycle's trigger beside the model's. The model gets what the runtime's ``commit`` used at the end
    of the cycle before: heapMarked, lastStackScan and globalsScan (the program's runtime/metrics line), the
    scan work it expected (``(W B exp.)`` of this cycle's ``endCycle`` line: lastHeapScan + lastStackScan +
    globalsScan) and the cons/mark estimate (``cons/mark`` of the same line, printed before it is updated).
    ``triggered`` is heapLive when the cycle started (``in T B``); the runtime tests the trigger after each
    span it caches, so ``triggered`` lies in [trigger, trigger + one span's bytes)."""

    cycle: int
    heap_marked: int
    goal: int  # the model's goal (heapGoal)
    trigger: int  # the model's trigger
    triggered: int  # the runtime's heapLive at startCycle
    cons_mark: float
    steady: bool  # the cycle before marked at least the live set (no live-set building in between)

    @property
    def excess(self) -> int:
        """triggered − trigger: how far past the trigger heapLive was when the cycle started."""
        return self.triggered - self.trigger

    @property
    def position(self) -> float:
        """Where the trigger sits from heapMarked (0) to the goal (1): 45/64 and 61/64 are the clamps."""
        return (self.trigger - self.heap_marked) / (self.goal - self.heap_marked)


def model_trigger(before: dict, end) -> tuple[int, int]:
    """(trigger, goal) of `gosim.gc.mgcpacer.GCController.trigger` after ``commit`` with the inputs the runtime
    had when it committed the cycle: ``before`` is the program's metrics line after the cycle before, ``end``
    this cycle's parsed ``endCycle`` line (`gosim.toolchain.gctrace.PacerEnd`). The sweep is unfinished at
    commit time (mark termination), so ``sweepDistMinTrigger = heapMarked + 1 MiB``."""
    c = mgcpacer.GCController.init(_gogc(int(before["gogc"])), min(int(before["memlimit"]), mgcpacer.MAX_INT64))
    c.heapMarked = c.heapLive = int(before["live"])
    c.lastStackScan = int(before["stack"])
    c.globalsScan = int(before["globals"])
    c.lastHeapScan = end.expected_work - c.lastStackScan - c.globalsScan
    c.consMark = end.cons_mark
    c.commit(False)
    return c.trigger()


def pacer_ends(stderr: str) -> dict:
    """Cycle number → its ``endCycle`` line (`gosim.toolchain.gctrace.PacerEnd`, or None when the cycle printed
    none): each gctrace ``gc N`` line closes cycle N, and the ``endCycle`` line printed before it belongs to it.
    Needs ``GODEBUG=gctrace=1,gcpacertrace=1``."""
    import re

    from ..toolchain import gctrace  # plain text parsers; no process is started here

    ends: dict[int, object] = {}
    pending = None
    for text in stderr.splitlines():
        parsed = gctrace.parse_pacertrace(text)
        if parsed and isinstance(parsed[0], gctrace.PacerEnd):
            pending = parsed[0]
        if m := re.match(r"gc (\d+) ", text):
            ends[int(m[1])] = pending
            pending = None
    return ends


def trigger_rows(stderr: str, cycles: list[dict], live: int) -> list[TriggerRow]:
    """Every cycle of a gcchurn run (GOGC-paced, no memory limit) whose cycle before has a metrics line: the
    model's trigger beside the runtime's. ``live`` (bytes) marks the steady state."""
    by = {int(c["cycle"]): c for c in cycles}
    rows = []
    for n, end in sorted(pacer_ends(stderr).items()):
        if end is None or n - 1 not in by:
            continue
        before = by[n - 1]
        trigger, goal = model_trigger(before, end)
        rows.append(TriggerRow(n, int(before["live"]), goal, trigger, end.triggered, end.cons_mark,
                               int(before["live"]) >= live))
    return rows


# gcpacing's two witnesses for the trigger's upper bound (gosim/programs/gcpacing, noscan live set, 2 Ps): a
# mark has almost nothing to scan and ends while the mutator sleeps, so the runway is short and the trigger sits
# on its upper bound. "61/64": a 16 MiB heap at GOGC=100 (a 16 MiB gap, 61/64 of it); "goal - 4 MiB": the same
# heap at GOGC=1000 (a gap of about 170 MiB, where goal - 4 MiB is above 61/64 of the way).
UPPER_WITNESSES = {
    "61/64": (dict(live=16, churn=192, size=64, sleep="100us", every=4), {"GOGC": "100"}),
    "goal - 4 MiB": (dict(live=16, churn=1280, size=256, sleep="100us", every=4), {"GOGC": "1000"}),
}


def upper_bound_of(row: TriggerRow) -> str | None:
    """Which upper bound the model's trigger sits on: ``"61/64"`` (``maxTriggerRatioNum/triggerRatioDen`` of the
    way from heapMarked to the goal), ``"goal - 4 MiB"`` (``goal − defaultHeapMinimum``), or None (below both:
    ``goal − runway`` or the lower bound)."""
    gap = row.goal - row.heap_marked
    if row.trigger == gap // 64 * 61 + row.heap_marked:
        return "61/64"
    if row.trigger == row.goal - (4 << 20):
        return "goal - 4 MiB"
    return None


def upper_trigger_rows(run: dict, live_mib: int) -> list[TriggerRow]:
    """The steady cycles of a gcpacing run (`gosim.toolchain.gctrace.run_gcpacing`) that printed an ``endCycle``
    line, with the model's trigger beside the runtime's (`trigger_rows`). A cycle in which nothing was allocated
    during the mark prints none (``endCycle`` returns before it when heapLive ≤ triggered, and leaves cons/mark
    as it was): it is left out."""
    return [t for t in trigger_rows(run["stderr"], run["cycles"], live_mib << 20) if t.steady]


WITNESS_CYCLES = 3  # a run witnesses an upper bound when the model's trigger sits on it in this many cycles
WITNESS_TRIES = 5


def upper_witness(bound: str, run) -> tuple[list[TriggerRow], list[list[TriggerRow]]]:
    """Run the witness for ``bound`` (``run(args, env)``: `gosim.toolchain.gctrace.run_gcpacing`) until one run
    has `WITNESS_CYCLES` cycles on that bound, at most `WITNESS_TRIES` times. On a loaded machine a run can print
    fewer ``endCycle`` lines, or give some cycles a runway longer than the bound allows (cons/mark up to 1.37
    seen), and so witness nothing; it is run again. Returns the witnessing run's rows (empty if none was) and the
    rows of every run tried: the check that the runtime started each cycle less than one object past the model's
    trigger applies to all of them, so a retry never hides a wrong trigger."""
    args, env = UPPER_WITNESSES[bound]
    tried = []
    for _ in range(WITNESS_TRIES):
        rows = upper_trigger_rows(run(args, env), args["live"])
        tried.append(rows)
        if sum(upper_bound_of(t) == bound for t in rows) >= WITNESS_CYCLES:
            return rows, tried
    return [], tried


def largest_span(mix: list[tuple[int, bool, int]] = None) -> int:
    """The bytes of the largest span an allocation ``mix`` (object size, has pointers, count) caches: the most
    ``mcache.refill`` can add to heapLive at once (``npages·pageSize``, mcache.go), so the most heapLive can pass
    the trigger by before ``gcTrigger.test`` sees it."""
    from ..alloc import sizeclasses

    mix = GCCHURN_MIX if mix is None else mix
    return max(sizeclasses.SizeClassToNPages()[sizeclasses.size_to_class(size)] * 8192 for size, _, _ in mix)


# --- Green Tea: what a span visit scans, from gctrace=2 -----------------------------------------------------------


def scan_stats_of(stderr: str, size: int, live_mib: int | None = None):
    """The scan statistics (``GODEBUG=gctrace=2``, `gosim.toolchain.gctrace.ScanStats`) of objects of ``size``
    bytes in the last cycle of a run (with ``live_mib``: the last cycle whose gctrace says it marked at least
    that many MiB)."""
    from ..toolchain import gctrace

    stats = gctrace.parse_scanstats(stderr)
    trace = {t.n: t for t in gctrace.parse_gctrace(stderr)}
    ok = [n for n in stats if size in stats[n] and (live_mib is None or trace[n].heap2_mib >= live_mib)]
    if not ok:
        raise ValueError(f"no cycle with scan statistics for {size}-byte objects")
    return stats[max(ok)][size]


def greentea_rows(model: dict, real: dict) -> list[tuple]:
    """The Green Tea table: for each live-set shape, the model's span visits (`gosim.gc.greentea.MarkStats`)
    beside the runtime's (`ScanStats` of 64-byte nodes): objects per multi-object span visit, and the share of
    objects scanned alone (single-mark visits)."""
    rows = []
    for label, (_, g) in model.items():
        r = real[label]
        one = g.one_mark_visits
        multi = g.span_visits - one
        model_per = (g.objects_in_span_visits - one) / multi if multi else 0.0
        model_alone = one / g.objects_in_span_visits if g.objects_in_span_visits else 0.0
        rows.append((label, f"{model_per:.1f}", f"{r.objects_per_span_visit:.1f}",
                     f"{100 * model_alone:.2f}", f"{100 * r.single_objs / r.objects:.2f}",
                     r.dense_spans, r.sparse_spans))
    return rows


# --- the compiled write barrier ---------------------------------------------------------------------------------


def write_barrier_calls(binary, function: str = "main.main", file: str = "main.go") -> list[tuple[int, str]]:
    """(source line, barrier called) for every write-barrier call the compiler put in ``function`` from lines of
    ``file`` (code inlined from elsewhere, such as the shared gosim/programs/gcmetrics, is left out): the
    ``CALL runtime.gcWriteBarrierN`` instructions of ``go tool objdump`` (N = pointers the call reserves in the
    P's ``wbBuf``), in address order."""
    import re

    from ..toolchain import binary as tb

    out = []
    for ins in tb.objdump(binary, "^" + re.escape(function) + "$"):
        if (m := re.search(r"CALL runtime\.(gcWriteBarrier\d+)\(SB\)", ins.asm)) and ins.file.endswith(file):
            out.append((ins.line, m[1]))
    return out


def program_line(program: str, pattern: str, file: str = "main.go") -> tuple[int, str]:
    """(line number, text) of the one line of ``gosim/programs/<program>/<file>`` that matches ``pattern``."""
    import re

    from ..toolchain.go import program_dir

    lines = (program_dir(program) / file).read_text().splitlines()
    hits = [(i, ln.strip()) for i, ln in enumerate(lines, 1) if re.search(pattern, ln)]
    if len(hits) != 1:
        raise ValueError(f"{pattern!r} matches {len(hits)} lines of {program}/{file}, not one")
    return hits[0]


def append_backing_bytes(n: int, elem: int, noscan: bool = False) -> int:
    """The heap bytes of the backing array a slice grown by ``n`` appends of ``elem``-byte elements from nil
    ends with: ``growslice``'s capacity rule (``nextslicecap``, runtime/slice.go) and ``roundupsize`` after each
    growth. For gcchurn's live set, the ``[][]byte`` that holds the chunks."""
    from ..alloc import sizeclasses

    cap = 0
    while cap < n:
        new_len, newcap = cap + 1, cap
        if new_len > 2 * cap:
            newcap = new_len
        elif cap < 256:
            newcap = 2 * cap
        else:
            while newcap < new_len:
                newcap += (newcap + 3 * 256) >> 2
        cap = sizeclasses.roundupsize(newcap * elem, noscan) // elem
    return sizeclasses.roundupsize(cap * elem, noscan)


def black_allocation_rows(stderr: str, cycles: list[dict], live: int) -> list[tuple[int, int]]:
    """Each steady cycle of a gcchurn run (``GODEBUG=gcpacertrace=1``): (heapMarked from the program's metrics
    line, how far heapLive grew during the mark from ``endCycle``'s ``in T B -> L B``), both in bytes. Objects
    allocated during the mark are marked black (``gcmarknewobject``), so the second is part of the first."""
    by = {int(c["cycle"]): int(c["live"]) for c in cycles}
    return [(by[n], end.live - end.triggered) for n, end in sorted(pacer_ends(stderr).items())
            if end is not None and by.get(n, 0) >= live]


# --- the GC CPU limiter: a memory limit below the live heap -----------------------------------------------------

# gcpacing with 64 MiB of pointerful 64-byte nodes live under a 32 MiB limit and GOGC=off, one P: the goal is
# the marked heap (memoryLimitHeapGoal's floor), so the collector runs all the time and assists do most of it.
LIMITER_WITNESS = (dict(live=64, churn=3072, shape="nodes"), {"GOGC": "off", "GOMEMLIMIT": "32MiB"})


@dataclass(frozen=True)
class LimiterRow:
    """One run under `LIMITER_WITNESS`, seen from the program's runtime/metrics lines."""

    procs: int
    enabled_cycle: int  # the first /gc/limiter/last-enabled:gc-cycle that is not 0
    real_cpu_s: float  # /cpu/classes/total:cpu-seconds on the first line that shows it
    model_cpu_s: float | None  # the model's bucket, fed the run's assist share, fills at this CPU time
    assist_share: float  # /cpu/classes/gc/mark/assist over /cpu/classes/total less idle, up to that line
    gc_share_before: float  # the limiter's view of GC: 25 % background + assists, up to that line
    gc_share_after: float  # the same, from that line to the end of the run
    metrics_gc_before: float  # /cpu/classes/gc/total's share, up to that line
    metrics_gc_after: float  # ... and after
    model_share_after: float | None  # the model's GC share (limiter's view) once on: assists switched off and on
    model_share_without: float  # the same without the limiter: background + assists all the time

    @property
    def error(self) -> float:
        return (self.model_cpu_s - self.real_cpu_s) / self.real_cpu_s if self.model_cpu_s else math.inf


def limiter_row(run: dict, procs: int = 1) -> LimiterRow:
    """The limiter's first engagement in a gcpacing run (`gosim.toolchain.gctrace.run_gcpacing`) beside the
    model's: `gosim.gc.mgclimit.time_to_enable` with the assist share the run measured until then."""
    cycles, summary = run["cycles"], run["summary"]
    on = next((c for c in cycles if int(c["limiter_cycle"])), None)
    if on is None:
        raise ValueError("the limiter never turned on in this run (no /gc/limiter/last-enabled)")

    def busy(a: dict, b: dict | None = None) -> float:
        a0 = b or {"total_s": 0.0, "idle_s": 0.0}
        return (a["total_s"] - a0["total_s"]) - (a["idle_s"] - a0["idle_s"])

    def share(key: str, end: dict, start: dict | None = None) -> float:
        return (end[key] - (start[key] if start else 0.0)) / busy(end, start)

    assist = share("assist_s", on)
    bg = mgclimit.gcBackgroundUtilization
    return LimiterRow(procs, int(on["limiter_cycle"]), float(on["total_s"]),
                      mgclimit.time_to_enable(procs, min(assist, 1.0)), assist,
                      bg + assist, bg + share("assist_s", summary, on),
                      share("gc_s", on), share("gc_s", summary, on),
                      mgclimit.share_once_on(procs, min(assist, 1 - bg)), bg + assist)


def limiter_share_gap(rows: list[LimiterRow]) -> float:
    """The runtime's GC share once the limiter is on less the model's alternating share, the median over runs:
    one run's share after moves with how long the run goes on after the limiter turned on (25 runs: -0.086 to
    +0.018; one later run +0.107)."""
    import statistics

    return statistics.median(r.gc_share_after - r.model_share_after for r in rows)


# --- specials: finalizers, cleanups, weak pointers ------------------------------------------------------------


@dataclass(frozen=True)
class SpecialsRow:
    """One runtime.GC call of one gcspecials scenario: the model's state after it beside the program's."""

    scenario: str
    call: int
    model: tuple  # (live objects, weak pointer nil, finalizers run, cleanups run)
    real: tuple

    @property
    def same(self) -> bool:
        return self.model == self.real


def run_gcspecials(gomaxprocs: int = 2) -> str:
    """The output of gosim/programs/gcspecials (GOGC=off: only its runtime.GC calls collect)."""
    from ..toolchain.go import Toolchain

    tc = Toolchain.installed()
    return tc.run(tc.build("gcspecials"), env={"GOGC": "off", "GOMAXPROCS": str(gomaxprocs)}).stdout


def specials_rows(stdout: str) -> list[SpecialsRow]:
    """Every ``gc`` line of a gcspecials run beside `gosim.gc.specials.scenario` for the same scenario."""
    from ..gc import specials
    from ..toolchain.gctrace import parse_fields

    real = parse_fields(stdout, "gc")
    if not real:
        raise ValueError("no 'gc scenario=...' lines in the output")
    calls = max(int(f["call"]) for f in real)
    model = {n: {r.call: r for r in specials.scenario(n, calls)} for n in {str(f["scenario"]) for f in real}}
    rows = []
    for f in real:
        m = model[str(f["scenario"])][int(f["call"])]
        weak = {"-": None, "true": True, "false": False}[str(f["weak_nil"])]
        rows.append(SpecialsRow(str(f["scenario"]), int(f["call"]),
                                (m.live, m.weak_nil, m.finalizers, m.cleanups),
                                (int(f["live"]), weak, int(f["finalizers"]), int(f["cleanups"]))))
    return rows


# --- the scavenger's goal --------------------------------------------------------------------------------------

# gcretain: 64 MiB live, a 32 MiB burst dropped, four runtime.GC calls with 300 ms pauses, then a wait until the
# scavenger has released nothing for 500 ms.
RETAIN_ARGS = ["-live", "64", "-burst", "32", "-gcs", "4", "-watch", "300ms"]


@dataclass(frozen=True)
class RetainRow:
    """One runtime.GC call of a gcretain run: the scavenger's GOGC goal the model computes (`NO_GOAL` when it
    sets none) beside the heap the runtime retained (in-use spans + free pages) at the end of the pause."""

    gc: int
    last_heap_inuse: int  # the model's lastHeapInUse: heapInUse before this call's sweep freed anything
    goal: int  # gosim.gc.mgcscavenge.gc_percent_goal
    retained_before: int  # heapInUse + heapFree right after the call
    retained_end: int  # ... at the end of its pause
    retained_min: int  # the least of all its samples
    released_growth: int  # /memory/classes/heap/released grew by this much during the pause

    @property
    def ratio(self) -> float:
        """retained at the end over the model's goal."""
        return self.retained_end / self.goal


def retain_rows(samples: list[dict]) -> list[RetainRow]:
    """gcretain's ``sample`` lines → one `RetainRow` per runtime.GC call. lastHeapInUse (``heapInUse`` at mark
    termination, before the sweep) is taken from the sample before the call: the ``burst`` line for the first
    call (the burst is still in in-use spans when it is marked dead), and for later ones the line right after
    the call before it (only the program's metrics lines are allocated in between)."""
    from ..gc import mgcscavenge

    def inuse(f: dict) -> int:
        return int(f["objects"]) + int(f["unused"])

    def retained(f: dict) -> int:
        return inuse(f) + int(f["free"])

    burst = next(f for f in samples if f["phase"] == "burst")
    rows = []
    before = burst
    last_goal = int(burst["goal"])
    for k in sorted({int(f["gc"]) for f in samples if f["phase"] == "after"}):
        after = next(f for f in samples if f["phase"] == "after" and int(f["gc"]) == k)
        end = next(f for f in samples if f["phase"] == "end" and int(f["gc"]) == k)
        last = inuse(before)
        goal = mgcscavenge.gc_percent_goal(last, int(after["goal"]), last_goal, retained(after))
        mine = [f for f in samples if f["phase"] in ("after", "watch", "end") and int(f["gc"]) == k]
        rows.append(RetainRow(k, last, goal, retained(after), retained(end), min(map(retained, mine)),
                              int(end["released"]) - int(after["released"])))
        before, last_goal = after, int(after["goal"])
    return rows


HUGE_PAGE = 2 << 20  # physHugePageSize with transparent huge pages on linux/amd64
SCAVENGE_QUANTUM = 64 << 10  # scavengeQuantum: what the background scavenger asks for at a time


def final_scavenge_goal(rows: list[RetainRow]) -> tuple[int, RetainRow]:
    """(the last GOGC scavenger goal the model sets after the first call, the last call's row): the background
    scavenger's stopping point once the chunk index lets it at the burst's pages."""
    from ..gc import mgcscavenge

    goals = [r.goal for r in rows[1:] if r.goal != mgcscavenge.NO_GOAL]
    if not goals:
        raise ValueError("the model set no scavenger goal after the first runtime.GC call")
    return goals[-1], rows[-1]


# --- the pacer simulation's free pages beside a real run ---------------------------------------------------------


@dataclass(frozen=True)
class RetainedRow:
    """The heap a gcchurn run keeps mapped (in-use spans + free pages, not yet released) in its steady cycles,
    beside `gosim.gc.pacersim`'s ``Cycle.retained`` for the same workload (`cycle_count_row`)."""

    cycles: int  # steady cycle lines of the run (heapMarked at least the live set)
    real: int  # median over them of /memory/classes/heap/objects + /memory/classes/heap/free
    model: int  # median over the model's steady cycles of Cycle.retained
    released: int  # bytes the model's scavenger released over the whole run

    @property
    def ratio(self) -> float:
        return self.real / self.model


def retained_row(run: dict, live: int, churn: int) -> RetainedRow:
    """`RetainedRow` for one `gosim.toolchain.gctrace.run_gcchurn` run. The runtime's side is read after mark
    termination, before or during the sweep; in-use spans plus free pages does not move with the sweep (it only
    turns in-use pages into free ones). ``unused`` bytes of in-use spans are not on gcchurn's lines (they sit in
    the workload's non-heap memory), so the runtime's figure is a little low."""
    import statistics

    _, sim = cycle_count_row(run["cycles"], run["summary"], live, churn, run.get("trace"))
    steady = [c for c in run["cycles"] if int(c["live"]) >= live]
    model = [c for c in sim.cycles if c.marked >= live]
    if not steady or not model:
        raise ValueError(f"no steady cycles (heapMarked ≥ {live} B) in the run or the model")
    return RetainedRow(len(steady), int(statistics.median(int(c["objects"]) + int(c["free"]) for c in steady)),
                       int(statistics.median(c.retained for c in model)), sum(c.released for c in sim.cycles))


# --- why the collector is as it is: how far the peak passes the goal ----------------------------------------------


def revise_bound(gogc: int) -> float:
    """The largest goal ``revise`` ever paces assists against, as a multiple of the cycle's goal
    (`gosim.gc.mgcpacer.revise_bound`). A bound on the pacing, not on the heap: the runtime calls even its hard
    goal best-effort (``revise``'s comment, mgcpacer.go)."""
    return mgcpacer.revise_bound(gogc)


@dataclass(frozen=True)
class OvershootRow:
    """How far the peak (``heapLive`` at mark termination) passed the goal in one gcchurn run, beside
    `gosim.gc.pacersim` fed the same workload (`cycle_count_row`). Overshoot = (peak − goal) / goal."""

    gogc: int
    cycles: int  # steady cycles: the cycle before marked at least the live set
    over: int  # of those, cycles whose peak passed the goal
    median: float  # median overshoot of the steady cycles (negative: the mark ended before the goal)
    largest: float  # largest overshoot of a steady cycle
    build_largest: float  # largest overshoot before the steady state (while the live set is built)
    model_over: int  # the model's steady cycles that passed the goal
    model_cycles: int
    model_median: float
    model_largest: float


def overshoot_row(run: dict, live: int, churn: int) -> OvershootRow:
    """`OvershootRow` for one `gosim.toolchain.gctrace.run_gcchurn` run (needs gcpacertrace). The peak is
    ``endCycle``'s ``heapLive`` at mark termination, to the byte; the goal of a steady cycle is the program's
    ``/gc/heap/goal:bytes`` after the cycle before (`pacing_rows`), of a cycle before the steady state the one
    ``endCycle``'s ``∆goal`` implies (peak − ∆goal: no metrics line need precede it)."""
    import statistics

    steady = pacing_rows(run["stderr"], run["cycles"], live)
    if not steady:
        raise ValueError(f"no steady cycles (heapMarked ≥ {live} B) in the run")
    real = [(r.live_end - r.goal) / r.goal for r in steady]
    first = min(r.cycle for r in steady)
    build = [e.delta_goal / (e.live - e.delta_goal) for n, e in pacer_ends(run["stderr"]).items()
             if e is not None and n < first and e.live > e.delta_goal]
    row, sim = cycle_count_row(run["cycles"], run["summary"], live, churn, run.get("trace"))
    model = [c.overshoot for c in sim.cycles if c.last_marked >= live]
    if not model:
        raise ValueError("the model ran no steady cycles")
    return OvershootRow(row.gogc, len(real), sum(o > 0 for o in real), statistics.median(real), max(real),
                        max(build, default=0.0), sum(o > 0 for o in model), len(model),
                        statistics.median(model), max(model))


def overshoot_summary(rows: list[OvershootRow]) -> dict:
    """Several runs of one setting taken together: cycles, cycles over the goal, the largest steady overshoot,
    the spread of the per-run medians (runtime and model) and the largest gap between the two medians."""
    return dict(cycles=sum(r.cycles for r in rows), over=sum(r.over for r in rows),
                largest=max(r.largest for r in rows), build_largest=max(r.build_largest for r in rows),
                medians=(min(r.median for r in rows), max(r.median for r in rows)),
                model_medians=(min(r.model_median for r in rows), max(r.model_median for r in rows)),
                gap=max(abs(r.median - r.model_median) for r in rows),
                model_over=sum(r.model_over for r in rows), model_cycles=sum(r.model_cycles for r in rows))


# --- Green Tea in depth: the packed scan, on and off ----------------------------------------------------------------

# GODEBUG setting that clears one of the CPU features avx512ScanPackedReqsMet needs (internal/cpu's options), so
# scan.HasFastScanSpanPacked is false and every multi-object span visit scans one object at a time.
PACKED_OFF = "cpu.avx512vl=off"


def packed_share(st) -> float:
    """Share of a run's span visits (gctrace=2, one size class) that took the packed scan: dense / all visits."""
    return st.dense_spans / st.span_visits if st.span_visits else 0.0


def model_packed_share(g) -> float:
    """The same share in `gosim.gc.greentea.MarkStats`: packed visits over multi-object span visits (gctrace=2
    counts a single-mark visit among the objects scanned alone, not among its span visits)."""
    multi = g.span_visits - g.one_mark_visits
    return g.packed_visits / multi if multi else 0.0


def sparse_heap(n: int, every: int, size: int = 64):
    """The model's heap for ``gosim/programs/gcsparse``: ``every`` nodes of ``size`` bytes allocated in a row,
    the first of each group kept in a ``[]*node`` (512-pointer chunks, as `gosim.gc.heap.dense_heap`), ``n``
    kept in all: each span holds about ``nelems/every`` live nodes, so one span visit finds about that many
    marked. Every other node is garbage the mark never reaches."""
    from ..gc import heap

    if n < 1 or every < 1:
        raise ValueError(f"n and every must be at least 1, got n={n}, every={every}")
    store = heap.ObjectStore()
    kept = []
    for _ in range(n):
        kept.append(store.allocate(size, 2))
        for _ in range(every - 1):
            store.allocate(size, 2)
    arrays = []
    for start in range(0, n, 512):
        part = kept[start:start + 512]
        a = store.allocate(len(part) * heap.PTR_SIZE, len(part))
        store.fields_[a] = list(part)
        arrays.append(a)
    store.globals = arrays
    store.stacks = [[]]
    return store
