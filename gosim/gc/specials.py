"""Specials: what a finalizer, a cleanup or a weak pointer does to the cycle in which an object is freed.

A special is a record the runtime keeps beside a span for one of its objects (``special``, ``_KindSpecial*`` in
mheap.go), outside the garbage-collected heap. Three kinds change when an object goes:

* a **finalizer** (``runtime.SetFinalizer``): while marking, ``markrootSpans`` (mgcmark.go) marks everything the
  object reaches but not the object itself (``gcScanFinalizer``); when the sweep finds the object unmarked it
  marks it again instead of freeing it, unlinks the finalizer special (and any weak handle) and queues the
  finalizer (``sweepLocked.sweep``, mgcsweep.go). The finalizer gets the pointer, so it may store it somewhere
  reachable (resurrection); if it does not, the next cycle frees the object, which no longer has a finalizer.
* a **cleanup** (``runtime.AddCleanup``, Go 1.24): the special is a root only for its function and argument; an
  unmarked object is freed in the sweep that finds it, and freeing the special queues the cleanup. It never
  receives the pointer, so it cannot resurrect the object. An object with a finalizer too keeps its cleanup
  special when the sweep revives it ("all other specials only apply when an object is freed"): the cleanup runs
  only after the finalizer has run and a later sweep frees the object.
* a **weak handle** (``weak.Make``, Go 1.24): cleared in the sweep that finds the object unmarked, before any
  finalizer runs, so ``Value`` returns nil even while a finalizer keeps the object for another cycle.

This module replays that rule on a handful of objects, one ``runtime.GC`` at a time: mark from the roots,
mark what finalizer objects reach, sweep, then run what was queued (finalizers may resurrect). It leaves out
everything else about the collector (its timing, spans, the tiny allocator's shared blocks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Mutants (scripts/mutants.py) patch these: the rules the sweep and the mark follow.
REVIVE_FINALIZER_OBJECTS = True  # sweep: an unmarked object with a finalizer is marked again, not freed
MARK_FROM_FINALIZER_OBJECTS = True  # markrootSpans: what a finalizer object reaches is marked
CLEAR_WEAK_WHEN_REVIVED = True  # sweep pass 2: weak handles are cleared before finalization
KEEP_CLEANUP_WHEN_REVIVED = True  # sweep pass 2: a revived object keeps its cleanup until it is freed


@dataclass
class Obj:
    """One heap object and its specials. ``refs``: names of the objects it points to; ``resurrect``: its
    finalizer stores the pointer in a global (reachable again until ``drop_after`` runtime.GC calls)."""

    name: str
    refs: tuple[str, ...] = ()
    finalizer: bool = False
    cleanup: bool = False
    weak: bool = False
    resurrect: bool = False


@dataclass(frozen=True)
class Row:
    """The state after one ``runtime.GC`` call (and the finalizers and cleanups it queued have run)."""

    call: int
    live: int  # of the scenario's objects, still in the heap
    weak_nil: bool | None  # the weak pointer's Value is nil (None: no weak pointer)
    finalizers: int  # finalizers run so far
    cleanups: int  # cleanups run so far


@dataclass
class _State:
    objs: dict[str, Obj]
    heap: set[str] = field(default_factory=set)
    finalizer: set[str] = field(default_factory=set)
    cleanup: set[str] = field(default_factory=set)
    weak: dict[str, bool] = field(default_factory=dict)  # name → handle still points to it
    roots: set[str] = field(default_factory=set)


def _reach(state: _State, starts, marked: set[str]) -> None:
    stack = [s for s in starts if s in state.heap]
    while stack:
        n = stack.pop()
        for r in state.objs[n].refs:
            if r in state.heap and r not in marked:
                marked.add(r)
                stack.append(r)


def replay(objs: list[Obj], calls: int = 4, drop_after: int | None = None) -> list[Row]:
    """``calls`` runtime.GC calls after every reference to ``objs`` was dropped. ``drop_after``: after that call
    the program drops what a finalizer resurrected."""
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        raise ValueError(f"calls must be a positive integer, got {calls!r}")
    names = [o.name for o in objs]
    if len(set(names)) != len(names):
        raise ValueError(f"object names must be unique, got {names}")
    by = {o.name: o for o in objs}
    for o in objs:
        for r in o.refs:
            if r not in by:
                raise ValueError(f"object {o.name!r} refers to {r!r}, which is not one of {names}")
    st = _State(by, heap=set(names), finalizer={o.name for o in objs if o.finalizer},
                cleanup={o.name for o in objs if o.cleanup}, weak={o.name: True for o in objs if o.weak})
    fins = cleans = 0
    rows = []
    for call in range(1, calls + 1):
        # mark: the roots, then (markrootSpans) what each finalizer object reaches, not the object itself
        marked = {r for r in st.roots if r in st.heap}
        _reach(st, marked, marked)
        if MARK_FROM_FINALIZER_OBJECTS:
            for n in sorted(st.finalizer):
                _reach(st, [n], marked)
        # sweep
        queued_fin, queued_clean = [], 0
        for n in sorted(st.heap - marked):
            if n in st.finalizer and REVIVE_FINALIZER_OBJECTS:
                st.finalizer.discard(n)
                queued_fin.append(n)
                if CLEAR_WEAK_WHEN_REVIVED and n in st.weak:
                    st.weak[n] = False
                if not KEEP_CLEANUP_WHEN_REVIVED and n in st.cleanup:
                    st.cleanup.discard(n)
                    queued_clean += 1
                continue
            st.heap.discard(n)
            if n in st.finalizer:  # only without revival: the finalizer runs on a freed object
                st.finalizer.discard(n)
                queued_fin.append(n)
            if n in st.cleanup:
                st.cleanup.discard(n)
                queued_clean += 1
            if n in st.weak:
                st.weak[n] = False
        # the finalizer and cleanup goroutines run what the sweep queued
        for n in queued_fin:
            fins += 1
            if by[n].resurrect and n in st.heap:
                st.roots.add(n)
        cleans += queued_clean
        weak_nil = None if not st.weak else not any(st.weak.values())
        rows.append(Row(call, len(st.heap), weak_nil, fins, cleans))
        if drop_after is not None and call == drop_after:
            st.roots.clear()
    return rows


# The scenarios of gosim/programs/gcspecials, in its order: (objects, drop_after).
SCENARIOS: dict[str, tuple[list[Obj], int | None]] = {
    "plain": ([Obj("a")], None),
    "finalizer": ([Obj("a", finalizer=True)], None),
    "resurrect": ([Obj("a", finalizer=True, resurrect=True)], 2),
    "cleanup": ([Obj("a", cleanup=True)], None),
    "weak": ([Obj("a", weak=True)], None),
    "weak+finalizer": ([Obj("a", finalizer=True, weak=True)], None),
    "finalizer+cleanup": ([Obj("a", finalizer=True, cleanup=True)], None),
    "chain": ([Obj("a", refs=("b",), finalizer=True), Obj("b", finalizer=True)], None),
}


def scenario(name: str, calls: int = 4) -> list[Row]:
    if name not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {name!r}")
    objs, drop = SCENARIOS[name]
    return replay(objs, calls, drop)


def cycles_until_freed(name: str) -> int:
    """The number of runtime.GC calls after which none of the scenario's objects is left."""
    for row in scenario(name, 8):
        if row.live == 0:
            return row.call
    raise ValueError(f"scenario {name!r}: objects still live after 8 cycles")
