"""Chapter 4's GC CPU limiter panel: a program that collects all the time (a memory limit below its live heap),
with and without the limiter (`gosim.gc.mgclimit`, `gosim.viz.gc.draw_limiter`). Thirty frames on the static
site: the assist share × GOMAXPROCS."""

from __future__ import annotations

from ..gc import mgclimit
from ..viz import gc as viz
from .panel import Control, Panel

ASSIST_SHARES = tuple(round(0.30 + 0.05 * i, 2) for i in range(10))  # 0.30 .. 0.75
PROCS = (1, 2, 4)
SECONDS = 3.0


def limiter_caption(assist_share: float, gomaxprocs: int) -> str:
    t = mgclimit.time_to_enable(gomaxprocs, assist_share)
    on = mgclimit.share_once_on(gomaxprocs, assist_share)
    without = mgclimit.gcBackgroundUtilization + assist_share
    if t is None:
        return (f"Assists take {assist_share:.0%} of the CPU: GC's share is {without:.0%}, not over half, so the "
                f"bucket never fills and the limiter never turns on.")
    return (f"Assists take {assist_share:.0%} of the CPU, GOMAXPROCS={gomaxprocs}: the bucket "
            f"({gomaxprocs} CPU-second{'s' if gomaxprocs > 1 else ''}) is full after {t:.2f} CPU-seconds "
            f"({t / gomaxprocs:.2f} s of wall time). Without the limiter GC keeps {without:.0%} of the CPU; with "
            f"it, assists go off and on in turn and GC averages {on:.0%}.")


def limiter_panel() -> Panel:
    """Sliders for the assist share and GOMAXPROCS; the bucket and GC's share with and without the limiter."""

    def draw(assist_share: float, gomaxprocs: int):
        return viz.draw_limiter(gomaxprocs, assist_share, SECONDS)

    return Panel(draw, caption=limiter_caption, controls=[
        Control("assist_share", list(ASSIST_SHARES), "assist share", default=0.65,
                labels=[f"{a:.0%}" for a in ASSIST_SHARES]),
        Control("gomaxprocs", list(PROCS), "GOMAXPROCS", default=1, kind="buttons"),
    ])
