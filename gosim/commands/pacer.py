"""python -m gosim pacer guide|goal|run: the GC pacer (gosim.gc.mgcpacer, pacersim) and the GC guide's toy model.

  pacer guide --workload steady|shift|spike --gogc N|off [--memlimit SIZE] [--other-mem SIZE]
  pacer goal --live SIZE --gogc N|off [--stacks SIZE] [--globals SIZE]
             [--memlimit SIZE [--nonheap SIZE] [--heap-free SIZE] [--heap-alloc SIZE]]
  pacer run --scenario NAME [--gogc N|off] [--memlimit SIZE] [--gomaxprocs N] [--cycles N]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace

from ..cli import checked
from .gc import int_in
from ..gc import guide, mgcpacer, pacersim
from ..gc.workload import SCENARIOS
from ..units import MiB, parse_bytes


def _size(name: str):
    def convert(text: str) -> int:
        return parse_bytes(text, name)
    convert.__name__ = name
    return checked(convert)


def _limit(text: str) -> int:
    return mgcpacer.readGOMEMLIMIT(text)


def run_guide(args: argparse.Namespace) -> int:
    gogc = math.inf if args.gogc < 0 else args.gogc
    limit = math.inf if args.memlimit >= mgcpacer.MAX_INT64 else args.memlimit / MiB
    result = guide.run_guide(args.workload, gogc, limit, args.other_mem / MiB)
    print(result.line())
    return 0


def run_goal(args: argparse.Namespace) -> int:
    for option in ("nonheap", "heap_free", "heap_alloc"):
        if getattr(args, option) is not None and args.memlimit is None:
            raise ValueError(f"--{option.replace('_', '-')} only matters with --memlimit "
                             "(it is an input of the memory-limit goal)")
    print(mgcpacer.heap_goal(args.live, args.gogc, stacks=args.stacks, globals_=args.globals,
                             memlimit=mgcpacer.MAX_INT64 if args.memlimit is None else args.memlimit,
                             nonheap=args.nonheap or 0, heap_free=args.heap_free or 0,
                             heap_alloc=args.heap_alloc))
    return 0


def run_scenario(args: argparse.Namespace) -> int:
    workload = SCENARIOS[args.scenario]
    if args.seconds is not None:
        workload = replace(workload, duration=args.seconds)
    result = pacersim.simulate(workload, args.gogc, args.memlimit, args.gomaxprocs, max_cycles=args.cycles)
    print(pacersim.format_run(result))
    return 0


def register(sub) -> None:
    p = sub.add_parser("pacer", help="the GC pacer: heap goal, per-cycle simulation, and the GC guide's model")
    modes = p.add_subparsers(dest="mode", required=True, metavar="mode")
    gogc = dict(type=checked(mgcpacer.readGOGC), metavar="N|off",
                help="GOGC: an integer percent (negative means off) or 'off'")
    limit = dict(type=checked(_limit), metavar="SIZE",
                 help="GOMEMLIMIT in the runtime's syntax (60MiB; a bare number is bytes) or 'off'")

    g = modes.add_parser("guide", help="the go.dev GC guide's stop-the-world model, on its own workloads")
    g.add_argument("--workload", required=True, choices=sorted(guide.WORKLOADS))
    g.add_argument("--gogc", required=True, **gogc)
    g.add_argument("--memlimit", default=mgcpacer.MAX_INT64, **limit)
    g.add_argument("--other-mem", type=_size("other-mem"), default=0, metavar="SIZE",
                   help="memory outside the heap, counted against the limit (default 0)")
    g.set_defaults(func=run_guide)

    q = modes.add_parser("goal", help="the heap goal in bytes after a cycle that marked --live bytes")
    q.add_argument("--live", required=True, type=_size("live"), metavar="SIZE", help="heapMarked (/gc/heap/live)")
    q.add_argument("--gogc", required=True, **gogc)
    q.add_argument("--stacks", type=_size("stacks"), default=0, metavar="SIZE", help="scannable stack bytes")
    q.add_argument("--globals", type=_size("globals"), default=0, metavar="SIZE", help="scannable global bytes")
    q.add_argument("--memlimit", default=None, **limit)
    q.add_argument("--nonheap", type=_size("nonheap"), default=None, metavar="SIZE",
                   help="mapped, unreleased memory that is neither heap objects nor free heap pages "
                        "(mappedReady - heapFree - heapAlloc: stacks, metadata, span tails); with --memlimit")
    q.add_argument("--heap-free", type=_size("heap-free"), default=None, metavar="SIZE",
                   help="free heap pages not yet returned to the OS (heapFree): not non-heap memory; they "
                        "count only through the overage max(mappedReady - limit, 0); with --memlimit")
    q.add_argument("--heap-alloc", type=_size("heap-alloc"), default=None, metavar="SIZE",
                   help="heap object bytes (heapAlloc = totalAlloc - totalFree; default: --live); "
                        "with --memlimit")
    q.set_defaults(func=run_goal)

    r = modes.add_parser("run", help="simulate a workload cycle by cycle and print each cycle")
    r.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    r.add_argument("--gogc", default=100, **gogc)
    r.add_argument("--memlimit", default=mgcpacer.MAX_INT64, **limit)
    r.add_argument("--gomaxprocs", type=checked(pacersim.check_gomaxprocs), default=2, metavar="N",
                   help=f"number of Ps, 1..{pacersim.GOMAXPROCS_LIMIT} (default 2)")
    r.add_argument("--cycles", type=int_in("cycles", 1), default=10000, metavar="N",
                   help="stop after N cycles (default 10000)")
    r.add_argument("--seconds", type=checked(_positive_float("seconds")), default=None, metavar="S",
                   help="simulated seconds (default: the scenario's own)")
    r.set_defaults(func=run_scenario)


def _positive_float(name: str):
    def convert(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            x = -1.0
        if not 0 < x <= 3600:
            raise ValueError(f"{name} must be a number of seconds in (0, 3600], got {text!r}")
        return x
    return convert
