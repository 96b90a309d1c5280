"""Chapter 5's figures and panel: every panel frame draws, the figures draw from the model and from recorded real
runs, and the model's timeline has the shape of a real trace's (so one function draws both)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from gosim import sched
from gosim.checks import sched as checks
from gosim.sched import stack
from gosim.toolchain import rtrace
from gosim.viz import sched as viz
from gosim.viz.style import png
from gosim.widgets import sched as panels

REF = checks.reference()
TRACE = checks.REFERENCE_DIR / "trace_cpubound_p2.json"


@pytest.fixture(scope="module")
def panel():
    return panels.sched_panel()


@pytest.mark.parametrize("workload", list(panels.VARIANTS))
def test_every_panel_frame_draws(panel, workload):
    frames = [panel.frame(gomaxprocs=p, workload=workload) for p in panels.GOMAXPROCS]
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == len(frames), "each GOMAXPROCS shows a different run"
    for p in panels.GOMAXPROCS:
        text = panel.text(gomaxprocs=p, workload=workload)
        assert f"GOMAXPROCS={p}" in text and ("never ran again" in text) == (workload == "starve")


def test_panel_grid_is_small(panel):
    assert panel.frames() == len(panels.GOMAXPROCS) * len(panels.VARIANTS) == 24
    assert {c.name for c in panel.controls} == {"gomaxprocs", "workload"}


def test_a_reused_frame_figure_leaves_nothing_behind():
    a, b = panels.run("cpubound", 4), panels.run("syscall", 2)
    fresh = png(viz.SchedFigure().update(a))
    reused = viz.SchedFigure()
    reused.update(b)
    reused.update(panels.run("mix", 8))
    assert png(reused.update(a)) == fresh


def _check_gantt(gantt: dict) -> None:
    """{p: [(start, end, goid, why)]}: ints and a reason, in time order, one goroutine at a time per P."""
    assert gantt and all(isinstance(p, int) and p >= 0 for p in gantt)
    for rows in gantt.values():
        for start, end, goid, why in rows:
            assert isinstance(start, int) and isinstance(end, int) and isinstance(goid, int)
            assert 0 <= start <= end and why in {"preempted", "block", "syscall", "exit", "gosched", "stw", "end"}
        assert rows == sorted(rows)
        assert all(a[1] <= b[0] for a, b in zip(rows, rows[1:]))


def test_model_and_real_trace_timelines_have_the_same_shape():
    real = rtrace.load(TRACE)
    model = sched.simulate("cpubound", gomaxprocs=2, goroutines=4, duration="200ms")
    mg, rg = checks.gantt_pair(model, real)
    _check_gantt(mg)
    _check_gantt(rg)
    assert set(mg) == set(rg) == {0, 1}
    assert set(checks.trace_counts(model.intervals)) >= {"preempted", "block"}
    assert set(checks.trace_counts(real.intervals)) >= {"preempted", "block"}
    names = viz.trace_names(rg, 4)
    assert names[1] == "main" and sum(n == "spin" for n in names.values()) == 4
    for gantt, nm in ((mg, viz.model_names(model)), (rg, names)):
        style = viz.goroutine_style(gantt, nm)
        assert style.colour[1] == viz.MAIN and style.label_bars  # four workers: one colour each
        workers = {g for g, n in nm.items() if n.startswith("spin")}
        assert len({style.colour[g] for g in workers}) == 4
    assert isinstance(viz.draw_gantt_pair(model, real, names), Figure)


def test_many_goroutines_are_coloured_by_group():
    r = panels.run("fanout", 4)
    style = viz.goroutine_style(r.gantt(), viz.model_names(r))
    assert not style.label_bars
    assert any(label.startswith("worker: ") for label, _ in style.legend)


def test_syscall_spans_lie_inside_the_syscalls():
    r = panels.run("syscall", 2)
    spans = viz.syscall_spans(r)
    assert spans and all(0 <= p < 2 and start <= end for p, start, end in spans)
    calls = {(s, e) for _, _, s, e, _ in r.syscalls}
    starts = {s: e for s, e in calls}
    assert all(start in starts and end <= starts[start] for _, start, end in spans)


def test_static_figures_draw_from_the_model_and_recorded_runs():
    rows1 = checks.rows_from_real(REF["cpubound"]["1"]["rows"][0])
    real = {p: checks.rows_from_real(REF["cpubound"][str(p)]["rows"][0]) for p in (1, 2, 4)}
    model = {p: sched.simulate("cpubound", gomaxprocs=p, goroutines=20, duration="450ms",
                               schedtrace="100ms").schedtrace for p in (1, 2, 4)}
    ts = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="300ms")
    off = REF["asyncpreemptoff"]
    figures = [
        viz.draw_why_slice(ts),
        viz.draw_timeslices(ts.timeslices() / 1e6, [20.1, 20.2, 20.3], REF["timeslice"]),
        viz.draw_schedtrace(real, model, 20),
        viz.draw_queue_sequence(model[1], rows1, 20),
        viz.draw_starvation({"call-free": (checks.rows_from_real(off["call_free"]["rows"]), False),
                             "calls": (checks.rows_from_real(off["calls"]["rows"]), True)}, 1.5),
        viz.draw_stack_growth(stack.recursion(300, 312, 96), 300, 320, 96, [(4, 1255), (10, 3175)]),
        viz.draw_sched(panels.run("prodcons", 4)),
    ]
    for fig in figures:
        assert isinstance(fig, Figure) and png(fig).startswith(b"\x89PNG")


def test_a_slice_is_two_sysmon_periods():
    ts = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="200ms")
    fig = viz.draw_why_slice(ts)
    title = fig.axes[0].get_title(loc="left")
    assert "10.05 ms to be seen" in title and title.endswith("20.10 ms")
