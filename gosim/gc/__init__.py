"""gosim.gc: the garbage collector and its pacer (chapter 4), after runtime/mgc*.go, mbarrier.go, mgcpacer.go.

Modules, named after the runtime's files:

* `heap` — the object graph the collector walks (objects with pointer fields in spans; roots in globals and
  goroutine stacks) behind a narrow `HeapStore` protocol, so `gosim.alloc` can stand behind it;
* `mgc` — tri-color marking one object at a time (``gcStart``, root jobs, ``shade``/``greyobject``, ``gcDrain``,
  mark termination, sweep), a seeded `Mutator` interleaved, allocate-black, the lost-object check, step frames;
* `mbarrier` — the write barriers (none, Dijkstra, Yuasa, hybrid) and ``wbBuf``;
* `markvec` — the vectorised engine for large heaps (frontier at a time with numpy), same mark set;
* `greentea` — span-granular marking (Go 1.26's default) against the classic flood, with its counts;
* `mgcpacer` — ``gcController``: heap goal (GOGC, stacks, globals, minimum, GOMEMLIMIT), trigger, runway,
  cons/mark, assist ratio, mark workers; ``readGOGC``/``readGOMEMLIMIT``;
* `mgclimit` — the GC CPU limiter (its bucket, when it turns on, the GC share once on); `mgcscavenge` — the
  scavenger's two goals; `specials` — what finalizers, cleanups and weak pointers do to the cycle an object is
  freed in; `workload` — workload streams; `pacersim` — the per-cycle simulation (free pages kept mapped);
* `guide` — the go.dev GC guide's stop-the-world model, exactly.

Models only: nothing here imports `gosim.toolchain` or starts a process. `HISTORY`: what changed in the collector
since the seed's Go 1.10 (rows for `gosim.history.changes`).
"""

from .guide import GuideResult, run_guide, tradeoff_curve
from .heap import HeapStore, ObjectStore, dense_heap, linked_list, random_heap
from .mbarrier import BARRIERS, Barrier
from .mgc import Collector, CycleResult, Frame, Mutator, find_loss, lost_objects, run_cycle, step_through
from .mgcpacer import GCController, heap_goal, mark_workers, readGOGC, readGOMEMLIMIT
from .pacersim import Cycle, PacerRun, simulate
from .workload import SCENARIOS, Workload
from ..history import Change

_CH = "4 Garbage collection"
HISTORY = [
    Change(_CH, "write barrier", "hybrid barrier (Go 1.8), buffered per P (wbBuf, new in 1.10): one "
           "runtime.gcWriteBarrier call per pointer write, recording the new value and *slot itself",
           "the same hybrid barrier; gcWriteBarrierN reserves N buffer slots (1..8) for a run of pointer stores "
           "and the compiled code fills them (the new value, and the old one unless the slot is freshly zeroed)",
           "after Go 1.19",
           evidence="The buffered barrier: issue #22460 (Go 1.10). The N-slot calls are in the installed tree "
           "(`gcWriteBarrier1`, asm_amd64.s:1378) but not in Debian's Go 1.19, whose asm_amd64.s has a single "
           "runtime·gcWriteBarrier that records val and *slot itself; the release in between is not verified "
           "here, so the row says after Go 1.19."),
    Change(_CH, "pacer", "trigger ratio from a proportional controller on heap growth; goal = live·(1+GOGC/100)",
           "redesigned pacer: cons/mark estimate and runway, goal includes stacks and globals; trigger = goal − runway, "
           "at least 45/64 of the way from the live heap to the goal (or the sweep-distance trigger), at most 61/64 "
           "(or goal − 4 MiB on large heaps)", "Go 1.18",
           evidence="Proposal #44167 (design 44167-gc-pacer-redesign); the Go 1.18 release notes: the collector "
           "now counts non-heap sources of GC work (stacks, globals) when pacing. The estimate is `consMark` "
           "(mgcpacer.go:138), already in Debian's Go 1.19."),
    Change(_CH, "memory limit", "none: GOGC was the only knob (a heap ballast the usual trick)",
           "GOMEMLIMIT / debug.SetMemoryLimit: a soft limit on all Go memory; goal = limit − non-heap memory "
           "(mapped − free heap pages − heap objects) − any overage of mapped memory over the limit, less a "
           "headroom, never below the marked heap; the GC CPU limiter keeps GC near 50 % CPU at most", "Go 1.19",
           evidence="Proposal #48409; the Go 1.19 release notes; `SetMemoryLimit` (runtime/debug/garbage.go:234) "
           "is in Debian's Go 1.19 too."),
    Change(_CH, "memory-limit headroom", "(no memory limit)",
           "3 % of the limit's goal, at least 1 MiB (memoryLimitHeapGoalHeadroomPercent): room for pacing "
           "errors and unscavenged memory when GOGC=off",
           "after Go 1.19 (issue #57069)",
           evidence="`memoryLimitHeapGoalHeadroomPercent` (mgcpacer.go:75) and the comment that ties it to "
           "issue #57069 (`#57069`, mgcpacer.go:1141), filed in December 2022; Debian's Go 1.19 subtracts a "
           "fixed 1 MiB (memoryLimitHeapGoalHeadroom). The release is not verified here: after Go 1.19."),
    Change(_CH, "marking", "object at a time from work buffers (greyobject, scanobject)",
           "Green Tea: small objects marked span by span from a span queue; GOEXPERIMENT=nogreenteagc for the old "
           "way", "Go 1.26 (default)",
           evidence="The GOEXPERIMENT baseline turns it on (`GreenTeaGC`, internal/buildcfg/exp.go:86); the Go "
           "1.26 release notes (an opt-in GOEXPERIMENT=greenteagc in Go 1.25; issue #73581)."),
    Change(_CH, "finalizers, cleanups, weak pointers", "runtime.SetFinalizer only: the object survives one more "
           "cycle, its finalizer may resurrect it, one finalizer goroutine",
           "runtime.AddCleanup: the object is freed in the first sweep that finds it unreachable and the cleanup "
           "(which never gets the pointer) runs on up to GOMAXPROCS/4 cleanup goroutines; weak.Pointer: cleared "
           "in that first sweep, before any finalizer runs", "Go 1.24",
           evidence="The Go 1.24 release notes (runtime.AddCleanup, the new weak package); in the installed "
           "tree `_KindSpecialCleanup` (mheap.go:1954), `maxCleanupGs` (mcleanup.go:707) and `Make` "
           "(weak/pointer.go:68); Debian's Go 1.19 has neither runtime/mcleanup.go nor the weak package."),
    Change(_CH, "returning memory", "sysmon scavenged spans unused for 5 minutes with madvise(MADV_DONTNEED)",
           "a background scavenger goroutine (bgscavenge) paced to about 1 % CPU, keeping 10 % over the in-use "
           "heap of the last mark termination (scaled by how the goal moved) and skipping recently dense chunks; MADV_DONTNEED by default again since 1.16 (MADV_FREE in 1.12-1.15)",
           "Go 1.13 (scavenger), Go 1.19 (memory limit)",
           evidence="The background scavenger, `bgscavenge` (mgcscavenge.go:649): issue #30333 and the Go 1.13 "
           "release notes; MADV_DONTNEED again by default: the Go 1.16 release notes, and the GODEBUG that "
           "restores MADV_FREE (`madvdontneed`, runtime1.go:318, issue 28466); the memory limit as above."),
]

__all__ = [
    "HISTORY", "BARRIERS", "Barrier", "Collector", "Cycle", "CycleResult", "Frame", "GCController", "GuideResult",
    "HeapStore", "Mutator", "ObjectStore", "PacerRun", "SCENARIOS", "Workload", "dense_heap", "find_loss",
    "heap_goal", "linked_list", "lost_objects", "mark_workers", "random_heap", "readGOGC", "readGOMEMLIMIT",
    "run_cycle", "run_guide", "simulate", "step_through", "tradeoff_curve",
]
