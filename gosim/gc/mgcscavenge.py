"""The scavenger's goals: how much free heap memory the runtime keeps mapped (runtime/mgcscavenge.go).

Freed heap pages stay mapped ("free", counted in ``heapFree``) until the scavenger returns them to the operating
system ("released"). ``gcPaceScavenger`` sets two goals after every cycle (from ``gcControllerCommit``) and the
background scavenger (``bgscavenge``) releases pages until both hold (``shouldStop``):

* ``gcPercentGoal``: ``heapRetained`` (``heapInUse + heapFree``, the heap's share of RSS) at most
  ``lastHeapInUse · heapGoal/lastHeapGoal`` plus ``retainExtraPercent`` = 10 % (integer division by 10), rounded up
  to a physical page. ``lastHeapInUse`` is ``heapInUse`` at mark termination, *before* the sweep frees this
  cycle's garbage. No goal (``^uint64(0)``) before the first cycle, or when retained is within a page of it.
* ``memoryLimitGoal``: ``mappedReady`` at most 95 % of the memory limit (``reduceExtraPercent`` = 5), or no goal
  when mapped memory is already under it.

What it leaves out: the scavenger's pace (``scavengePercent`` = 1 % of the CPU, its sleep/work controller), the
chunk index (``scavengeIndex``: chunks dense in this or the last cycle are skipped) and huge-page handling, and
the eager scavenging an allocation does when growing the heap past the goals (mheap.go).
"""

from __future__ import annotations

NO_GOAL = (1 << 64) - 1
scavengePercent = 1
retainExtraPercent = 10
reduceExtraPercent = 5
physPageSize = 4096


def _check(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative byte count, got {value!r}")


def gc_percent_goal(last_heap_inuse: int, heap_goal: int, last_heap_goal: int, heap_retained: int,
                    phys_page: int = physPageSize) -> int:
    """``gcPaceScavenger``'s ``gcPercentGoal`` (bytes), or `NO_GOAL`."""
    for name, v in (("last_heap_inuse", last_heap_inuse), ("heap_goal", heap_goal),
                    ("last_heap_goal", last_heap_goal), ("heap_retained", heap_retained)):
        _check(name, v)
    if last_heap_goal == 0:
        return NO_GOAL
    goal = int(float(last_heap_inuse) * (float(heap_goal) / float(last_heap_goal)))
    goal += goal // int(1.0 / (retainExtraPercent / 100.0))
    goal = (goal + phys_page - 1) & ~(phys_page - 1)
    if heap_retained <= goal or heap_retained - goal < phys_page:
        return NO_GOAL
    return goal


def memory_limit_goal(memory_limit: int, mapped_ready: int) -> int:
    """``gcPaceScavenger``'s ``memoryLimitGoal`` (bytes of ``mappedReady``), or `NO_GOAL`."""
    _check("memory_limit", memory_limit)
    _check("mapped_ready", mapped_ready)
    goal = int(float(memory_limit) * (1 - reduceExtraPercent / 100.0))
    return NO_GOAL if mapped_ready <= goal else goal


def released_to_meet(heap_inuse: int, heap_free: int, nonheap: int, gc_goal: int, limit_goal: int) -> int:
    """The free bytes the background scavenger releases before ``shouldStop`` holds (``heapRetained`` ≤ the
    GOGC goal and ``mappedReady`` ≤ the limit's goal), never more than is free: page-exact, without its pace
    or chunk rules."""
    for name, v in (("heap_inuse", heap_inuse), ("heap_free", heap_free), ("nonheap", nonheap)):
        _check(name, v)
    need = 0
    if gc_goal != NO_GOAL:
        need = max(need, heap_inuse + heap_free - gc_goal)
    if limit_goal != NO_GOAL:
        need = max(need, nonheap + heap_inuse + heap_free - limit_goal)
    return min(max(need, 0), heap_free)
