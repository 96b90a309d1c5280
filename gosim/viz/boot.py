"""Chapter 1's figure: the runtime's Ms, Ps and Gs after one step of the boot chain.

Columns are Ms: above an M the goroutine it runs, below it the P it holds, below the P its ``runnext`` slot and its
run queue. Ms without a P (sysmon, idle workers) stand to the right; idle Ps are drawn hollow in the P row. A list on
the right names every goroutine with its state and, when parked, what it waits for.
"""

from __future__ import annotations

import html

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..boot import Boot, State
from .style import BLUE, G_STATUS, GREY, INK, LIGHT, figure, styled

_ROWS = {"g": 4.0, "m": 3.0, "p": 2.0, "next": 1.0}
_W, _H = 0.78, 0.55


def _box(ax, x, y, text, face, edge=INK, style="-", weight="normal", size=8.5):
    ax.add_patch(FancyBboxPatch((x - _W / 2, y - _H / 2), _W, _H, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=face, edgecolor=edge, linewidth=1.2, linestyle=style))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, weight=weight)


def _link(ax, x0, y0, x1, y1, style="-", color=INK, arrow=False):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle="-|>" if arrow else "-", color=color, linestyle=style, lw=1.2,
                                shrinkA=0, shrinkB=0))


def _short(fn: str) -> str:
    return fn.removeprefix("runtime.")


@styled
def draw_boot_state(result: Boot, step: int) -> Figure:
    """The state after ``result.steps[step]`` (0-based), titled with the step's function (`boot_caption` says
    what the step did)."""
    if not 0 <= step < len(result.steps):
        raise ValueError(f"step must be from 0 to {len(result.steps) - 1}, got {step}")
    state: State = result.states[step]
    info = result.steps[step]
    fig = figure(10.5, 5.2, layout=None)
    ax = fig.add_axes((0.01, 0.0, 0.98, 0.9))
    ax.set_axis_off()

    # Columns: one per P (its M stands above it), then one per M without a P. They are centred on the widest
    # state of the whole chain, so nothing moves between steps.
    widest = max(len(st.ps) + sum(m.p is None for m in st.ms) for st in result.states)
    x = 7.0 - (widest - 1) / 2
    columns: dict[str, float] = {}
    for p in state.ps:
        columns[f"p{p.id}"] = x
        x += 1.0
    for m in state.ms:
        if m.p is None:
            columns[f"m{m.id}"] = x
            x += 1.0
    for m in state.ms:
        if m.p is not None:
            columns[f"m{m.id}"] = columns[f"p{m.p}"]
    right = 12.6

    for name, y in (("running G", _ROWS["g"]), ("M (thread)", _ROWS["m"]), ("P", _ROWS["p"]),
                    ("runnext,\nrun queue", _ROWS["next"])):
        ax.text(0.1, y, name, ha="left", va="center", fontsize=9, color=GREY)

    if not state.ms:
        ax.text(right / 2, _ROWS["m"], "no M yet: the kernel's thread runs the entry code", ha="center",
                va="center", fontsize=10, style="italic", color=GREY)
    for m in state.ms:
        mx = columns[f"m{m.id}"]
        role = {"m0": "m0", "sysmon": "sysmon", "worker": "idle" if m.idle else "worker"}[m.role]
        _box(ax, mx, _ROWS["m"], f"M{m.id}\n{role}", "#FFFFFF" if m.idle else "#FFF4D6",
             style="--" if m.idle else "-")
        if m.p is None and m.role == "sysmon":
            ax.text(mx, _ROWS["p"], "no P", ha="center", va="center", fontsize=8, color=GREY, style="italic")
        if m.curg is not None:
            _box(ax, mx, _ROWS["g"], f"G{m.curg}", G_STATUS["running"], weight="bold")
            _link(ax, mx, _ROWS["m"] + _H / 2, mx, _ROWS["g"] - _H / 2, arrow=True)
        elif m.role != "sysmon" and not m.idle:
            ax.text(mx, _ROWS["g"], "on g0", ha="center", va="center", fontsize=8, color=GREY, style="italic")
        if m.p is not None:
            _link(ax, mx, _ROWS["m"] - _H / 2, mx, _ROWS["p"] + _H / 2)

    for p in state.ps:
        px = columns[f"p{p.id}"]
        idle = p.status == "idle"
        _box(ax, px, _ROWS["p"], f"P{p.id}\n{'idle' if idle else 'running'}", "#FFFFFF" if idle else "#D6E8F5",
             edge=GREY if idle else BLUE, style=":" if idle else "-")
        queue = ([("next", p.runnext)] if p.runnext is not None else []) + [("q", g) for g in p.runq]
        for k, (kind, goid) in enumerate(queue):
            gy = _ROWS["next"] - k * (_H + 0.12)
            _box(ax, px, gy, f"G{goid}", G_STATUS["runnable"], style="--" if kind == "next" else "-")
            if k == 0:
                _link(ax, px, _ROWS["p"] - _H / 2, px, gy + _H / 2, style="--" if kind == "next" else "-",
                      arrow=True)

    # the goroutine list
    lx = right + 0.2
    ax.text(lx, _ROWS["g"] + 0.25, "goroutines" if state.gs else "no goroutine yet", fontsize=9.5, weight="bold",
            va="bottom")
    for k, g in enumerate(state.gs):
        gy = _ROWS["g"] - 0.1 - k * 0.48
        ax.add_patch(FancyBboxPatch((lx, gy - 0.14), 0.28, 0.28, boxstyle="round,pad=0.01",
                                    facecolor=G_STATUS.get(g.status, LIGHT), edgecolor=INK, linewidth=0.8))
        fn = _short(g.runs or g.fn)
        detail = f"{g.status}" + (f": {g.waitreason}" if g.waitreason else "")
        ax.text(lx + 0.4, gy + 0.02, f"G{g.goid} {fn}", fontsize=8.5, va="bottom")
        ax.text(lx + 0.4, gy - 0.02, detail, fontsize=7.5, va="top", color="#555555")

    flags = [name for name, on in (("heap", state.heap), ("signals", state.signals),
                                   ("mainStarted", state.main_started), ("GC enabled", state.gc_enabled)) if on]
    foot = f"GOMAXPROCS={result.gomaxprocs}" + (f"   ready: {', '.join(flags)}" if flags else "")
    if state.inits_done:
        foot += f"   inits done: {len(state.inits_done)} package(s)"
    ax.text(0.1, -0.2, foot, fontsize=8.5, color=GREY, va="center")
    ax.text(lx + 3.3, -0.2, "green: running · blue: runnable · grey: waiting\ndashed G: in runnext · dotted P: idle"
            " · dashed M: idle", fontsize=7.5, color=GREY, va="center", ha="right")

    ax.set_xlim(0, lx + 3.4)
    ax.set_ylim(-0.4, 4.45)
    fig.text(0.012, 0.975, f"step {step + 1}/{len(result.steps)}: {info.function}  ({info.file})", ha="left",
             va="top", fontsize=11.5, weight="bold", color=INK)
    return fig


def boot_caption(result: Boot, step: int) -> str:
    """What the step did, as HTML for a panel's caption."""
    info = result.steps[step]
    called = f" (called from <code>{html.escape(info.called_from)}</code>)" if info.called_from else ""
    return (f"<b>{step + 1}/{len(result.steps)} <code>{html.escape(info.function)}</code></b>{called}: "
            f"{html.escape(info.does)}")
