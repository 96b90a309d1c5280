"""Chapter 3's panels: the allocator model under a size mix, GOMAXPROCS and object lifetimes.

- `heap_panel`: the heap page by page (spans coloured by slot size, free slots pale) beside the bar of where the
  mapped bytes are (`gosim.viz.alloc.draw_heap`). Controls: size mix × GOMAXPROCS × lifetimes.
- `growth_panel`: objects, in-use spans and mapped memory over the run (`draw_heap_growth`), same controls.
- `waste_panel`: round-up and span-tail waste per size class for each mix (`draw_class_waste`).

Every frame comes from `gosim.alloc.workloads.run_mix` with the same seed, so the static site shows exactly what
a reader gets live. Model runs are cached per (mix, GOMAXPROCS, lifetimes): the first visit of a combination runs
the model (15-200 ms), later redraws only draw.
"""

from __future__ import annotations

import html
from functools import lru_cache

from ..alloc import workloads
from ..viz import alloc as va
from .panel import Control, Panel

MIX_LABELS = {"tiny": "tiny strings", "structs": "pointerful structs", "program": "a program's mix",
              "buffers": "byte buffers"}
LIFETIME_LABELS = {"kept": "all kept alive", "churn": "random lifetimes"}
GOMAXPROCS = (1, 2, 4, 8)
SEED = 1


@lru_cache(maxsize=64)
def result(mix: str, gomaxprocs: int, lifetimes: str, seed: int = SEED) -> workloads.Result:
    """The model run behind a frame (cached)."""
    return workloads.run_mix(mix, gomaxprocs, seed, lifetimes=lifetimes)


@lru_cache(maxsize=8)
def requests(mix: str, seed: int = SEED):
    """The (sizes, noscan) a mix's run allocates."""
    return workloads.mix(mix, workloads.MIXES[mix][1], seed)


def _controls(gomaxprocs, default_mix: str, default_procs: int, default_lifetimes: str) -> list[Control]:
    return [
        Control("mix", list(workloads.MIXES), "size mix", default=default_mix, kind="buttons",
                labels=[MIX_LABELS[m] for m in workloads.MIXES]),
        Control("gomaxprocs", list(gomaxprocs), "GOMAXPROCS", default=default_procs, kind="buttons"),
        Control("lifetimes", list(workloads.LIFETIMES), "objects", default=default_lifetimes, kind="buttons",
                labels=[LIFETIME_LABELS[x] for x in workloads.LIFETIMES]),
    ]


def _key(colours) -> str:
    return " ".join(va.swatch(c, label) for c, label in colours)


def heap_panel(gomaxprocs=GOMAXPROCS, default_mix: str = "program", default_procs: int = 4,
               default_lifetimes: str = "kept") -> Panel:
    """Size mix × GOMAXPROCS × lifetimes → the heap's span map and byte breakdown."""

    def draw(mix: str, gomaxprocs: int, lifetimes: str):
        return va.draw_heap(result(mix, gomaxprocs, lifetimes))

    def caption(mix: str, gomaxprocs: int, lifetimes: str) -> str:
        return va.heap_caption(result(mix, gomaxprocs, lifetimes))

    return Panel(draw, _controls(gomaxprocs, default_mix, default_procs, default_lifetimes), caption)


def growth_panel(gomaxprocs=GOMAXPROCS, default_mix: str = "program", default_procs: int = 4,
                 default_lifetimes: str = "churn") -> Panel:
    """Size mix × GOMAXPROCS × lifetimes → the heap over the run."""

    most = max(gomaxprocs)

    def draw(mix: str, gomaxprocs: int, lifetimes: str):
        # One scale per mix (its biggest heap: all kept, most Ps), so GOMAXPROCS and lifetimes compare at a glance.
        top = result(mix, most, "kept").metrics.mapped_bytes / (1 << 20) * 1.15
        return va.draw_heap_growth(result(mix, gomaxprocs, lifetimes), top_mib=top)

    def caption(mix: str, gomaxprocs: int, lifetimes: str) -> str:
        return (f"<b>{html.escape(va.growth_title(result(mix, gomaxprocs, lifetimes)))}</b><br>"
                + _key(va.GROWTH_KEY))

    return Panel(draw, _controls(gomaxprocs, default_mix, default_procs, default_lifetimes), caption)


def waste_panel(default_mix: str = "program") -> Panel:
    """Size mix → round-up and tail waste per size class (the requests and spans of the kept-alive run)."""

    def draw(mix: str):
        return va.draw_class_waste(result(mix, 1, "kept"), *requests(mix))

    def caption(mix: str) -> str:
        what = workloads.MIXES[mix][0]
        return (f"<b>{html.escape(va.waste_title(result(mix, 1, 'kept'), *requests(mix)))}</b> "
                f"({html.escape(what)})<br>" + _key(va.WASTE_KEY))

    return Panel(draw, [Control("mix", list(workloads.MIXES), "size mix", default=default_mix, kind="buttons",
                                labels=[MIX_LABELS[m] for m in workloads.MIXES])], caption)
