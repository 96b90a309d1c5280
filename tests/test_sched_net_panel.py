"""Chapter 5's network panel (gosim.widgets.sched_net): the model's netpoll counts see every wake-up, what
its frames show follows the runtime's rules for netpoll's callers, exercise 5.13's answer is the model's, and
the static-site contract (a frame per combination, alt text naming the control values)."""

from __future__ import annotations

import itertools

import pytest

from gosim import exercises
from gosim.sched import workloads
from gosim.widgets import sched_net as n

GRID = list(itertools.product(n.CONNECTIONS, n.PROCS))


@pytest.mark.parametrize("connections,procs", [(10, 1), (100, 2), (400, 4)])
def test_the_counts_see_every_wake_up(connections, procs):
    r = n.net_run(connections, procs)
    s = workloads.network_process(connections, procs)  # the chapter's run
    assert (r.states, r.threads, r.events) == (s.observed[0], s.sched.mcount, s.nevents)
    # every park in IO wait ended in one of the three callers' polls, or still waits at the end
    assert r.parked > connections
    assert sum(r.made.values()) + r.still_waiting == r.parked


def test_threads_stay_few_while_goroutines_in_io_wait_grow():
    # derived from the workload: halfway every server goroutine and the accept loop wait to read (c + 1, and a
    # client awaiting its answer adds one); threads are bounded by GOMAXPROCS (the Ms holding Ps, sysmon's, the
    # one blocked in netpoll), not by connections. make mutants' thread-per-connection read breaks the second.
    for c, procs in GRID:
        r = n.net_run(c, procs)
        assert r.states["IO wait"] >= c + 1, (c, procs, r.states)
        assert r.threads <= procs + 2, (c, procs, r.threads)


def test_who_polls_follows_the_runtimes_rules():
    # findRunnable's netpoll(0) does not store sched.lastpoll (proc.go:3511); the blocking netpoll (proc.go:3773)
    # and sysmon (proc.go:6621) do, so sysmon polls only when no M has blocked in netpoll for 10 ms: never while
    # the requests ask for less than half the Ps, and when they ask for more than one P can give (1000
    # connections: 1.5 CPUs at GOMAXPROCS=1) no M ever blocks in netpoll and sysmon polls about every 10 ms.
    for c, procs in GRID:
        r = n.net_run(c, procs)
        if r.demand_cpus < procs / 2:
            assert r.made[n.SYSMON] == 0, (c, procs, r.made)
        assert r.polls[n.POLLER] <= r.made[n.POLLER] and r.polls[n.SYSMON] <= r.made[n.SYSMON]
    over = n.net_run(1000, 1)
    assert over.demand_cpus > 1
    assert over.made[n.POLLER] == 0
    assert 400 / 10 - 2 <= over.polls[n.SYSMON] <= 400 / 10  # one poll per 10 ms of the run, once lastpoll is old
    assert abs(n.net_run(100, 2).demand_cpus - 100 * 15e-6 / 10e-3) < 1e-12  # 15 µs per 10 ms per connection


def test_exercise_5_13_is_the_models_answer():
    ex = exercises.get("5.13")
    made = n.net_run(100, 2).made
    right = max(made, key=made.get)
    assert ex.answer() == right and ex.check(right).correct
    assert set(ex.kind.options) == set(n.CALLERS)
    for wrong in set(n.CALLERS) - {right}:
        fb = ex.check(wrong)
        assert fb.answered and not fb.correct, wrong
    assert not ex.check("the garbage collector").correct  # not an option


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="connections must be"):
        n.net_run(0, 2)
    with pytest.raises(ValueError, match="GOMAXPROCS|gomaxprocs"):
        n.net_run(10, 0)
    with pytest.raises(ValueError, match="connections must be one of"):
        n.net_panel().frame(connections=7, gomaxprocs=2)
    with pytest.raises(ValueError, match="none of the figure's rows"):
        from gosim.viz.sched_net import state_counts

        state_counts({"IO wait": 3, "chan receive": 1})


def test_frames_differ_with_the_controls_and_alt_texts_name_them(tmp_path, monkeypatch):
    from gosim.viz import site
    from gosim.widgets.panel import PANEL_CLASS, static_alts

    panel = n.net_panel()
    assert panel.frames() == len(GRID) == 12
    frames = {key: panel.frame(connections=key[0], gomaxprocs=key[1]) for key in GRID}
    assert all(f.startswith(b"\x89PNG") for f in frames.values())
    assert len(set(frames.values())) == len(GRID)  # each combination draws its own picture
    texts = {panel.text(connections=c, gomaxprocs=p) for c, p in GRID}
    assert len(texts) == len(GRID)
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.setenv(site.STATIC_ENV, "1")
    box = panel.static()
    assert PANEL_CLASS in box._dom_classes
    assert static_alts(box) == [f"connections={c}, GOMAXPROCS={p}" for c, p in GRID]
