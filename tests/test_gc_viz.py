"""Chapter 4's figures and panels (gosim.viz.gc, gosim.widgets.gc): they draw, their grids stay small, their
captions say what the model says."""

from __future__ import annotations

import math

import pytest

from gosim.gc import greentea, heap, mgc, pacersim
from gosim.toolchain.gctrace import GCTraceLine
from gosim.viz import gc as viz
from gosim.viz.style import png
from gosim.widgets import gc as panels

PNG = b"\x89PNG"


@pytest.mark.parametrize("factory,frames", [(panels.tricolor_panel, 12), (panels.barrier_panel, 18),
                                            (panels.gogc_panel, 72), (panels.pacer_panel, 42)])
def test_panels_have_small_grids_and_draw(factory, frames):
    panel = factory()
    assert panel.frames() == frames <= 300
    values = panel.grid()[-1]
    assert panel.frame(**values).startswith(PNG)
    assert panel.text(**values)


def test_tricolor_caption_counts_the_colours():
    frames = mgc.step_through(heap=heap.example_heap())
    last = viz.mark_end(frames)
    assert "8 black" in viz.tricolor_caption(frames, last) and "2 white" in viz.tricolor_caption(frames, last)


def test_barrier_caption_names_the_loss_or_the_save():
    lost = mgc.run_script("hide in a stack", "none")
    saved = mgc.run_script("hide in a stack", "dijkstra")
    assert "Lost: 2, 3" in viz.barrier_caption(lost, "none", lost.lost)
    assert "re-scan of the stacks at mark termination found 2" in viz.barrier_caption(saved, "dijkstra", lost.lost)
    assert "<ol" in viz.barrier_caption(saved, "dijkstra")


def test_heap_over_time_updates_one_figure():
    figure = viz.HeapOverTime()
    a = png(figure.update("steady", 100, math.inf))
    b = png(figure.update("spike", "off", 40))
    assert a.startswith(PNG) and b.startswith(PNG) and a != b
    assert "GOMEMLIMIT=40MiB" in figure.title.get_text() and figure.limits[0].get_visible()


def test_static_figures_draw():
    run = pacersim.simulate("step", 100)
    line = GCTraceLine(1, 0.1, 2, 0.1, 1.0, 0.1, 0.2, 0.1, 0.5, 0.0, 0.2, 3, 4, 3, 4, 0, 0, 2, False)
    figs = [viz.draw_pacer_run(run), viz.draw_tradeoff({"guide": [(50, 10.0, 30.0), (100, 5.0, 60.0)]}),
            viz.draw_gctrace({"GOGC=100": [line]}, {"GOGC=100": 64}),
            viz.draw_greentea({"dense": greentea.compare(heap.dense_heap(600)),
                               "list": greentea.compare(heap.linked_list(600))},
                              {"dense": {"greentea": 1.0, "classic": 2.0}, "list": {"greentea": 2.0, "classic": 1.0}}),
            viz.draw_scavenge([dict(phase=p, t=t, rss=r << 20, free=f << 20, released=x << 20) for p, t, r, f, x in
                               (("gc1", 0.0, 260, 256, 3), ("gc2", 0.3, 230, 226, 30),
                                ("freeosmemory", 0.9, 4, 0, 259))], 256)]
    assert all(png(f).startswith(PNG) for f in figs)


def test_draw_limiter_two_lines_each():
    from gosim.viz import gc as viz

    fig = viz.draw_limiter(1, 0.65, 2.0)
    left, right = fig.axes
    assert len(left.get_lines()) == 3 and len(right.get_lines()) == 3  # with, without, and a reference line


def test_limiter_panel_frames_and_captions():
    from gosim.widgets import gc_limiter

    p = gc_limiter.limiter_panel()
    assert p.frames() == len(gc_limiter.ASSIST_SHARES) * len(gc_limiter.PROCS) <= 300
    assert "never turns on" in gc_limiter.limiter_caption(0.20, 1)
    assert "averages" in gc_limiter.limiter_caption(0.65, 2)
