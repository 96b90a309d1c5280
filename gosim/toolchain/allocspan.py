"""Runs and parses ``gosim/programs/allocspan``: heap objects with what the runtime knows about them (findObject's
base and index, the span's fields, the arena index entries that point at the span), the sweep experiment's
phases (runtime/metrics counts) and rounds of addresses, and the lazy experiment's span sweep states."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .go import Toolchain

_HEX = ("addr", "base", "span", "start", "limit")
_INT = ("size", "index", "npages", "elemsize", "nelems", "spanclass", "divmul", "sweepgen")


@dataclass(frozen=True)
class RealObject:
    """One ``obj`` line: an address and the runtime's answers for it."""

    what: str
    size: int
    ptrs: bool
    addr: int
    base: int  # findObject's base
    index: int  # findObject's object index
    span: int  # the *mspan
    start: int
    npages: int
    elemsize: int
    nelems: int
    spanclass: int
    divmul: int
    limit: int
    sweepgen: int
    pages: tuple[tuple[int, int, int], ...]  # (arena index, first page, last page): spans entries pointing at it


@dataclass(frozen=True)
class AllocSpanRun:
    objects: tuple[RealObject, ...]
    heap_sweepgen: int
    phases: dict[str, dict[str, int]]  # sweep mode: name → {allocs, frees, allfrees}
    rounds: dict[str, tuple[int, ...]]  # sweep mode: name → addresses in allocation order
    states: dict[str, dict[str, int]] = None  # lazy mode: when → {kept, spans, unswept, sweeping, swept, ...}


def parse_allocspan(text: str) -> AllocSpanRun:
    """Parse allocspan's output (either mode)."""
    objects, phases, rounds, states, heap_sweepgen = [], {}, {}, {}, -1
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        fields = dict(f.split("=", 1) for f in rest.split())
        if kind == "obj":
            pages = tuple(tuple(int(x) for x in run.replace(":", "-").split("-"))
                          for run in fields["pages"].split(",") if run)
            objects.append(RealObject(
                what=fields["what"], ptrs=fields["ptrs"] == "true", pages=pages,
                **{k: int(fields[k], 16) for k in _HEX}, **{k: int(fields[k]) for k in _INT}))
        elif kind == "heap":
            heap_sweepgen = int(fields["sweepgen"])
        elif kind == "phase":
            name = fields.pop("name")
            phases[name] = {k: int(v) for k, v in fields.items()}
        elif kind == "states":
            when = fields.pop("when")
            states[when] = {k: int(v) for k, v in fields.items()}
        elif kind == "round":
            rounds[fields["name"]] = tuple(int(a, 16) for a in fields["addrs"].split(",") if a)
    if not objects and not states:
        raise ValueError("allocspan printed no objects")
    return AllocSpanRun(tuple(objects), heap_sweepgen, phases, rounds, states)


SWEEP_MAX_BEFORE = 240  # allocspan's sweepN: the sweep mode's second round is at most as long as its first


@cache
def run_allocspan(mode: str = "addr", before: int | None = None) -> AllocSpanRun:
    """Build and run allocspan (GOMAXPROCS=1) in ``mode`` (``addr``, ``sweep`` or ``lazy``); recordable like every
    run. ``before`` (sweep mode only): how many objects the program allocates between the drop and the collection
    (the program's default, 65, when None)."""
    if mode not in ("addr", "sweep", "lazy"):
        raise ValueError(f"mode must be 'addr', 'sweep' or 'lazy', got {mode!r}")
    args = [mode]
    if before is not None:
        if mode != "sweep":
            raise ValueError(f"before is for mode 'sweep' only, got mode {mode!r}")
        if not isinstance(before, int) or isinstance(before, bool) or not 0 <= before <= SWEEP_MAX_BEFORE:
            raise ValueError(f"before must be an integer from 0 to {SWEEP_MAX_BEFORE}, got {before!r}")
        args.append(str(before))
    tc = Toolchain.installed()
    return parse_allocspan(tc.run(tc.build("allocspan"), args, env={"GOMAXPROCS": "1"}).stdout)
