"""Chapter 5's CPU-quota panel: a cgroup CPU quota, GOMAXPROCS and the CPUs → each thread's runs and stalls.

Each frame is `gosim.viz.cgroup.draw_quota` of the throttling model (`gosim.sched.cgroup.throttle`): arithmetic,
drawn in a few milliseconds. The caption says what the runtime's rule picks for the quota and what that choice
costs. Static site: 5 quotas × 4 GOMAXPROCS choices × 2 machine sizes = 40 frames.
"""

from __future__ import annotations

from ..sched import cgroup as model
from ..viz import cgroup as viz
from .panel import Control, Panel

QUOTAS = (0.5, 1.0, 1.5, 2.5, 4.0)  # CPUs' worth of quota per period
CHOICES = ("rule", 1, 2, 8)  # "rule": what the runtime picks by default
CPUS = (2, 8)
PERIOD_US = 100_000


def procs_for(choice, quota: float, cpus: int) -> int:
    """GOMAXPROCS for a control value: the runtime's rule or an explicit setting."""
    if choice == "rule":
        return model.default_gomaxprocs(cpus, quota * PERIOD_US, PERIOD_US)
    return model.default_gomaxprocs(cpus, quota * PERIOD_US, PERIOD_US, explicit=choice)


def caption(quota: float, gomaxprocs, cpus: int) -> str:
    procs = procs_for(gomaxprocs, quota, cpus)
    rule = model.default_gomaxprocs(cpus, quota * PERIOD_US, PERIOD_US)
    th = model.throttle(quota * PERIOD_US, PERIOD_US, threads=procs, cpus=cpus)
    how = "the runtime's default" if gomaxprocs == "rule" else f"set explicitly (the default would be {rule})"
    if th.throttled:
        who = "1 busy thread uses" if th.threads == 1 else f"{th.threads} busy threads use"
        wait = "it waits" if th.threads == 1 else "all of them wait"
        cost = (f"{who} the {quota * PERIOD_US / 1e3:g} ms of quota in {th.run_ms:.1f} ms, then {wait} "
                f"{th.stall_ms:.1f} ms: {th.nr_throttled_per_s:g} stalls a second, and a request that arrives "
                "in one waits up to that long")
    else:
        who = "1 busy thread never uses" if th.threads == 1 else f"{th.threads} busy threads never use"
        worth = "CPU's" if th.cpu_used == 1 else "CPUs'"
        cost = (f"{who} the {quota * PERIOD_US / 1e3:g} ms of quota up: no stalls "
                f"({th.cpu_used:g} {worth} worth of time; the quota allows {quota:g})")
    return f"<p>GOMAXPROCS {procs}, {how}. {cost}.</p>"


def quota_panel(default=(0.5, "rule", 2)) -> Panel:
    """Quota, GOMAXPROCS and CPU controls over the throttling model."""

    def draw(quota: float, gomaxprocs, cpus: int):
        return viz.draw_quota(quota, procs_for(gomaxprocs, quota, cpus), cpus, PERIOD_US)

    return Panel(draw, caption=caption, dpi=100, controls=[
        Control("quota", list(QUOTAS), "CPU quota (CPUs per period)", default=default[0],
                labels=[f"{q:g}" for q in QUOTAS]),
        Control("gomaxprocs", list(CHOICES), "GOMAXPROCS", default=default[1], kind="buttons",
                labels=["the rule", *map(str, CHOICES[1:])]),
        Control("cpus", list(CPUS), "CPUs", default=default[2], kind="buttons"),
    ])
