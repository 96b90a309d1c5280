"""Figures for chapter 5's Containers section: a CPU quota's stalls, real (cgroupprobe) and modelled.

`draw_stalls` puts the real runs' off-CPU gaps (one row per CPU-bound goroutine) beside the model's stall windows;
`draw_quota` draws the model alone for the panel (a CPU quota, GOMAXPROCS, CPUs → each thread's run and stall in
three periods).
"""

from __future__ import annotations

from ..sched import cgroup as model
from .style import GREEN, INK, LIGHT, VERMILLION, figure

WIDTH = 7.2


def _model_windows(first_end_ms: float, stall_ms: float, period_ms: float, end_ms: float):
    """The model's stalls as (start, length), in phase with the first real stall's end (the kernel's periods
    start when the group was made, not when the program did)."""
    out = []
    e = first_end_ms
    while e - period_ms > 0:
        e -= period_ms
    while e - stall_ms < end_ms:
        out.append((max(0.0, e - stall_ms), stall_ms - max(0.0, stall_ms - e)))
        e += period_ms
    return out


def draw_stalls(runs, period_ms: float, window_ms: float = 500.0, stall_min_ms: float = 15.0):
    """``runs``: [(label, gomaxprocs, gaps [(worker, start ms, length ms)], Throttle or None)]; one panel each,
    a row per worker (red: the thread did not run) and a row of the model's stalls."""
    fig = figure(WIDTH, 1.0 + 1.05 * len(runs))
    axes = fig.subplots(len(runs), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (label, procs, gaps, th) in zip(axes, runs):
        rows = sorted({w for w, _, _ in gaps} | set(range(procs)))
        for w in rows:
            ax.broken_barh([(0, window_ms)], (w + 0.1, 0.8), color=GREEN, alpha=0.35, lw=0)
            mine = [(s, g) for ww, s, g in gaps if ww == w and s < window_ms]
            ax.broken_barh(mine, (w + 0.1, 0.8), color=VERMILLION, lw=0)
        y = len(rows)
        ax.broken_barh([(0, window_ms)], (y + 0.1, 0.8), color=LIGHT, lw=0)
        if th is not None and th.throttled:
            big = sorted((s + g, g) for _, s, g in gaps if g >= stall_min_ms)
            first = big[0][0] if big else th.stall_ms
            ax.broken_barh(_model_windows(first, th.stall_ms, period_ms, window_ms), (y + 0.1, 0.8),
                           facecolor="white", edgecolor=INK, hatch="////", lw=0.8)
        ax.set_yticks([r + 0.5 for r in rows] + [y + 0.5],
                      [f"goroutine {r + 1}" for r in rows] + ["model"], fontsize=8.5)
        ax.set_ylim(0, y + 1)
        ax.set_title(label, loc="left", fontsize=10)
    axes[-1].set_xlim(0, window_ms)
    axes[-1].set_xlabel("ms since the start; green: running, red: not running, hatched: the model's stalls")
    return fig


def draw_quota(quota_cpus: float, gomaxprocs: int, cpus: int, period_us: int = 100_000, periods: int = 3):
    """The model for the panel: GOMAXPROCS CPU-bound goroutines under ``quota_cpus`` CPUs of quota on ``cpus``
    CPUs, each thread's running (green) and throttled (hatched red) time over ``periods`` periods."""
    th = model.throttle(quota_cpus * period_us, period_us, threads=gomaxprocs, cpus=cpus)
    rule = model.default_gomaxprocs(cpus, quota_cpus * period_us, period_us)
    period_ms = period_us / 1e3
    fig = figure(WIDTH, 1.2 + 0.32 * th.threads)
    ax = fig.subplots()
    for t in range(th.threads):
        for k in range(periods):
            ax.broken_barh([(k * period_ms, th.run_ms)], (t + 0.1, 0.8), color=GREEN, lw=0)
            if th.throttled:
                ax.broken_barh([(k * period_ms + th.run_ms, th.stall_ms)], (t + 0.1, 0.8), facecolor="white",
                               edgecolor=VERMILLION, hatch="////", lw=0.8)
    for k in range(periods + 1):
        ax.axvline(k * period_ms, color=INK, lw=0.8, ls=":")
    ax.set_xlim(0, periods * period_ms)
    ax.set_ylim(0, th.threads)
    ax.set_yticks([t + 0.5 for t in range(th.threads)], [f"thread {t + 1}" for t in range(th.threads)],
                  fontsize=8 if th.threads > 4 else 9)
    ax.set_xlabel(f"time (ms); dotted: the {period_ms:g} ms periods")
    verdict = (f"stall {th.stall_ms:.0f} ms every period" if th.throttled else "never throttled")
    ax.set_title(f"quota {quota_cpus:g} CPUs on {cpus} CPUs, GOMAXPROCS {gomaxprocs} (the rule: {rule}): "
                 f"{verdict}", loc="left", fontsize=10)
    return fig
