"""Chapter 4's panels: a tri-colour step-through, the write-barrier demo, GOGC × GOMEMLIMIT over time (the go.dev
GC guide's model beside gosim's pacer), and the pacer's scenarios cycle by cycle. Each is a `Panel`: live in
JupyterLab, precomputed frames on the static site (a few dozen to a hundred frames each)."""

from __future__ import annotations

import html
import math

from ..gc import guide, heap, mgc, pacersim
from ..gc.mgcpacer import MAX_INT64
from ..gc.workload import SCENARIOS
from ..viz import gc as viz
from .panel import Control, Panel

BARRIER_CHOICES = ("none", "dijkstra-no-rescan", "dijkstra", "yuasa-no-snapshot", "yuasa", "hybrid")
BARRIER_LABELS = ("none", "Dijkstra, no re-scan", "Dijkstra (1.5)", "Yuasa, no snapshot", "Yuasa", "hybrid (1.8+)")


def tricolor_panel(frames=None) -> Panel:
    """A step slider over one marking of `gosim.gc.heap.example_heap` (no mutator): `viz.gc.draw_tricolor`."""
    frames = frames or mgc.step_through(heap=heap.example_heap())

    def draw(step: int):
        return viz.draw_tricolor(frames, step)

    def caption(step: int) -> str:
        return viz.tricolor_caption(frames, step)

    return Panel(draw, caption=caption, controls=[
        Control("step", list(range(len(frames))), "step", default=0,
                labels=[f"{i + 1}/{len(frames)} {f.action.split(':')[0]}" for i, f in enumerate(frames)]),
    ])


def barrier_runs(schedules=tuple(mgc.SCHEDULES), barriers=BARRIER_CHOICES) -> dict:
    """Every scripted schedule under every barrier: {schedule: {barrier: CycleResult}}."""
    return {s: {b: mgc.run_script(s, b) for b in barriers} for s in schedules}


def barrier_panel(schedules=tuple(mgc.SCHEDULES), barriers=BARRIER_CHOICES, default: str = "none") -> Panel:
    """Buttons for a mutator schedule (`gosim.gc.mgc.SCHEDULES`) and a write barrier; the heap at mark
    termination with the lost objects, and the schedule step by step (`viz.gc.draw_barrier`)."""
    runs = barrier_runs(schedules, barriers)
    layout = {s: [f for r in by.values() for f in r.frames] for s, by in runs.items()}
    labels = dict(zip(BARRIER_CHOICES, BARRIER_LABELS))

    def draw(schedule: str, barrier: str):
        return viz.draw_barrier(runs[schedule][barrier], barrier, layout_frames=layout[schedule],
                                schedule=schedule)

    def caption(schedule: str, barrier: str) -> str:
        at_risk = runs[schedule]["none"].lost if "none" in runs[schedule] else ()
        return viz.barrier_caption(runs[schedule][barrier], barrier, at_risk, mgc.SCHEDULES[schedule][0])

    short = {"store into a black object": "into a black object", "hide in a stack": "hide in a stack",
             "from an unscanned stack": "unscanned stack"}
    return Panel(draw, caption=caption, controls=[
        Control("schedule", list(schedules), "schedule", default=schedules[0], kind="buttons",
                labels=[short.get(x, x) for x in schedules]),
        Control("barrier", list(barriers), "barrier", default=default, kind="buttons",
                labels=[labels.get(b, b) for b in barriers]),
    ])


def _limit(value) -> float:
    return math.inf if value in ("off", None) else float(value)


def gogc_panel(workloads=("steady", "shift", "spike"), gogcs=(25, 50, 100, 200, 400, "off"),
               limits=("off", 60, 45, 30), default=("steady", 100, "off"), gomaxprocs: int = 1) -> Panel:
    """GOGC × GOMEMLIMIT (MiB) × the guide's workloads: the guide's model beside gosim's pacer over time
    (`viz.gc.HeapOverTime`, one figure updated in place)."""
    figure = viz.HeapOverTime()
    cache: dict = {}

    def models(workload, gogc, memlimit):
        key = (workload, gogc, memlimit)
        if key not in cache:
            cache[key] = guide_and_model(workload, gogc, _limit(memlimit), gomaxprocs)
        return cache[key]

    def draw(workload: str, gogc, memlimit):
        toy, run = models(workload, gogc, memlimit)
        return figure.update(workload, gogc, _limit(memlimit), gomaxprocs, toy, run)

    def caption(workload: str, gogc, memlimit) -> str:
        return heap_over_time_caption(workload, gogc, _limit(memlimit), *models(workload, gogc, memlimit))

    return Panel(draw, caption=caption, controls=[
        Control("workload", list(workloads), "workload", default=default[0], kind="buttons"),
        Control("gogc", list(gogcs), "GOGC", default=default[1], kind="buttons"),
        Control("memlimit", list(limits), "GOMEMLIMIT", default=default[2], kind="buttons",
                labels=[f"{v} MiB" if v != "off" else "off" for v in limits]),
    ])


def guide_and_model(workload: str, gogc, memlimit_mib: float, gomaxprocs: int = 1):
    """(the guide's `GuideResult`, gosim's `PacerRun`) for one of the guide's workloads."""
    toy = guide.run_guide(workload, math.inf if gogc == "off" else gogc, memlimit_mib)
    return toy, pacersim.guide_workload_run(workload, gogc, memlimit_mib, 0.0, gomaxprocs)


def heap_over_time_caption(workload: str, gogc, memlimit_mib: float, toy=None, run=None) -> str:
    """What the two models say for these settings, and why they differ, as HTML."""
    g = -1 if gogc == "off" else gogc
    if toy is None or run is None:
        toy, run = guide_and_model(workload, gogc, memlimit_mib)
    if g < 0 and math.isinf(memlimit_mib):
        return ("<b>GOGC=off and no memory limit: no collection at all</b>; the heap holds everything ever "
                "allocated.")
    parts = [f"<b>{html.escape(workload)}</b>: the guide's model runs {toy.gc_cycles} stop-the-world GCs "
             f"(peak {toy.peak_mib:.1f} MiB, GC CPU {toy.gc_cpu_pct:.1f} %); gosim's pacer {len(run.cycles)} "
             f"concurrent cycles (peak {run.peak / (1 << 20):.1f} MiB, GC CPU {run.gc_cpu_pct:.1f} %)."]
    parts.append("The guide charges each GC a fixed 40 ms besides scanning; gosim charges two short pauses and the "
                 "mark work, which the background worker does beside the program, so its GC CPU is lower. Blue "
                 "dots: what each of gosim's cycles marked, the live heap plus what the program allocated (black) "
                 "during the mark; the next goal grows from there, which the guide's model does not have.")
    if not math.isinf(memlimit_mib):
        bound = sum(c.limit_bound for c in run.cycles)
        if bound:
            parts.append(f"The limit sets the goal in {bound} of gosim's {len(run.cycles)} cycles: the limit "
                         "less 3 % headroom (at least 1 MiB), where the guide's goal is the limit itself.")
        else:
            parts.append(f"The {memlimit_mib:g} MiB limit is never reached: GOGC sets every goal.")
    return " ".join(parts)


def pacer_panel(scenarios=tuple(SCENARIOS), gogcs=(50, 100, 200), limits=("off", "160MiB"),
                default=("steady", 100, "off"), gomaxprocs: int = 2) -> Panel:
    """The pacer's scenarios (`gosim.gc.workload.SCENARIOS`) under GOGC and GOMEMLIMIT, cycle by cycle
    (`viz.gc.draw_pacer_run`)."""
    runs: dict = {}
    figure = viz.PacerFigure()

    def run(scenario, gogc, memlimit):
        key = (scenario, gogc, memlimit)
        if key not in runs:
            runs[key] = pacersim.simulate(scenario, gogc, MAX_INT64 if memlimit == "off" else memlimit,
                                          gomaxprocs)
        return runs[key]

    def draw(scenario: str, gogc, memlimit):
        return figure.update(run(scenario, gogc, memlimit))

    def caption(scenario: str, gogc, memlimit) -> str:
        r = run(scenario, gogc, memlimit)
        bound = sum(c.limit_bound for c in r.cycles)
        limited = sum(c.limiter for c in r.cycles)
        over = max((c.overshoot for c in r.cycles), default=0.0)
        text = (f"<b>{html.escape(scenario)}</b>: {html.escape(SCENARIOS[scenario].description)}. "
                f"{len(r.cycles)} cycles; the largest overshoot of the goal {100 * over:.1f} %.")
        if memlimit != "off":
            text += f" The memory limit set the goal in {bound} cycles."
        if limited:
            text += f" The GC CPU limiter was on in {limited} cycles: assists off, the heap may overshoot."
        return text

    return Panel(draw, caption=caption, controls=[
        Control("scenario", list(scenarios), "scenario", default=default[0], kind="buttons"),
        Control("gogc", list(gogcs), "GOGC", default=default[1], kind="buttons"),
        Control("memlimit", list(limits), "GOMEMLIMIT", default=default[2], kind="buttons"),
    ])
