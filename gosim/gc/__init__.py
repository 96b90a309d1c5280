"""gosim.gc: the garbage collector and its pacer (chapter 4), after runtime/mgc*.go, mbarrier.go, mgcpacer.go.

Modules, named after the runtime's files:

* `heap` — the object graph the collector walks (objects with pointer fields in spans; roots in globals and
  goroutine stacks) behind a narrow `HeapStore` protocol, so `gosim.alloc` can stand behind it;
* `mgc` — tri-color marking one object at a time (``gcStart``, root jobs, ``shade``/``greyobject``, ``gcDrain``,
  mark termination, sweep), a seeded `Mutator` interleaved, allocate-black, the lost-object check, step frames;
* `mbarrier` — the write barriers (none, Dijkstra, Yuasa, hybrid) and ``wbBuf``;
* `markvec` — the vectorised engine for large heaps (frontier at a time with numpy), same mark set;
* `greentea` — span-granular marking (Go 1.26's default) against the classic flood, with counts and a cost;
* `mgcpacer` — ``gcController``: heap goal (GOGC, stacks, globals, minimum, GOMEMLIMIT), trigger, runway,
  cons/mark, assist ratio, mark workers; ``readGOGC``/``readGOMEMLIMIT``;
* `mgclimit` — the GC CPU limiter; `workload` — workload streams; `pacersim` — the per-cycle simulation;
* `guide` — the go.dev GC guide's stop-the-world model, exactly.

Models only: nothing here imports `gosim.toolchain` or starts a process.
"""

from .guide import GuideResult, run_guide, tradeoff_curve
from .heap import HeapStore, ObjectStore, dense_heap, linked_list, random_heap
from .mbarrier import BARRIERS, Barrier
from .mgc import Collector, CycleResult, Frame, Mutator, find_loss, lost_objects, run_cycle, step_through
from .mgcpacer import GCController, heap_goal, mark_workers, readGOGC, readGOMEMLIMIT
from .pacersim import Cycle, PacerRun, simulate
from .workload import SCENARIOS, Workload

__all__ = [
    "BARRIERS", "Barrier", "Collector", "Cycle", "CycleResult", "Frame", "GCController", "GuideResult",
    "HeapStore", "Mutator", "ObjectStore", "PacerRun", "SCENARIOS", "Workload", "dense_heap", "find_loss",
    "heap_goal", "linked_list", "lost_objects", "mark_workers", "random_heap", "readGOGC", "readGOMEMLIMIT",
    "run_cycle", "run_guide", "simulate", "step_through", "tradeoff_curve",
]
