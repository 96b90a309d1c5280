"""A cycle-by-cycle simulation of the collector's pacing, driving the real pacer's arithmetic (`GCController`).

Each cycle has two phases, as in runtime/mgc.go. **Off**: the mutator allocates (``heapLive`` grows) until
``heapLive >= trigger`` (``gcTrigger.test``). **Mark**: a stop-the-world pause (sweep termination), then marking
runs concurrently: the background workers (``dedicatedMarkWorkersNeeded`` + ``fractionalUtilizationGoal``, 25 % of
GOMAXPROCS), idle mark workers on Ps the mutator leaves idle, and mutator **assists** paying
``assistWorkPerByte`` of scan work for each byte allocated, after spending the background workers' credit
(``bgScanCredit``). What the mutator allocates during the mark is allocated black, so it survives the cycle. When
the scan work (scannable live heap + stacks + globals) is done, a second pause (mark termination) runs
``endCycle`` (the cons/mark estimate), ``resetLive`` and ``commit``: the next goal and trigger.

The model is fluid: rates, not objects (`gosim.gc.mgc` marks objects). Time advances in slices of the mark
phase; each slice calls ``revise`` and feeds the GC CPU limiter (`gosim.gc.mgclimit`), which turns assists off
when GC has used more than its share. What it leaves out: sweeping's cost and duration (``commit(False)`` still
sets the sweep-distance bound, ``heapMarked + 1 MiB``, which binds only for a goal within ~1.4 MiB of it); span
tails only as a workload's ``heap_live_per_byte`` (heapLive's growth per byte of objects); the scavenger's pace and
chunk index (free pages stay mapped, ``heapFree``, until the end of a cycle, when the scavenger releases at once
what its two goals ask, `gosim.gc.mgcscavenge`; ``mappedReady`` is non-heap memory plus the retained heap, in-use
spans taken as ``heapLive``), over-assist (``gcOverAssistWork``), forced GCs every 2 min, goroutine scheduling
detail (Ps are CPU shares).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import mgcscavenge
from .mgclimit import GCCPULimiter
from .mgcpacer import MAX_INT64, GCController, format_gogc, readGOGC, readGOMEMLIMIT
from .workload import SCENARIOS, Workload

GOMAXPROCS_LIMIT = 1024


@dataclass(frozen=True)
class Cycle:
    """One simulated GC cycle; the names follow gctrace (``heap0->heap1->heap2 MB, goal``) where they can."""

    n: int
    start_s: float  # when heapLive reached the trigger
    mark_s: float  # concurrent mark phase, seconds
    trigger: int
    goal: int  # the goal this cycle was paced against (lastHeapGoal)
    heap0: int  # heapLive at GC start
    peak: int  # heap1: heapLive at mark termination
    marked: int  # heap2: bytesMarked = heapMarked
    live: int  # the true live heap when the mark started
    next_goal: int
    next_trigger: int
    utilization: float  # all GC CPU during the mark / (mark time × GOMAXPROCS), idle workers included
    pacer_utilization: float  # 0.25 + assists, what gcpacertrace prints as "% CPU"
    assist_fraction: float  # assist CPU / (mark time × GOMAXPROCS)
    cons_mark: float  # this cycle's measured cons/mark
    runway: int  # the runway committed for the next cycle
    limiter: bool  # the GC CPU limiter was on at some point of the mark
    limit_bound: bool  # the memory limit, not GOGC, set the goal
    last_marked: int = 0  # heapMarked of the previous cycle, where the runway is measured from
    retained: int = 0  # heap memory still mapped after this cycle's sweep and scavenging: in use + free
    released: int = 0  # bytes the scavenger returned to the OS after this cycle

    @property
    def overshoot(self) -> float:
        """(peak − goal)/goal: negative when the cycle finished before the goal."""
        return (self.peak - self.goal) / self.goal if self.goal else 0.0

    @property
    def trigger_fraction(self) -> float:
        """Where the trigger sits between heapMarked and the goal (0.703..0.953 when clamped)."""
        span = self.goal - self.last_marked
        return (self.trigger - self.last_marked) / span if span > 0 else 1.0


@dataclass(frozen=True)
class PacerRun:
    workload: str
    gogc: int
    memlimit: int
    gomaxprocs: int
    cycles: tuple[Cycle, ...]
    series: tuple[tuple[float, int, int, int], ...]  # (t, heapLive, goal, trigger) at phase boundaries
    seconds: float
    allocated: float
    mutator_cpu_s: float
    gc_cpu_s: float

    @property
    def gc_cpu_pct(self) -> float:
        total = self.mutator_cpu_s + self.gc_cpu_s
        return 100 * self.gc_cpu_s / total if total else 0.0

    @property
    def peak(self) -> int:
        return max((c.peak for c in self.cycles), default=max((p[1] for p in self.series), default=0))

    def rows(self) -> list[dict]:
        """One dict per cycle, ready for a table or a plot (MiB and percent)."""
        mib = 1 << 20
        return [dict(cycle=c.n, t_s=round(c.start_s, 4), trigger_mib=c.trigger / mib, goal_mib=c.goal / mib,
                     heap0_mib=c.heap0 / mib, peak_mib=c.peak / mib, marked_mib=c.marked / mib, live_mib=c.live / mib,
                     mark_ms=c.mark_s * 1e3, util_pct=100 * c.utilization, assist_pct=100 * c.assist_fraction,
                     overshoot_pct=100 * c.overshoot, cons_mark=c.cons_mark, limiter=c.limiter,
                     limit_bound=c.limit_bound) for c in self.cycles]


def check_gomaxprocs(value) -> int:
    """GOMAXPROCS: a positive integer. The runtime has no upper bound (it ignores 0 or garbage and uses its
    default); gosim's bound of 1024 is the model's practical limit."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"gomaxprocs must be a positive integer 1..{GOMAXPROCS_LIMIT}, got {value!r}") from None
    if not 1 <= n <= GOMAXPROCS_LIMIT or str(value).strip() != str(n):
        raise ValueError(f"gomaxprocs must be a positive integer 1..{GOMAXPROCS_LIMIT} (gosim's practical limit; "
                         f"the runtime ignores 0 and uses its default), got {value!r}")
    return n


def _ns(t: float) -> int:
    return int(round(t * 1e9))


def simulate(workload: Workload | str, gogc: int | str = 100, memlimit: int | str = MAX_INT64,
             gomaxprocs: int = 2, *, steps_per_mark: int = 32, max_cycles: int = 20000) -> PacerRun:
    """Run ``workload`` (a `Workload` or a name in `SCENARIOS`) under GOGC and GOMEMLIMIT (runtime syntax or
    ints) with ``gomaxprocs`` Ps, until its duration or allocation volume is used up."""
    if isinstance(workload, str):
        if workload not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {workload!r}")
        workload = SCENARIOS[workload]
    gogc = readGOGC(gogc)
    memlimit = readGOMEMLIMIT(memlimit) if isinstance(memlimit, str) else memlimit
    procs = check_gomaxprocs(gomaxprocs)
    w = workload
    if math.isinf(w.duration) and math.isinf(w.volume):
        raise ValueError("workload needs a finite duration or allocation volume")

    ctl = GCController.init(gogc, memlimit)
    limiter = GCCPULimiter(procs)
    t = 0.0
    allocated = 0.0
    mutator_cpu = gc_cpu = 0.0
    cycles: list[Cycle] = []
    trig, goal = ctl.trigger()
    series: list[tuple[float, int, int, int]] = [(0.0, 0, goal, trig)]

    retained = 0  # heapInUse + heapFree: the heap's mapped, unreleased pages

    def set_memory_inputs() -> None:
        nonlocal retained
        retained = max(retained, ctl.heapLive)  # growth reuses free pages first, then maps more
        ctl.heapAlloc = ctl.heapLive
        ctl.heapFree = retained - ctl.heapLive
        ctl.mappedReady = int(w.nonheap(t)) + retained

    finished = False
    while not finished and len(cycles) < max_cycles:
        if t >= w.duration or allocated >= w.volume:  # e.g. cycles back to back (live heap above the limit)
            break
        # --- off: allocate up to the trigger -------------------------------------------------------------------
        set_memory_inputs()
        trig, goal = ctl.trigger()
        m_off = min(w.goroutines, procs)
        rate = w.alloc_rate(t) * m_off
        need = trig - ctl.heapLive
        per_byte = w.heap_live_per_byte(t)
        if need > 0:
            dt = need / per_byte / rate
            if allocated + need / per_byte >= w.volume or t + dt >= w.duration:
                dt = min((w.volume - allocated) / rate, w.duration - t)
                finished = True
            t += dt
            allocated += rate * dt
            ctl.heapLive += int(rate * dt * per_byte)
            mutator_cpu += m_off * dt
            limiter.tick(dt, 0.0, (procs - m_off) * dt, len(cycles))
            series.append((t, ctl.heapLive, goal, trig))
            if finished:
                break

        # --- mark -------------------------------------------------------------------------------------------------
        live = min(int(w.live(t)), ctl.heapLive)  # nothing is live that was never allocated
        sf = w.scan_fraction(t)
        stacks, globals_ = int(w.stacks(t)), int(w.globals_(t))
        heap_work = int(sf * live)
        total_work = heap_work + stacks + globals_
        ctl.globalsScan = globals_
        ctl.maxStackScan = stacks
        ctl.heapScan = ctl.lastHeapScan + int(sf * max(ctl.heapLive - ctl.heapMarked, 0))
        start = t
        heap0 = ctl.heapLive
        last_marked = ctl.heapMarked
        t += w.stw
        gc_cpu += w.stw * procs
        limiter.stw(w.stw, len(cycles))
        set_memory_inputs()
        ctl.startCycle(_ns(t), procs)
        limiter.gcEnabled = True
        mark_start = t
        dedicated, frac = ctl.dedicatedMarkWorkersNeeded, ctl.fractionalUtilizationGoal
        fractional = frac * procs
        m_raw = min(w.goroutines, procs - dedicated)
        idle_ps = procs - dedicated - m_raw
        if idle_ps >= fractional:
            m, idle_workers = float(m_raw), idle_ps - fractional
        else:
            m, idle_workers = m_raw - (fractional - idle_ps), 0.0
        background = dedicated + fractional
        done = 0.0
        credit = 0.0
        assist_s = idle_s = bg_s = 0.0
        limited = False
        black = 0.0  # bytes of objects allocated (black) during the mark
        steps = 0
        while done < total_work:
            s = w.scan_rate(t)
            gc_rate = s * (background + idle_workers)
            dt = max(total_work / gc_rate / steps_per_mark, 1e-9)
            a = w.alloc_rate(t)
            r = 0.0 if limiter.limiting() else ctl.assistWorkPerByte
            limited |= limiter.limiting()
            bg_work = gc_rate * dt
            debt = r * a * m * dt
            avail = credit + bg_work
            if debt <= avail:
                ts, credit = 0.0, avail - debt
            else:
                ts, credit = min((debt - avail) / (s + r * a), m * dt), 0.0
            work = bg_work + s * ts
            if done + work > total_work:  # last slice: only as long as needed
                frac_used = (total_work - done) / work
                dt *= frac_used
                ts *= frac_used
                work = total_work - done
            alloc = a * (m * dt - ts)
            if allocated + alloc >= w.volume or t + dt >= w.duration:
                # the program ends during this mark: the cycle never completes
                allocated = min(allocated + alloc, w.volume)
                t += dt
                finished = True
                break
            done += work
            allocated += alloc
            black += alloc
            ctl.heapLive += int(alloc * w.heap_live_per_byte(t))
            assist_s += ts
            idle_s += idle_workers * dt
            bg_s += background * dt
            mutator_cpu += m * dt - ts
            t += dt
            ctl.stackScanWork = int(min(done, stacks))
            ctl.globalsScanWork = int(min(max(done - stacks, 0.0), globals_))
            ctl.heapScanWork = int(min(max(done - stacks - globals_, 0.0), heap_work))
            ctl.assistTime = _ns(assist_s)
            ctl.idleMarkTime = _ns(idle_s)
            ctl.dedicatedMarkTime = _ns(dedicated * (t - mark_start))
            ctl.fractionalMarkTime = _ns(fractional * (t - mark_start))
            set_memory_inputs()
            ctl.revise()
            limiter.tick(dt, ts, idle_workers * dt, len(cycles))
            steps += 1
            if steps > 200 * steps_per_mark:
                break
        if finished:
            break
        gc_cpu += assist_s + idle_s + bg_s
        mark_s = t - mark_start
        t += w.stw
        gc_cpu += w.stw * procs
        limiter.stw(w.stw, len(cycles))
        limiter.gcEnabled = False
        limit_bound = ctl.limitBound()
        current = ctl.endCycle(_ns(t - w.stw), procs)
        peak = ctl.heapLive
        marked = live + int(black)  # bytesMarked counts objects, not span tails
        ctl.resetLive(marked)
        set_memory_inputs()  # the sweep frees what was not marked: its pages become free, still mapped
        ctl.commit(False)
        next_trigger, next_goal = ctl.trigger()
        # gcPaceScavenger's goals (lastHeapInUse: the in-use heap at mark termination), met at once
        nonheap = int(w.nonheap(t))
        gc_goal = mgcscavenge.gc_percent_goal(peak, next_goal, ctl.lastHeapGoal, retained)
        limit_goal = mgcscavenge.NO_GOAL if ctl.memoryLimit >= MAX_INT64 else \
            mgcscavenge.memory_limit_goal(ctl.memoryLimit, nonheap + retained)
        released = mgcscavenge.released_to_meet(ctl.heapLive, retained - ctl.heapLive, nonheap, gc_goal, limit_goal)
        retained -= released
        set_memory_inputs()
        dur = max(mark_s, 1e-12)
        cycles.append(Cycle(
            n=len(cycles) + 1, start_s=start, mark_s=mark_s, trigger=trig, goal=ctl.lastHeapGoal, heap0=heap0,
            peak=peak, marked=marked, live=live, next_goal=next_goal, next_trigger=next_trigger,
            utilization=(assist_s + idle_s + bg_s) / (dur * procs),
            pacer_utilization=0.25 + assist_s / (dur * procs), assist_fraction=assist_s / (dur * procs),
            cons_mark=current if current is not None else 0.0, runway=ctl.runway, limiter=limited,
            limit_bound=limit_bound, last_marked=last_marked, retained=retained, released=released))
        series.append((start + w.stw + mark_s, peak, ctl.lastHeapGoal, trig))
        series.append((t, marked, next_goal, next_trigger))
    return PacerRun(w.name, gogc, memlimit, procs, tuple(cycles), tuple(series), t, allocated, mutator_cpu, gc_cpu)


def format_run(run: PacerRun) -> str:
    """The per-cycle table ``python -m gosim pacer run`` prints."""
    lim = "off" if run.memlimit >= MAX_INT64 else f"{run.memlimit / (1 << 20):.0f}MiB"
    head = (f"# scenario={run.workload} gogc={format_gogc(run.gogc)} memlimit={lim} gomaxprocs={run.gomaxprocs} "
            f"cycles={len(run.cycles)} gc_cpu_pct={run.gc_cpu_pct:.2f} peak_mib={run.peak / (1 << 20):.1f}")
    cols = ("cycle", "t_s", "trigger_mib", "goal_mib", "peak_mib", "live_mib", "util_pct", "assist_pct",
            "overshoot_pct", "cons_mark", "limiter")
    lines = [head, " ".join(f"{c:>13}" for c in cols)]
    for row in run.rows():
        vals = []
        for c in cols:
            v = row[c]
            if isinstance(v, bool):
                v = "yes" if v else "no"
            vals.append(f"{v:>13}" if isinstance(v, (str, int)) else f"{v:>13.3f}")
        lines.append(" ".join(vals))
    return "\n".join(lines)


def tradeoff(workload: Workload | str = "steady", gogcs=(25, 50, 100, 200, 400, 800), memlimit: int | str = MAX_INT64,
             gomaxprocs: int = 2) -> list[tuple[int, float, float]]:
    """(GOGC, GC CPU %, peak heap MiB) per GOGC: the GC-CPU-versus-memory curve of the full model (compare
    `gosim.gc.guide.tradeoff_curve`, the guide's toy)."""
    out = []
    for g in gogcs:
        run = simulate(workload, g, memlimit, gomaxprocs)
        out.append((g, run.gc_cpu_pct, run.peak / (1 << 20)))
    return out


def guide_workload_run(name: str, gogc: int | str = 100, memory_limit_mib: float = math.inf,
                       other_mem_mib: float = 0.0, gomaxprocs: int = 1) -> PacerRun:
    """The full model on one of the go.dev GC guide's workloads (`gosim.gc.workload.from_guide`), with the
    guide's units (MiB; ``math.inf`` = no limit): what the guide's stop-the-world toy
    (`gosim.gc.guide.run_guide`) would look like with concurrent marking, a trigger and the pacer.
    GOMAXPROCS 1 by default: the guide's toy has one CPU."""
    from .workload import from_guide

    limit = MAX_INT64 if math.isinf(memory_limit_mib) else int(memory_limit_mib * (1 << 20))
    return simulate(from_guide(name, other_mem_mib), gogc, limit, gomaxprocs)
