"""Chapter 2's figures: the import graph with the predicted order, the linker's schedule, the inittrace timeline.

* `draw_import_graph`: a program's own packages (and the standard-library packages they import, as leaves), an
  arrow from each importer to each import, importers above what they import. Each package that runs init code
  carries its place among all the packages whose init code runs (its line in ``inittrace``); a package with only
  static data has no number and a dotted outline (the compiler gave it no inittask, or one without functions that
  the linker dropped).
* `draw_schedule`: how the order was made, one row per decision. Go 1.21+: the linker's heap of ready packages
  (sorted as the linker compares them), the one it pops filled. Before: the chain of ``doInit`` calls that
  reached the package.
* `draw_order`: graph and schedule side by side, the panel's frame (`gosim.widgets.inits`); `order_caption` lists
  the steps the program prints, in order, coloured by package (HTML under the figure).
* `draw_inittrace`: ``GODEBUG=inittrace=1`` of a real run: every package on a time axis (when its init began,
  how long it ran), and below, the packages that allocated most.
* `show`: a figure as a PNG a page shows sharp, at the width it was drawn for (static figures of the chapter).

Colours follow the package, the same in the graph, the schedule and the steps, so the eye can follow one package
across the three.
"""

from __future__ import annotations

import html

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.transforms import Affine2D

from .. import inits
from .style import BLUE, GREEN, GREY, INK, ORANGE, PURPLE, SKY, VERMILLION, YELLOW, figure, show, styled

# Okabe-Ito, light enough to put black text on (yellow last: it is the weakest on white)
PACKAGE_COLOURS = (SKY, ORANGE, GREEN, PURPLE, "#F5B7A3", "#9ECAE1", YELLOW, "#C7C7C7")


# --- what the figures show ---------------------------------------------------------------------------------------


def shown_packages(program: inits.Program) -> dict[str, tuple[str, ...]]:
    """The packages the graph draws, with their imports: the program's own, and the standard-library packages
    they import directly (as leaves)."""
    return inits.import_graph(program, std=False)


def ran(result: inits.Initialization) -> list[str]:
    """Every package whose init code runs, in order: the runtime's own list first, as ``inittrace`` prints them."""
    static = set(result.static)
    return [p for p in result.packages if p not in static]


def numbered(program: inits.Program, result: inits.Initialization) -> dict[str, int]:
    """The shown packages that run init code, each with its place among all the packages that do (`ran`), so a
    number is the package's line in ``inittrace``."""
    shown = shown_packages(program)
    return {p: i + 1 for i, p in enumerate(ran(result)) if p in shown}


def colours(program: inits.Program) -> dict[str, str]:
    """A fill colour per shown package (by path order, so a package keeps its colour in every variant)."""
    paths = sorted(shown_packages(program))
    return {p: PACKAGE_COLOURS[i % len(PACKAGE_COLOURS)] for i, p in enumerate(paths)}


def std_below(program: inits.Program, path: str) -> int:
    """How many standard-library packages ``path`` brings (itself and everything it imports, transitively)."""
    seen, todo = {path}, [path]
    while todo:
        for imp in program[todo.pop()].imports:
            if imp not in seen:
                seen.add(imp)
                todo.append(imp)
    return sum(program[p].std for p in seen)


def layers(graph: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each package's row, counted from the top: 0 for a package nothing shown imports (``main``), else one more
    than its lowest importer's row. An import then spans one row wherever it can."""
    importers: dict[str, list[str]] = {p: [] for p in graph}
    for p, imports in graph.items():
        for i in imports:
            importers[i].append(p)
    depth: dict[str, int] = {}

    def d(p: str) -> int:
        if p not in depth:
            depth[p] = 1 + max((d(i) for i in importers[p]), default=-1)
        return depth[p]

    for p in graph:
        d(p)
    return depth


def positions(graph: dict[str, tuple[str, ...]]) -> dict[str, tuple[float, float]]:
    """(x, y) per package: rows by `layers` (importers above, y = -row), each row ordered by the mean x of
    the packages that import it (fewer crossings), ties by path; rows centred on x = 0."""
    depth = layers(graph)
    bottom = max(depth.values(), default=0)
    importers: dict[str, list[str]] = {p: [] for p in graph}
    for p, imports in graph.items():
        for i in imports:
            importers[i].append(p)
    x: dict[str, float] = {}
    for level in range(bottom + 1):
        row = [p for p in graph if depth[p] == level]
        row.sort(key=lambda p: (sum(x[i] for i in importers[p]) / len(importers[p]) if importers[p] else 0.0, p))
        for k, p in enumerate(row):
            x[p] = k - (len(row) - 1) / 2
    return {p: (x[p], -float(depth[p])) for p in graph}


# --- the pieces ----------------------------------------------------------------------------------------------------


def _label(program: inits.Program, path: str) -> str:
    if path in program.by_path and program[path].std and path in shown_packages(program):
        below = std_below(program, path) - 1
        return f"{path}\n(+{below} it imports)" if below else path
    return path


def _graph(fig: Figure, box: tuple[float, float, float, float], program: inits.Program,
           result: inits.Initialization, added: tuple[str, str] | None = None) -> None:
    """The import graph in ``box`` (left, bottom, width, height; figure fractions), drawn straight on the
    figure through one transform: no axes to build, which a redraw would pay for."""
    graph = shown_packages(program)
    where = positions(graph)
    number = numbered(program, result)
    fill = colours(program)
    has = inits.has_inittask(program)
    width = max(1.0, max((len(max(_label(program, p).split("\n"), key=len)) for p in graph), default=8) * 0.075)
    w, h = min(width, 1.55), 0.42
    scale_x = max(w + 0.35, 1.0)
    xy = {p: (x * scale_x, y) for p, (x, y) in where.items()}
    xs = [x for x, _ in xy.values()] or [0.0]
    ys = [y for _, y in xy.values()] or [0.0]
    x0, x1 = min(xs) - w / 2 - 0.25, max(xs) + w / 2 + 0.9
    y0, y1 = min(ys) - h / 2 - 0.3, max(ys) + h / 2 + 0.3
    left, bottom, bw, bh = box
    data = Affine2D().translate(-x0, -y0).scale(bw / (x1 - x0), bh / (y1 - y0)).translate(left, bottom) \
        + fig.transFigure

    def put(x: float, y: float, text: str, **style) -> None:
        fig.text(x, y, text, transform=data, **style)

    for p, imports in graph.items():
        for i in imports:
            new = added == (p, i)
            (xa, ya), (xb, yb) = xy[p], xy[i]
            # an import that skips a row bows out to the side, around the boxes in between
            long = ya - yb > 1.5
            start, end = ((xa + w / 2, ya), (xb + w / 2, yb)) if long else ((xa, ya - h / 2), (xb, yb + h / 2))
            fig.add_artist(FancyArrowPatch(
                start, end, transform=data, arrowstyle="-|>", color=VERMILLION if new else GREY,
                lw=2.2 if new else 1.1, linestyle="--" if new else "-", shrinkA=1, shrinkB=1, mutation_scale=11,
                connectionstyle=f"arc3,rad={-0.5 if long else 0}", zorder=1))
            if new:
                put((start[0] + end[0]) / 2 + 0.06 + (0.35 if long else 0), (ya + yb) / 2, "added",
                    color=VERMILLION, fontsize=9.5, weight="bold", ha="left", va="center")
    for p, (x, y) in xy.items():
        runs = p in number
        fig.add_artist(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                      transform=data, facecolor=fill[p] if runs else "#FFFFFF",
                                      edgecolor=INK if runs else GREY, linewidth=1.2,
                                      linestyle="-" if runs else ":", zorder=2))
        text = _label(program, p)
        put(x, y, text, ha="center", va="center", fontsize=9.5 if "\n" not in text else 8.5, color=INK,
            zorder=3, linespacing=1.1)
        if runs:
            put(x - w / 2, y + h / 2, str(number[p]), ha="center", va="center", fontsize=10, weight="bold",
                color="#FFFFFF", zorder=4, bbox=dict(boxstyle="circle,pad=0.25", facecolor=INK, edgecolor=INK))
        else:
            why = "no inittask" if not has.get(p, False) else "no init code"
            put(x, y - h / 2 - 0.06, why, ha="center", va="top", fontsize=8.5, color=GREY, style="italic")


_MONO = 0.602  # DejaVu Sans Mono's advance, in ems: text is laid out in character columns


def _schedule(fig: Figure, box: tuple[float, float, float, float], program: inits.Program,
              result: inits.Initialization, limit: int = 8) -> None:
    """One row per decision about a shown package (the runtime's own closure and the standard library's picks
    left out), in ``box`` (left, bottom, width, height; figure fractions). Text is laid out in monospace
    character columns and rows, straight on the figure: no axes to build, which a redraw would pay for."""
    shown = shown_packages(program)
    fill = colours(program)
    picks = [p for p in result.schedule if p.package in shown]
    size = 9.5
    left, bottom, width, height = box
    columns = width * fig.get_figwidth() * 72 / (_MONO * size)
    top_row, bottom_row = -1.6, max(len(picks[:limit]), 4) - 0.4
    grid = Affine2D().translate(0, -top_row).scale(width / columns, -height / (bottom_row - top_row)) \
        .translate(left, bottom + height) + fig.transFigure  # (column, row) -> the figure

    def put(column: float, row: float, text: str, **style) -> None:
        fig.text(column, row, text, transform=grid, **style)

    linker = result.order == "current"
    head = ("the linker's ready packages, step by step" if linker else "runtime.doInit's calls, depth first")
    put(0.0, -1.0, head, fontsize=10, weight="bold", va="center")
    for k, pick in enumerate(picks[:limit]):
        put(0.0, k, f"{k + 1}.", fontsize=size, va="center", ha="left", color=GREY, family="monospace")
        x = 4.0
        if linker:
            items = [p for p in pick.ready if p in shown]
            hidden = len(pick.ready) - len(items)
        else:
            items, hidden = [*pick.ready, pick.package], 0
        for j, p in enumerate(items):
            chosen = p == pick.package
            put(x, k, p, fontsize=size, va="center", ha="left", family="monospace",
                    weight="bold" if chosen else "normal", color=INK if chosen else "#444444",
                    bbox=dict(boxstyle="round,pad=0.25", facecolor=fill.get(p, "#FFFFFF") if chosen else "#FFFFFF",
                              edgecolor=INK if chosen else GREY, linewidth=1.2 if chosen else 0.8))
            x += len(p) + 2
            if not linker and j < len(items) - 1:  # the arrow glyph is about 1.7 columns wide
                put(x + 0.8, k, "→", fontsize=size + 1, va="center", ha="center", color=GREY)
                x += 3
        if hidden:
            put(x, k, f"(+{hidden} std)", fontsize=size, va="center", color=GREY, family="monospace")
            x += 11
        if linker and not pick.runs:
            put(x + 1, k, "(no init code: not listed)", fontsize=size, va="center", color=GREY)
    if len(picks) > limit:
        put(4.0, limit, f"... {len(picks) - limit} more", fontsize=size, color=GREY, va="center")


# --- figures -------------------------------------------------------------------------------------------------------


@styled
def draw_import_graph(program: inits.Program, result: inits.Initialization, *, title: str | None = None,
                      added: tuple[str, str] | None = None) -> Figure:
    """The import graph, each package numbered in the order its init code runs (``result``)."""
    graph = shown_packages(program)
    depth = layers(graph)
    height = max(depth.values(), default=0)
    wide = max(sum(1 for y in depth.values() if y == level) for level in range(height + 1))
    fig_h = 1.1 * height + 1.75
    fig = figure(max(6.0, 1.9 * wide + 1.0), fig_h, layout=None)
    _graph(fig, (0.01, 0.01, 0.98, 1 - 0.01 - 0.55 / fig_h), program, result, added)
    default = (f"each package numbered by its place among the {len(ran(result))} whose init code runs\n"
               f"{_rule(result)}")
    fig.text(0.01, 1 - 0.1 / fig_h, title or default, fontsize=10.5, ha="left", va="top", linespacing=1.3)
    return fig


@styled
def draw_schedule(program: inits.Program, result: inits.Initialization, *, title: str | None = None) -> Figure:
    """How the package order was made, one decision per row."""
    rows = sum(1 for p in result.schedule if p.package in shown_packages(program))
    height = 0.3 * (max(min(rows, 8), 4) + 1.6) + 0.45
    fig = figure(8.0, height, layout=None)
    _schedule(fig, (0.01, 0.02, 0.98, 1 - 0.02 - 0.45 / height), program, result)
    fig.text(0.01, 1 - 0.12 / height, title or _rule(result), ha="left", va="top", fontsize=11, weight="bold")
    return fig


@styled
def draw_order(program: inits.Program, result: inits.Initialization, *, title: str = "",
               added: tuple[str, str] | None = None) -> Figure:
    """The panel's frame: the graph (left) and how its order was made (right). The printed steps go in the
    caption (`order_caption`): HTML text costs a redraw nothing. Everything is drawn on the figure itself, no
    axes, so a redraw builds few artists and draws once."""
    fig = figure(8.5, 3.7, layout=None)
    _graph(fig, (0.01, 0.02, 0.42, 0.80), program, result, added)
    _schedule(fig, (0.45, 0.02, 0.54, 0.80), program, result)
    fig.text(0.01, 0.97, title or _rule(result), ha="left", va="top", fontsize=11.5, weight="bold", color=INK)
    return fig


def printed(result: inits.Initialization) -> list[inits.Step]:
    """The steps a program prints (its own packages', not the standard library's; no static-only package)."""
    static = set(result.static)
    return [s for s in result.steps if not s.std and s.package not in static]


def order_caption(program: inits.Program, result: inits.Initialization, changed: set[int] = frozenset(),
                  note: str = "") -> str:
    """HTML for a panel's caption: the package order, a note, and the printed steps, numbered, each on its
    package's colour; positions in ``changed`` (0-based) in bold vermillion."""
    shown = numbered(program, result)
    fill = colours(program)
    order = " → ".join(f"<code>{html.escape(p)}</code>" for p in sorted(shown, key=shown.get))
    items = []
    for k, step in enumerate(printed(result)):
        swatch = (f"<span style='display:inline-block;width:2.2em;text-align:center;border:1px solid {INK};"
                  f"background:{fill.get(step.package, '#FFFFFF')};color:{INK}'>{k + 1}</span>")
        style = f"color:{VERMILLION};font-weight:bold" if k in changed else f"color:{INK}"
        items.append(f"<div style='margin:1px 0'>{swatch} <code style='{style}'>{html.escape(str(step))}</code>"
                     "</div>")
    steps = "".join(items)
    return (f"<div><b>order</b>: {order}" + (f" &nbsp;·&nbsp; {note}" if note else "") + "</div>"
            f"<div style='columns:2;column-gap:2em;margin-top:0.4em;font-size:90%'>{steps}</div>")


def _rule(result: inits.Initialization) -> str:
    if result.order == "current":
        return "Go 1.21+: the ready package whose PKG..inittask sorts first"
    return "Go 1.19: doInit, depth first, in import order"


@styled
def draw_inittrace(rows, *, highlight: tuple[str, ...] = (), runtime_tasks: int = 0, top: int = 10,
                   title: str = "") -> Figure:
    """``GODEBUG=inittrace=1`` as a timeline. Above: every package in the order it ran (top to bottom) at the
    time its init began (ms since ``runtimeInitTime``; a bar as long as it ran), the first, the last, the three
    slowest and ``highlight`` named. Below: the ``top`` packages by heap bytes allocated, with their allocation
    counts. ``runtime_tasks``: how many rows are the runtime's own list (run before ``gcenable``)."""
    n = len(rows)
    fig = figure(8.0, 7.4)
    left, right = fig.subplots(2, 1, height_ratios=(2.3, 1))
    marked = [r.package in highlight for r in rows]
    colour = [VERMILLION if m else BLUE for m in marked]
    ys = [k + 1 for k in range(n)]
    end = rows[-1].start_ms + rows[-1].clock_ms if rows else 1.0
    left.barh(ys, [max(r.clock_ms, 0.002) for r in rows], left=[r.start_ms for r in rows], height=0.8,
              color=colour, edgecolor="none")
    left.scatter([r.start_ms for r in rows], ys, s=[18 if m else 8 for m in marked], color=colour, zorder=3)
    left.set_xlim(-0.02 * end, end * 1.75)
    left.set_xlabel("ms since runtimeInitTime")
    left.set_ylabel("package, in the order it ran")
    slowest = sorted(range(n), key=lambda k: -rows[k].clock_ms)[:3]
    named = sorted({0, n - 1, *slowest, *(k for k in range(n) if marked[k])} - {-1})
    last = -10.0
    for k in named:  # labels at least 4 rows apart, pushed down (with a leader line) when rows are close
        r = rows[k]
        y = max(k + 1.0, last + 4.0)
        last = y
        near = rows[max(0, k - 6):k + 7]  # clear of the dots around it
        x = max(q.start_ms + q.clock_ms for q in near) + 0.05 * end
        left.annotate(f"{k + 1}. {r.package}  ({r.clock_ms:g} ms)", (r.start_ms + r.clock_ms, k + 1),
                      xytext=(x, y), va="center", fontsize=9,
                      color=VERMILLION if marked[k] else INK, weight="bold" if marked[k] else "normal",
                      arrowprops=dict(arrowstyle="-", color=GREY, lw=0.6, shrinkA=0, shrinkB=2))
    left.set_ylim(max(n + 1.5, last + 2), -0.5)
    if 0 < runtime_tasks < n:
        gap0 = rows[runtime_tasks - 1].start_ms + rows[runtime_tasks - 1].clock_ms
        gap1 = rows[runtime_tasks].start_ms
        left.axvspan(gap0, gap1, color="#EEEEEE", zorder=0)
        left.text((gap0 + gap1) / 2, n * 0.6, "runtime.main:\ngcenable(), ...,\nthen the\nprogram's\nlist", ha="center",
                  va="center", fontsize=8.5, color=GREY)
    busy = sum(r.clock_ms for r in rows)
    left.set_title(f"{n} packages, one after another, in {end:.2f} ms ({busy:.2f} ms of it inside init "
                   "functions)", fontsize=10, loc="left")

    biggest = sorted(range(n), key=lambda k: -rows[k].bytes)[:top]
    biggest = [k for k in biggest if rows[k].bytes > 0]
    kib = [rows[k].bytes / 1024 for k in biggest]
    right.barh(range(len(biggest)), kib, color=[VERMILLION if marked[k] else GREEN for k in biggest], height=0.7)
    right.set_yticks([])  # names beside the bars: the two panels keep the same width
    right.set_ylim(len(biggest) - 0.4, -0.6)
    right.set_xlim(0, max(kib, default=1) * 1.9)
    right.grid(axis="y", visible=False)
    for y, k in enumerate(biggest):
        right.text(kib[y], y, f" {rows[k].package}  ({rows[k].allocs} allocs)", va="center", fontsize=8.5,
                   color=VERMILLION if marked[k] else INK)
    total = sum(r.bytes for r in rows) / 1024
    right.set_xlabel("KiB allocated on the heap by the package's init")
    right.set_title(f"the biggest allocators (all {n} packages: {total:.1f} KiB, "
                    f"{sum(r.allocs for r in rows)} allocations)", fontsize=10, loc="left")
    fig.suptitle(title or "GODEBUG=inittrace=1", fontsize=11.5, x=0.01, ha="left", weight="bold")
    return fig
