"""The pacer: ``gcController``, which decides when a GC cycle starts and how hard it must work.

Mirrors ``runtime/mgcpacer.go`` (design 44167-gc-pacer-redesign, Go 1.18; memory limit, Go 1.19) function by
function, with the runtime's names and its integer arithmetic (uint64 divisions truncate, in the same order):

* ``commit``: the GOGC goal ``heapMarked + (heapMarked + lastStackScan + globalsScan)·GOGC/100``, floored at
  ``heapMinimum = 4 MiB·GOGC/100``; the runway ``consMark·(1−u)/u·(lastHeapScan + lastStackScan + globalsScan)``
  with ``u = gcGoalUtilization = 0.25``; ``sweepDistMinTrigger = heapLive + 1 MiB`` while sweeping is unfinished;
* ``heapGoalInternal`` / ``memoryLimitHeapGoal``: the smaller of the GOGC goal and the memory-limit goal
  ``limit − nonHeap − overage`` less its headroom ``max(3 %, 1 MiB)``, never below ``heapMarked``, where
  ``nonHeap = mappedReady − heapFree − heapAlloc`` (free, unscavenged heap pages are not non-heap memory) and
  ``overage = max(mappedReady − limit, 0)``;
* ``trigger``: ``goal − runway`` clamped between a lower bound, 45/64 of the way from ``heapMarked`` to the goal
  (raised to the sweep-distance trigger ``heapLive + 1 MiB`` when that is higher and the limit does not bind),
  and an upper bound, 61/64 of the way or ``goal − 4 MiB`` when that is higher (large heaps);
* ``startCycle`` (dedicated and fractional mark workers for GOMAXPROCS), ``revise`` (``assistWorkPerByte``),
  ``endCycle`` (the cons/mark estimate, the maximum of this cycle's and the previous four), ``resetLive``;
* ``readGOGC`` and ``readGOMEMLIMIT`` as strict validators (the runtime silently falls back to 100 on a bad GOGC).

What it leaves out: the atomics and locks (one thread drives it), ``maxStackScanSlack`` batching, tracing. The GC
CPU limiter is in `gosim.gc.mgclimit`; a cycle-by-cycle simulation that drives this controller is in
`gosim.gc.pacersim`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..units import MiB, parse_bytes

# mgcpacer.go constants.
gcGoalUtilization = 0.25
gcBackgroundUtilization = 0.25
gcOverAssistWork = 64 << 10
defaultHeapMinimum = 4 << 20
memoryLimitMinHeapGoalHeadroom = 1 << 20
memoryLimitHeapGoalHeadroomPercent = 3
triggerRatioDen = 64
minTriggerRatioNum = 45
maxTriggerRatioNum = 61
sweepMinHeapDistance = 1 << 20  # mgc.go
minRunway = 64 << 10  # heapGoalInternal
maxUtilError = 0.3  # startCycle

MAX_INT64 = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
GOGC_OFF = -1

_INT = re.compile(r"^[+-]?\d+$")


def _u64(x: int) -> int:
    return x & UINT64_MAX


def _fdiv(a: float, b: float) -> float:
    """Go's float64 division: dividing by zero gives ±Inf (NaN for 0/0) instead of raising."""
    if b:
        return a / b
    return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)


def _int64(x: float) -> int:
    """Go's ``int64(x)`` for a float64 on amd64 (``CVTTSD2SQ``): truncate; NaN, ±Inf and values out of range
    give MinInt64. (Only reachable with no scan work expected at all, e.g. a heap with no globals.)"""
    if math.isnan(x) or math.isinf(x) or not -(2.0 ** 63) <= x < 2.0 ** 63:
        return -(1 << 63)
    return int(x)


def readGOGC(value: str | int | None) -> int:
    """Models ``readGOGC`` (mgcpacer.go): ``"off"`` or a negative integer → -1 (off), an integer → itself.

    Unlike the runtime, anything else is an error here: the runtime silently falls back to GOGC=100 when
    ``strconv.ParseInt(p, 10, 32)`` fails, which hides typos such as ``GOGC=10O``. ``None`` or ``""`` (unset) is 100.
    """
    if value is None or value == "":
        return 100
    if isinstance(value, bool):
        raise ValueError(f"GOGC must be an integer or 'off', got {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if text == "off":
            return GOGC_OFF
        if not _INT.match(text):
            raise ValueError(f"GOGC must be an integer (negative means off) or 'off', got {value!r}; "
                             "the runtime would silently fall back to GOGC=100")
        n = int(text)
    if not -(1 << 31) <= n < (1 << 31):
        raise ValueError(f"GOGC must fit in an int32 (-2147483648..2147483647), got {value!r}; "
                         "the runtime would silently fall back to GOGC=100")
    return GOGC_OFF if n < 0 else n


def readGOMEMLIMIT(value: str | int | None) -> int:
    """Models ``readGOMEMLIMIT``: unset or ``"off"`` → MaxInt64 (no limit), else the runtime's byte-count syntax
    (``parseByteCount``: ``100MiB``, a bare number is bytes). The runtime throws on a malformed value; so do we."""
    if value is None or value == "" or value == "off":
        return MAX_INT64
    try:
        n = parse_bytes(value, "GOMEMLIMIT")
    except ValueError as exc:
        raise ValueError(f"{exc}, or 'off' (the runtime throws 'malformed GOMEMLIMIT')") from None
    return min(n, MAX_INT64)


def format_gogc(gogc: int) -> str:
    return "off" if gogc < 0 else str(gogc)


def mark_workers(procs: int) -> tuple[int, float]:
    """(dedicatedMarkWorkersNeeded, fractionalUtilizationGoal) for GOMAXPROCS ``procs``: the computation at the top
    of ``startCycle``. 25 % of ``procs`` rounded to whole dedicated workers; when rounding is more than 30 % off
    (GOMAXPROCS ≤ 3 or 6) one fewer dedicated worker and a fractional one makes up the rest."""
    if not isinstance(procs, int) or isinstance(procs, bool) or procs < 1:
        raise ValueError(f"gomaxprocs must be a positive integer, got {procs!r}")
    total = float(procs) * gcBackgroundUtilization
    dedicated = int(total + 0.5)
    util_error = float(dedicated) / total - 1
    if util_error < -maxUtilError or util_error > maxUtilError:
        if float(dedicated) > total:
            dedicated -= 1
        fractional = (total - float(dedicated)) / float(procs)
    else:
        fractional = 0.0
    return dedicated, fractional


def trigger_upper_bound(goal: int, heapMarked: int) -> int:
    """``trigger``'s ``maxTrigger`` before it is raised to the lower bound: 61/64 of the way from ``heapMarked``
    to ``goal`` (uint64 arithmetic, the division first), or ``goal − defaultHeapMinimum`` when that is higher
    (a gap over 64/3 · 4 MiB ≈ 85 MiB: a large heap with little scan work gets 4 MiB of runway, not 3/64)."""
    max_trigger = ((goal - heapMarked) // triggerRatioDen) * maxTriggerRatioNum + heapMarked
    if goal > defaultHeapMinimum and goal - defaultHeapMinimum > max_trigger:
        max_trigger = goal - defaultHeapMinimum
    return max_trigger


@dataclass
class GCController:
    """``gcControllerState``: the pacer's state, with the runtime's field names. Mutable, as in the runtime.

    Inputs the runtime keeps elsewhere are fields here: ``mappedReady``, ``heapFree`` and ``heapAlloc``
    (``totalAlloc − totalFree``) feed ``memoryLimitHeapGoal``.
    """

    gcPercent: int = 100
    memoryLimit: int = MAX_INT64
    heapMinimum: int = defaultHeapMinimum
    runway: int = 0
    consMark: float = 0.0
    lastConsMark: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    gcPercentHeapGoal: int = UINT64_MAX
    sweepDistMinTrigger: int = 0
    triggered: int = UINT64_MAX
    lastHeapGoal: int = 0
    heapLive: int = 0
    heapScan: int = 0
    lastHeapScan: int = 0
    lastStackScan: int = 0
    maxStackScan: int = 0
    globalsScan: int = 0
    heapMarked: int = 0
    heapScanWork: int = 0
    stackScanWork: int = 0
    globalsScanWork: int = 0
    bgScanCredit: int = 0
    assistTime: int = 0  # ns
    dedicatedMarkTime: int = 0
    fractionalMarkTime: int = 0
    idleMarkTime: int = 0
    markStartTime: int = 0
    dedicatedMarkWorkersNeeded: int = 0
    fractionalUtilizationGoal: float = 0.0
    assistWorkPerByte: float = 0.0
    assistBytesPerWork: float = 0.0
    mappedReady: int = 0
    heapFree: int = 0
    heapAlloc: int = 0

    # --- set-up ------------------------------------------------------------------------------------------------

    @classmethod
    def init(cls, gcPercent: int = 100, memoryLimit: int = MAX_INT64) -> GCController:
        """``gcControllerState.init`` (called from ``gcinit``): no GC has run, no sweep is pending."""
        c = cls()
        c.heapMinimum = defaultHeapMinimum
        c.triggered = UINT64_MAX
        c.setGCPercent(gcPercent)
        c.setMemoryLimit(memoryLimit)
        c.commit(True)
        return c

    def setGCPercent(self, gcPercent: int) -> int:
        """``setGCPercent``: negative means off; ``heapMinimum = defaultHeapMinimum·GOGC/100`` (uint64)."""
        out = self.gcPercent
        if gcPercent < 0:
            gcPercent = -1
        self.heapMinimum = _u64(defaultHeapMinimum * _u64(gcPercent)) // 100
        self.gcPercent = gcPercent
        return out

    def setMemoryLimit(self, memoryLimit: int) -> int:
        out = self.memoryLimit
        if memoryLimit >= 0:
            self.memoryLimit = memoryLimit
        return out

    # --- goal and trigger --------------------------------------------------------------------------------------

    def commit(self, isSweepDone: bool) -> None:
        """``commit``: the GOGC goal, the sweep-distance bound and the runway for the next cycle."""
        self.sweepDistMinTrigger = 0 if isSweepDone else self.heapLive + sweepMinHeapDistance
        goal = UINT64_MAX
        if self.gcPercent >= 0:
            goal = self.heapMarked + (self.heapMarked + self.lastStackScan + self.globalsScan) * self.gcPercent // 100
        if goal < self.heapMinimum:
            goal = self.heapMinimum
        self.gcPercentHeapGoal = goal
        self.runway = int((self.consMark * (1 - gcGoalUtilization) / gcGoalUtilization)
                          * float(self.lastHeapScan + self.lastStackScan + self.globalsScan))

    def heapGoal(self) -> int:
        return self.heapGoalInternal()[0]

    def heapGoalInternal(self) -> tuple[int, int]:
        """(goal, minTrigger): the smaller of the GOGC and memory-limit goals; when not limit-bound, at least the
        sweep-distance trigger and ``triggered + 64 KiB`` during a cycle."""
        goal = self.gcPercentHeapGoal
        min_trigger = 0
        limit_goal = self.memoryLimitHeapGoal()
        if limit_goal < goal:
            goal = limit_goal
        else:
            if self.sweepDistMinTrigger > goal:
                goal = self.sweepDistMinTrigger
            min_trigger = self.sweepDistMinTrigger
            if self.triggered != UINT64_MAX and goal < self.triggered + minRunway:
                goal = self.triggered + minRunway
        return goal, min_trigger

    def limitBound(self) -> bool:
        """Whether the memory limit, not GOGC, sets the goal now."""
        return self.memoryLimitHeapGoal() < self.gcPercentHeapGoal

    def memoryLimitHeapGoal(self) -> int:
        """``memoryLimitHeapGoal``: ``limit − (mappedReady − heapFree − heapAlloc) − overage``, minus headroom."""
        limit = self.memoryLimit
        non_heap = _u64(self.mappedReady - self.heapFree - self.heapAlloc)
        overage = self.mappedReady - limit if self.mappedReady > limit else 0
        if non_heap + overage >= limit:
            return self.heapMarked
        goal = limit - (non_heap + overage)
        headroom = goal // 100 * memoryLimitHeapGoalHeadroomPercent
        if headroom < memoryLimitMinHeapGoalHeadroom:
            headroom = memoryLimitMinHeapGoalHeadroom
        if goal < headroom or goal - headroom < headroom:
            goal = headroom
        else:
            goal = goal - headroom
        if goal < self.heapMarked:
            goal = self.heapMarked
        return goal

    def trigger(self) -> tuple[int, int]:
        """``trigger``: (trigger, goal). GC starts when ``heapLive >= trigger`` (``gcTrigger.test``)."""
        goal, min_trigger = self.heapGoalInternal()
        if self.heapMarked >= goal:
            return goal, goal
        if min_trigger < self.heapMarked:
            min_trigger = self.heapMarked
        lower = ((goal - self.heapMarked) // triggerRatioDen) * minTriggerRatioNum + self.heapMarked
        if min_trigger < lower:
            min_trigger = lower
        max_trigger = max(trigger_upper_bound(goal, self.heapMarked), min_trigger)
        trigger = min_trigger if self.runway > goal else goal - self.runway
        trigger = min(max(trigger, min_trigger), max_trigger)
        return trigger, goal

    # --- one cycle ---------------------------------------------------------------------------------------------

    def startCycle(self, markStartTime: int, procs: int, timeTriggered: bool = False) -> None:
        """``startCycle``: reset the cycle's counters, ``triggered = heapLive``, choose the mark workers, revise."""
        self.heapScanWork = self.stackScanWork = self.globalsScanWork = 0
        self.bgScanCredit = self.assistTime = 0
        self.dedicatedMarkTime = self.fractionalMarkTime = self.idleMarkTime = 0
        self.markStartTime = markStartTime
        self.triggered = self.heapLive
        self.dedicatedMarkWorkersNeeded, self.fractionalUtilizationGoal = mark_workers(procs)
        self.revise()

    def revise(self) -> None:
        """``revise``: ``assistWorkPerByte = scanWorkRemaining / heapRemaining``, extrapolating the goal when the
        scan work already exceeds the expectation (capped at the hard goal ``(1+GOGC/100)·goal``) and adding 10 %
        once past the goal."""
        gc_percent = self.gcPercent if self.gcPercent >= 0 else 100000
        live = self.heapLive
        scan = self.heapScan
        work = self.heapScanWork + self.stackScanWork + self.globalsScanWork
        heap_goal, scan_work_expected = revise_goal(
            self.heapGoal(), self.triggered, live, work, self.lastHeapScan + self.lastStackScan + self.globalsScan,
            scan + self.maxStackScan + self.globalsScan, gc_percent)
        remaining = max(scan_work_expected - work, 1000)
        heap_remaining = heap_goal - live
        if heap_remaining <= 0:
            heap_remaining = 1
        self.assistWorkPerByte = float(remaining) / float(heap_remaining)
        self.assistBytesPerWork = float(heap_remaining) / float(remaining)

    def endCycle(self, now: int, procs: int) -> float | None:
        """``endCycle``: record ``lastHeapGoal`` and the cons/mark estimate for the next cycle. Returns this cycle's
        measured cons/mark (``currentConsMark``), or None when the cycle allocated nothing (the runtime skips)."""
        self.lastHeapGoal = self.heapGoal()
        assist_duration = now - self.markStartTime
        utilization = gcBackgroundUtilization
        if assist_duration > 0:
            utilization += float(self.assistTime) / float(assist_duration * procs)
        if self.heapLive <= self.triggered:
            return None
        idle_utilization = 0.0
        if assist_duration > 0:
            idle_utilization = float(self.idleMarkTime) / float(assist_duration * procs)
        scan_work = self.heapScanWork + self.stackScanWork + self.globalsScanWork
        current = (float(self.heapLive - self.triggered) * (utilization + idle_utilization)) / \
            (float(scan_work) * (1 - utilization))
        self.consMark = max([current, *self.lastConsMark])
        self.lastConsMark = self.lastConsMark[1:] + [current]
        return current

    def resetLive(self, bytesMarked: int) -> None:
        """``resetLive``: after mark termination ``heapLive = heapMarked = bytesMarked``; this cycle's scan work
        becomes next cycle's expectation."""
        self.heapMarked = bytesMarked
        self.heapLive = bytesMarked
        self.heapScan = self.heapScanWork
        self.lastHeapScan = self.heapScanWork
        self.lastStackScan = self.stackScanWork
        self.triggered = UINT64_MAX


# revise: once heapLive has passed the (extrapolated) goal, pace against this multiple of it.
maxOvershoot = 1.1


def revise_goal(heap_goal: int, triggered: int, live: int, work: int, scan_work_expected: int,
                max_scan_work: int, gc_percent: int) -> tuple[int, int]:
    """``revise``'s goal and expected scan work: the goal the assists are paced to reach. When the scan work done
    already exceeds the expectation, the goal is extrapolated to the worst-case scan work, capped at the hard goal
    ``(1 + GOGC/100) × goal``; when ``heapLive`` has passed even that, the goal is raised by ``maxOvershoot``."""
    if work > scan_work_expected:
        ext = _int64(_fdiv(float(heap_goal - triggered), float(scan_work_expected)) * float(max_scan_work)) \
            + triggered
        scan_work_expected = max_scan_work
        hard_goal = int((1.0 + float(gc_percent) / 100.0) * float(heap_goal))
        heap_goal = min(ext, hard_goal)
    if live > heap_goal:
        heap_goal = int(float(heap_goal) * maxOvershoot)
        scan_work_expected = max_scan_work
    return heap_goal, scan_work_expected


def revise_bound(gogc: int) -> float:
    """The largest goal `revise_goal` ever paces against, as a multiple of the cycle's goal: a heap far past the
    goal and scan work far over its expectation (the hard goal, then ``maxOvershoot``)."""
    goal = 1 << 30
    paced, _ = revise_goal(goal, goal // 2, 1 << 50, 2, 1, 1 << 20, gogc)
    return paced / goal


def heap_goal(live: int, gogc: int = 100, *, stacks: int = 0, globals_: int = 0, memlimit: int = MAX_INT64,
              nonheap: int = 0, heap_free: int = 0, heap_alloc: int | None = None, sweep_done: bool = False) -> int:
    """The heap goal ``/gc/heap/goal:bytes`` reports right after a cycle that marked ``live`` bytes
    (``heapMarked``), with ``stacks`` (``lastStackScan``) and ``globals_`` (``globalsScan``) scannable bytes.

    For the memory limit, the runtime's three inputs (``memoryLimitHeapGoal``, mgcpacer.go) are built from:
    ``nonheap`` = ``mappedReady − heapFree − heapAlloc``: mapped, unreleased memory that neither holds heap objects
    nor is a free heap page (stacks, metadata, span tails and unused slots); ``heap_free`` = ``heapFree``, free
    heap pages not yet scavenged: they are *not* non-heap memory (the runtime keeps them inside the heap's budget)
    and matter only through ``mappedReady``, i.e. the overage term ``max(mappedReady − limit, 0)``;
    ``heap_alloc`` = ``heapAlloc`` (``totalAlloc − totalFree``), by default ``live``. ``mappedReady`` is their sum.
    ``sweep_done=False`` (the runtime's state right after mark termination) keeps the goal at least
    ``live + 1 MiB``, the sweep distance. Models ``commit`` then ``heapGoal``.
    """
    heap_alloc = live if heap_alloc is None else heap_alloc
    for name, value in (("live", live), ("stacks", stacks), ("globals", globals_), ("nonheap", nonheap),
                        ("heap_free", heap_free), ("heap_alloc", heap_alloc)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative byte count, got {value!r}")
    c = GCController.init(gogc, memlimit)
    c.heapMarked = c.heapLive = live
    c.heapAlloc = heap_alloc
    c.lastStackScan = stacks
    c.globalsScan = globals_
    c.heapFree = heap_free
    c.mappedReady = nonheap + heap_free + heap_alloc
    c.commit(sweep_done)
    return c.heapGoal()


def guide_goal_mib(live_mib: float, gogc: int) -> float:
    """The textbook rule ``live·(1+GOGC/100)`` in MiB (no stacks, globals, minimum or limit), for comparison."""
    return float("inf") if gogc < 0 else live_mib * (1 + gogc / 100)


__all__ = [
    "GCController", "GOGC_OFF", "MAX_INT64", "MiB", "defaultHeapMinimum", "format_gogc", "guide_goal_mib",
    "heap_goal", "mark_workers", "readGOGC", "readGOMEMLIMIT", "trigger_upper_bound",
]
