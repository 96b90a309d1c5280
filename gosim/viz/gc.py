"""Chapter 4's figures: tri-colour marking, write barriers, the pacer, real gctraces, Green Tea.

* `draw_tricolor`: one step of a marking (`gosim.gc.mgc.Frame`): roots (globals, goroutine stacks) on the left,
  objects in columns by their distance from the roots, garbage on the right, the grey queue underneath. Objects
  are white, grey or black discs with black outlines (they print); a freed object is a dotted outline. A pointer
  from a black object to a white one — what the tri-colour invariant forbids — is drawn in vermillion.
* `draw_barrier`: the same picture at mark termination for one barrier and one mutator schedule, the lost object
  ringed, and beside it the mutator's writes that moved the pointers to it.
* `draw_heap_over_time`: the go.dev GC guide's stop-the-world toy beside the full pacer model on the same
  workload, GOGC and GOMEMLIMIT: memory over time, goal and trigger, peak and GC CPU.
* `draw_pacer_run`: a pacer scenario cycle by cycle: goal, trigger, peak, marked and true live heap; GC CPU
  utilisation during each mark (background, assists, idle workers).
* `draw_tradeoff`: GC CPU against peak memory over GOGC, for both models.
* `draw_gctrace`: parsed ``GODEBUG=gctrace=1`` lines of real runs: heap at start, at end, marked, and the goal.
* `draw_greentea`: Green Tea against the classic marker: the model's span visits and objects per visit, and the
  real runtime's mark times with ``GOEXPERIMENT=nogreenteagc`` and without.
* `draw_scavenge`: RSS and the runtime's free and released heap memory after a burst.

Panels (`gosim.widgets.gc`) draw many frames: the frame functions place their axes by hand (``layout=None``) and
cache what does not change between frames (graph layouts).
"""

from __future__ import annotations

import html
import math
from collections import deque

import matplotlib
import matplotlib.patches
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..gc import guide as guide_model
from ..gc import mgc
from ..gc.mgcpacer import MAX_INT64, format_gogc
from ..gc.pacersim import PacerRun
from .style import (RC, BLACK_OBJ, BLUE, GREEN, GREY, GREY_OBJ, INK, LIGHT, ORANGE, PURPLE, SKY, VERMILLION,
                    WHITE_OBJ, figure, styled)

MIB = 1 << 20
FACE = {mgc.WHITE: WHITE_OBJ, mgc.GREY: GREY_OBJ, mgc.BLACK: BLACK_OBJ, mgc.FREE: "none"}
TEXT_ON = {mgc.WHITE: INK, mgc.GREY: INK, mgc.BLACK: "#FFFFFF", mgc.FREE: GREY}
NODE_PT = 11.5  # disc radius in points (marker size is its diameter squared)


# --- the object graph ----------------------------------------------------------------------------------------


def _root_slots(frames) -> list[tuple[str, int]]:
    """Every (root name, object) pair any frame shows, first seen first."""
    seen: dict[str, None] = {}
    for f in frames:
        for name, _ in f.roots:
            seen.setdefault(name, None)
    return list(seen)


def _ids(frame: mgc.Frame) -> tuple[int, ...]:
    return frame.objects or tuple(range(len(frame.colors)))


def graph_layout(frames) -> dict:
    """Positions for every object and root slot of a run (the same for all its frames): roots at x=0, each object
    in the column of its distance from the roots in the first frame, unreachable objects in the last column, and
    objects allocated later in a row at the bottom. Keyed by object id, and by ``("root", name)``."""
    first = frames[0]
    succ: dict[int, list[int]] = {}
    for a, b in first.edges:
        succ.setdefault(a, []).append(b)
    depth: dict[int, int] = {}
    todo = deque()
    for _, o in first.roots:
        if o not in depth:
            depth[o] = 0
            todo.append(o)
    while todo:
        o = todo.popleft()
        for t in succ.get(o, ()):
            if t not in depth:
                depth[t] = depth[o] + 1
                todo.append(t)
    start = set(_ids(first))
    later: list[int] = []
    for f in frames:
        later += [o for o in _ids(f) if o not in start and o not in later]
    ncols = max(depth.values(), default=0) + 1
    garbage = sorted(o for o in start if o not in depth)
    columns: list[list[int]] = [[] for _ in range(ncols)]
    for o in sorted(depth):
        columns[depth[o]].append(o)
    if garbage:
        columns.append(garbage)
    pos: dict = {}
    tallest = max((len(c) for c in columns), default=1)
    for x, col in enumerate(columns, start=1):
        for k, o in enumerate(col):
            pos[o] = (1.45 * x + 0.25, (tallest - 1) / 2 - k * (tallest - 1) / max(len(col) - 1, 1)
                      if len(col) > 1 else 0.0)
    low = -(tallest - 1) / 2 - 1.0
    for k, o in enumerate(later):
        pos[o] = (1.7 + 0.75 * k, low)
    names = _root_slots(frames)
    half = max((tallest - 1) / 2, (len(names) - 1) / 2 * 0.8)
    for k, name in enumerate(names):
        pos[("root", name)] = (0.0, half - k * 2 * half / (len(names) - 1) if len(names) > 1 else 0.0)
    ys = [v[1] for v in pos.values()]
    pos["_garbage_x"] = 1.45 * len(columns) + 0.25 if garbage else None
    pos["_garbage_top"] = max((pos[o][1] for o in garbage), default=0.0)
    pos["_top"], pos["_bottom"] = max(ys), min(ys)
    pos["_later"] = bool(later)
    return pos


def _edge(ax, p, q, color=INK, lw=1.0, self_loop=False, style="-"):
    if self_loop:
        ax.annotate("", xy=(p[0] + 0.13, p[1] + 0.16), xytext=(p[0] - 0.13, p[1] + 0.16),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=0, shrinkB=0,
                                    connectionstyle="arc3,rad=-1.9", linestyle=style))
        return
    ax.annotate("", xy=q, xytext=p, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=NODE_PT + 1,
                                                    shrinkB=NODE_PT + 1, connectionstyle="arc3,rad=0.12",
                                                    linestyle=style, mutation_scale=9))


def _draw_graph(ax, frame: mgc.Frame, pos: dict, globals_scanned: bool, lost=(), queue_y=None):
    """The heap of one frame on ``ax`` in the layout ``pos``."""
    ids = _ids(frame)
    color = dict(zip(ids, frame.colors))
    # roots: each slot a small box; a goroutine's slots are grey until its stack is scanned, then black
    for name, target in frame.roots:
        x, y = pos[("root", name)]
        if name.startswith("globals"):
            scanned = globals_scanned
            label = name
        else:
            g = int(name[1:name.index("[")])
            scanned = frame.stacks_scanned[g] if g < len(frame.stacks_scanned) else False
            label = f"g{g} stack s{name[name.index('[') + 1:-1]}"
        ax.add_patch(FancyBboxPatch((x - 0.62, y - 0.22), 1.24, 0.44, boxstyle="round,pad=0.02,rounding_size=0.06",
                                    facecolor=BLACK_OBJ if scanned else GREY_OBJ, edgecolor=INK, lw=1.0, zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=9, color="#FFFFFF" if scanned else INK, zorder=3)
        bad = scanned and color.get(target) == mgc.WHITE and frame.phase != "_GCoff"
        _edge(ax, (x + 0.62, y), pos[target], color=VERMILLION if bad else INK, lw=1.6 if bad else 0.9)
    # pointers; black -> white in vermillion (the invariant broken)
    for a, b in frame.edges:
        if color.get(a) == mgc.FREE:
            continue
        bad = color.get(a) == mgc.BLACK and color.get(b) == mgc.WHITE
        _edge(ax, pos[a], pos[b], color=VERMILLION if bad else "#555555", lw=1.6 if bad else 0.9,
              self_loop=a == b)
    xs = [pos[o][0] for o in ids]
    ys = [pos[o][1] for o in ids]
    faces = [FACE[color[o]] for o in ids]
    styles = ["dotted" if color[o] == mgc.FREE else "solid" for o in ids]
    ax.scatter(xs, ys, s=(2 * NODE_PT) ** 2, c=faces, edgecolors=[GREY if s == "dotted" else INK for s in styles],
               linewidths=1.4, zorder=4, linestyle=styles)
    for o, x, y in zip(ids, xs, ys):
        ax.text(x, y, str(o), ha="center", va="center", fontsize=11, color=TEXT_ON[color[o]], zorder=5,
                weight="bold")
    for o in lost:
        x, y = pos[o]
        ax.scatter([x], [y], s=(2 * NODE_PT + 9) ** 2, facecolors="none", edgecolors=VERMILLION, linewidths=2.4,
                   zorder=6)
        ax.text(x, y - 0.42, "lost", ha="center", va="top", fontsize=10, color=VERMILLION, weight="bold", zorder=6)
    if pos["_garbage_x"] is not None:
        ax.text(pos["_garbage_x"], pos["_garbage_top"] + 0.35, "unreachable", ha="center", va="bottom",
                fontsize=9.5, color=GREY, style="italic")
    if pos["_later"]:
        ax.text(1.25, pos["_bottom"], "allocated\nduring the mark", ha="right", va="center", fontsize=9,
                color=GREY, style="italic")


def _globals_scanned(frames, step: int) -> bool:
    return any(f.action == "scan globals" for f in frames[:step + 1]) or frames[step].phase == "_GCoff"


def _limits(ax, pos, bottom):
    xs = [v[0] for k, v in pos.items() if not (isinstance(k, str) and k.startswith("_"))]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.55)
    ax.set_ylim(bottom, pos["_top"] + 0.7)


LEGEND = "white: not reached · grey: reached, not scanned · black: scanned · dotted: freed"


@styled
def draw_tricolor(frames, step: int, title: str | None = None) -> Figure:
    """Step ``step`` (0-based) of a recorded cycle (`gosim.gc.mgc.step_through`): the heap coloured as the
    collector sees it, and the grey queue (the work buffer, LIFO: the next object to scan is on the right)."""
    if not 0 <= step < len(frames):
        raise ValueError(f"step must be from 0 to {len(frames) - 1}, got {step}")
    frame = frames[step]
    pos = _layout(frames)
    fig = figure(8.6, 4.5, layout=None)
    ax = fig.add_axes((0.01, 0.1, 0.98, 0.78))
    ax.set_axis_off()
    _draw_graph(ax, frame, pos, _globals_scanned(frames, step))
    # the grey queue, under the lowest row
    qy = pos["_bottom"] - 0.95
    ax.text(-0.62, qy, "grey queue:", ha="left", va="center", fontsize=10, color=INK)
    if frame.queue:
        for k, o in enumerate(frame.queue):
            x = 0.9 + 0.62 * k
            ax.add_patch(FancyBboxPatch((x - 0.25, qy - 0.2), 0.5, 0.4, boxstyle="round,pad=0.02",
                                        facecolor=GREY_OBJ, edgecolor=INK, lw=1.0))
            ax.text(x, qy, str(o), ha="center", va="center", fontsize=11, weight="bold")
        ax.text(0.9 + 0.62 * (len(frame.queue) - 1) + 0.4, qy, "← next", ha="left", va="center", fontsize=9.5,
                color=GREY)
    else:
        ax.text(0.7, qy, "empty" + (": marking is done" if frame.phase != "_GCmark" or step else ""),
                ha="left", va="center", fontsize=10, color=GREY, style="italic")
    _limits(ax, pos, qy - 0.4)
    fig.text(0.012, 0.975, title or f"step {step + 1}/{len(frames)}: {frame.action}", ha="left", va="top",
             fontsize=11.5, weight="bold", color=INK)
    fig.text(0.012, 0.915, f"phase {frame.phase}", ha="left", va="top", fontsize=10, color=GREY)
    fig.text(0.012, 0.02, LEGEND, ha="left", va="bottom", fontsize=9, color=GREY)
    return fig


_LAYOUTS: dict = {}


def _layout(frames) -> dict:
    key = id(frames)
    hit = _LAYOUTS.get(key)
    if hit is None or hit[0] is not frames:
        hit = (frames, graph_layout(frames))
        _LAYOUTS[key] = hit
    return hit[1]


STEP_NOTES = {
    "gcStart": "Sweep termination: the world stops briefly, the write barrier is switched on, and the roots "
               "(globals, each goroutine's stack) become jobs. Everything is still white.",
    "scan globals": "A root job: every pointer in the data and bss segments is shaded: its object turns grey "
                    "and joins the queue.",
    "scan stack": "Each goroutine is stopped on its own, just long enough to scan its stack; its slots' objects "
                  "turn grey. The stack is black from then on: writes to the goroutine's own frame have no barrier (a "
                  "write through a pointer into a stack does get one).",
    "scan object": "gcDrain takes the last grey object off the queue (a LIFO workbuf), shades what its pointer "
                   "fields point to, and turns it black. A noscan object (no pointers, like 4) goes straight to "
                   "black when shaded.",
    "mark termination": "The queue is empty: the world stops again for mark termination (the write barrier "
                        "stays on through it and is switched off when the phase returns to _GCoff). Every "
                        "object still white is unreachable.",
    "sweep": "Sweep frees the white objects: their slots in their spans are free for the next allocation, and "
             "the mark bits are cleared for the next cycle.",
}


def tricolor_caption(frames, step: int) -> str:
    """What the step did and why, as HTML."""
    frame = frames[step]
    key = next((k for k in STEP_NOTES if frame.action.startswith(k)), "")
    counts = {c: frame.colors.count(c) for c in (mgc.WHITE, mgc.GREY, mgc.BLACK, mgc.FREE)}
    tally = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
    return (f"<b>{step + 1}/{len(frames)} {html.escape(frame.action)}</b> ({tally}). "
            f"{html.escape(STEP_NOTES.get(key, ''))}")


# --- the barrier demo --------------------------------------------------------------------------------------------


def mark_end(frames) -> int:
    """The index of the mark-termination frame."""
    return next(i for i, f in enumerate(frames) if f.action.startswith("mark termination"))


BARRIER_NOTES = {
    "none": "No barrier: pointer writes during the mark go unseen.",
    "dijkstra-no-rescan": "Dijkstra's insertion barrier alone shades the pointer being written into the heap or a "
                          "global. Stack writes have no barrier.",
    "dijkstra": "Dijkstra's insertion barrier shades the pointer being written into the heap or a global; stack "
                "writes have none, so stacks are scanned again, with the world stopped, at mark termination "
                "(Go 1.5–1.7; stack barriers, mstkbar.go, limited each re-scan to the frames that had run since the "
                "first scan; the re-scan was still the long pause).",
    "yuasa-no-snapshot": "Yuasa's deletion barrier alone shades the pointer being overwritten; stacks scanned one at "
                         "a time, concurrently.",
    "yuasa": "Yuasa's deletion barrier shades the pointer being overwritten, so nothing reachable when the mark began "
             "can be unlinked unseen; it needs that snapshot: every stack scanned, world stopped, when the mark "
             "begins.",
    "hybrid": "The hybrid barrier (Go 1.8+) shades both the overwritten and the new pointer: stacks are scanned one "
              "goroutine at a time, concurrently, and never re-scanned.",
}


def barrier_caption(result, name: str, at_risk=(), description: str = "") -> str:
    """What the schedule does, what the barrier does, and the outcome (the lost objects, or what saved the
    objects ``at_risk``: the barrier's shade or the stack re-scan), as HTML."""
    frames = result.frames
    out = [f"<i>{html.escape(description)}.</i>" if description else "",
           html.escape(BARRIER_NOTES.get(name, ""))]
    if result.lost:
        out.append(f"<b style='color:{VERMILLION}'>Lost: {', '.join(map(str, result.lost))}</b>, reachable at "
                   "mark termination but white; sweep frees them while the program can still use them.")
    else:
        saves = []
        for f in frames:
            for x in at_risk:
                if f"shades {x}" in f.action or f", {x}" in f.action and "shades" in f.action:
                    saves.append(f"the barrier shaded {x} at step {f.step} (<code>{html.escape(f.action)}</code>)")
                if "re-scanned" in f.action and (f" {x}," in f.action + "," or f" {x})" in f.action):
                    saves.append(f"the re-scan of the stacks at mark termination found {x}")
        if not saves and at_risk and result.barrier in ("yuasa",):
            saves.append("the snapshot (all stacks scanned when the mark began) shaded "
                         f"{', '.join(map(str, at_risk))}")
        out.append("<b>Nothing lost</b>" + (": " + "; ".join(dict.fromkeys(saves)) + "." if saves else "."))
    return " ".join(x for x in out if x) + "<br><b>The schedule:</b>" + schedule_html(result)


@styled
def draw_barrier(result, name: str, layout_frames=None, schedule: str = "") -> Figure:
    """A scripted cycle (`gosim.gc.mgc.run_script`) under one barrier: the heap at mark termination, lost objects
    ringed, black → white pointers in vermillion (`barrier_caption` lists the schedule). ``layout_frames``: frames
    whose union fixes the layout (the same schedule under every barrier)."""
    frames = result.frames
    lost = result.lost
    pos = graph_layout(layout_frames or frames)
    end = mark_end(frames)
    fig = figure(8.6, 3.9, layout=None)
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.8))
    ax.set_axis_off()
    _draw_graph(ax, frames[end], pos, True, lost)
    _limits(ax, pos, pos["_bottom"] - 0.75)
    verdict = (f"object{'s' if len(lost) > 1 else ''} {', '.join(map(str, lost))} lost" if lost
               else "nothing lost")
    fig.text(0.012, 0.975, f"barrier {name}: {verdict}" + (f" ({schedule})" if schedule else ""), ha="left",
             va="top", fontsize=12, weight="bold", color=VERMILLION if lost else INK)
    fig.text(0.012, 0.9, "the heap at mark termination · vermillion arrow: a black object or stack points to a "
             "white object", ha="left", va="top", fontsize=9.5, color=GREY)
    return fig


def schedule_html(result) -> str:
    """The schedule of a scripted cycle, step by step, as an HTML list: the collector's steps in grey, the
    mutator's in black, the barrier's shades (and the stack re-scan) in blue, the loss in vermillion."""
    frames = result.frames
    end = mark_end(frames)
    items = []
    for f in frames[:end + 1]:
        color = "#777777" if f.actor == "gc" else INK
        if "shades" in f.action or "re-scanned" in f.action:
            color = BLUE
        if f.step == end and result.lost:
            color = VERMILLION
        who = "GC" if f.actor == "gc" else "mutator"
        items.append(f"<li style='color:{color}'><code style='color:{color}'>{html.escape(f.action)}</code> "
                     f"<small>({who})</small></li>")
    return "<ol start='0' style='margin:0.2em 0 0.2em 1.5em;line-height:1.35'>" + "".join(items) + "</ol>"


# --- the pacer -----------------------------------------------------------------------------------------------


def _legend_image(handles, dpi: int, **kwargs) -> np.ndarray:
    """A legend drawn once into an RGBA array, for `Figure.figimage`: a panel redraws its figure many times, and
    a legend's text is the slowest part of each draw."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(8, 2), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        legend = fig.legend(handles, [h.get_label() for h in handles], loc="upper left", frameon=False, **kwargs)
        canvas.draw()
        box = legend.get_window_extent(canvas.get_renderer())
        rgba = np.asarray(canvas.buffer_rgba())
        height = rgba.shape[0]
        return rgba[max(int(height - box.y1) - 1, 0):int(height - box.y0) + 1,
                    max(int(box.x0) - 1, 0):int(box.x1) + 1].copy()


def _limit_label(memlimit_mib: float) -> str:
    return "off" if math.isinf(memlimit_mib) else f"{memlimit_mib:g}MiB"


def _box(ax, text):
    ax.text(0.02, 0.97, text, transform=ax.transAxes, ha="left", va="top", fontsize=8.5,
            bbox=dict(boxstyle="round,pad=0.3", facecolor="#FFFFFF", edgecolor=LIGHT, alpha=0.9))


class HeapOverTime:
    """Heap over time for one of the go.dev GC guide's workloads under GOGC and GOMEMLIMIT (MiB, ``inf``: off):
    left the guide's stop-the-world toy (its live heap shaded, live + new heap, the goal), right the full model on
    the same workload (heapLive, goal, trigger, what each cycle marked; marking is concurrent). Each panel says its
    peak, GC CPU and number of cycles.

    The figure is built once and `update` changes only its data and texts: a panel redraws it many times, and
    building axes, ticks and legends is half the cost of a frame."""

    def __init__(self, dpi: int = 80) -> None:
        with matplotlib.rc_context(RC):
            self.fig = fig = figure(8.6, 4.6, layout=None)
            self.left = left = fig.add_axes((0.08, 0.3, 0.43, 0.55))
            self.right = right = fig.add_axes((0.55, 0.3, 0.43, 0.55), sharey=left)
            self.fill = None
            heap_label = "heap (guide: live + new; gosim: heapLive)"
            self.toy_heap, = left.plot([], [], color=INK, lw=1.2, label=heap_label)
            self.toy_goal, = left.plot([], [], color=ORANGE, lw=1.3, ls="--", drawstyle="steps-post", label="goal")
            self.heap, = right.plot([], [], color=INK, lw=1.2, label=heap_label)
            self.goal, = right.plot([], [], color=ORANGE, lw=1.3, ls="--", drawstyle="steps-post", label="goal")
            self.trigger, = right.plot([], [], color=GREEN, lw=1.0, ls=":", drawstyle="steps-post",
                                       label="trigger (gosim)")
            self.marked, = right.plot([], [], "o", ms=3, color=BLUE, zorder=3, label="marked after each cycle")
            self.limits = [ax.axhline(0, color=VERMILLION, lw=1.2, ls="-.", label="GOMEMLIMIT (when set)")
                           for ax in (left, right)]
            for ax in (left, right):
                ax.set_xlabel("time (s)")
                ax.xaxis.set_major_locator(MaxNLocator(6))
                ax.yaxis.set_major_locator(MaxNLocator(5))
            right.tick_params(labelleft=False)
            left.set_ylabel("heap (MiB)")
            left.set_title("the guide's model:\nstop the world at the goal", fontsize=10)
            right.set_title("gosim's pacer: concurrent mark,\ntriggered before the goal", fontsize=10)
            live_patch = matplotlib.patches.Patch(color=BLUE, alpha=0.35, label="guide's live heap")
            handles = [self.toy_heap, live_patch, self.goal, self.trigger, self.marked, self.limits[0]]
            legend = _legend_image(handles, dpi, ncols=2, fontsize=9)
            fig.figimage(legend, xo=max((8.6 * dpi - legend.shape[1]) // 2, 0), yo=2, origin="upper")
            box = dict(boxstyle="round,pad=0.3", facecolor="#FFFFFF", edgecolor=LIGHT, alpha=0.9)
            self.boxes = [ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                                  bbox=box) for ax in (left, right)]
            self.title = fig.text(0.012, 0.975, "", ha="left", va="top", fontsize=11.5, weight="bold")

    def update(self, workload: str, gogc, memlimit_mib: float = math.inf, gomaxprocs: int = 1,
               guide_result=None, model_run: PacerRun | None = None) -> Figure:
        g = -1 if gogc in ("off", None) or (isinstance(gogc, (int, float)) and gogc < 0) else gogc
        toy = guide_result or guide_model.run_guide(workload, g if g >= 0 else math.inf, memlimit_mib)
        if model_run is None:
            from ..gc.pacersim import guide_workload_run
            model_run = guide_workload_run(workload, "off" if g < 0 else g, memlimit_mib, 0.0, gomaxprocs)
        t = np.array([p.t for p in toy.points])
        live = np.array([p.live for p in toy.points])
        total = np.array([p.total for p in toy.points])
        if self.fill is not None:
            self.fill.remove()
        self.fill = self.left.fill_between(t, 0, live, color=BLUE, alpha=0.35, lw=0)
        self.toy_heap.set_data(t, total)
        goals = np.array([guide_model.guide_heap_goal(p.live, g if g >= 0 else math.inf, memlimit_mib)
                          for p in toy.points])
        self.toy_goal.set_data(t, np.where(np.isinf(goals), np.nan, goals))
        series = np.array(model_run.series, dtype=float) if model_run.series else np.zeros((1, 4))
        self.heap.set_data(series[:, 0], series[:, 1] / MIB)
        finite = series[:, 2] < 2 ** 62
        self.goal.set_data(series[finite, 0], series[finite, 2] / MIB)
        self.trigger.set_data(series[finite, 0], series[finite, 3] / MIB)
        self.marked.set_data([c.start_s + c.mark_s for c in model_run.cycles],
                             [c.marked / MIB for c in model_run.cycles])
        for line in self.limits:
            line.set_visible(not math.isinf(memlimit_mib))
            if not math.isinf(memlimit_mib):
                line.set_ydata([memlimit_mib, memlimit_mib])
        top = max(total.max(), series[:, 1].max() / MIB, 0 if math.isinf(memlimit_mib) else memlimit_mib)
        self.left.set_ylim(0, top * 1.18 + 1)
        self.left.set_xlim(0, max(t.max(), 1e-3) * 1.02)
        self.right.set_xlim(0, max(series[:, 0].max(), 1e-3) * 1.02)
        self.boxes[0].set_text(f"peak {toy.peak_mib:.1f} MiB · GC CPU {toy.gc_cpu_pct:.1f} % · {toy.gc_cycles} GCs")
        self.boxes[1].set_text(f"peak {model_run.peak / MIB:.1f} MiB · GC CPU {model_run.gc_cpu_pct:.1f} % · "
                               f"{len(model_run.cycles)} GCs")
        self.title.set_text(f"workload {workload}, GOGC={format_gogc(g)}, "
                            f"GOMEMLIMIT={_limit_label(memlimit_mib)}")
        return self.fig


def draw_heap_over_time(workload: str, gogc, memlimit_mib: float = math.inf, gomaxprocs: int = 1,
                        guide_result=None, model_run: PacerRun | None = None) -> Figure:
    """`HeapOverTime` for one set of values, on a new figure."""
    return HeapOverTime().update(workload, gogc, memlimit_mib, gomaxprocs, guide_result, model_run)


class PacerFigure:
    """One simulated run (`gosim.gc.pacersim.PacerRun`) cycle by cycle: top the heap sizes the pacer works with
    (MiB: goal, trigger, peak, marked, the true live heap, GOMEMLIMIT), bottom the CPU the GC took during each
    mark as a share of GOMAXPROCS, stacked: the 25 % background workers, mutator assists, idle workers on spare Ps;
    a mark above shows where the GC CPU limiter was on. Built once; `update` changes data and texts."""

    def __init__(self, dpi: int = 80) -> None:
        with matplotlib.rc_context(RC):
            self.fig = fig = figure(8.6, 5.4, layout=None)
            self.top = top = fig.add_axes((0.1, 0.45, 0.56, 0.41))
            self.bot = bot = fig.add_axes((0.1, 0.1, 0.56, 0.25), sharex=top)
            self.goal, = top.plot([], [], color=ORANGE, lw=1.5, drawstyle="steps-mid", label="goal")
            self.trigger, = top.plot([], [], color=GREEN, lw=1.1, ls=":", drawstyle="steps-mid", label="trigger")
            self.peak, = top.plot([], [], "v", color=VERMILLION, ms=4, label="peak (heap at mark end)")
            self.marked, = top.plot([], [], "o", color=BLUE, ms=3, label="marked (live + floating)")
            self.live, = top.plot([], [], color=INK, lw=1.0, label="true live heap")
            self.limit = top.axhline(0, color=VERMILLION, lw=1.1, ls="-.", label="GOMEMLIMIT (when set)")
            self.limited, = bot.plot([], [], "|", color=PURPLE, ms=6, label="CPU limiter on")
            self.fills: list = []
            top.set_ylabel("heap (MiB)")
            bot.set_ylabel("GC CPU during\nthe mark (%)")
            bot.set_xlabel("GC cycle")
            bot.set_ylim(0, 108)
            top.tick_params(labelbottom=False)
            heap_keys = _legend_image([self.goal, self.trigger, self.peak, self.marked, self.live, self.limit],
                                      dpi, fontsize=9)
            fig.figimage(heap_keys, xo=int(0.67 * 8.6 * dpi), yo=int(0.86 * 5.4 * dpi) - heap_keys.shape[0],
                         origin="upper")
            patches = [matplotlib.patches.Patch(color=SKY, label="background workers (25 %)"),
                       matplotlib.patches.Patch(color=VERMILLION, label="mutator assists"),
                       matplotlib.patches.Patch(facecolor=LIGHT, edgecolor=GREY, label="idle workers (spare Ps)"),
                       self.limited]
            cpu_keys = _legend_image(patches, dpi, fontsize=9)
            fig.figimage(cpu_keys, xo=int(0.67 * 8.6 * dpi), yo=int(0.37 * 5.4 * dpi) - cpu_keys.shape[0],
                         origin="upper")
            self.title = fig.text(0.012, 0.975, "", ha="left", va="top", fontsize=11.5, weight="bold")
            self.subtitle = fig.text(0.012, 0.93, "", ha="left", va="top", fontsize=10, color=GREY)

    def update(self, run: PacerRun, title: str | None = None) -> Figure:
        cycles = run.cycles
        n = np.arange(1, len(cycles) + 1, dtype=float)
        col = lambda f: np.array([f(c) for c in cycles], dtype=float)  # noqa: E731
        self.goal.set_data(n, col(lambda c: c.goal) / MIB)
        self.trigger.set_data(n, col(lambda c: c.trigger) / MIB)
        self.peak.set_data(n, col(lambda c: c.peak) / MIB)
        self.marked.set_data(n, col(lambda c: c.marked) / MIB)
        self.live.set_data(n, col(lambda c: c.live) / MIB)
        limited = run.memlimit < MAX_INT64
        self.limit.set_visible(limited)
        self.limit.set_ydata([run.memlimit / MIB] * 2 if limited else [0, 0])
        bg = 100 * (col(lambda c: c.pacer_utilization) - col(lambda c: c.assist_fraction))
        assist = 100 * col(lambda c: c.assist_fraction)
        idle = 100 * col(lambda c: c.utilization) - bg - assist
        for f in self.fills:
            f.remove()
        lows = [np.zeros_like(bg), bg, bg + assist]
        highs = [bg, bg + assist, bg + assist + idle]
        faces = [(SKY, SKY), (VERMILLION, VERMILLION), (LIGHT, GREY)]
        self.fills = [self.bot.fill_between(n, lo, hi, step="mid", facecolor=fc, edgecolor=ec, lw=0.3)
                      for lo, hi, (fc, ec) in zip(lows, highs, faces)]
        on = [k + 1 for k, c in enumerate(cycles) if c.limiter]
        self.limited.set_data(on, [102] * len(on))
        heap_top = max([*(c.peak for c in cycles), *(c.goal for c in cycles), 1 << 20]) / MIB
        if limited:
            heap_top = max(heap_top, run.memlimit / MIB)
        self.top.set_ylim(0, heap_top * 1.08)
        self.top.set_xlim(0.5, max(len(cycles), 1) + 0.5)
        lim = "off" if run.memlimit >= MAX_INT64 else f"{run.memlimit / MIB:.0f}MiB"
        self.title.set_text(title or f"scenario {run.workload}: GOGC={format_gogc(run.gogc)}, GOMEMLIMIT={lim}, "
                            f"GOMAXPROCS={run.gomaxprocs}")
        self.subtitle.set_text(f"{len(cycles)} cycles in {run.seconds:.2f} s · GC CPU {run.gc_cpu_pct:.1f} % of "
                               f"all CPU · peak {run.peak / MIB:.0f} MiB")
        return self.fig


def draw_pacer_run(run: PacerRun, title: str | None = None) -> Figure:
    """`PacerFigure` for one run, on a new figure."""
    return PacerFigure().update(run, title)


@styled
def draw_tradeoff(curves: dict[str, list[tuple[float, float, float]]], title: str = "") -> Figure:
    """GC CPU (%) against peak memory (MiB), one line per model, each point labelled with its GOGC.
    ``curves``: name → [(GOGC, GC CPU %, peak MiB), ...]."""
    fig = figure(7.5, 4.3)
    ax = fig.add_subplot()
    for (name, pts), color, marker in zip(curves.items(), (ORANGE, BLUE, GREEN), ("s", "o", "^")):
        ax.plot([p[2] for p in pts], [p[1] for p in pts], marker=marker, color=color, label=name, lw=1.3)
        for g, cpu, peak in pts:
            ax.annotate(f"{g:g}", (peak, cpu), textcoords="offset points", xytext=(4, 4), fontsize=9,
                        color=color)
    ax.set_xlabel("peak heap (MiB)")
    ax.set_ylabel("GC CPU (% of all CPU)")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_ylim(bottom=0)
    ax.legend(title="labels: GOGC")
    ax.set_title(title or "GC CPU against peak heap over GOGC")
    return fig


# --- the real runtime ------------------------------------------------------------------------------------------


@styled
def draw_gctrace(runs: dict[str, list], limits_mib: dict[str, float] | None = None, title: str = "") -> Figure:
    """Parsed gctrace lines (`gosim.toolchain.gctrace.GCTraceLine`) of several runs, one panel each: per cycle
    the heap when the cycle started (H0), when marking ended (H1), what was marked live (H2), and the goal
    (all MiB, truncated as gctrace prints them)."""
    limits_mib = limits_mib or {}
    k = len(runs)
    cols = 2 if k > 1 else 1
    rows = math.ceil(k / cols)
    fig = figure(8.6, 2.8 * rows + 0.7)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (name, trace) in zip(axes.flat, runs.items()):
        n = [t.n for t in trace]
        ax.step(n, [t.goal_mib for t in trace], where="mid", color=ORANGE, lw=1.5, label="goal")
        ax.plot(n, [t.heap0_mib for t in trace], "^", color=GREEN, ms=3.5, label="H0: heap at GC start")
        ax.plot(n, [t.heap1_mib for t in trace], "v", color=VERMILLION, ms=3.5, label="H1: heap at mark end")
        ax.plot(n, [t.heap2_mib for t in trace], "o", color=BLUE, ms=3, label="H2: marked (live)")
        if name in limits_mib:
            ax.axhline(limits_mib[name], color=VERMILLION, lw=1.1, ls="-.", label="GOMEMLIMIT")
        ax.set_title(f"{name}: {len(trace)} cycles", fontsize=10)
        ax.set_xlabel("GC cycle (gc N)")
        ax.set_ylabel("MiB")
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[k:]:
        ax.set_axis_off()
    handles, labels = {}, {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=3, fontsize=9)
    fig.suptitle(title or "gctrace: the goal follows the live heap; a higher GOGC, fewer cycles", fontsize=11.5,
                 weight="bold")
    return fig


@styled
def draw_goal_check(rows_by_run: dict[str, list]) -> Figure:
    """The heap goal per cycle (MiB): the runtime's (/gc/heap/goal:bytes, a line) and the model's from the same
    inputs (hollow markers), one colour per run (`gosim.checks.gc.GoalRow`); the legend says how many cycles
    agree to the byte."""
    fig = figure(8.0, 3.8)
    ax = fig.add_subplot()
    for (name, rows), color in zip(rows_by_run.items(), (BLUE, ORANGE, GREEN, VERMILLION, PURPLE)):
        cyc = [r.cycle for r in rows]
        exact = sum(r.model == r.real for r in rows)
        ax.plot(cyc, [r.real / MIB for r in rows], color=color, lw=1.2,
                label=f"{name}: {exact}/{len(rows)} cycles equal to the byte")
        ax.plot(cyc, [r.model / MIB for r in rows], "o", mfc="none", mec=color, ms=4.5, mew=0.9)
    ax.set_xlabel("GC cycle")
    ax.set_ylabel("heap goal (MiB)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8.5, loc="lower right", title="line: runtime · circles: model", title_fontsize=8.5)
    ax.set_title("the model's heap goal on the runtime's")
    return fig


@styled
def draw_trigger_check(rows_by_run: dict[str, list], floor: float, top: float, span: int = 8192) -> Figure:
    """The trigger check (`gosim.checks.gc.TriggerRow`), one colour per run. Left: where the model's trigger sits
    between heapMarked (0) and the goal (1), with the two clamps. Right: how far past the model's trigger heapLive
    was when the runtime started the cycle (KiB), with the one-span band."""
    fig = figure(8.6, 3.6)
    a1, a2 = fig.subplots(1, 2)
    for (name, rows), color in zip(rows_by_run.items(), (BLUE, ORANGE, GREEN, VERMILLION, PURPLE)):
        st = [t for t in rows if t.steady]
        a1.plot([t.cycle for t in st], [t.position for t in st], "o", ms=3.5, color=color, label=name)
        a2.plot([t.cycle for t in st], [t.excess / 1024 for t in st], "o", ms=3.5, color=color, label=name)
    for y, text in ((floor, "45/64"), (top, "61/64")):
        a1.axhline(y, color=GREY, ls=":", lw=1)
        a1.text(1.0, y, f" {text}", transform=a1.get_yaxis_transform(), fontsize=8, color=GREY, va="center")
    a1.set_ylim(floor - 0.05, 1.0)
    a1.set_xlabel("GC cycle")
    a1.set_ylabel("model trigger: (trigger − marked) / (goal − marked)")
    a1.set_title("where the trigger sits", fontsize=10)
    a2.axhspan(0, span / 1024, color=LIGHT, zorder=0)
    a2.set_ylim(-1, span / 1024 * 1.5)
    a2.set_xlabel("GC cycle")
    a2.set_ylabel("runtime's start − model's trigger (KiB)")
    a2.set_title(f"heapLive past the trigger: within one span ({span // 1024} KiB)", fontsize=10)
    a2.legend(fontsize=8, loc="upper right")
    return fig


@styled
def draw_greentea(model: dict[str, tuple], real: dict[str, dict[str, float]] | None = None,
                  ylabel: str = "mark CPU per cycle (ms, median)") -> Figure:
    """Green Tea against the classic marker. Left: the model (`gosim.gc.greentea.compare`) — span visits and
    objects per visit per heap shape. Right: the real runtime's median mark time per cycle (ms) with and without
    Green Tea. ``model``: shape → (classic MarkStats, greentea MarkStats); ``real``: shape → {"greentea": ms,
    "classic": ms}."""
    fig = figure(8.6, 4.6, layout=None)
    a1 = fig.add_axes((0.1, 0.22, 0.37, 0.6))
    shapes = list(model)
    x = np.arange(len(shapes))
    classic = [model[s][0] for s in shapes]
    green = [model[s][1] for s in shapes]
    a1.bar(x - 0.2, [c.objects_scanned for c in classic], 0.4, color=GREY)
    a1.bar(x + 0.2, [g.span_visits + g.workbuf_scans for g in green], 0.4, color=GREEN)
    for i, (c, g) in enumerate(zip(classic, green)):
        per = g.objects_per_visit
        a1.text(i + 0.2, g.span_visits + g.workbuf_scans, f"{per:.0f} object{'s' if round(per) != 1 else ''}\n"
                "per visit", ha="center", va="bottom", fontsize=8)
    a1.set_xticks(x, shapes)
    a1.set_yscale("log")
    a1.set_ylabel("work items dequeued (log)")
    a1.set_ylim(30, max(c.objects_scanned for c in classic) * 20)
    a1.set_title(f"model: marking {classic[0].objects_marked:,} objects", fontsize=10)
    if real:
        a2 = fig.add_axes((0.6, 0.22, 0.38, 0.6))
        a2.bar(x - 0.2, [real[s]["classic"] for s in shapes], 0.4, color=GREY)
        a2.bar(x + 0.2, [real[s]["greentea"] for s in shapes], 0.4, color=GREEN)
        for i, s in enumerate(shapes):
            ratio = real[s]["classic"] / real[s]["greentea"]
            a2.text(i, max(real[s].values()) * 1.04, f"Green Tea {ratio:.1f}× faster" if ratio >= 1
                    else f"Green Tea {1 / ratio:.1f}× slower", ha="center", va="bottom", fontsize=8.5)
        a2.set_xticks(x, shapes)
        a2.set_ylabel(ylabel)
        a2.set_ylim(0, max(max(v.values()) for v in real.values()) * 1.2)

        a2.set_title("real runtime: gcchurn's marks", fontsize=10)
    fig.text(0.012, 0.975, "Green Tea scans a dense heap span by span,\na linked list still one node at a time",
             ha="left", va="top", fontsize=11.5, weight="bold")
    keys = [matplotlib.patches.Patch(color=GREY, label="classic marker (GOEXPERIMENT=nogreenteagc): one object "
                                     "per work item"),
            matplotlib.patches.Patch(color=GREEN, label="Green Tea (default): one span per work item")]
    fig.legend(handles=keys, loc="lower center", ncols=1, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    return fig


@styled
def draw_scavenge(samples: list[dict], burst_mib: int) -> Figure:
    """RSS and the runtime's heap memory classes (MiB) after a burst is freed (gosim/programs/gcscavenge's
    ``sample`` lines): free pages stay mapped until the scavenger releases them."""
    fig = figure(8.0, 3.8)
    ax = fig.add_subplot()
    after = [s for s in samples if s["phase"] in ("gc1", "gc2", "freeosmemory")]
    t = [s["t"] for s in after]
    ax.plot(t, [s["rss"] / MIB for s in after], "o-", ms=3, color=INK, label="RSS (/proc/self/statm)")
    ax.plot(t, [s["free"] / MIB for s in after], "s-", ms=3, color=ORANGE, label="heap free (mapped, unused)")
    ax.plot(t, [s["released"] / MIB for s in after], "^-", ms=3, color=GREEN, label="heap released to the OS")
    second = next((s["t"] for s in after if s["phase"] == "gc2"), None)
    if second is not None:
        ax.axvline(second, color=GREY, ls=":", lw=1)
        ax.text(second, burst_mib * 1.12, " second runtime.GC()", fontsize=8, color=GREY, va="bottom")
    ax.axvline(after[-1]["t"], color=GREY, ls=":", lw=1)
    ax.text(after[-1]["t"], burst_mib * 1.12, "debug.FreeOSMemory() ", fontsize=8, color=GREY, ha="right",
            va="bottom")
    ax.set_ylim(0, burst_mib * 1.25)
    ax.set_xlabel(f"seconds since the {burst_mib} MiB burst was dropped and collected")
    ax.set_ylabel("MiB")
    ax.legend(fontsize=8, loc="center left")
    ax.set_title(f"the freed {burst_mib} MiB stay mapped until the scavenger returns them (madvise)")
    return fig



@styled
def draw_limiter(nprocs: int, assist_share: float, seconds: float, real=None) -> Figure:
    """The GC CPU limiter's model (`gosim.gc.mgclimit.timeline`) for a program that collects all the time with
    assists taking ``assist_share`` of the CPU, with and without the limiter. Left: the bucket's fill
    (CPU-seconds) against its capacity. Right: the GC share (limiter's view) averaged over 100 ms, with the
    runtime's before and after the limiter turned on when ``real`` (a `gosim.checks.gc.LimiterRow`) is given."""
    from ..gc import mgclimit

    # axes placed by hand (layout=None): constrained layout would cost a second draw on every panel frame
    fig = figure(8.6, 3.4, layout=None)
    a1 = fig.add_axes((0.075, 0.15, 0.39, 0.76))
    a2 = fig.add_axes((0.585, 0.15, 0.39, 0.76))
    for on, color, label in ((False, VERMILLION, "without the limiter"), (True, BLUE, "with the limiter")):
        tl = mgclimit.timeline(nprocs, assist_share, seconds, limiter=on)
        t = np.array([r[0] for r in tl]) * nprocs
        a1.plot(t, [r[1] for r in tl], color=color, lw=1.5, label=label)
        share = np.array([r[3] for r in tl])
        k = 10  # 100 ms windows
        n = len(share) // k * k
        a2.plot(t[k - 1:n:k], share[:n].reshape(-1, k).mean(axis=1), color=color, lw=1.5, label=label)
    a1.axhline(nprocs * mgclimit.capacityPerProc, color=GREY, ls=":", lw=1)
    a1.text(0.02, nprocs * mgclimit.capacityPerProc, " capacity", transform=a1.get_yaxis_transform(),
            fontsize=8, color=GREY, va="bottom")
    # fixed ticks and titles as figure text: each tick matplotlib places itself costs a frame a few ms
    end = seconds * nprocs
    xticks = [end * i / 4 for i in range(5)]
    cap = nprocs * mgclimit.capacityPerProc
    for ax in (a1, a2):
        ax.set_xlim(0, end)
        ax.set_xticks(xticks, [f"{x:g}" for x in xticks])
    a1.set_ylim(0, cap * 1.12)
    a1.set_yticks([cap * i / 4 for i in range(5)], [f"{cap * i / 4:g}" for i in range(5)])
    a2.set_yticks([0, 0.25, 0.5, 0.75, 1], ["0", "0.25", "0.5", "0.75", "1"])
    a1.set_xlabel("CPU-seconds")
    a1.set_ylabel("bucket fill (CPU-seconds)")
    fig.text(0.27, 0.93, "the bucket", fontsize=10, ha="center", va="bottom")
    # one legend for both axes (the same two lines in each)
    a2.axhline(0.5, color=GREY, ls=":", lw=1)
    if real is not None:
        a2.plot([0, real.real_cpu_s, real.real_cpu_s, end],
                [real.gc_share_before, real.gc_share_before, real.gc_share_after, real.gc_share_after],
                color=INK, lw=1.2, ls="--", label="runtime (means before and after it turned on)")
    a2.set_ylim(0, 1)
    a2.set_xlabel("CPU-seconds")
    a2.set_ylabel("GC share (25 % + assists), 100 ms means")
    fig.text(0.78, 0.93, "GC's share of the CPU", fontsize=10, ha="center", va="bottom")
    a2.legend(fontsize=8, loc="lower left")
    return fig
