"""Chapter 3's figures: the allocator's heap, its waste, its growth, its address space, and the real runs beside it.

- `draw_memrss`: VmSize and VmRSS of ``gosim/programs/memrss`` step by step (the seed's VMS/RSS program).
- `draw_size_class_design`: the size-class table's worst-case waste per class, split into round-up and tail.
- `draw_span_map`: the heap page by page, coloured by the size class of the span holding the page; a span's
  allocated slots are the full-colour part of its pages, its free slots the pale part. `draw_heap` puts the
  bytes-breakdown bar (`draw_fragmentation`) under it: the figure of the chapter's heap panel.
- `draw_class_waste`: per size class, the bytes a mix asked for, the round-up waste and the span tails.
- `draw_heap_growth`: objects, in-use spans and mapped memory over a workload.
- `draw_arena_layouts`: Go 1.10's one contiguous reservation beside today's sparse 64 MiB arenas, with addresses.
- `draw_allocs_by_size`: the ``/gc/heap/allocs-by-size`` histogram, real (and the model's, when given).

Every function takes model results (`gosim.alloc`) or plain parsed data and returns a matplotlib `Figure` built
with `gosim.viz.style.figure`; nothing here runs a model or a program.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import html

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..alloc import views
from ..alloc.mheap import heapArenaBytes
from ..alloc.mpagealloc import pallocChunkBytes
from ..alloc.sizeclasses import SizeClassToSize, pageSize, rows
from .style import (BLACK, BLUE, GREEN, GREY, INK, LIGHT, ORANGE, PURPLE, SKY, VERMILLION, YELLOW, figure,
                    show, styled)

MiB = 1 << 20
KiB = 1 << 10

# --- colours: seven size-class groups (Okabe-Ito, ordered small to large), and the page states ------------------

# (upper bound of the slot size in bytes, label, colour)
CLASS_GROUPS = ((16, "≤ 16 B", BLUE), (64, "17-64 B", SKY), (256, "65-256 B", GREEN), (1024, "257 B-1 KiB", YELLOW),
                (4096, "1-4 KiB", ORANGE), (32768, "4-32 KiB", VERMILLION), (1 << 62, "large object", PURPLE))
_GROUP_BOUNDS = np.array([g[0] for g in CLASS_GROUPS])
_GROUP_RGB = np.array([to_rgb(g[2]) for g in CLASS_GROUPS])

FREE_PAGE, RELEASED_PAGE, CACHED_PAGE, PADDING_PAGE = "#D9D9D9", "#FFFFFF", "#8C8C8C", "#333333"
PAGE_STATES = (("free page", FREE_PAGE), ("not backed (released or never used)", RELEASED_PAGE),
               ("claimed by a P's page cache (checkered)", CACHED_PAGE), ("randomized-base padding", PADDING_PAGE))
OBJECTS, FREE_SLOTS, TAILS = "#3B4A6B", "#B9C3D6", BLACK
PALE = 0.3  # a span's free slots: this much of its colour, the rest white


def size_class_colour(elemsize: int) -> tuple[float, float, float]:
    """The colour of a span whose slots are ``elemsize`` bytes (large objects: the whole span's size)."""
    return tuple(_GROUP_RGB[int(np.searchsorted(_GROUP_BOUNDS, elemsize))])


def swatch(colour: str, label: str, *, pattern: str = "") -> str:
    """An HTML colour square and its label, for a panel's caption."""
    bg = (f"background:repeating-conic-gradient({colour} 0% 25%, #fff 0% 50%) 50%/6px 6px" if pattern == "checker"
          else f"background:{colour}")
    return (f"<span style='white-space:nowrap;margin-right:0.9em'><span style='display:inline-block;width:0.8em;"
            f"height:0.8em;{bg};border:1px solid #222;vertical-align:middle;margin-right:0.3em'></span>"
            f"{html.escape(label)}</span>")


def _mib(x: float) -> str:
    return f"{x / MiB:.1f} MiB" if x < 100 * MiB else f"{x / MiB:.0f} MiB"


# --- Run: the seed's VMS/RSS program ---------------------------------------------------------------------------


@styled
def draw_memrss(runs: Mapping[str, object]) -> Figure:
    """VmSize (left) and VmRSS (right) after each step of ``memrss``, one line per run (``{label: MemRun}``); the
    right panel also shows how many bytes of the array had been written."""
    fig = figure(8, 4.4)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    first = next(iter(runs.values()))
    steps = [s.step for s in first.samples]
    names = [s.what if s.what != "touch" else f"{s.touched // MiB}" for s in first.samples]
    styles = ["-", "--", ":"]
    for k, (label, run) in enumerate(runs.items()):
        st = run.samples
        left.plot([s.step for s in st], [s.vmsize_kb / 1024 for s in st], styles[k % 3], marker="o", ms=3,
                  color=BLUE, label=label)
        right.plot([s.step for s in st], [s.vmrss_kb / 1024 for s in st], styles[k % 3], marker="o", ms=3,
                   color=[BLUE, VERMILLION, ORANGE][k % 3], label=f"VmRSS, {label}")
    right.plot(steps, [s.touched / MiB for s in first.samples], color=GREY, lw=5, alpha=0.35, zorder=0,
               label="bytes of the array written")
    vmsize = [s.vmsize_kb / 1024 for s in first.samples]
    left.set_ylim(0, max(vmsize) * 1.15)
    left.set_title(f"VmSize: {max(vmsize):.0f} MiB of address\nspace from the start, almost\nall of it reserved", fontsize=10)
    left.set_ylabel("MiB")
    right.set_title("VmRSS: pages become resident only\nwhen written; FreeOSMemory gives\nthem back (with MADV_DONTNEED)", fontsize=10)
    right.set_ylabel("MiB")
    for ax in (left, right):
        ax.set_xticks(steps, names, rotation=70, fontsize=8.5)
        ax.set_xlabel("step (numbers: MiB written)", fontsize=9)
    right.legend(fontsize=8.5, loc="upper left")
    return fig


# --- Read: the size-class table's design --------------------------------------------------------------------------


@styled
def draw_size_class_design() -> Figure:
    """Each class's worst case, as mksizeclasses.go's comment computes it: the round-up waste of the smallest
    request that lands in the class, and the tail of the span no object fits in, drawn side by side since the
    generator's comment aims at 12.5 % for each part separately (the dashed line); its page choice guarantees it
    for the tail, while the round-up exceeds it for the smallest classes and for a few that its merging and its
    grow pass made larger (the chapter lists them)."""
    table = rows()
    prev = [0] + [r.size for r in table[:-1]]
    roundup = np.array([100 * (r.size - p - 1) * r.objects / r.span_bytes for r, p in zip(table, prev)])
    tail = np.array([100 * r.tail_waste / r.span_bytes for r in table])
    x = np.arange(1, len(table) + 1)
    fig = figure(8, 3.8)
    ax = fig.add_subplot()
    ax.bar(x - 0.2, roundup, width=0.4, color=SKY, edgecolor=INK, lw=0.3,
           label="round-up: the smallest request in the class")
    ax.bar(x + 0.2, tail, width=0.4, color=VERMILLION, edgecolor=INK, lw=0.3,
           label="tail: span bytes no object fits")
    ax.axhline(12.5, color=INK, ls="--", lw=0.8)
    ax.text(len(table) + 0.6, 13.2, "12.5 %: each part's aim", fontsize=9, ha="right")
    worst = int(np.argmax(roundup + tail))
    ax.set_title(f"Worst-case waste per size class, in two parts: together at most "
                 f"{max(roundup + tail):.1f} % (class {worst + 1}, {table[worst].size} B)")
    ticks = [1, 9, 17, 25, 33, 41, 49, 57, 67]
    ax.set_xticks(ticks, [f"{c}\n{table[c - 1].size}" for c in ticks], fontsize=8.5)
    top = 50.0
    ax.set_ylim(0, top)
    for c in np.nonzero(roundup > top)[0]:
        ax.text(c + 1.6, top * 0.97, f"← class {c + 1}: round-up {roundup[c]:.1f} %", fontsize=9, va="top")
    ax.set_xlabel("size class (and its object size in bytes)")
    ax.set_ylabel("% of the span wasted, worst case")
    ax.set_xlim(0.3, len(table) + 0.7)
    ax.legend(fontsize=9, loc="upper right")
    return fig


# --- Model: the heap page by page --------------------------------------------------------------------------------

_CELL = 6  # pixels per page, each way
ROW_PAGES = 64  # pages per row of the map: 512 KiB
MAP_ROWS = 48  # rows the heap panel's map always has room for: 24 MiB, so every frame has the same scale
_CHUNK_ROWS = pallocChunkBytes // (ROW_PAGES * pageSize)  # 8 rows = one 4 MiB chunk


def _page_image(pm: views.PageMap, spans: Sequence, base: int, nrows: int) -> np.ndarray:
    """An RGB image of the page map: a ``_CELL``-pixel square per page, ``ROW_PAGES`` pages per row, ``nrows``
    rows (blank below the last mapped page)."""
    n = len(pm.state)
    total = nrows * ROW_PAGES
    full = np.ones((total, 3))
    pale = np.ones((total, 3))
    level = np.full(total, _CELL)  # pixel rows of the cell drawn in full colour, from the bottom
    checker = np.zeros(total, dtype=bool)
    state = np.full(total, -1)
    state[:n] = pm.state
    for code, colour in ((views.PAGE_FREE, FREE_PAGE), (views.PAGE_RELEASED, RELEASED_PAGE),
                         (views.PAGE_CACHED, CACHED_PAGE), (views.PAGE_UNMAPPED, PADDING_PAGE)):
        full[state == code] = to_rgb(colour)
    checker[state == views.PAGE_CACHED] = True
    starts = np.zeros(total, dtype=bool)
    if spans:
        first = np.array([(s.startAddr - base) // pageSize for s in spans])
        npages = np.array([s.npages for s in spans])
        elem = np.array([s.elemsize if s.spanclass >> 1 else s.npages * pageSize for s in spans])
        fill = np.array([s.allocCount / max(s.nelems, 1) for s in spans])
        owner = np.repeat(np.arange(len(spans)), npages)
        pages = np.repeat(first, npages) + (np.arange(npages.sum()) - np.repeat(np.cumsum(npages) - npages, npages))
        colour = _GROUP_RGB[np.searchsorted(_GROUP_BOUNDS, elem)]
        full[pages] = colour[owner]
        pale[pages] = PALE * colour[owner] + (1 - PALE)
        level[pages] = np.rint(_CELL * fill[owner]).astype(int)
        starts[first] = True
    height_from_bottom = np.arange(_CELL)[::-1]  # pixel row 0 is the top of the cell
    solid = height_from_bottom[None, :] < level[:, None]  # (page, pixel row)
    cell = np.where(solid[:, :, None, None], full[:, None, None, :], pale[:, None, None, :])
    cell = np.broadcast_to(cell, (total, _CELL, _CELL, 3)).copy()
    yy, xx = np.indices((_CELL, _CELL))
    cell[checker] = np.where(((yy + xx) % 2 == 0)[None, :, :, None], cell[checker], 1.0)
    cell[starts, :, 0, :] = to_rgb(INK)  # a dark left edge where a span begins
    cell[:, :, -1, :] = np.minimum(cell[:, :, -1, :], 0.9)  # a faint grid between pages
    cell[:, -1, :, :] = np.minimum(cell[:, -1, :, :], 0.9)
    cell[n:] = 1.0
    img = cell.reshape(nrows, ROW_PAGES, _CELL, _CELL, 3).transpose(0, 2, 1, 3, 4)
    return img.reshape(nrows * _CELL, ROW_PAGES * _CELL, 3)


def draw_span_map(ax, allocator, *, rows: int | None = None) -> views.PageMap:
    """The heap page by page on ``ax`` (see the module's docstring), with at least ``rows`` rows of 512 KiB."""
    pm = views.page_map(allocator)
    needed = -(-len(pm.state) // ROW_PAGES)
    nrows = max(needed, rows or 0)
    ax.imshow(_page_image(pm, allocator.spans(), pm.base, nrows), interpolation="nearest", aspect="equal",
              extent=(0, ROW_PAGES, nrows, 0))
    ax.grid(False)
    for r in range(0, needed + 1, _CHUNK_ROWS):  # 4 MiB chunk boundaries
        ax.plot([0, ROW_PAGES], [r, r], color=INK, lw=0.9)
    ax.set_yticks(range(0, nrows + 1, 2 * _CHUNK_ROWS),
                  [f"+{r // 2} MiB" for r in range(0, nrows + 1, 2 * _CHUNK_ROWS)], fontsize=8.5)
    ax.set_xticks([0, 32, 64], ["0", "256", "512 KiB"], fontsize=8.5)
    ax.tick_params(length=2, pad=2)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(0, ROW_PAGES)
    ax.set_ylim(nrows, 0)
    return pm


_FRAG_PARTS = (("objects", "objects", OBJECTS, ""), ("free_slots", "free slots in spans", FREE_SLOTS, ""),
               ("span_tails", "span tails", TAILS, ""), ("page_caches", "in P page caches", CACHED_PAGE, "xx"),
               ("free_pages", "free pages", FREE_PAGE, ""), ("released_pages", "not backed", RELEASED_PAGE, ""),
               ("padding", "padding", PADDING_PAGE, ""))
_BAR_X, _BAR_W = ROW_PAGES + 7, 9  # where the bytes bar stands beside the map, in page columns


def draw_fragmentation(ax, f: views.Fragmentation, *, x: float = 0.0, width: float = 0.8,
                       per_unit: float = MiB, min_label: float = 0.0) -> None:
    """A stacked column on ``ax`` at ``x``: where the heap's mapped bytes are (`gosim.alloc.views.fragmentation`),
    objects first, from y = 0 in steps of ``per_unit`` bytes per unit of y; percentages on the parts of at least
    6 % and ``min_label`` units."""
    bottom = 0.0
    total = f.mapped
    for attr, _label, colour, hatch in _FRAG_PARTS:
        v = getattr(f, attr)
        if not v:
            continue
        ax.add_patch(Rectangle((x - width / 2, bottom / per_unit), width, v / per_unit, facecolor=colour,
                               edgecolor=INK, lw=0.5, hatch=hatch or None))
        if v / total > 0.06 and v / per_unit >= min_label and not hatch:
            dark = colour in (OBJECTS, PADDING_PAGE, TAILS)
            ax.text(x, (bottom + v / 2) / per_unit, f"{100 * v / total:.0f} %", ha="center", va="center",
                    fontsize=8, color="white" if dark else INK)
        bottom += v


def heap_title(result) -> str:
    """``program mix, GOMAXPROCS=4, all kept alive: 16.3 MiB of objects in 24.0 MiB mapped``."""
    mix, _, lifetimes = result.workload.partition("/")
    f = views.fragmentation(result.allocator)
    life = {"kept": "all kept alive",
            "churn": f"random lifetimes, {result.collections} collections"}.get(lifetimes, lifetimes)
    return (f"{mix} mix, GOMAXPROCS={result.gomaxprocs}, {life}: {_mib(f.objects)} of objects in "
            f"{_mib(f.mapped)} mapped")


def heap_caption(result) -> str:
    """HTML for the heap panel: what the frame shows, the colour key and the byte breakdown."""
    f = views.fragmentation(result.allocator)
    spans = result.allocator.spans()
    parts = " ".join(swatch(c, f"{label} {_mib(getattr(f, attr))}", pattern="checker" if hatch else "")
                     for attr, label, c, hatch in _FRAG_PARTS if getattr(f, attr))
    return (f"<b>{html.escape(heap_title(result))}</b>: {len(spans)} spans in use, "
            f"{100 * f.free_slots / max(f.inuse, 1):.1f} % of their bytes in free slots.<br>"
            f"<b>Squares</b> are 8 KiB pages, 64 to a row, a line every 4 MiB chunk; a dark left edge starts a span. "
            f"Colour = the span's slot size; full colour = allocated slots, pale = free slots: "
            + " ".join(swatch(g[2], g[1]) for g in CLASS_GROUPS) + "<br>Other pages: "
            + " ".join(swatch(c, label, pattern="checker" if c == CACHED_PAGE else "") for label, c in PAGE_STATES)
            + f"<br><b>Column</b> on the right, on the same scale: where the mapped bytes are. {parts}")


@styled
def draw_heap(result, rows: int = MAP_ROWS) -> Figure:
    """The heap panel's frame: the span map of a workload's heap and, on the same vertical scale (a row is 512
    KiB), a column of where its mapped bytes are. ``rows`` fixes the scale, so the frames of a panel compare at a
    glance; `heap_caption` says what is what."""
    fig = figure(8, 4.6, layout=None)
    ax = fig.add_axes((0.11, 0.05, 0.87, 0.9))
    draw_span_map(ax, result.allocator, rows=rows)
    draw_fragmentation(ax, views.fragmentation(result.allocator), x=_BAR_X + _BAR_W / 2, width=_BAR_W,
                       per_unit=ROW_PAGES * pageSize, min_label=1.8)
    ax.text(_BAR_X + _BAR_W / 2, -0.4, "bytes", ha="center", va="bottom", fontsize=8)
    ax.set_xlim(0, _BAR_X + _BAR_W + 0.5)
    return fig


def class_waste_rows(result, sizes, noscan) -> dict[str, np.ndarray]:
    """Per size class a mix used (large objects, class 0, last): the class, its slot size, the bytes asked for,
    the round-up waste (slot − request; a malloc header counts as asked for) and the tails of the spans it took."""
    w = views.class_waste(sizes, noscan)
    spans = np.bincount([s.spanclass >> 1 for s in result.allocator.spans()], minlength=len(w.objects))
    used = np.nonzero(w.objects)[0]
    used = np.concatenate([used[used > 0], used[used == 0]])
    slot = np.array(SizeClassToSize())[used]
    return {"sizeclass": used, "slot": slot, "objects": w.objects[used], "requested": w.requested[used],
            "roundup": w.roundup_waste[used], "tails": (spans * w.tail_waste)[used]}


@styled
def draw_class_waste(result, sizes, noscan) -> Figure:
    """Per size class used by a mix, the share of the class's bytes (slots and span tails) that is waste:
    round-up (slot − request) and span tails (`class_waste_rows`); `waste_title` sums them up. Percentages,
    so that a class with a few objects compares with one with many."""
    t = class_waste_rows(result, sizes, noscan)
    x = np.arange(len(t["sizeclass"]))
    total = np.maximum(t["requested"] + t["roundup"] + t["tails"], 1)
    rnd, tl = 100 * t["roundup"] / total, 100 * t["tails"] / total
    fig = figure(8, 3.6, layout=None)
    ax = fig.add_axes((0.09, 0.24, 0.89, 0.71))
    _stacked_columns(ax, x, [(rnd, SKY), (tl, VERMILLION)])
    ax.axhline(12.5, color=INK, ls="--", lw=0.8)
    top = max(30.0, float((rnd + tl).max()) * 1.1)
    ax.set_ylim(0, top)
    ax.set_yticks(np.arange(0, top, 10))
    labels = [f"{z}" if c else "large" for c, z in zip(t["sizeclass"], t["slot"])]
    step = max(1, -(-len(x) // 10))
    shown = sorted(set(range(len(x) - 1, -1, -step)))  # the last (large objects, if any) always labelled
    ax.set_xticks(shown, [labels[i] for i in shown], rotation=60, fontsize=8.5)
    ax.grid(axis="x", visible=False)
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_xlabel("size class used (slot size in bytes)", fontsize=9)
    ax.set_ylabel("% of the class's bytes wasted", fontsize=9)
    ax.tick_params(axis="y", labelsize=8.5)
    return fig


WASTE_KEY = ((SKY, "round-up: slot minus request"),
             (VERMILLION, "span tails: bytes at a span's end no slot uses (incl. reserved bits)"),
             (INK, "dashed: 12.5 %, the generator's bound for each part"))


def _stacked_columns(ax, x, layers, width: float = 0.85) -> None:
    """Stacked columns as one polygon collection per layer (much faster to draw than one patch per bar)."""
    from matplotlib.collections import PolyCollection

    bottom = np.zeros(len(x))
    for values, colour in layers:
        values = np.asarray(values, dtype=float)
        verts = [((xi - width / 2, b), (xi - width / 2, b + v), (xi + width / 2, b + v), (xi + width / 2, b))
                 for xi, b, v in zip(x, bottom, values) if v > 0]
        ax.add_collection(PolyCollection(verts, facecolors=colour, edgecolors="none"))
        bottom = bottom + values


def waste_title(result, sizes, noscan) -> str:
    """``program mix: 6.1 % of the slot and tail bytes wasted (0.9 MiB round-up, 0.1 MiB tails)``."""
    t = class_waste_rows(result, sizes, noscan)
    total = t["requested"].sum() + t["roundup"].sum() + t["tails"].sum()
    waste = t["roundup"].sum() + t["tails"].sum()
    return (f"{result.workload.split('/')[0]} mix: {100 * waste / max(total, 1):.1f} % of the bytes wasted "
            f"({_mib(t['roundup'].sum())} rounding up, {_mib(t['tails'].sum())} in span tails)")


@styled
def draw_heap_growth(result, top_mib: float | None = None) -> Figure:
    """Bytes in objects, in in-use spans, and mapped, after each step of a workload; collections marked. A fixed
    ``top_mib`` keeps the frames of a panel on one scale."""
    t = result.timeline_arrays()
    x = t["allocs"] / 1000
    fig = figure(8, 3.4, layout=None)
    ax = fig.add_axes((0.08, 0.16, 0.9, 0.79))
    ax.fill_between(x, t["heap_objects"] / MiB, color=ORANGE, alpha=0.55, lw=0)
    ax.plot(x, t["heap_inuse"] / MiB, color=BLUE, lw=1.5)
    ax.step(x, t["mapped"] / MiB, where="post", color=INK, lw=1.6)
    marks = x[1:][np.diff(t["collections"]) > 0]
    if len(marks):
        ax.vlines(marks, 0, 1, transform=ax.get_xaxis_transform(), color=GREY, ls=":", lw=0.9)
    ax.set_xlabel("allocations so far (thousands)", fontsize=9)
    ax.set_ylabel("MiB", fontsize=9)
    ax.tick_params(labelsize=8.5)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_ylim(0, top_mib or max(t["mapped"].max() / MiB * 1.12, 1))
    ax.set_xlim(0, x.max())
    return fig


GROWTH_KEY = ((INK, "mapped: grows in 4 MiB chunks"), (BLUE, "in-use spans"), (ORANGE, "objects"),
              (GREY, "dotted: a collection"))


def growth_title(result) -> str:
    """``program mix, random lifetimes, GOMAXPROCS=4: 8 MiB mapped for 3.1 MiB of objects, 15 collections``."""
    t = result.timeline_arrays()
    mix, _, lifetimes = result.workload.partition("/")
    life = {"kept": "all kept alive", "churn": "random lifetimes"}.get(lifetimes, lifetimes)
    return (f"{mix} mix, {life}, GOMAXPROCS={result.gomaxprocs}: {_mib(t['mapped'][-1])} mapped for "
            f"{_mib(t['heap_objects'][-1])} of objects after {result.allocs} allocations, "
            f"{result.collections} collections")


# --- History: the address space, then and now --------------------------------------------------------------------


def _hex(a: int) -> str:
    return f"{a:#x}"


@styled
def draw_arena_layouts(old: Sequence[views.Region], allocators: Mapping[str, object]) -> Figure:
    """Top: Go 1.10's single reservation (`gosim.alloc.views.arena_layout_go110`), drawn not to scale with each
    region's size and addresses. Below it, for each labelled allocator: where its 64 MiB arenas sit in the 47-bit
    user address space, and its first arena's 16 chunks of 4 MiB (in use or not)."""
    n = len(allocators)
    top_h, block_h = 2.0, 2.5  # inches
    height = top_h + block_h * n
    fig = figure(8, height, layout=None)

    def axes(y_top: float, h: float, left: float = 0.07, width: float = 0.86):
        """Axes whose top edge is ``y_top`` inches below the figure's top, ``h`` inches tall."""
        return fig.add_axes((left, 1 - (y_top + h) / height, width, h / height))

    top = axes(0.55, 0.95, left=0.03, width=0.94)
    top.set_axis_off()
    widths = [0.16, 0.26, 0.58]
    colours = [LIGHT, "#CFCFCF", SKY]
    x = 0.0
    for region, w, c in zip(old, widths, colours):
        top.add_patch(Rectangle((x, 0.3), w, 0.45, facecolor=c, edgecolor=INK, lw=1))
        size = region.size
        unit = f"{size >> 30} GiB" if size >= 1 << 30 else f"{size >> 20} MiB"
        top.text(x + w / 2, 0.525, f"{region.name.split(' (')[0]}\n{unit}", ha="center", va="center", fontsize=9)
        top.text(x, 0.24, _hex(region.start), ha="left", va="top", fontsize=8.5, family="monospace")
        x += w
    end = old[-1].start + old[-1].size
    top.text(1.0, 0.24, _hex(end), ha="right", va="top", fontsize=8.5, family="monospace")
    top.annotate("first heap object: 0xc420000000", xy=(widths[0] + widths[1] + 0.003, 0.75),
                 xytext=(widths[0] + widths[1] + 0.08, 0.98), fontsize=8.5,
                 arrowprops=dict(arrowstyle="-|>", color=INK, lw=0.8))
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    fig.text(0.03, 1 - 0.1 / height, "Go 1.10: spans array, bitmap and a 512 GiB arena in one reservation at "
             "0xc000000000 (not to scale)", fontsize=10, va="top")
    user_top = 1 << 47
    for k, (label, a) in enumerate(allocators.items()):
        y = top_h + k * block_h
        regions = views.arena_layout(a)
        arenas = [r for r in regions if r.kind == "arena"]
        chunks = [r for r in regions if r.kind == "in use"]
        base = arenas[0].start
        fig.text(0.07, 1 - (y + 0.05) / height,
                 f"{label}: {len(arenas)} arena(s) of 64 MiB; the first at {_hex(base)}",
                 fontsize=10, va="top")
        line = axes(y + 0.5, 0.28)
        line.set_xlim(0, user_top)
        line.set_ylim(0, 1)
        line.set_yticks([])
        line.grid(False)
        line.add_patch(Rectangle((0, 0.3), user_top, 0.4, facecolor="#F7F7F7", edgecolor=GREY, lw=0.6))
        for r in arenas:
            line.axvline(r.start, ymin=0.05, ymax=0.95, color=VERMILLION, lw=2.5)
        ticks = [0, 1 << 45, 1 << 46, 3 << 45, user_top]
        line.set_xticks(ticks, [_hex(t) for t in ticks], fontsize=8, family="monospace")
        line.set_xlabel("the 128 TiB of user address space", fontsize=9, labelpad=1)
        zoom = axes(y + 1.35, 0.4)
        zoom.set_xlim(0, heapArenaBytes / MiB)
        zoom.set_ylim(0, 1)
        zoom.set_yticks([])
        zoom.grid(False)
        inuse = {c.start for c in chunks}
        for i in range(heapArenaBytes // pallocChunkBytes):
            on = base + i * pallocChunkBytes in inuse
            zoom.add_patch(Rectangle((i * 4, 0.1), 4, 0.8, facecolor=ORANGE if on else "#FFFFFF",
                                     edgecolor=INK, lw=0.6, hatch=None if on else ".."))
        zoom.set_xticks(range(0, 65, 32), [_hex(base + m * MiB) for m in range(0, 65, 32)], fontsize=8,
                        family="monospace")
        zoom.set_xlabel("its first arena: 16 chunks of 4 MiB (orange: mapped for the heap)", fontsize=9,
                        labelpad=1)
    return fig


# --- Run and Check: the allocs-by-size histogram -----------------------------------------------------------------


@styled
def draw_allocs_by_size(lo: Sequence[float], real: Sequence[int], model: Sequence[int] | None = None,
                        title: str | None = None) -> Figure:
    """The ``/gc/heap/allocs-by-size:bytes`` histogram: one bar per bucket (= size class, plus large objects),
    log-scaled counts; with ``model``, the model's counts as markers on the real bars."""
    real = np.asarray(real)
    x = np.arange(len(real))
    fig = figure(8, 3.6)
    ax = fig.add_subplot()
    nz = real > 0
    ax.bar(x[nz], real[nz], color=BLUE, width=0.8, label="real runtime (runtime/metrics)")
    if model is not None:
        model = np.asarray(model)
        mz = model > 0
        ax.plot(x[mz], model[mz], ls="none", marker="_", ms=9, mew=2.2, color=ORANGE, label="model (gosim.alloc)")
        differ = int((model != real).sum())
        auto = (f"allocs-by-size, model vs runtime: {len(real) - differ} of {len(real)} buckets equal"
                if differ else f"allocs-by-size: model and runtime equal in all {len(real)} buckets")
    else:
        auto = f"allocs-by-size: {int(real.sum())} objects in {int(nz.sum())} of {len(real)} buckets"
    ax.set_yscale("log")
    ax.set_ylim(0.6, max(real.max(), 1) * 2.5)
    ticks = [*range(0, len(lo) - 4, 8), len(lo) - 1]
    names = [f"{int(lo[i + 1]) - 1}" if i + 1 < len(lo) else "large" for i in ticks]
    ax.set_xticks(ticks, names, fontsize=8.5)
    ax.set_xlabel("bucket = size class, by object size in bytes (last: large objects)", fontsize=9)
    ax.set_ylabel("objects (log scale)")
    ax.set_title(title or auto, fontsize=10)
    ax.legend(fontsize=9, loc="upper right")
    return fig


__all__ = ["class_waste_rows", "draw_allocs_by_size", "draw_arena_layouts", "draw_class_waste", "draw_fragmentation",
           "draw_heap", "draw_heap_growth", "draw_memrss", "draw_size_class_design", "draw_span_map", "growth_title",
           "heap_caption", "heap_title", "show", "size_class_colour", "swatch", "waste_title"]


# --- Sweeping: which slots a collection gave back, and which the next allocations took ---------------------------


def sweep_slot_grid(first: Sequence[int], before: Sequence[int], after: Sequence[int], elemsize: int,
                    nelems: int) -> np.ndarray:
    """One row per span the program used (in the order it first used them), one column per slot: 0 never
    used, 1 kept, 2 dropped and freed, not reused, 3 dropped and reused, 4 allocated after the collection in a
    slot never used before, 5 allocated before the collection after the drop. Row r's spans start at a
    multiple of 8 KiB (one-page spans)."""
    spans: list[int] = []
    for a in (*first, *before):
        if a - a % pageSize not in spans:
            spans.append(a - a % pageSize)
    grid = np.zeros((len(spans), nelems), dtype=int)

    def put(a: int, value: int) -> None:
        base = a - a % pageSize
        if base in spans:
            grid[spans.index(base), (a - base) // elemsize] = value

    dropped = set(first[1::2])
    for a in first:
        put(a, 2 if a in dropped else 1)
    for a in before:
        put(a, 5)
    for a in after:
        put(a, 3 if a in dropped else 4)
    return grid


SWEEP_SLOT_COLOURS = ("#FFFFFF", BLACK, LIGHT, ORANGE, BLUE, GREY)
SWEEP_SLOT_LABELS = ("never used", "kept", "dropped, freed, not yet reused", "dropped, freed, reused",
                     "new after the GC, in a slot never used", "allocated after the drop, before the GC")


@styled
def draw_sweep_slots(grid: np.ndarray, title: str) -> Figure:
    """The slot grid of `sweep_slot_grid`: spans down, slots across, each slot outlined so it prints."""
    fig = figure(8.5, 0.22 * len(grid) + 1.8)
    ax = fig.subplots()
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            ax.add_patch(Rectangle((c, r), 0.92, 0.85, facecolor=SWEEP_SLOT_COLOURS[v], edgecolor=INK, lw=0.4))
    ax.set_xlim(-0.2, grid.shape[1] + 0.2)
    ax.set_ylim(len(grid) + 0.2, -0.2)
    ax.set_xlabel("slot index in the span")
    ax.set_ylabel("span, in the order the program first used it")
    ax.set_title(title, fontsize=10)
    ax.set_yticks([r + 0.42 for r in range(0, len(grid), 5)], [str(r) for r in range(0, len(grid), 5)])
    ax.set_xticks([c + 0.46 for c in range(grid.shape[1])], [str(c) for c in range(grid.shape[1])])
    handles = [Rectangle((0, 0), 1, 1, facecolor=col, edgecolor=INK, lw=0.4) for col in SWEEP_SLOT_COLOURS]
    used = sorted(set(grid.ravel().tolist()))
    ax.legend([handles[v] for v in used], [SWEEP_SLOT_LABELS[v] for v in used], fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig
