"""Chapter 5's figures: the scheduler's timeline and queues, time slices, SCHED lines, and goroutine stacks.

* `draw_sched`: a model run (`gosim.sched.SchedResult`) as a per-P timeline (a Gantt chart: which goroutine runs on
  which P, and when), preemptions, steals and syscall hand-offs marked above each P's row and system calls drawn as
  an orange band under it; below, the run-queue lengths over time (each P's local queue with ``runnext``, and the
  global queue). It is the frame of the chapter's panel (`gosim.widgets.sched`).
* `draw_gantt_pair`: the model's timeline above a real execution trace's (`gosim.toolchain.rtrace`), on the same
  time axis, coloured the same way.
* `draw_why_slice`: one P, two time slices and sysmon's wake-ups: why a CPU-bound goroutine runs ~20 ms, not 10.
* `draw_timeslices`: the time-slice distribution of the model beside the real runtime's.
* `draw_schedtrace`: parsed ``SCHED`` lines of real runs under several GOMAXPROCS (and the model's, dashed).
* `draw_queue_sequence`: at GOMAXPROCS=1, the global and local queue lengths row by row, model beside real.
* `draw_starvation`: schedticks over time under ``asyncpreemptoff=1``, one line per kind of loop.
* `draw_stack_growth`: a goroutine's stack size and use against call depth, each copy marked, the real program's
  moves beside the model's.

Timelines come in one shape, ``{p: [(start ns, end ns, goid, why)]}``, which `SchedResult.gantt` and
`TraceTimeline.gantt` both return, so the model and a real trace are drawn by the same code. Frames of the panel
place their axes by hand (no constrained layout) and draw every bar of a colour as one collection.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import BLACK, BLUE, GREEN, GREY, INK, ORANGE, PURPLE, RC, SKY, VERMILLION, YELLOW, figure, styled

MS = 1e6
# Figures shown in the page (not the panel's frames) are 8 inches wide: `gosim.viz.style.show` displays them at 90
# pixels per inch, the width of the book's text column, so their type is shown at its own size, not shrunk.
WIDTH = 8.0
# Okabe-Ito without black (main), grey (the runtime), orange (syscalls) and vermillion (preemptions), plus three
# colours of Paul Tol's palettes, which stay apart for the common colour-vision deficiencies.
WORKER_COLOURS = (BLUE, GREEN, SKY, PURPLE, YELLOW, "#882255", "#44AA99", "#8C6D31")
MAIN, RUNTIME = BLACK, GREY
PREEMPT, STEAL, HANDOFF, SYSCALL = VERMILLION, "#FFFFFF", ORANGE, ORANGE
BAR = 0.28  # half the height of a running bar in a P's row (rows are 1 apart)


# --- goroutine colours ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GStyle:
    """How a timeline colours its goroutines: a colour per goid, the legend's entries, whether bars say their G."""

    colour: dict
    legend: tuple
    label_bars: bool


def group_of(name: str) -> str:
    """A goroutine's group: its name without the trailing number (``worker12`` → ``worker``)."""
    if name.startswith("runtime."):
        return "runtime"
    return re.sub(r"\d+$", "", name) or name


def goroutine_style(gantt: dict, names: dict[int, str], per_goroutine: int = len(WORKER_COLOURS)) -> GStyle:
    """Colours for a timeline: main black, the runtime's own goroutines grey; the program's goroutines one colour
    each when there are at most ``per_goroutine`` of them (their bars then say ``G<id>``), else one colour per
    group of names. Colours are handed out in the order the goroutines (or groups) first run."""
    first: dict[int, int] = {}
    for rows in gantt.values():
        for start, _, goid, _ in rows:
            if goid not in first or start < first[goid]:
                first[goid] = start
    order = sorted(first, key=lambda g: (first[g], g))
    group = {g: group_of(names.get(g, "runtime.")) for g in order}
    user = [g for g in order if g != 1 and group[g] != "runtime"]
    colour: dict[int, str] = {}
    legend: list[tuple[str, str]] = []
    if 1 in first:
        colour[1] = MAIN
        legend.append(("main (G1)", MAIN))
    each = len(user) <= per_goroutine
    if each:
        for i, g in enumerate(user):
            colour[g] = WORKER_COLOURS[i % len(WORKER_COLOURS)]
            legend.append((f"G{g} {names.get(g, '')}".rstrip(), colour[g]))
    else:
        groups: dict[str, str] = {}
        counts = Counter(group[g] for g in user)
        for g in user:
            grp = group[g]
            if grp not in groups:
                groups[grp] = WORKER_COLOURS[len(groups) % len(WORKER_COLOURS)]
                legend.append((f"{grp}: {counts[grp]} G{'s' if counts[grp] > 1 else ''}", groups[grp]))
            colour[g] = groups[grp]
    if any(g not in colour for g in order):
        legend.append(("runtime's own", RUNTIME))
    for g in order:
        colour.setdefault(g, RUNTIME)
    return GStyle(colour, tuple(legend), each)


def model_names(result) -> dict[int, str]:
    """{goid: name} of a model run (`gosim.sched.SchedResult`)."""
    return {g.goid: g.name for g in result.gs}


def trace_names(gantt: dict, workers: int, name: str = "spin") -> dict[int, str]:
    """Names for a real trace's goroutines, which the text dump does not name: G1 is ``main``; the ``workers``
    goroutines with the most running time are ``name``; the rest are the runtime's (``runtime.``). The ids of
    a real run say nothing about the model's, so workers are not numbered."""
    cpu: dict[int, int] = {}
    for rows in gantt.values():
        for start, end, goid, _ in rows:
            cpu[goid] = cpu.get(goid, 0) + end - start
    top = sorted((g for g in cpu if g != 1), key=lambda g: -cpu[g])[:workers]
    out = {g: "runtime." for g in cpu}
    out[1] = "main"
    for g in top:
        out[g] = name
    return out


# --- the timeline -----------------------------------------------------------------------------------------------


def _bars(ax, gantt: dict, style: GStyle, span_ns: float, text: bool = True) -> list:
    """Every running interval as a bar in its P's row (P0 on top), one PolyCollection; bars at least ~1 px wide,
    labelled with their goroutine when each has a colour of its own, it is wide enough and there are at most 4 Ps.
    Returns the artists it added."""
    rows = [(p, start, end, goid) for p, ivs in gantt.items() for start, end, goid, _ in ivs]
    if not rows:
        return []
    arr = np.array(rows, float)
    x0 = arr[:, 1] / MS
    x1 = np.maximum(arr[:, 2], arr[:, 1] + span_ns / 1400) / MS
    y = arr[:, 0]
    verts = np.empty((len(rows), 4, 2))
    verts[:, 0, 0] = verts[:, 1, 0] = x0
    verts[:, 2, 0] = verts[:, 3, 0] = x1
    verts[:, 0, 1] = verts[:, 3, 1] = y - BAR
    verts[:, 1, 1] = verts[:, 2, 1] = y + BAR
    rgba = {g: matplotlib.colors.to_rgba(c) for g, c in style.colour.items()}
    grey = matplotlib.colors.to_rgba(RUNTIME)
    faces = np.array([rgba.get(goid, grey) for *_, goid in rows])
    # White edges separate wide bars; a dense timeline draws faster, and no lighter, without them.
    edges = dict(edgecolors="white", linewidths=0.4) if len(rows) <= 300 else dict(edgecolors="none")
    added = [ax.add_collection(PolyCollection(verts, facecolors=faces, **edges), autolim=False)]
    if text and style.label_bars and len(gantt) <= 4:  # 8 rows are too thin to label every bar
        for (p, start, end, goid), a, b in zip(rows, x0, x1):
            if end - start > span_ns / 14:
                dark = style.colour.get(goid) in (MAIN, BLUE, PURPLE, GREEN, "#8C6D31", "#882255", "#44AA99")
                added.append(ax.text((a + b) / 2, p, f"G{goid}", ha="center", va="center", fontsize=8.5,
                                     color="white" if dark else INK))
    return added


def syscall_spans(result) -> list[tuple[int, int, int]]:
    """(p, start, end) while a goroutine of a model run was in a system call with its P still wired to its M: from
    ``entersyscall`` to ``exitsyscall`` or to sysmon's retake of that P, whichever came first."""
    on_p = {(goid, end): p for p, goid, _, end, why in result.intervals if why == "syscall"}
    retakes: dict[int, list[int]] = {}
    for t, p, why in result.handoffs:
        retakes.setdefault(p, []).append(t)
    spans = []
    for goid, _, start, end, _ in result.syscalls:
        p = on_p.get((goid, start))
        if p is None:
            continue
        cut = min((t for t in retakes.get(p, ()) if start <= t <= end), default=end)
        spans.append((p, start, cut))
    return spans


def _syscall_band(ax, spans) -> list:
    verts = [((s / MS, p + BAR + 0.04), (s / MS, p + BAR + 0.16), (e / MS, p + BAR + 0.16), (e / MS, p + BAR + 0.04))
             for p, s, e in spans if e > s]
    if not verts:
        return []
    return [ax.add_collection(PolyCollection(verts, facecolors=SYSCALL, edgecolors="none"), autolim=False)]


def _marks(ax, preempts, steals, handoffs) -> list:
    """Events in the lane above each P's bars: (t ns, p) pairs. Returns the artists it added."""
    y = -BAR - 0.17
    added = []
    for points, marker, colour, size in ((preempts, "v", PREEMPT, 30), (steals, "^", STEAL, 26),
                                          (handoffs, "D", HANDOFF, 20)):
        if points:
            arr = np.asarray(points, float)
            added.append(ax.scatter(arr[:, 0] / MS, arr[:, 1] + y, marker=marker, s=size, c=colour,
                                    edgecolors=INK, linewidths=0.5, zorder=3, clip_on=False))
    return added


def _timeline_axes(ax, nprocs: int, end_ms: float) -> None:
    ax.set_xlim(0, end_ms)
    ax.set_ylim(nprocs - 0.45, -0.65)
    ax.set_yticks(range(nprocs))
    ax.set_yticklabels([f"P{p}" for p in range(nprocs)])
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)


def _mark_handles(preempts: bool, steals: bool, handoffs: bool, syscalls: bool) -> list:
    out = []
    if preempts:
        out.append(Line2D([], [], ls="", marker="v", color=PREEMPT, mec=INK, mew=0.5, ms=7, label="preempted"))
    if steals:
        out.append(Line2D([], [], ls="", marker="^", color=STEAL, mec=INK, mew=0.5, ms=7, label="steal (thief's P)"))
    if handoffs:
        out.append(Line2D([], [], ls="", marker="D", color=HANDOFF, mec=INK, mew=0.5, ms=5.5,
                          label="P handed off"))
    if syscalls:
        out.append(Patch(color=SYSCALL, label="in a syscall, P held"))
    return out


def _legend(ax, style: GStyle, marks: list, max_goroutines: int = 9):
    entries = list(style.legend)
    if len(entries) > max_goroutines:
        entries = entries[:max_goroutines - 1] + [(f"... {len(entries) - max_goroutines + 1} more", "white")]
    handles = [Patch(facecolor=c, edgecolor=INK if c == "white" else c, label=l) for l, c in entries] + marks
    return ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.02), fontsize=9,
                     handlelength=1.2, borderaxespad=0.0, labelspacing=0.35)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sched_title(result, label: str | None = None) -> str:
    """What happened in a model run, in a line: the workload, GOMAXPROCS and the scheduler's events."""
    what = label or result.workload
    if not result.asyncpreempt and "asyncpreemptoff" not in what:
        what += " (asyncpreemptoff)"
    events = (f"{_n(len(result.preemptions), 'preemption')}, {_n(len(result.steals), 'steal')}, "
              f"{_n(len(result.handoffs), 'P hand-off')}")
    if not result.exited:
        events = "main starved, it never runs again"
    return f"{what}, GOMAXPROCS={result.gomaxprocs}: {events}"


class _Key:
    """A legend drawn as plain figure artists, a marker and a text per row, made once and updated in place
    (matplotlib's Legend lays itself out again on every draw, which costs a panel frame a third of its time)."""

    def __init__(self, fig: Figure, x: float, top: float, rows: int, step: float) -> None:
        self.items = []
        for i in range(rows):
            y = top - i * step
            mark = Line2D([x], [y], transform=fig.transFigure, ls="", marker="s", ms=9)
            fig.add_artist(mark)
            self.items.append((mark, fig.text(x + 0.02, y, "", ha="left", va="center", fontsize=9)))

    def show(self, entries) -> None:
        """``entries``: (label, colour, marker, size) per row; rows beyond them are hidden."""
        for i, (mark, text) in enumerate(self.items):
            if i < len(entries):
                label, colour, marker, size = entries[i]
                mark.set(marker=marker, markersize=size, color=colour, markerfacecolor=colour,
                         markeredgecolor=INK if marker in ("v", "^", "D") or colour == "white" else colour,
                         markeredgewidth=2.2 if marker == "_" else 0.6, visible=True)
                text.set(text=label, visible=True)
            else:
                mark.set_visible(False)
                text.set_visible(False)


def _key_entries(style: GStyle, preempts: bool, steals: bool, handoffs: bool, syscalls: bool,
                 rows: int = 13) -> list:
    marks = []
    if preempts:
        marks.append(("preempted", PREEMPT, "v", 7))
    if steals:
        marks.append(("steal (thief's P)", STEAL, "^", 7))
    if handoffs:
        marks.append(("P handed off", HANDOFF, "D", 5.5))
    if syscalls:
        marks.append(("in a syscall, P held", SYSCALL, "s", 7))
    gs = [(label, colour, "s", 9) for label, colour in style.legend]
    room = rows - len(marks)
    if len(gs) > room:
        gs = gs[:room - 1] + [(f"... {len(gs) - room + 1} more", "white", "s", 9)]
    return gs + marks


_CIVIDIS = matplotlib.colormaps["cividis"]
RUNQ_KEY = [("global queue", BLACK, "_", 14), ("local queue, P0", _CIVIDIS(0.15), "_", 14),
            ("local, last P", _CIVIDIS(0.85), "_", 14)]


def sched_key_html(result) -> str:
    """The colour key of `SchedFigure` for ``result`` as HTML: goroutines, marks, queue lines."""
    gantt = result.gantt()
    style = goroutine_style(gantt, model_names(result))
    entries = _key_entries(style, bool(result.preemptions), bool(result.steals), bool(result.handoffs),
                           bool(syscall_spans(result)), rows=40) + RUNQ_KEY
    glyph = {"s": "■", "v": "▼", "^": "▲", "D": "◆", "_": "▬"}
    parts = []
    for label, colour, marker, _ in entries:
        c = matplotlib.colors.to_hex(colour)
        outline = "-webkit-text-stroke:0.6px #222;" if marker in ("v", "^", "D") or c.upper() == "#FFFFFF" else ""
        parts.append(f"<span style='white-space:nowrap;margin-right:0.9em'><span style='color:{c};{outline}"
                     f"font-size:1.15em'>{glyph[marker]}</span>&nbsp;{html.escape(label)}</span>")
    return "<div style='line-height:1.6;font-size:0.9em'>" + " ".join(parts) + "</div>"


class SchedFigure:
    """A model run (`gosim.sched.SchedResult`): the per-P timeline (top) and the run-queue lengths (bottom) on one
    time axis. Built once, `update` swaps the data: the panel draws one frame after another in the same figure
    (same size for every GOMAXPROCS, so the page does not jump under the reader), and building axes, ticks and
    legends would cost a third of each frame. Up to `MAX_P` Ps. ``key=False`` leaves the colour key out of the
    figure (and the timeline takes its width): the panel shows it as HTML (`sched_key_html`), which costs no
    drawing."""

    MAX_P = 8

    def __init__(self, key: bool = True) -> None:
        # With its key, 9 inches for 80 dpi; without (the panel), 7.2 inches for 100 dpi: both 720 pixels wide,
        # the text column, so the type is shown at its size.
        with matplotlib.rc_context(RC):
            if key:
                self.fig = fig = figure(9.0, 5.2, layout=None)
                self.ax = ax = fig.add_axes((0.075, 0.39, 0.70, 0.53))
                self.rq = rq = fig.add_axes((0.075, 0.09, 0.70, 0.2), sharex=ax)
            else:
                self.fig = fig = figure(7.2, 4.4, layout=None)
                self.ax = ax = fig.add_axes((0.085, 0.41, 0.895, 0.5))
                self.rq = rq = fig.add_axes((0.085, 0.115, 0.895, 0.2), sharex=ax)
            self.title = fig.text(0.085 if not key else 0.075, 0.985, "", ha="left", va="top", fontsize=11)
            # The timeline's axes draw no ticks (tick machinery is the slowest part of a frame): P labels are plain
            # texts and the time grid one LineCollection at the run-queue axis' ticks.
            ax.xaxis.set_visible(False)
            ax.yaxis.set_visible(False)
            lab = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
            self.plabels = [ax.text(-0.012, p, f"P{p}", transform=lab, ha="right", va="center", fontsize=10)
                            for p in range(self.MAX_P)]
            self.grid = ax.add_collection(LineCollection([], colors="#DDDDDD", linewidths=0.6, zorder=0))
            self.cmap = cmap = matplotlib.colormaps["cividis"]
            self.local = [rq.step([], [], where="post", lw=1.2)[0] for _ in range(self.MAX_P)]
            self.glob, = rq.step([], [], where="post", lw=2.2, color=BLACK)
            rq.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3, integer=True))
            rq.set_xlabel("time since the program started (ms)")
            rq.set_ylabel("queued Gs")
            self.key = None
            if key:
                self.key = _Key(fig, 0.80, 0.905, 13, 0.04)
                _Key(fig, 0.80, 0.27, 3, 0.04).show(RUNQ_KEY)
            self.artists: list = []

    def update(self, result, title: str | None = None, end_ms: float | None = None) -> Figure:
        with matplotlib.rc_context(RC):
            return self._update(result, title, end_ms)

    def _update(self, result, title, end_ms) -> Figure:
        ax, rq = self.ax, self.rq
        for artist in self.artists:
            artist.remove()
        nprocs = max([result.gomaxprocs, *[r[0] + 1 for r in result.intervals]])
        end_ms = end_ms or result.end_ns / MS
        gantt = result.gantt()
        style = goroutine_style(gantt, model_names(result))
        spans = syscall_spans(result)
        preempts = [(t, p) for t, p, _, _ in result.preemptions]
        steals = [(t, thief) for t, thief, _, _, _ in result.steals]
        handoffs = [(t, p) for t, p, _ in result.handoffs]
        self.artists = (_bars(ax, gantt, style, max(1.0, end_ms * MS)) + _syscall_band(ax, spans)
                        + _marks(ax, preempts, steals, handoffs))
        ax.set_xlim(0, end_ms)
        ax.set_ylim(nprocs - 0.45, -0.65)
        for p, label in enumerate(self.plabels):
            label.set_visible(p < nprocs)
        rq.set_xlim(0, end_ms)
        ticks = [x for x in rq.xaxis.get_major_locator().tick_values(0, end_ms) if 0 <= x <= end_ms]
        self.grid.set_segments([((x, -1), (x, nprocs)) for x in ticks])
        if self.key is not None:
            self.key.show(_key_entries(style, bool(preempts), bool(steals), bool(handoffs), bool(spans)))
        self.title.set_text(title or sched_title(result))
        t, glob, local = result.runq_series()
        x = t / MS
        for p, line in enumerate(self.local):
            line.set_visible(p < local.shape[1])
            if p < local.shape[1]:
                line.set_data(x, local[:, p])
                line.set_color(self.cmap(0.15 + 0.7 * p / max(1, nprocs - 1)))
        self.glob.set_data(x, glob)
        top = max(int(glob.max(initial=0)), int(local.max(initial=0)), 1)
        rq.set_ylim(0, top * 1.15 + 0.3)
        return self.fig


@styled
def draw_sched(result, title: str | None = None, end_ms: float | None = None) -> Figure:
    """A model run on a new `SchedFigure`: the per-P timeline and the run-queue lengths."""
    return SchedFigure().update(result, title, end_ms)


def sched_caption(result) -> str:
    """HTML under the panel's figure: the run's numbers, in words."""
    slices = result.timeslices()
    p50 = f" (median slice {np.median(slices) / MS:.1f} ms)" if len(slices) else ""
    busy = result.busy_fraction()
    mean_busy = sum(busy.values()) / max(1, result.gomaxprocs)
    retakes = sum(1 for h in result.handoffs if h[2] == "retake")
    starving = "" if result.exited else (
        " <b>main never ran again</b>: every P is held by a loop that reaches no preemption point.")
    return (f"<b>{html.escape(result.workload)}</b>, {result.goroutines} goroutines, GOMAXPROCS={result.gomaxprocs}:"
            f" Ps busy {mean_busy:.0%} of the time; {_n(len(result.preemptions), 'preemption')}{p50}; "
            f"{_n(len(result.steals), 'steal')} ({_n(sum(s[3] for s in result.steals), 'goroutine')} moved); "
            f"{len(result.syscalls)} syscalls, {retakes} Ps retaken by sysmon; {result.threads} Ms "
            f"(threads, sysmon's included); {result.decisions} scheduling decisions.{starving}")


@styled
def draw_gantt_pair(model, real, real_names: dict[int, str], real_title: str = "real execution trace",
                    end_ms: float | None = None) -> Figure:
    """The model's per-P timeline (``model``: a SchedResult) above a real trace's (``real``: a TraceTimeline),
    same time axis, same colouring rules; ``real_names`` from `trace_names`."""
    mg, rg = model.gantt(), real.gantt()
    nprocs = max([model.gomaxprocs, *(p + 1 for p in mg), *(p + 1 for p in rg)])
    end_ms = end_ms or max(model.end_ns, real.end_ns) / MS
    rows_h = max(0.45 * nprocs + 0.5, 1.9)  # room for the goroutines' key beside each timeline
    height = 2 * rows_h + 1.45
    fig = figure(WIDTH, height, layout=None)
    axes, marks = [], {}
    for i, (gantt, names, title) in enumerate((
            (mg, model_names(model), f"model: gosim.sched, GOMAXPROCS={model.gomaxprocs}"),
            (rg, real_names, real_title))):
        y0 = (0.95 + (1 - i) * (rows_h + 0.05)) / height
        ax = fig.add_axes((0.07, y0, 0.68, (rows_h - 0.4) / height), sharex=axes[0] if axes else None)
        axes.append(ax)
        style = goroutine_style(gantt, names)
        _bars(ax, gantt, style, end_ms * MS)
        preempts = [(e, p) for p, rows in gantt.items() for _, e, _, why in rows if why == "preempted"]
        if i == 0:
            spans = syscall_spans(model)
            steals = [(t, thief) for t, thief, _, _, _ in model.steals]
        else:
            spans = [(p, s, e) for _, p, s, e in real.syscalls if p >= 0]
            steals = []
        _syscall_band(ax, spans)
        _marks(ax, preempts, steals, [])
        _timeline_axes(ax, nprocs, end_ms)
        _legend(ax, style, [], max_goroutines=8)
        for handle in _mark_handles(bool(preempts), bool(steals), False, bool(spans)):
            marks.setdefault(handle.get_label(), handle)
        ax.set_title(title, loc="left", fontsize=10.5)
    axes[0].tick_params(axis="x", labelbottom=False)
    axes[1].set_xlabel("time since the first event (ms)")
    fig.legend(handles=list(marks.values()), loc="lower left", bbox_to_anchor=(0.06, 0.0), ncols=len(marks),
               fontsize=9, handlelength=1.2, columnspacing=1.2)
    return fig


# --- time slices ------------------------------------------------------------------------------------------------


@styled
def draw_why_slice(result, first: int = 2) -> Figure:
    """Two consecutive time slices on P0 of a model run with CPU-bound goroutines (``first``: which preempted
    interval to start at) and sysmon's wake-ups: one wake-up sees the new ``schedtick`` (``schedwhen = now``), the
    next one, ``forcePreemptNS`` = 10 ms later or more, preempts."""
    slices = [(s, e, g) for p, g, s, e, why in sorted(result.intervals, key=lambda r: r[2])
              if p == 0 and why == "preempted"]
    (s0, e0, g0), (s1, e1, g1) = slices[first], slices[first + 1]
    lo, hi = s0 - 4 * MS, e1 + 3 * MS
    ticks = [t for t in result.sysmon_wakeups if lo <= t <= hi]
    period = float(np.median(np.diff(ticks)))
    fig = figure(WIDTH, 3.4)
    ax = fig.add_subplot()
    ax.grid(False)
    for t in ticks:
        ax.axvline((t - lo) / MS, color=GREY, lw=1, ls=(0, (3, 3)), zorder=0)
    ax.text((ticks[0] - lo) / MS + 0.3, -0.05, f"dashed: sysmon wakes, every {period / MS:.2f} ms",
            color=GREY, fontsize=9, ha="left", va="center")
    for (s, e, g), colour in (((s0, e0, g0), BLUE), ((s1, e1, g1), GREEN)):
        ax.barh(1, (e - s) / MS, left=(s - lo) / MS, height=0.5, color=colour, edgecolor="white")
        ax.text((s + e) / 2 / MS - lo / MS, 1, f"G{g} runs {(e - s) / MS:.2f} ms", ha="center", va="center",
                color="white", fontsize=10, weight="bold")
        seen = min(t for t in ticks if t > s)
        x_seen, x_end = (seen - lo) / MS, (e - lo) / MS
        ax.annotate("", xy=(x_seen, 0.45), xytext=((s - lo) / MS, 0.45),
                    arrowprops=dict(arrowstyle="<->", color=INK, lw=0.9, shrinkA=0, shrinkB=0))
        ax.text(((s + seen) / 2 - lo) / MS, 0.35, f"{(seen - s) / MS:.2f} ms\nuntil sysmon\nsees it", fontsize=8.5,
                ha="center", va="top")
        ax.annotate("", xy=(x_end, 0.45), xytext=(x_seen, 0.45),
                    arrowprops=dict(arrowstyle="<->", color=PREEMPT, lw=0.9, shrinkA=0, shrinkB=0))
        ax.text((x_seen + x_end) / 2, 0.35, f"{(e - seen) / MS:.2f} ms later\n≥ forcePreemptNS:\nsysmon preempts",
                fontsize=8.5, ha="center", va="top", color=PREEMPT)
        ax.plot([x_seen], [1.36], "o", ms=5, color=INK)
        ax.text(x_seen, 1.45, "schedwhen = now", fontsize=8.5, ha="center", va="bottom")
        ax.plot([x_end], [1.36], "v", ms=8, color=PREEMPT, mec=INK, mew=0.5)
        ax.text(x_end, 1.45, "preemptone", fontsize=8.5, ha="center", va="bottom", color=PREEMPT)
    ax.set_xlim(0, (hi - lo) / MS)
    ax.set_ylim(-0.15, 1.7)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(f"time (ms, from {lo / MS:.2f} ms into the run)")
    ax.set_title(f"A slice is two sysmon periods: {period / MS:.2f} ms to be seen,\n{period / MS:.2f} ms more "
                 f"to be preempted: {(e0 - s0) / MS:.2f} ms", loc="left", fontsize=11)
    return fig


def _ecdf(ax, values_ms, **kw) -> None:
    v = np.sort(np.asarray(values_ms, float))
    if v.size:
        ax.step(np.concatenate([[v[0]], v]), np.arange(0, v.size + 1) / v.size, where="post", **kw)


@styled
def draw_timeslices(model_ms, real_ms, reference: dict | None = None, naive_ms: float = 10.0) -> Figure:
    """Time slices (ms) of CPU-bound goroutines: their distribution on a 0-25 ms axis (left), the cumulative
    distribution around 20 ms (right); ``reference``: recorded percentiles {"p10_ms", "p50_ms", "p90_ms"}."""
    model_ms, real_ms = np.asarray(model_ms, float), np.asarray(real_ms, float)
    fig = figure(WIDTH, 3.6)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1]})
    bins = np.arange(0, 25.5, 0.5)
    for values, kw in ((real_ms, dict(color=SKY, label=f"real ({len(real_ms)} slices)")),
                       (model_ms, dict(histtype="step", lw=2, color=BLUE, label=f"model ({len(model_ms)})"))):
        if values.size:
            left.hist(np.clip(values, 0, 25), bins=bins, weights=np.full(values.size, 1 / values.size), **kw)
    left.axvline(naive_ms, color=VERMILLION, ls="--", lw=1.5)
    left.text(naive_ms - 0.4, 0.5, "forcePreemptNS\n= 10 ms: where\na model that\npreempts at\nthe limit puts\n"
              "every slice", color=VERMILLION, ha="right", va="center", fontsize=9)
    left.set_ylim(0, 1.05)
    left.set_xlabel("time slice (ms)")
    left.set_ylabel("share of slices")
    left.legend(loc="upper left", fontsize=9)
    left.set_title("Slices last 20 ms, not 10", loc="left", fontsize=10.5)
    _ecdf(right, real_ms, color=SKY, lw=2.5, label="real, this run")
    _ecdf(right, model_ms, color=BLUE, lw=1.5, label="model")
    if reference:
        for key, mark in (("p10_ms", "<"), ("p50_ms", "o"), ("p90_ms", ">")):
            right.plot(reference[key], int(key[1:3]) / 100, marker=mark, color=INK, ls="", ms=6,
                       label="recorded p10, p50, p90" if key == "p50_ms" else None)
    both = np.concatenate([model_ms, real_ms])
    lo, hi = np.percentile(both, [5, 95]) if both.size else (19.9, 20.6)
    right.set_xlim(min(lo, 19.9) - 0.1, max(hi, 20.8) + 0.1)
    right.set_ylim(0, 1.02)
    right.set_xlabel("time slice (ms)")
    right.set_ylabel("share of slices ≤ x")
    right.legend(loc="lower right", fontsize=8.5)
    mm = f"{np.median(model_ms):.2f}" if model_ms.size else "-"
    rm = f"{np.median(real_ms):.2f}" if real_ms.size else "-"
    right.set_title(f"Close up. Median: model {mm} ms,\nreal {rm} ms", loc="left", fontsize=10.5)
    return fig


# --- SCHED lines ------------------------------------------------------------------------------------------------


@styled
def draw_schedtrace(real: dict, model: dict | None = None, goroutines: int | None = None) -> Figure:
    """Parsed ``SCHED`` rows per GOMAXPROCS (``{P: rows}``, rows with ``ms``, ``runqueue``, ``runq``,
    ``schedticks``), real solid and the model's dashed: top, the global queue and the local queues (all Ps
    together); bottom, each P's schedtick."""
    procs = sorted(real)
    fig = figure(WIDTH, 6.2)
    axes = fig.subplots(2, len(procs), sharex=True, sharey="row", squeeze=False)
    fig.get_layout_engine().set(rect=(0, 0.12, 1, 0.88))
    cmap = matplotlib.colormaps["cividis"]
    for j, n in enumerate(procs):
        q, t = axes[0][j], axes[1][j]
        for rows, style, who in ((real[n], "-", "real"), ((model or {}).get(n), "--", "model")):
            if not rows:
                continue
            ms = [r.ms for r in rows]
            mark = dict(marker="o", ms=4) if who == "real" else {}
            q.plot(ms, [r.runqueue for r in rows], style, color=BLACK, lw=2, **mark)
            q.plot(ms, [sum(r.runq) for r in rows], style, color=SKY, lw=2, **mark)
            for p in range(n):
                t.plot(ms, [r.schedticks[p] for r in rows], style, color=cmap(0.15 + 0.7 * p / max(1, n - 1)),
                       lw=1.6 if who == "real" else 1.2, **mark)
        q.set_title(f"GOMAXPROCS={n}", fontsize=10)
        t.set_xlabel("time (ms)")
    axes[0][0].set_ylabel("queued Gs")
    axes[1][0].set_ylabel("schedtick, each P")
    handles = [Line2D([], [], color=BLACK, lw=2, label="global queue"),
               Line2D([], [], color=SKY, lw=2, label="local queues, all Ps"),
               Line2D([], [], color=cmap(0.15), lw=1.6, label="schedtick, P0 (dark) ... last P (light)"),
               Line2D([], [], color=GREY, lw=1.6, marker="o", ms=4, label="real (SCHED lines)"),
               Line2D([], [], color=GREY, lw=1.2, ls="--", label="model")]
    fig.legend(handles=handles, loc="lower center", ncols=2, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    who = f"{goroutines} spinning goroutines" if goroutines else "CPU-bound goroutines"
    fig.suptitle(f"schedtrace=100, {who}:\neach P's schedtick climbs by ~5 per 100 ms", fontsize=11,
                 x=0.01, ha="left")
    return fig


@styled
def draw_queue_sequence(model_rows, real_rows, goroutines: int) -> Figure:
    """GOMAXPROCS=1: for each SCHED row after the first, the global and local queue lengths as stacked bars,
    model (left of each pair) beside real (right, hatched), labelled as the runtime prints them."""
    m = [(r.ms, r.runqueue, r.runq[0]) for r in model_rows[1:] if len(r.runq) == 1]
    r = [(x.ms, x.runqueue, x.runq[0]) for x in real_rows[1:] if len(x.runq) == 1]
    k = min(len(m), len(r))
    fig = figure(WIDTH, 3.6)
    ax = fig.add_subplot()
    x = np.arange(k)
    for off, rows, who, hatch in ((-0.2, m[:k], "model", None), (0.2, r[:k], "real", "//")):
        g = np.array([row[1] for row in rows])
        loc = np.array([row[2] for row in rows])
        ax.bar(x + off, g, 0.38, color=BLACK, hatch=hatch, edgecolor="white", label=f"global ({who})")
        ax.bar(x + off, loc, 0.38, bottom=g, color=SKY, hatch=hatch, edgecolor="white", label=f"local ({who})")
        for xi, gi, li in zip(x + off, g, loc):
            ax.text(xi, gi + li + 0.3, f"{gi}\n[{li}]", ha="center", va="bottom", fontsize=8.5, linespacing=1.0)
    ax.set_xticks(x)
    ax.set_xticklabels([f"row {i + 2}\n~{(i + 1) * 100} ms" for i in range(k)])
    ax.set_ylabel("queued goroutines")
    ax.set_ylim(0, goroutines + 4)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    ax.set_title(f"GOMAXPROCS=1, {goroutines} spinners: ~5 preempted Gs per 100 ms\nmove to the global queue, "
                 "then a batch comes back", loc="left", fontsize=11)
    return fig


@styled
def draw_starvation(runs: dict, timeout_s: float) -> Figure:
    """Schedticks (summed over Ps) against time for each run (``{label: (rows, exited)}``) under
    ``asyncpreemptoff=1``; a run killed at the timeout ends in a cross."""
    fig = figure(WIDTH, 3.5)
    ax = fig.add_subplot()
    for (label, (rows, exited)), colour in zip(runs.items(), (VERMILLION, PURPLE, GREEN, BLUE)):
        ms = [r.ms for r in rows]
        ticks = [sum(r.schedticks) for r in rows]
        ax.plot(ms, ticks, "-o", ms=4, color=colour, lw=2,
                label=f"{label}: {'main returned' if exited else f'killed after {timeout_s:g} s'}")
        if ms:
            ax.plot(ms[-1], ticks[-1], "o" if exited else "X", ms=9 if exited else 11, color=colour, mec=INK)
    top = max((sum(r.schedticks) for rows, _ in runs.values() for r in rows), default=1)
    ax.set_ylim(0, top * 1.9)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("schedticks, all Ps")
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title("asyncpreemptoff=1: without a preemption point, schedticks stop", loc="left", fontsize=11)
    return fig


# --- stacks -----------------------------------------------------------------------------------------------------


@styled
def draw_stack_growth(run, depth: int, frame: int, base: int = 0, real_moves=()) -> Figure:
    """A recursion with ``frame`` bytes per level (`gosim.sched.stack.StackRun` ``run``): the stack's size and the
    bytes in use against call depth (both axes logarithmic: the stack doubles when the depth doubles), each
    ``copystack`` marked; ``real_moves``: (depth, bytes) where the real goroutine saw its stack move."""
    from ..sched import stack as stk

    d = np.arange(1, depth + 1)
    used = base + d * frame
    size = np.full(d.shape, stk.fixedStack, float)
    for gr in run.growths:
        size[d >= gr.depth] = gr.new
    fig = figure(WIDTH, 4.2)
    ax = fig.add_subplot()
    ax.step(d, size / 1024, where="post", color=BLUE, lw=2.2, label="stack size (model)")
    ax.step(d, (size - stk.stackGuard) / 1024, ":", where="post", color=BLUE, lw=1,
            label="stackguard0: size − 928 B (model)")
    ax.plot(d, used / 1024, color=INK, lw=1.2, label=f"in use: {base} B + {frame} B per call")
    for gr in run.growths:
        ax.annotate(f"{gr.old // 1024}→{gr.new // 1024} KiB\ncopies {gr.copied:,} B", xy=(gr.depth, gr.new / 1024),
                    xytext=(gr.depth * 1.06, gr.new / 1024 * 1.3), fontsize=8.5, va="bottom", ha="left")
    if real_moves:
        rd = [m[0] for m in real_moves]
        ax.plot(rd, [size[min(x, depth) - 1] / 1024 for x in rd], "o", ms=9, mfc="none", mec=VERMILLION, mew=2,
                label="the real goroutine's stack moved")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_ylim(0.25, run.size / 1024 * 6)
    ax.set_xlim(1, depth)
    ax.set_xlabel("call depth (recursion level, log scale)")
    ax.set_ylabel("KiB (log scale)")
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(f"{frame} B per call: from 2 KiB, the stack doubles {len(run.growths)} times by depth {depth},"
                 "\nits used part copied each time", loc="left", fontsize=11)
    return fig
