"""python -m gosim gc --barrier none|dijkstra|yuasa|hybrid --seed S [--objects N] [--mutator-rate R] [-v]

One GC cycle (gosim.gc.mgc) over a random heap with a seeded mutator interleaved; prints what was marked, freed
and lost (reachable but white at mark termination, so freed under the program's feet).
"""

from __future__ import annotations

import argparse

from ..cli import checked
from ..gc import mbarrier, mgc


def int_in(name: str, lo: int, hi: int | None = None):
    """An argparse converter for an integer in [lo, hi] (hi None: no upper bound)."""
    def convert(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = lo - 1
        if n < lo or (hi is not None and n > hi) or str(n) != text.strip():
            bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
            raise ValueError(f"{name} must be an integer {bound}, got {text!r}")
        return n
    convert.__name__ = name
    return checked(convert)


def _rate(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 <= x < 1:
        raise ValueError(f"mutator rate must be in [0, 1), got {text!r}")
    return x


def run(args: argparse.Namespace) -> int:
    result = mgc.run_cycle(None, args.barrier, args.seed, objects=args.objects, mutator_rate=args.mutator_rate,
                           record=args.verbose)
    if args.verbose:
        for f in result.frames:
            print(f"{f.step:4} {f.phase:<18} {f.action}")
    print(result.summary())
    print("freed:", " ".join(map(str, result.freed)) or "-")
    if result.lost:
        for obj in result.lost:
            print(f"lost object {obj}: reachable at mark termination but white, freed by sweep")
    else:
        print("lost: none")
    return 0


def register(sub) -> None:
    p = sub.add_parser("gc", help="one tri-color GC cycle with a mutator and a write barrier")
    p.add_argument("--barrier", required=True, choices=list(mbarrier.BARRIERS),
                   help="none, dijkstra (Go 1.5-1.7, stack re-scan), yuasa (snapshot), hybrid (Go 1.8+)")
    p.add_argument("--seed", required=True, type=int_in("seed", 0), metavar="S", help="seeds the heap and the mutator")
    p.add_argument("--objects", type=int_in("objects", 1, 100_000), default=40, metavar="N", help="objects in the heap (40)")
    p.add_argument("--mutator-rate", type=checked(_rate), default=0.6, metavar="R",
                   help="chance of another mutator operation before each mark step (0.6)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every step")
    p.set_defaults(func=run)
