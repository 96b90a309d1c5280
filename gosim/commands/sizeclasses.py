"""python -m gosim sizeclasses: the size-class table, derived as the runtime's generator derives it."""

from __future__ import annotations

import argparse

from ..alloc import sizeclasses


def run(args: argparse.Namespace) -> int:
    print("class bytes/obj bytes/span objects tail_waste max_waste_pct")
    for r in sizeclasses.rows():
        print(f"{r.sizeclass} {r.size} {r.span_bytes} {r.objects} {r.tail_waste} {r.max_waste_pct:.2f}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("sizeclasses", help="the 67 small size classes (mksizeclasses.go's algorithm, re-run)")
    p.set_defaults(func=run)
