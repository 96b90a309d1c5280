"""Chapter 5's panel for the network workload (`gosim.sched.workloads.network`, the real ``schedsys -w net``):
connections × GOMAXPROCS (4 × 3 = 12 frames). It opens with exercise 5.13: who makes the goroutines waiting on
the network runnable again?

Each frame is one 400 ms run of the model, the run `workloads.network_process` makes; the model's scheduler
counts, as it runs, the goroutines each of ``netpoll``'s callers made runnable (`gosim.sched.proc.NetStats`):
findRunnable's non-blocking poll, the M blocked in ``netpoll`` (with or without an idle P), sysmon.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..sched import proc, workloads
from ..viz import sched_net as viz
from .panel import Control, Panel

CONNECTIONS = (10, 100, 400, 1000)
PROCS = (1, 2, 4)
DURATION = 400 * workloads.MS  # schedsys -w net -d 400ms, as the chapter's real runs

# netpoll's callers in the model, as the figure and exercise 5.13 name them
FIND_RUNNABLE = "findRunnable's non-blocking netpoll(0)"
POLLER = "the M blocked in netpoll"
SYSMON = "sysmon, after 10 ms without a poll"
CALLERS = (FIND_RUNNABLE, POLLER, SYSMON)
SHORT = {FIND_RUNNABLE: "findRunnable's\nnetpoll(0)", POLLER: "the M blocked\nin netpoll",
         SYSMON: "sysmon (no poll\nfor 10 ms)"}

@dataclass(frozen=True)
class NetRun:
    """One probed run: the goroutine states halfway (``observed[0]``), the threads (``mcount``), and per caller
    of netpoll the goroutines it made runnable (``made``) and its polls that returned any (``polls``)."""

    connections: int
    gomaxprocs: int
    states: dict
    threads: int
    made: dict
    polls: dict
    returns: int  # blocking netpolls that returned, with goroutines or without (woken for a timer)
    parked: int  # parks in IO wait (netpollblock that parked)
    still_waiting: int  # goroutines in IO wait when the run ended
    events: int

    @property
    def demand_cpus(self) -> float:
        """The CPU the requests ask for, worked out from the workload's constants: per connection, one request
        per ``NET_EVERY``, each three reads or writes of ``NET_WORK`` (the client's write and its read of the
        answer, the server's read-and-write), scheduling costs left out."""
        return self.connections * 3 * workloads.NET_WORK / workloads.NET_EVERY


@lru_cache(maxsize=16)
def net_run(connections: int, gomaxprocs: int, seed: int = 0) -> NetRun:
    """`workloads.network_process(connections, gomaxprocs)` (400 ms) and its `NetStats`, by caller as
    `CALLERS` names them (the poller's two paths, with and without an idle P, as one)."""
    if isinstance(connections, bool) or not isinstance(connections, int) or connections < 1:
        raise ValueError(f"connections must be a whole number from 1 up, got {connections!r}")
    s = workloads.network_process(connections, gomaxprocs, DURATION, seed=seed)
    net = s.net

    def by_caller(counts: dict) -> dict:
        return {FIND_RUNNABLE: counts["findRunnable"], POLLER: counts["poller"] + counts["poller_nop"],
                SYSMON: counts["sysmon"]}

    waiting = sum(1 for gp in s.allgs if gp.status == proc._Gwaiting and gp.waitreason == "IO wait")
    return NetRun(connections, gomaxprocs, dict(s.observed[0]), s.sched.mcount, by_caller(net.made),
                  by_caller(net.polls), net.returns, net.parks, waiting, s.nevents)


def caption(connections: int, gomaxprocs: int) -> str:
    r = net_run(connections, gomaxprocs)
    ps = f"{gomaxprocs} P" + ("s" if gomaxprocs > 1 else "")
    busy = f"more than {ps} can give" if r.demand_cpus > gomaxprocs else f"for {ps}"
    ready = r.states.get("runnable", 0) + r.states.get("running", 0)
    text = (f"{connections:,} connections, each a request every 10 ms that costs three 5 µs reads and writes: "
            f"{r.demand_cpus:.2f} CPUs' worth of work, {busy}. Halfway, {r.states.get('IO wait', 0):,} "
            f"goroutines wait in IO wait and {ready:,} {'is' if ready == 1 else 'are'} runnable or running; "
            f"the process has {r.threads} threads.")
    if r.returns:
        text += (f" The M blocked in netpoll returned {r.returns:,} times, {r.polls[POLLER]:,} of them with "
                 "goroutines (the others for a timer: a client's 10 ms sleep ending).")
    else:
        text += " No M ever blocked in netpoll."
    if r.polls[SYSMON]:
        text += (f" sysmon, finding sched.lastpoll more than 10 ms old, polled {r.polls[SYSMON]} times, "
                 f"{r.made[SYSMON] / r.polls[SYSMON]:.0f} goroutines a poll.")
    return f"<p>{text}</p>"


def net_panel(default=(100, 2)) -> Panel:
    """Connections (a slider) and GOMAXPROCS (buttons); `gosim.viz.sched_net.NetFigure` of `net_run`."""
    frame = viz.NetFigure(SHORT)

    def draw(connections: int, gomaxprocs: int):
        r = net_run(connections, gomaxprocs)
        return frame.update(r.states, r.threads, r.made, r.polls,
                            f"schedsys -w net in the model: {connections} connections, "
                            f"GOMAXPROCS={gomaxprocs}, 400 ms")

    return Panel(draw, caption=caption, dpi=100, controls=[
        Control("connections", list(CONNECTIONS), "connections", default=default[0]),
        Control("gomaxprocs", list(PROCS), "GOMAXPROCS", default=default[1], kind="buttons"),
    ])
