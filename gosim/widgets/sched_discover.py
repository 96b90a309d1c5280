"""Chapter 5's panels to discover with: each opens with a question (an exercise) the reader answers before
moving its controls.

* `starve_panel`: ``GODEBUG=asyncpreemptoff=1`` and N goroutines in call-free loops; main sleeps 40 ms, then
  stops them. GOMAXPROCS × N (3 × 8 = 24 frames): from which N does main never run again?
* `slices_panel`: CPU-bound goroutines (loops with calls), with or without a goroutine that loops on 1 ms
  nanosleep(2) system calls; GOMAXPROCS × spinners × sleeper (2 × 2 × 2 = 8 frames): how long are the slices?

Each frame is one small run of `gosim.sched.simulate` (cached), drawn by `gosim.viz.sched.SchedFigure` or
`gosim.viz.sched_discover.SliceFigure`, each updated in place.
"""

from __future__ import annotations

from functools import lru_cache

from .. import sched
from ..viz import sched as viz
from ..viz import sched_discover as dviz
from .panel import Control, Panel

STARVE_PROCS = (1, 2, 4)
STARVE_GOROUTINES = tuple(range(1, 9))
STARVE_SLEEP = "40ms"
STARVE_LIMIT = "80ms"


@lru_cache(maxsize=32)
def starve_run(gomaxprocs: int, goroutines: int, seed: int = 1) -> sched.SchedResult:
    """``cpubound`` with call-free loops and no asynchronous preemption: main sleeps 40 ms, then sets the stop
    flag, unless it never runs again (the run ends at 80 ms: ``exited`` is False)."""
    return sched.simulate("cpubound", gomaxprocs=gomaxprocs, goroutines=goroutines, duration=STARVE_SLEEP,
                          seed=seed, sample="1ms", asyncpreempt=False, limit=STARVE_LIMIT)


def starve_threshold(gomaxprocs: int) -> int:
    """The fewest call-free spinners with which main never runs again (the model), or 0 if none up to 8."""
    return next((n for n in STARVE_GOROUTINES if not starve_run(gomaxprocs, n).exited), 0)


def starve_caption(gomaxprocs: int, goroutines: int) -> str:
    r = starve_run(gomaxprocs, goroutines)
    if r.exited:
        verdict = (f"main woke after its 40 ms sleep, set the stop flag and returned at {r.end_ns / 1e6:.1f} ms: "
                   "an idle P ran its timer.")
    else:
        verdict = ("main never ran again: every P runs a loop that calls no function, and with "
                   "asyncpreemptoff nothing can stop one, so no P ever looks at main's timer (stopped at 80 ms).")
    return f"<p>{goroutines} spinning goroutine(s), GOMAXPROCS={gomaxprocs}: {verdict}</p>"


def starve_panel(default=(2, 1)) -> Panel:
    """GOMAXPROCS buttons and a goroutine-count slider; the per-P timeline of `starve_run`."""
    frame = viz.SchedFigure(key=False)

    def draw(gomaxprocs: int, goroutines: int):
        r = starve_run(gomaxprocs, goroutines)
        return frame.update(r, viz.sched_title(r, "asyncpreemptoff, call-free loops"), end_ms=80)

    def caption(gomaxprocs: int, goroutines: int) -> str:
        r = starve_run(gomaxprocs, goroutines)
        return viz.sched_key_html(r) + starve_caption(gomaxprocs, goroutines)

    return Panel(draw, caption=caption, dpi=100, controls=[
        Control("gomaxprocs", list(STARVE_PROCS), "GOMAXPROCS", default=default[0], kind="buttons"),
        Control("goroutines", list(STARVE_GOROUTINES), "spinning goroutines", default=default[1]),
    ])


SLICE_PROCS = (1, 2)
SLICE_SPINNERS = (2, 4)
SLEEPER = ("off", "on")


@lru_cache(maxsize=16)
def slices_run(gomaxprocs: int, spinners: int, sleeper: str, costs: sched.Costs | None = None,
               seed: int = 1) -> sched.SchedResult:
    """``timeslice`` (loops with calls) or ``timeslice-sys`` (plus a goroutine looping on 1 ms nanosleep system
    calls) for 300 ms; the slices after the first 100 ms count."""
    if sleeper not in SLEEPER:
        raise ValueError(f"sleeper must be one of {SLEEPER}, got {sleeper!r}")
    workload = "timeslice-sys" if sleeper == "on" else "timeslice"
    kw = {"costs": costs} if costs is not None else {}
    return sched.simulate(workload, gomaxprocs=gomaxprocs, goroutines=spinners, duration="300ms", seed=seed,
                          **kw)


def spinner_slices_ms(r: sched.SchedResult) -> list[float]:
    """The spinners' slices (ms) after the first 100 ms (sysmon's climb from 20 µs left out)."""
    names = {g.goid: g.name for g in r.gs}
    return [(e - s) / 1e6 for _, goid, s, e, why in r.intervals
            if why == "preempted" and s >= 100_000_000 and not names[goid].startswith(("main", "sys"))]


def slices_panel(costs: sched.Costs | None = None, default=(1, 2, "off")) -> Panel:
    """GOMAXPROCS, spinners and the sleeper as buttons; the histogram of the spinners' slices."""
    frame = dviz.SliceFigure()

    def draw(gomaxprocs: int, spinners: int, sleeper: str):
        r = slices_run(gomaxprocs, spinners, sleeper, costs)
        title = (f"GOMAXPROCS={gomaxprocs}, {spinners} CPU-bound"
                 + (" + a 1 ms nanosleep loop" if sleeper == "on" else ""))
        return frame.update(spinner_slices_ms(r), title)

    def caption(gomaxprocs: int, spinners: int, sleeper: str) -> str:
        r = slices_run(gomaxprocs, spinners, sleeper, costs)
        retakes = sum(1 for _, _, why in r.handoffs if why == "retake")
        return (f"<p>sysmon took a P from a system call {retakes} time(s) in 300 ms; each time its sleep "
                "went back to 20 µs, and a slice that starts then is seen sooner.</p>")

    return Panel(draw, caption=caption, dpi=100, controls=[
        Control("gomaxprocs", list(SLICE_PROCS), "GOMAXPROCS", default=default[0], kind="buttons"),
        Control("spinners", list(SLICE_SPINNERS), "CPU-bound goroutines", default=default[1], kind="buttons"),
        Control("sleeper", list(SLEEPER), "1 ms nanosleep loop", default=default[2], kind="buttons"),
    ])
