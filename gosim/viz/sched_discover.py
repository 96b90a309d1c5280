"""Chapter 5's panels to discover with: where ``asyncpreemptoff`` starvation begins (the per-P timeline of
`gosim.viz.sched.SchedFigure`, reused), and the time slices of CPU-bound goroutines beside a goroutine in system
calls (`SliceFigure`: one figure, updated in place for each frame, so a frame costs one redraw)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .sched import WIDTH
from .style import BLUE, GREY, VERMILLION, figure, styled

BINS = np.arange(0, 25.5, 0.5)


class SliceFigure:
    """The spinners' time slices (ms) of one model run: a histogram on a fixed 0-25 ms axis, with the
    10 ms limit (`forcePreemptNS`) and two of sysmon's 10 ms sleeps (20 ms) marked, and the median."""

    @styled
    def __init__(self) -> None:
        fig = figure(WIDTH, 2.8, layout=None)
        ax = fig.add_axes((0.08, 0.18, 0.9, 0.68))
        ax.axvline(10, color=GREY, ls="--", lw=1)
        ax.axvline(20, color=GREY, ls="--", lw=1)
        ax.text(10.2, 0.97, "10 ms: forcePreemptNS", color=GREY, fontsize=8.5, va="top")
        ax.text(19.8, 0.97, "20 ms: two sysmon sleeps", color=GREY, fontsize=8.5, va="top", ha="right")
        ax.set_xlim(0, 25)
        ax.set_ylim(0, 1.0)
        ax.set_xlabel("time slice of a CPU-bound goroutine (ms)")
        ax.set_ylabel("share of slices")
        self.fig, self.ax = fig, ax
        self.bars = ax.stairs(np.zeros(len(BINS) - 1), BINS, fill=True, color=BLUE)
        self.median = ax.axvline(0, color=VERMILLION, lw=2)
        self.title = ax.set_title("", loc="left", fontsize=10.5)

    def update(self, slices_ms, title: str) -> Figure:
        v = np.clip(np.asarray(slices_ms, float), 0, 24.99)
        counts, _ = np.histogram(v, BINS)
        self.bars.set_data(counts / max(v.size, 1))
        med = float(np.median(v)) if v.size else 0.0
        self.median.set_xdata([med, med])
        self.title.set_text(f"{title}: median {med:.1f} ms (red), {v.size} slices")
        return self.fig
