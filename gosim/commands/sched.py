"""python -m gosim sched --gomaxprocs P --workload NAME --goroutines N --duration 500ms [--schedtrace 100ms]
[--seed S] [--asyncpreemptoff] [--resize 250ms:4]"""

from __future__ import annotations

import argparse
from operator import attrgetter

from .. import sched
from ..cli import checked
from ..sched.model import check_goroutines, percentiles
from ..units import parse_duration


def _resize(text: str) -> tuple[str, int]:
    when, sep, procs = text.partition(":")
    if not sep:
        raise ValueError(f"resize must be TIME:GOMAXPROCS like 250ms:4, got {text!r}")
    parse_duration(when, "resize time")
    return when, sched.check_gomaxprocs(procs)


def _duration(name: str):
    """An argparse validator for a Go duration that keeps the text (``500ms``)."""

    def check(text: str) -> str:
        parse_duration(text, name)
        return text

    check.__name__ = name
    return check


def _ms(ns: float) -> str:
    return f"{ns / 1e6:.2f}ms"


def summary(r: sched.SchedResult) -> list[str]:
    """The lines printed after the SCHED rows: time slices, CPU share, fairness, steals, hand-offs."""
    out = [f"# {r.workload}: gomaxprocs={r.gomaxprocs} goroutines={r.goroutines} duration={_ms(r.duration_ns)} "
           f"seed={r.seed} asyncpreempt={'on' if r.asyncpreempt else 'off'}"]
    user = r.user_gs()
    finished = attrgetter("finished_ns")
    if r.exited:
        out.append(f"main returned at {_ms(r.end_ns)}; every goroutine finished: "
                   f"{min(map(finished, user), default=0) >= 0}")
    else:
        running = [g.goid for g in r.gs if g.status == "running"]
        out.append(f"main did NOT return by {_ms(r.end_ns)} (starved: goroutines {running[:8]} hold every P"
                   f"{' in call-free loops with asynchronous preemption off' if not r.asyncpreempt else ''})")
    slices = r.timeslice_list()  # a list: numpy is not imported for it (0.1-0.2 s of start-up)
    pct = percentiles(slices)
    if pct:
        out.append(f"time slices (preempted, n={len(slices)}): "
                   + " ".join(f"p{k}={_ms(v)}" for k, v in pct.items()))
    else:
        out.append("time slices: no goroutine was preempted")
    workers = user[1:] if user and user[0].goid == 1 else [g for g in user if g.goid != 1]  # main comes first
    cpu_ns = attrgetter("cpu_ns")
    total = sum(map(cpu_ns, user)) or 1
    if workers:
        cpu = sorted(map(cpu_ns, workers))
        lo, hi = cpu[0], cpu[-1]
        mid = cpu[len(cpu) // 2] / total  # the upper median
        out.append(f"CPU share per goroutine (of {len(workers)} besides main): min={lo / total:.2%} "
                   f"median={mid:.2%} max={hi / total:.2%}; fairness min/max={sched.fairness((lo, hi)):.2f}")
        if len(workers) <= 16:
            out.append("  " + " ".join(f"G{g.goid}={g.cpu_ns / total:.1%}" for g in workers))
    stolen = sum(s[3] for s in r.steals)
    out.append(f"steals: {len(r.steals)} ({stolen} goroutines, {sum(1 for s in r.steals if s[4])} from runnext)")
    retakes = sum(1 for h in r.handoffs if h[2] == "retake")
    lost = sum(1 for s in r.syscalls if s[4])
    out.append(f"syscalls: {len(r.syscalls)}; P hand-offs: {retakes} by sysmon's retake, "
               f"{len(r.handoffs) - retakes} at entersyscallblock; {lost} exits found their P gone")
    kinds = {}
    for *_, how in r.preemptions:
        kinds[how] = kinds.get(how, 0) + 1
    out.append("preemptions: " + (", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) or "none"))
    out.append(f"scheduling decisions: {r.decisions}; threads: {r.threads}; sysmon ticks: {r.sysmon_ticks}; "
               f"longest run queue: local {r.max_local_runq}, global {r.max_global_runq}")
    return out


def run(args: argparse.Namespace) -> int:
    import gc

    from .. import cli

    # Keep Python's cyclic collector from walking the run's hundreds of thousands of objects while the summary is
    # computed. `python -m gosim` then leaves with os._exit (`cli.fast_exit`, gosim/__main__.py): the run's
    # goroutines and the result are not freed one by one (~50 ms for 100,000) just before the process goes.
    fast = cli.fast_exit
    was = gc.isenabled()
    gc.disable()
    try:
        r = sched.simulate(args.workload, gomaxprocs=args.gomaxprocs, goroutines=args.goroutines,
                           duration=args.duration, seed=args.seed, schedtrace=args.schedtrace,
                           asyncpreempt=not args.asyncpreemptoff, resize=tuple(args.resize or ()), limit=args.limit,
                           release=not fast)
        for line in r.schedtrace_lines():
            print(line)
        if r.schedtrace:
            print()
        for line in summary(r):
            print(line)
        if fast:
            cli.keep.append(r)
    finally:
        if was and not fast:
            gc.enable()
    return 0


def register(sub) -> None:
    p = sub.add_parser("sched", help="the G-M-P scheduler, simulated: SCHED lines as GODEBUG=schedtrace prints them")
    p.add_argument("--gomaxprocs", type=checked(sched.check_gomaxprocs), default=4, metavar="P",
                   help="number of Ps, 1..1024 (default 4)")
    p.add_argument("--workload", choices=sorted(sched.WORKLOADS), default="cpubound",
                   help="what the goroutines do (default cpubound: call-free loops)")
    p.add_argument("--goroutines", type=checked(check_goroutines), default=20, metavar="N",
                   help="how many goroutines the workload starts (default 20)")
    p.add_argument("--duration", type=checked(_duration("duration")), default="500ms",
                   help="how long main lets them run, Go syntax (default 500ms)")
    p.add_argument("--schedtrace", type=checked(_duration("schedtrace")),
                   default="100ms", help="period of the SCHED lines, like GODEBUG=schedtrace=100 (0: none)")
    p.add_argument("--seed", type=int, default=0, help="random seed (stealing order, work sizes)")
    p.add_argument("--asyncpreemptoff", action="store_true",
                   help="like GODEBUG=asyncpreemptoff=1: only cooperative preemption")
    p.add_argument("--resize", type=checked(_resize), action="append", metavar="TIME:P",
                   help="change GOMAXPROCS at TIME (procresize), e.g. 250ms:2; repeatable")
    p.add_argument("--limit", type=checked(_duration("limit")), default=None,
                   help="stop the simulation at this virtual time (default: duration + 1s)")
    p.set_defaults(func=run)
