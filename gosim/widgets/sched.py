"""Chapter 5's panel: GOMAXPROCS × a workload → the per-P timeline, the run-queue lengths, steals and hand-offs.

Each frame is one small run of `gosim.sched.simulate` (a few goroutines, tens of milliseconds of virtual time:
each workload on the time scale where its pattern shows), drawn by `gosim.viz.sched.SchedFigure` 7.2 inches wide
at 100 dpi (the width of the book's column) with its colour key in the caption, as HTML. Runs are cached, so moving
back to a frame costs nothing; a new frame costs one simulation and one drawing (benchmarks/bench_sched.py
measures it). Static site: 4 × 6 = 24 precomputed frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import sched
from ..viz import sched as viz
from .panel import Control, Panel


@dataclass(frozen=True)
class Variant:
    """A workload as the panel runs it: model workload name, goroutines, virtual duration, run-queue sample
    period, asynchronous preemption, a label for the picker."""

    workload: str
    goroutines: int
    duration: str
    sample: str
    label: str
    asyncpreempt: bool = True
    limit: str | None = None


VARIANTS: dict[str, Variant] = {
    "cpubound": Variant("cpubound", 8, "120ms", "1ms", "CPU-bound"),
    "starve": Variant("cpubound", 8, "120ms", "1ms", "asyncpreemptoff", asyncpreempt=False,
                      limit="160ms"),
    "fanout": Variant("fanout", 16, "4ms", "20us", "fan-out/fan-in"),
    "prodcons": Variant("prodcons", 8, "10ms", "50us", "producer/consumer"),
    "syscall": Variant("syscall", 8, "20ms", "100us", "syscall-heavy"),
    "mix": Variant("mix", 12, "20ms", "100us", "mix"),
}
GOMAXPROCS = (1, 2, 4, 8)


@lru_cache(maxsize=64)
def run(variant: str, gomaxprocs: int, seed: int = 1) -> sched.SchedResult:
    """The model run behind one frame (cached)."""
    v = VARIANTS[variant]
    return sched.simulate(v.workload, gomaxprocs=gomaxprocs, goroutines=v.goroutines, duration=v.duration,
                          seed=seed, sample=v.sample, asyncpreempt=v.asyncpreempt, limit=v.limit)


def title(variant: str, result: sched.SchedResult) -> str:
    return viz.sched_title(result, VARIANTS[variant].label)


def sched_panel(gomaxprocs=GOMAXPROCS, variants=tuple(VARIANTS), default=(2, "cpubound"), seed: int = 1) -> Panel:
    """GOMAXPROCS buttons and a workload picker; the frame is `viz.sched.draw_sched` of a fresh model run."""

    frame = viz.SchedFigure(key=False)  # the key is in the caption: HTML costs no drawing

    def draw(gomaxprocs: int, workload: str):
        result = run(workload, gomaxprocs, seed)
        return frame.update(result, title(workload, result))

    def caption(gomaxprocs: int, workload: str) -> str:
        result = run(workload, gomaxprocs, seed)
        return viz.sched_key_html(result) + viz.sched_caption(result)

    return Panel(draw, caption=caption, dpi=100, controls=[
        Control("gomaxprocs", list(gomaxprocs), "GOMAXPROCS", default=default[0], kind="buttons"),
        Control("workload", list(variants), "workload", default=default[1], kind="buttons",
                labels=[VARIANTS[v].label for v in variants]),
    ])
