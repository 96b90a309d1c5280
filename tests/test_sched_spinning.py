"""Chapter 5's "Spinning threads": ``gosim/programs/schedspin`` (short goroutines woken every millisecond) beside
the model, from the runs recorded by scripts/record_spinning.py (tests/data/sched/spinning.json), and the rule
itself read in the installed runtime's source."""

from __future__ import annotations

import inspect
import statistics

import pytest

from gosim.checks import spinning as checks
from gosim.sched import proc, spinning


@pytest.fixture(scope="module")
def ref():
    return checks.spin_reference()


@pytest.fixture(scope="module")
def model(ref):
    return checks.model_stats(checks.model_run(ref))


def test_recorded_runs_are_enough(ref):
    assert len(ref["runs"]) >= 7
    assert all(r["stats"]["lines"] > 100 for r in ref["runs"])


def test_spinning_beside_the_recorded_runs(model, ref):
    rows = checks.spinning_checks(model, ref)
    assert all(c.ok for c in rows), [c for c in rows if not c.ok]


def test_half_of_the_busy_ps_rule_is_the_runtimes():
    from gosim import toolchain as tc

    try:
        find = tc.source("runtime.findRunnable").text
    except Exception as exc:  # a missing GOROOT skips visibly
        pytest.skip(f"no installed runtime source: {exc}")
    assert "2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load()" in find
    assert "2 * sched.nmspinning < self.gomaxprocs - sched.npidle" in inspect.getsource(proc.Sched.findRunnable)


def test_live_schedspin_never_shows_two_spinning_threads_at_gomaxprocs_2():
    from gosim.toolchain import schedtrace as st

    run = st.run_program("schedspin", 2, ["-d", "500ms"], schedtrace_ms=1)
    rows = [r for r in run.rows if r.ms >= 20]
    assert rows and max(r.spinningthreads for r in rows) <= 1  # 2 x 1 < 2 Ps is false: a second M never spins
    assert run.stdout.split()[0] == "ticks"


def test_the_model_wakes_with_the_recorded_latencies(ref):
    c = checks.costs(ref)
    draws = [c.wakeup for _ in range(2000)]
    pooled = checks.wake_sample(ref)
    assert min(draws) >= pooled[0] and max(draws) <= pooled[-1]
    assert abs(statistics.mean(draws) - statistics.mean(pooled)) < 0.2 * statistics.mean(pooled)
    assert c.newm == proc.Costs().newm  # the rest are the defaults


def test_spin_process_is_deterministic_and_rejects_bad_input():
    a = spinning.spin_process(2, duration=30_000_000)
    b = spinning.spin_process(2, duration=30_000_000)
    assert a.looks == b.looks and a.observed == b.observed
    for kw, name in (({"k": 0}, "k"), ({"work": -1}, "work"), ({"duration": 10**15}, "duration"),
                     ({"every": "1ms"}, "every")):
        with pytest.raises(ValueError, match=name):
            spinning.spin_process(2, **kw)
    with pytest.raises(ValueError, match="rows"):
        spinning.spin_stats([])


def test_every_wake_up_draws_its_own_latency(ref):
    # the model must read Costs.wakeup at each wake-up (startm), not once: DrawnCosts depends on it
    c = checks.costs(ref)
    draws = []
    choice = c._rng.choice

    def counting(seq):
        draws.append(choice(seq))
        return draws[-1]

    c._rng.choice = counting
    s = spinning.spin_process(2, duration=50_000_000, costs=c)
    assert s.observed[0] > 20 and len(draws) >= s.observed[0] // 2 and len(set(draws)) > 5


def test_the_limit_worked_out_from_the_condition():
    # spin_limit beside a brute force over the condition as the installed proc.go writes it: an M that does not
    # spin yet starts when the condition holds, and then nmspinning is one more
    import re

    from gosim import toolchain as tc

    try:
        find = tc.source("runtime.findRunnable").text
    except Exception as exc:  # a missing GOROOT skips visibly
        pytest.skip(f"no installed runtime source: {exc}")
    cond = re.search(r"if mp\.spinning \|\| (.+) \{", find)[1]
    expr = cond.replace("sched.nmspinning.Load()", "n").replace("sched.npidle.Load()", "idle")
    for procs in range(1, 17):
        reach = max(n + 1 for n in range(procs + 1) for idle in range(procs + 1)
                    if eval(expr, {}, {"n": n, "idle": idle, "gomaxprocs": procs}))
        assert checks.spin_limit(procs) == max(reach, 1), procs  # wakep's one when none spins


def test_bursts_reach_the_limit_and_no_more():
    # every M runs out of work at once every tick: the limit, not the timing, decides; a model without it
    # (scripts/mutants.py: sched-spinning-no-half-limit) shows 4-6 at GOMAXPROCS=6, a stricter one fewer
    rows = checks.burst_checks()
    assert all(c.ok for c in rows), rows
    assert checks.burst_max_spinning(2) == 1


def test_bursts_without_the_limit_fail_by_a_margin(monkeypatch):
    # the chapter's numbers for the no-limit rule (scripts/mutants.py plants the same): 4 at GOMAXPROCS=4, 5 at 6
    original = proc.Sched.findRunnable

    def findRunnable(self, mp, final=False):  # an M with nothing queued spins, however many already do
        pp = mp.p
        if (not mp.spinning and pp.runnext is None and not pp.runq and not self.sched.runq
                and not (pp.timers and pp.timers[0][0] <= self.now)):
            self.becomeSpinning(mp)
        return original(self, mp, final)

    monkeypatch.setattr(proc.Sched, "findRunnable", findRunnable)
    assert [c.model for c in checks.burst_checks()] == [4, 5]
    assert not any(c.ok for c in checks.burst_checks())
