"""Chapter 1's panel: step through the boot chain under a chosen GOMAXPROCS."""

from __future__ import annotations

from .. import boot
from ..viz.boot import boot_caption, draw_boot_state
from .panel import Control, Panel


def boot_panel(version: str = "current", gomaxprocs: tuple[int, ...] = (1, 2, 4, 8), default: int = 4) -> Panel:
    """GOMAXPROCS buttons and a step slider over `gosim.boot`'s chain; the figure is `draw_boot_state`."""
    results = {n: boot.boot(version, n) for n in gomaxprocs}
    steps = results[default].steps

    def draw(gomaxprocs: int, step: int):
        return draw_boot_state(results[gomaxprocs], step)

    def caption(gomaxprocs: int, step: int) -> str:
        return boot_caption(results[gomaxprocs], step)

    return Panel(draw, caption=caption, controls=[
        Control("gomaxprocs", list(gomaxprocs), "GOMAXPROCS", default=default, kind="buttons"),
        Control("step", list(range(len(steps))), "step", default=0,
                labels=[f"{i + 1}/{len(steps)} {s.function}" for i, s in enumerate(steps)]),
    ])
