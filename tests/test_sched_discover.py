"""Chapter 5's panels to discover with (gosim.widgets.sched_discover): their frames, the answers the chapter's
exercises 5.11 and 5.12 read from them, and the static-site contract (outer class, alt text naming the
control values)."""

from __future__ import annotations

import statistics

import pytest

from gosim.widgets import sched_discover as d


def test_starvation_begins_where_every_p_runs_a_call_free_loop():
    # derived: a timer is run only by a P whose M looks for work; N call-free loops keep N Ps forever
    for procs in d.STARVE_PROCS:
        assert d.starve_threshold(procs) == procs
        assert all(d.starve_run(procs, n).exited == (n < procs) for n in d.STARVE_GOROUTINES)


def test_slices_without_and_with_a_goroutine_in_system_calls():
    for procs in d.SLICE_PROCS:
        for n in d.SLICE_SPINNERS:
            plain = d.spinner_slices_ms(d.slices_run(procs, n, "off"))
            assert plain and all(19.9 < x < 20.3 for x in plain)  # two 10 ms sleeps (+ slack)
            with_sys = d.spinner_slices_ms(d.slices_run(procs, n, "on"))
            assert with_sys and all(10 < x < 20.3 for x in with_sys)
    assert statistics.median(d.spinner_slices_ms(d.slices_run(1, 2, "on"))) < 19.5
    with pytest.raises(ValueError, match="sleeper"):
        d.slices_run(1, 2, "maybe")


@pytest.mark.parametrize("factory,frames", [(d.starve_panel, 24), (d.slices_panel, 8)])
def test_panels_frames_and_static_contract(factory, frames, tmp_path, monkeypatch):
    from gosim.viz import site
    from gosim.widgets.panel import PANEL_CLASS, Control, Panel, static_alts

    panel = factory()
    assert panel.frames() == frames <= 40
    first = {c.name: c.values[0] for c in panel.controls}
    last = {c.name: c.values[-1] for c in panel.controls}
    a, b = panel.frame(**first), panel.frame(**last)
    assert a.startswith(b"\x89PNG") and a != b
    assert panel.text(**first)
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.setenv(site.STATIC_ENV, "1")
    small = Panel(panel.draw, [Control(c.name, list(c.values[:2]), kind=c.kind) for c in panel.controls],
                  caption=panel.caption)
    box = small.static()
    assert PANEL_CLASS in box._dom_classes

    alts = static_alts(box)
    assert alts[0] == ", ".join(f"{c.name}={c.values[0]}" for c in panel.controls)


def test_starvation_begins_where_the_real_runtime_starves():
    # the real cpubound (call-free loops, asyncpreemptoff=1) at GOMAXPROCS=2 with one loop fewer than Ps, and
    # with as many: main, asleep 40 ms, returns with one and never with two (killed after 2 s, its schedtick
    # frozen), as the model's frames say
    from gosim.toolchain import schedtrace as st

    one = st.run_program("cpubound", 2, ["-g", 1, "-d", d.STARVE_SLEEP], schedtrace_ms=None,
                         godebug="asyncpreemptoff=1", timeout=60)
    two = st.run_until_timeout("cpubound", 2, ["-g", 2, "-d", d.STARVE_SLEEP], timeout=2.0, schedtrace_ms=200,
                               godebug="asyncpreemptoff=1")
    assert one.returncode == 0 and two.returncode != 0, (one.returncode, two.returncode)
    assert len(two.rows) >= 3 and two.rows[-1].schedticks == two.rows[-2].schedticks, two.rows
    assert d.starve_run(2, 1).exited and not d.starve_run(2, 2).exited


def test_the_slice_answer_is_the_recorded_runs_answer():
    # exercise 5.12's range read from the real timeslice runs recorded with and without the nanosleep loop
    # (tests/data/sched/reference.json), beside the model's
    from gosim.checks.sched import reference
    from gosim.exercises import ch5

    runs = reference()["slices"]["runs"]
    real = {k: statistics.median([x for r in runs for x in r[k]]) for k in ("plain", "sys")}
    assert ch5.slice_range_of(real["sys"]) == ch5._slice_range() == ch5.SLICE_RANGES[1], real
    plain_model = statistics.median(d.spinner_slices_ms(d.slices_run(1, 2, "off")))
    assert ch5.slice_range_of(real["plain"]) == ch5.slice_range_of(plain_model) == ch5.SLICE_RANGES[0], real
