"""Chapter 1's figure: the runtime's Ms, Ps and Gs after one step of the boot chain.

Columns are Ms: above an M the goroutine it runs, below it the P it holds, below the P its ``runnext`` slot and its
run queue. Ms without a P (sysmon, idle workers) stand to the right; idle Ps are drawn dotted in the P row. Under
the diagram, a list names every goroutine with its state and, when parked, what it waits for. The figure is sized
for the book's text column (about 700 px), so its text stays readable there.
"""

from __future__ import annotations

import html

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..boot import Boot, State
from .style import BLUE, G_STATUS, GREY, INK, LIGHT, figure, styled

_ROWS = {"g": 5.0, "m": 4.0, "p": 3.0, "next": 2.0}
_W, _H = 0.84, 0.62
_LEFT = 1.8  # x of the first column; row labels live left of it
_LIST_TOP = 0.3  # y of the goroutine list's first row


def _box(ax, x, y, text, face, edge=INK, style="-", weight="normal", size=10):
    ax.add_patch(FancyBboxPatch((x - _W / 2, y - _H / 2), _W, _H, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=face, edgecolor=edge, linewidth=1.3, linestyle=style))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, weight=weight, linespacing=1.1)


def _link(ax, x0, y0, x1, y1, style="-", arrow=False):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle="-|>" if arrow else "-", color=INK, linestyle=style, lw=1.3,
                                shrinkA=0, shrinkB=0))


def _columns(result: Boot, state: State) -> tuple[dict[str, float], int]:
    """x of each P's and each P-less M's column. One column per P (its M stands above it), then one per M without
    a P; the count is the widest state of the whole chain, so nothing moves between steps."""
    widest = max(len(st.ps) + sum(m.p is None for m in st.ms) for st in result.states)
    columns: dict[str, float] = {}
    x = _LEFT
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
    return columns, widest


@styled
def draw_boot_state(result: Boot, step: int) -> Figure:
    """The state after ``result.steps[step]`` (0-based), titled with the step's function (`boot_caption` says
    what the step did)."""
    if not 0 <= step < len(result.steps):
        raise ValueError(f"step must be from 0 to {len(result.steps) - 1}, got {step}")
    state: State = result.states[step]
    info = result.steps[step]
    columns, widest = _columns(result, state)
    right = max(_LEFT + widest - 0.4, 7.6)

    fig = figure(8.8, 6.2, layout=None)
    ax = fig.add_axes((0.01, 0.0, 0.98, 0.93))
    ax.set_axis_off()
    fig.text(0.012, 0.985, f"step {step + 1}/{len(result.steps)}: {info.function}", ha="left", va="top",
             fontsize=13, weight="bold", color=INK)
    fig.text(0.988, 0.985, f"GOMAXPROCS={result.gomaxprocs}", ha="right", va="top", fontsize=11, color=GREY)

    for name, y in (("running G", _ROWS["g"]), ("M (thread)", _ROWS["m"]), ("P", _ROWS["p"]),
                    ("runnext,\nrun queue", _ROWS["next"])):
        ax.text(0.05, y, name, ha="left", va="center", fontsize=10, color=GREY)

    if not state.ms:
        ax.text(_LEFT - _W / 2, _ROWS["m"], "no M yet: the kernel's thread runs the entry code", ha="left",
                va="center", fontsize=11, style="italic", color=GREY)
    for m in state.ms:
        mx = columns[f"m{m.id}"]
        role = {"m0": "m0", "sysmon": "sysmon", "worker": "idle" if m.idle else "worker"}[m.role]
        _box(ax, mx, _ROWS["m"], f"M{m.id}\n{role}", "#FFFFFF" if m.idle else "#FFF4D6",
             style="--" if m.idle else "-")
        if m.p is None and m.role == "sysmon":
            ax.text(mx, _ROWS["p"], "no P", ha="center", va="center", fontsize=10, color=GREY, style="italic")
        if m.curg is not None:
            _box(ax, mx, _ROWS["g"], f"G{m.curg}", G_STATUS["running"], weight="bold", size=11)
            _link(ax, mx, _ROWS["m"] + _H / 2, mx, _ROWS["g"] - _H / 2, arrow=True)
        elif m.role != "sysmon" and not m.idle:
            ax.text(mx, _ROWS["g"], "on g0", ha="center", va="center", fontsize=10, color=GREY, style="italic")
        if m.p is not None:
            _link(ax, mx, _ROWS["m"] - _H / 2, mx, _ROWS["p"] + _H / 2)

    for p in state.ps:
        px = columns[f"p{p.id}"]
        idle = p.status == "idle"
        _box(ax, px, _ROWS["p"], f"P{p.id}\n{'idle' if idle else 'running'}", "#FFFFFF" if idle else "#D6E8F5",
             edge=GREY if idle else BLUE, style=":" if idle else "-", size=9.5)
        queue = ([("next", p.runnext)] if p.runnext is not None else []) + [("q", g) for g in p.runq]
        for k, (kind, goid) in enumerate(queue[:2]):
            gy = _ROWS["next"] - k * (_H + 0.1)
            label = f"G{goid}" if k == 0 or len(queue) <= 2 else f"+{len(queue) - 1}"
            _box(ax, px, gy, label, G_STATUS["runnable"], style="--" if kind == "next" else "-", size=11)
            if k == 0:
                _link(ax, px, _ROWS["p"] - _H / 2, px, gy + _H / 2, style="--" if kind == "next" else "-",
                      arrow=True)

    # the goroutine list, two columns under the diagram
    ax.text(0.05, _LIST_TOP + 0.42, "goroutines" if state.gs else "no goroutine yet", fontsize=11,
            weight="bold", va="center")
    half = (right + 0.2) / 2
    for k, g in enumerate(state.gs):
        gx = 0.05 + (k % 2) * half
        gy = _LIST_TOP - (k // 2) * 0.62
        ax.add_patch(FancyBboxPatch((gx, gy - 0.17), 0.34, 0.34, boxstyle="round,pad=0.01",
                                    facecolor=G_STATUS.get(g.status, LIGHT), edgecolor=INK, linewidth=0.9))
        name = (g.runs or g.fn).removeprefix("runtime.")
        detail = g.status + (f": {g.waitreason}" if g.waitreason else "")
        ax.text(gx + 0.48, gy, f"G{g.goid} {name}  ({detail})", fontsize=10, va="center")

    ax.text(right + 0.15, _ROWS["g"] + 0.55, "green: running   blue: runnable   grey: waiting\n"
            "dashed G: in runnext   dotted P: idle   dashed M: idle", fontsize=8.5, color=GREY, va="center",
            ha="right")
    ax.set_xlim(0, right + 0.2)
    ax.set_ylim(_LIST_TOP - 2 * 0.62 - 0.35, _ROWS["g"] + 0.85)
    return fig


def boot_caption(result: Boot, step: int) -> str:
    """What the step did, as HTML for a panel's caption, with what is ready in the runtime so far."""
    info = result.steps[step]
    state = result.states[step]
    called = f" (called from <code>{html.escape(info.called_from)}</code>)" if info.called_from else ""
    ready = [name for name, on in (("heap", state.heap), ("signal handlers", state.signals),
                                   ("mainStarted", state.main_started), ("GC enabled", state.gc_enabled)) if on]
    done = f" Done so far: {', '.join(ready)}." if ready else ""
    return (f"<b>{step + 1}/{len(result.steps)} <code>{html.escape(info.function)}</code></b> "
            f"<span style='color:#666'>({html.escape(info.file)})</span>{called}: {html.escape(info.does)}{done}")


# --- the whole chain at a glance ------------------------------------------------------------------------------

_LANES = ("no g yet\n(kernel's first thread,\nits OS stack)", "m0 on g0\n(the OS stack,\nscheduler code)",
          "m0 running G1\n(the main goroutine,\nlocked to m0)")


def chain_lane(result: Boot, index: int) -> int:
    """Which lane of `draw_boot_chain` step ``index`` runs in, from the model's state just before it: 0 before
    m0 and g0 exist, 1 while m0 runs on g0 (no current goroutine), 2 once m0 runs the main goroutine."""
    before = result.states[index - 1] if index else State()
    if not before.ms:
        return 0
    return 2 if before.ms[0].curg == 1 else 1


@styled
def draw_boot_chain(result: Boot) -> Figure:
    """The chain from the ELF entry to ``main.main`` as one picture: one row per call, in order, placed in the
    lane of what runs it (no g yet, g0 on m0, the main goroutine on m0), with the called-from function; to the
    right, what runs on other threads: sysmon on its own M without a P, and the helper goroutines, which the
    runtime runs on another M while the main goroutine, locked to m0, waits in gcenable."""
    steps = result.steps[: len(result.chain())]
    n = len(steps)
    row_h = 0.30
    fig = figure(8.8, 1.2 + row_h * n, layout=None)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    lane_x = (1.1, 3.1, 5.1)
    width = 1.9
    top = n * row_h + 0.75
    ax.set_xlim(0, 8.8)
    ax.set_ylim(0, top + 0.45)
    for x, name in zip(lane_x, _LANES):
        ax.text(x, top + 0.05, name, ha="center", va="bottom", fontsize=8.5, color=GREY, linespacing=1.05)
        ax.plot([x + width / 2 + 0.05] * 2, [0.15, top - 0.05], color=LIGHT, lw=1, zorder=0)
    ax.text(7.7, top + 0.05, "other threads\n(Ms)", ha="center", va="bottom", fontsize=8.5, color=GREY,
            linespacing=1.05)
    previous = None
    face = ("#FFFFFF", "#FFF4D6", "#D6E8F5")
    for i, step in enumerate(steps):
        lane = chain_lane(result, i)
        x, y = lane_x[lane], top - 0.35 - i * row_h
        label = step.function.removeprefix("runtime.")
        made = [g for g in result.states[i].gs if g.goid == len(result.states[i].gs)] \
            if step.function == "runtime.newproc" else []
        if made:
            label += f" → G{made[0].goid}"
        ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.11), width, 0.22, boxstyle="round,pad=0.01",
                                    facecolor=face[lane], edgecolor=INK, linewidth=0.8))
        ax.text(x, y, label, ha="center", va="center", fontsize=7.6, color=INK, family="monospace")
        if step.called_from:
            ax.text(lane_x[2] + width / 2 + 0.12, y, "← " + step.called_from.removeprefix("runtime."),
                    ha="left", va="center", fontsize=6.8, color=GREY, family="monospace")
        if previous is not None:
            _link(ax, previous[0], previous[1] - 0.11, x, y + 0.11, arrow=True)
        previous = (x, y)
        if step.function == "runtime.newm":
            ax.text(8.6, y, "M1: sysmon, no P", ha="right", va="center", fontsize=7.6, color=INK,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="#FFFFFF", edgecolor=INK, linestyle="--"))
        if step.function == "runtime.gcenable":
            ax.text(8.6, y - row_h, "another M (handoffp)\nruns the helpers\nwhile G1 waits",
                    ha="right", va="center", fontsize=7.6, color=INK, linespacing=1.05,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="#FFFFFF", edgecolor=INK, linestyle="--"))
    fig.text(0.01, 0.005, "→ Gn: the goroutine newproc creates.  ← f: the caller.  Right: what other threads run "
             "in the runtime (the model keeps the helpers on m0).", fontsize=7.2, color=GREY, ha="left",
             va="bottom")
    return fig
