"""Containers: the GOMAXPROCS rule (gosim.sched.cgroup) and CFS throttling, against the real runtime in a cgroup.

The rule is checked three ways: against the expectations of the runtime's own tests (runtime/cgroup_linux_test.go,
which run only on 4 or more CPUs), against what the runtime's own ``defaultGOMAXPROCS(ncpu)`` answers inside a
real group with a quota (cgroupprobe calls it through a linkname, so the rule shows for more CPUs than this
2-CPU machine has), and against the GOMAXPROCS the runtime chose in the recorded runs. The throttling model is
checked against the recorded runs (tests/data/sched/cgroup.json, 7 runs a configuration); a live run's stalls
are not asserted (one CPU taken by another process turns two throttled threads into one, and 75 ms stalls into 50).
Without root or a writable cgroup CPU controller the live tests skip, saying why.
"""

from __future__ import annotations

import os

import pytest

from gosim import toolchain as tc
from gosim.checks import cgroup as checks
from gosim.sched import cgroup as model
from gosim.toolchain import cgroup as cg

REF = checks.reference()
PERIOD = REF["period_us"]
REASON = cg.available()
needs_cgroup = pytest.mark.skipif(REASON is not None, reason=REASON or "")


@pytest.fixture(scope="module")
def probe():
    return tc.build("cgroupprobe", ldflags="-checklinkname=0")


# --- the rule, alone ----------------------------------------------------------------------------------------------


def test_rule_has_the_runtime_tests_expectations():
    table = checks.runtime_test_table((tc.goroot() / "src" / "runtime" / "cgroup_linux_test.go").read_text())
    assert len(table) >= 6, table
    for quota, period, want in table:  # mustHaveFourCPUs: with 4 CPUs the CPU count never binds here
        assert model.default_gomaxprocs(4, quota, period) == want, (quota, period, want)


def test_rule_bounds_and_switches():
    assert model.default_gomaxprocs(8) == 8  # no limit
    assert model.default_gomaxprocs(8, 2 * 8 * PERIOD, PERIOD) == 8  # TestCgroupGOMAXPROCSHigherThanNumCPU
    assert model.default_gomaxprocs(1, 50_000, PERIOD) == 1  # the CPUs bind below the floor
    assert model.default_gomaxprocs(8, 300_000, PERIOD, explicit=5) == 5
    assert model.default_gomaxprocs(8, 300_000, PERIOD, containermaxprocs=False) == 8
    assert model.sysmon_update(2, 8, 300_000, PERIOD) == 3
    assert model.sysmon_update(3, 8, 300_000, PERIOD) is None
    assert model.sysmon_update(2, 8, 300_000, PERIOD, custom=True) is None
    assert model.sysmon_update(2, 8, 300_000, PERIOD, updatemaxprocs=False) is None


@pytest.mark.parametrize("kwargs, name", [
    ({"cpus": 0}, "cpus"), ({"cpus": 2, "quota_us": -5}, "quota_us"), ({"cpus": 2, "period_us": 10},
                                                                      "period_us"),
    ({"cpus": 2, "explicit": 0}, "explicit"), ({"cpus": 5000}, "cpus"),
])
def test_rule_refuses_bad_input_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        model.default_gomaxprocs(**kwargs)


def test_throttle_arithmetic():
    t = model.throttle(50_000, 100_000, threads=2, cpus=2)
    assert (t.run_ms, t.stall_ms, t.nr_throttled_per_s, t.throttled_ms_per_period) == (25, 75, 10, 150)
    assert model.throttle(100_000, 100_000, threads=1, cpus=2).throttled is False
    assert model.throttle(50_000, 100_000, threads=8, cpus=2).threads == 2  # one thread per CPU at most
    with pytest.raises(ValueError, match="threads"):
        model.throttle(50_000, threads=0, cpus=2)


# --- the recorded runs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REF["configs"]))
def test_recorded_gomaxprocs_is_the_rule(name):
    cfg = REF["configs"][name]
    assert len(cfg["runs"]) >= 7
    rows = checks.rule_checks(cfg["runs"], cfg["quota_us"], PERIOD, cfg["gomaxprocs_env"])
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]


@pytest.mark.parametrize("name", sorted(REF["configs"]))
def test_recorded_throttling_is_the_model(name):
    rows = checks.throttle_checks(REF, name)
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]


def test_recorded_updates_come_at_sysmons_once_a_second_check():
    rows = checks.update_checks(REF)
    assert len(rows) == 6 and all(r.ok for r in rows), [r for r in rows if not r.ok]


def test_update_time_model():
    assert model.update_seen_at(300_000_000) == 1_000_000_000
    assert model.update_seen_at(1_000_000_000) == 1_000_000_000
    assert model.update_seen_at(1_800_000_000, start_ns=5) == 2_000_000_005


def test_stall_threshold_is_above_every_unthrottled_gap():
    longest = max(s["longest_gap_ms"] for s in checks.config_stats(REF, "none-default"))
    assert longest < checks.STALL_MS, longest


# --- live: the runtime in a group made here -----------------------------------------------------------------------

QUOTAS = (50_000, 100_000, 150_000, 200_001, 250_000, 299_999, 350_000, 800_000)
CPUS = (1, 2, 3, 4, 5, 8, 16)


@needs_cgroup
@pytest.mark.slow
def test_runtime_default_gomaxprocs_is_the_rule(probe):
    """runtime.defaultGOMAXPROCS(ncpu), the runtime's own code path, in a real group: the model's rule."""
    arg = ",".join(map(str, CPUS))
    for quota in QUOTAS:
        p = cg.parse_probe(cg.run(probe, ["-d", "0", "-rule", arg], quota_us=quota, period_us=PERIOD).run.stdout)
        assert p.rule == {n: model.default_gomaxprocs(n, quota, PERIOD) for n in CPUS}, (quota, p.rule)
        assert p.gomaxprocs == model.default_gomaxprocs(p.numcpu, quota, PERIOD)


@needs_cgroup
@pytest.mark.slow
def test_runtime_switches_are_the_model(probe):
    arg = ",".join(map(str, CPUS))
    off = cg.parse_probe(cg.run(probe, ["-d", "0", "-rule", arg], quota_us=250_000, period_us=PERIOD,
                                godebug="containermaxprocs=0").run.stdout)
    assert off.rule == {n: model.default_gomaxprocs(n, 250_000, PERIOD, containermaxprocs=False) for n in CPUS}
    env = cg.parse_probe(cg.run(probe, ["-d", "0"], quota_us=50_000, period_us=PERIOD,
                                env={"GOMAXPROCS": "3"}).run.stdout)
    assert env.gomaxprocs == model.default_gomaxprocs(env.numcpu, 50_000, PERIOD, explicit=3)


@needs_cgroup
def test_groups_are_removed_and_stale_ones_cleaned(probe):
    ctl = cg.controller()
    stale = ctl.base / f"{cg.PREFIX}999999999-1"
    stale.mkdir(exist_ok=True)
    try:
        assert stale.name in cg.remove_stale(ctl)
    finally:
        if stale.exists():
            stale.rmdir()
    cg.run(probe, ["-d", "0"], quota_us=50_000, period_us=PERIOD)
    assert not list(ctl.base.glob(f"{cg.PREFIX}{os.getpid()}-*"))


def test_without_root_the_reason_is_given(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    reason = cg.available()
    assert reason and reason.startswith("skipped:") and "root" in reason
    with pytest.raises(cg.CgroupUnavailable, match="root"):
        cg.run("/bin/true", quota_us=50_000)


def test_bad_quota_is_named():
    with pytest.raises(ValueError, match="quota_us"):
        cg.run("/bin/true", quota_us=10)
    with pytest.raises(ValueError, match="period_us"):
        cg.run("/bin/true", quota_us=50_000, period_us=5)


# --- the panel ----------------------------------------------------------------------------------------------------


def test_quota_panel_frames_and_static_contract(tmp_path, monkeypatch):

    from gosim.viz import site
    from gosim.widgets import cgroup as panels
    from gosim.widgets.panel import PANEL_CLASS, static_alts

    panel = panels.quota_panel()
    assert panel.frames() == len(panels.QUOTAS) * len(panels.CHOICES) * len(panels.CPUS) == 40
    a = panel.frame(quota=0.5, gomaxprocs="rule", cpus=2)
    b = panel.frame(quota=0.5, gomaxprocs=1, cpus=2)
    assert a.startswith(b"\x89PNG") and a != b
    text = panel.text(quota=1.5, gomaxprocs="rule", cpus=8)
    assert "GOMAXPROCS 2" in text and "25.0 ms" in text
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.setenv(site.STATIC_ENV, "1")
    small = panels.Panel(panel.draw, [panels.Control("quota", [0.5, 1.0]),
                                      panels.Control("gomaxprocs", ["rule", 1], kind="buttons"),
                                      panels.Control("cpus", [2])], caption=panel.caption)
    box = small.static()
    assert PANEL_CLASS in box._dom_classes

    alts = static_alts(box)
    assert alts[0] == "quota=0.5, gomaxprocs=rule, cpus=2" and len(alts) == 4


def test_a_v2_group_gets_cpu_max_and_the_controller(tmp_path, monkeypatch):
    """cgroup v2 (not on this machine): a fake hierarchy in a folder; the group enables +cpu for the children
    and writes cpu.max and cpu.weight."""
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory\n")
    (tmp_path / "cgroup.subtree_control").write_text("\n")
    monkeypatch.setattr(cg, "controller", lambda: cg.Controller(2, tmp_path))
    with cg.group(50_000, 100_000, weight=99_999) as path:
        assert (path / "cpu.max").read_text() == "50000 100000"
        assert (path / "cpu.weight").read_text() == "10000"  # capped at v2's maximum
        assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu"
    assert cg.Controller(2, tmp_path).quota_files(None, 100_000) == {"cpu.max": "max 100000"}
    assert cg.Controller(1, tmp_path).quota_files(None, 100_000)["cpu.cfs_quota_us"] == "-1"


def test_controller_finds_v2_or_says_why_not(tmp_path, monkeypatch):
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "cgroup.controllers").write_text("memory io\n")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(cg, "_own_groups", lambda: {"": "/box"})
    monkeypatch.setattr(cg, "_mounts", lambda: [("/", str(tmp_path), "cgroup2", {"rw"})])
    with pytest.raises(cg.CgroupUnavailable, match="no cpu controller"):
        cg.controller()
    (tmp_path / "box" / "cgroup.controllers").write_text("cpu memory io\n")
    assert cg.controller() == cg.Controller(2, tmp_path / "box")
    monkeypatch.setattr(cg, "_own_groups", lambda: {})
    with pytest.raises(cg.CgroupUnavailable, match="no cgroup CPU controller"):
        cg.controller()


def test_controller_parses_this_machine():
    own, mounts = cg._own_groups(), cg._mounts()
    assert own, "every Linux process is in some cgroup"
    assert all(fstype in ("cgroup", "cgroup2") for _, _, fstype, _ in mounts)
