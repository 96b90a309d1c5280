#!/usr/bin/env python3
"""The mutation suite (``make mutants``): plausible wrong rules planted in the models, each killed by a check
against the real runtime.

A check proves something only if it fails when the model is wrong. Each `Mutant` below plants one wrong rule (an
off-by-one, a wrong constant, a skipped branch, an older release's rule, a rule dropped) by monkeypatching a
module attribute the model reads at call time, and names the tests that compare the model with the real runtime
(a real run, a gdb trace, the installed source) and should fail with an AssertionError.

The runner:

1. records: runs every witness test unmutated with ``GOSIM_RECORD=_build/mutants/record`` (a fresh folder), so
   every real run and gdb trace is recorded once (gosim/toolchain/record.py); all must pass;
2. for each mutant, computes its ``probe`` (the model's output on the witness program, in-process) with and
   without the patch: they must differ, or the patch planted nothing;
3. runs each mutant's tests in a pytest process that plants the mutant first (scripts/mutant_plugin.py, through
   ``GOSIM_MUTANT``), replaying the recorded runs, and reads back which test failed and with which exception.

It prints a table and ``N mutants, N killed, 0 survived``; the exit status is 1 if the baseline failed, or any
mutant survived, was not planted, or was killed by anything but an AssertionError.

``python scripts/mutants.py [NAME ...]`` runs only the named mutants; ``--list`` prints the definitions.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
RECORD = ROOT / "_build" / "mutants" / "record"
REPORTS = ROOT / "_build" / "mutants" / "reports"
MODELS = ("boot", "inits", "alloc", "gc", "sched")
# Model modules whose functools caches depend on what a mutant patches (size classes, span shapes, ...).
CACHED_MODULES = ("gosim.boot", "gosim.inits", "gosim.alloc", "gosim.gc", "gosim.sched")


@dataclass(frozen=True)
class Patch:
    """Replace ``module.attribute`` (a dotted path below the module: ``"Runtime.newm"``) by ``make(original)``."""

    module: str
    attribute: str
    make: Callable[[Any], Any]

    def owner(self) -> tuple[Any, str]:
        obj = importlib.import_module(self.module)
        *path, name = self.attribute.split(".")
        for part in path:
            obj = getattr(obj, part)
        return obj, name

    def target(self) -> str:
        return f"{self.module}.{self.attribute}"


@dataclass(frozen=True)
class Mutant:
    name: str
    model: str  # one of MODELS
    rule: str  # the wrong rule planted
    patches: tuple[Patch, ...]
    tests: tuple[str, ...]  # pytest node ids that must kill it, cheapest and most direct first
    probe: Callable[[], Any]  # the model's output on the witness program (in-process, fast)
    slow: bool = False  # its tests take long under the mutation (started first, beside the others)


def clear_model_caches() -> None:
    """Empty every functools cache of the model modules (results computed under another rule)."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(CACHED_MODULES):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def plant(mutant: Mutant) -> Callable[[], None]:
    """Apply the mutant's patches; returns the function that takes them out again."""
    undo = []
    for patch in mutant.patches:
        owner, name = patch.owner()
        original = getattr(owner, name)
        had = name in vars(owner)
        setattr(owner, name, patch.make(original))
        undo.append((owner, name, original, had))
    clear_model_caches()

    def restore() -> None:
        for owner, name, original, had in reversed(undo):
            if had:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        clear_model_caches()

    return restore


@contextlib.contextmanager
def planted(mutant: Mutant):
    restore = plant(mutant)
    try:
        yield
    finally:
        restore()


def probe_changed(mutant: Mutant) -> tuple[bool, Any, Any]:
    """(planted, probe without the patch, probe with it)."""
    clear_model_caches()
    before = mutant.probe()
    with planted(mutant):
        after = mutant.probe()
    return before != after, before, after


# --- helpers the mutants and probes use -------------------------------------------------------------------------


def _const(value):
    return lambda original: value


def _mod(name: str):
    return importlib.import_module(name)


def _graph(name: str):
    """The inits model's program graph of a chapter program or a corpus program (cached by the toolchain)."""
    from gosim import inits
    from gosim.toolchain import program_dir
    from gosim.toolchain.initgraph import program_graph

    corpus = ROOT / "tests" / "programs" / "inits" / name
    return inits.Program.from_data(program_graph(corpus if corpus.is_dir() else program_dir(name)))


EX = "tests/test_exercises.py::test_every_exercise_keeps_the_contract[{}]"
BOOT = "tests/test_fidelity_boot.py::"
INITS = "tests/test_inits_fidelity.py::"
ALLOC = "tests/test_alloc_fidelity.py::test_histogram_equal_and_pages_within_bound[50000-7-mixed]"
GCF = "tests/test_gc_fidelity.py::"
SCHED = "tests/test_sched_fidelity.py::"
WIT = "tests/test_mutant_witnesses.py::"
BT = "tests/test_boot_threads.py::"


# --- boot ---------------------------------------------------------------------------------------------------------


def _newm_without_sysmon(original):
    def newm_sysmon(self):  # sysmon runs on no M of its own
        mp = original(self)
        self.allm.remove(mp)
        self.sched.mcount -= 1
        return mp

    return newm_sysmon


def _startm_never_reuses(original):
    def startm(self, pp, spinning):  # mget ignored: every startm creates a thread
        idle, n = list(self.sched.midle), self.sched.nmidle
        self.sched.midle.clear()
        self.sched.nmidle = 0
        original(self, pp, spinning)
        self.sched.midle.extend(idle)
        self.sched.nmidle = n

    return startm


def _runnext_new_slice_boot(original):
    def runqget(pp):
        gp, _ = original(pp)
        return gp, False  # a G from runnext starts a new time slice too (schedtick++)

    return runqget


def _old_runnext_to_the_head(original):
    def runqput(pp, gp, next, sched):
        if next and pp.runnext is not None:  # the kicked-out runnext goes to the head of the queue, not the tail
            pp.runq.appendleft(pp.runnext)
            pp.runnext = gp
            return
        original(pp, gp, next, sched)

    return runqput


def _boot_state(procs: int, at: str):
    from gosim import boot

    return boot.boot("current", procs).state_at(at)


BOOT_MUTANTS = [
    Mutant("boot-no-sysmon-m", "boot", "sysmon gets no M of its own (newm(sysmon) adds no M to allm)",
           (Patch("gosim.sched.proc", "Sched.newm_sysmon", _newm_without_sysmon),),
           (BOOT + "test_state_read_by_gdb_matches_the_model[1]",),
           lambda: [m.role for m in _boot_state(1, "main.main").ms]),
    Mutant("boot-startm-never-reuses", "boot", "startm always creates a thread (never takes an idle M)",
           (Patch("gosim.sched.proc", "Sched.startm", _startm_never_reuses),),
           (BT + "test_thread_count_is_the_most_common_gdb_count[1]",
            BT + "test_live_gdb_runs_give_the_models_thread_count_most_often[1]"),
           lambda: _boot_state(1, "main.main").threads),
    Mutant("boot-no-lockosthread", "boot", "runtime.main does not lock m0 to the main goroutine during init "
           "(lockOSThread a no-op: m0 runs the helpers itself)",
           (Patch("gosim.sched.proc", "Sched.lockOSThread", lambda original: (lambda self, mp: None)),),
           (BT + "test_thread_count_is_the_most_common_gdb_count[1]",
            BT + "test_live_gdb_runs_give_the_models_thread_count_most_often[1]"),
           lambda: (_boot_state(1, "main.main").threads, _mod("gosim.boot").boot("current", 1).ran_on)),
    Mutant("boot-runnext-new-slice", "boot", "a G taken from runnext starts a new time slice (schedtick++)",
           (Patch("gosim.sched.proc", "runqget", _runnext_new_slice_boot),),
           (BOOT + "test_state_read_by_gdb_matches_the_model[1]",),
           lambda: _boot_state(1, "runtime.main").ps[0].schedtick),
    Mutant("boot-runqput-head", "boot", "runqput puts the old runnext at the head of the run queue",
           (Patch("gosim.sched.proc", "runqput", _old_runnext_to_the_head),),
           (BOOT + "test_init_is_pinned_to_m0_so_another_m_runs_the_helpers", EX.format("1.3"),
            BT + "test_helpers_first_run_in_the_order_the_models_queues_give[1]"),
           lambda: _mod("gosim.boot").boot("current", 1).ran),
    Mutant("boot-no-runnext", "boot", "newproc puts the new goroutine at the tail of the run queue (no runnext)",
           (Patch("gosim.sched.proc", "runqput",
                  lambda original: (lambda pp, gp, next, sched: original(pp, gp, False, sched))),),
           (BT + "test_helpers_first_run_in_the_order_the_models_queues_give[1]",),
           lambda: _mod("gosim.boot").boot("current", 1).ran),
    Mutant("boot-inittasks-reversed", "boot", "the runtime's own init tasks in reverse (runtime first)",
           (Patch("gosim.boot", "RUNTIME_INITTASKS", lambda original: tuple(reversed(original))),),
           (BOOT + "test_runtime_init_tasks_are_the_linkers",),
           lambda: _boot_state(1, "main.main").inits_done),
]


# --- inits --------------------------------------------------------------------------------------------------------


def _path_to_prefix_no_dot(original):
    def path_to_prefix(path: str) -> str:  # PathToPrefix without the escape of "." in the last element
        return "".join(f"%{c:02x}" if c <= 0x20 or c in b'%"' or c >= 0x7F else chr(c) for c in path.encode())

    return path_to_prefix


def _declaration_order(original):
    def types2_order(package):  # every initializer in declaration order, dependencies ignored
        out: list[tuple[str, ...]] = []
        for v in package.vars:
            names = v.lhs or (v.name,)
            if v.init and not (v.lhs and names in out):
                out.append(names)
        return tuple(out)

    return types2_order


def _doinit_package_order(original):
    from gosim import inits

    return lambda program, root="main": inits.doinit_schedule(program, root)


def _inittask_only_with_functions(original):
    from gosim import inits

    def has_inittask(program):  # pkginit.MakeTask without "or an import has a task"
        return {p.path: p.path in ("main", "runtime") or inits.nfns(p) > 0 for p in program.packages}

    return has_inittask


def _inits_lines(name: str):
    from gosim import inits

    return inits.initialize(_graph(name)).lines()


INITS_MUTANTS = [
    Mutant("inits-no-dot-escape", "inits", "PathToPrefix without the escape of a dot in the last path element",
           (Patch("gosim.inits", "path_to_prefix", _path_to_prefix_no_dot),),
           (EX.format("2.2"), INITS + "test_current_order_is_the_real_order[dotted]"),
           lambda: list(_mod("gosim.inits").package_order(_graph("initplus")))),
    Mutant("inits-map-threshold-23", "inits", "a map literal is outlined from 23 nodes, not 20",
           (Patch("gosim.inits", "WRAP_GLOBAL_MAP_INIT_SIZE_THRESHOLD", _const(23)),),
           (EX.format("2.3"),),
           lambda: min(k for k in range(1, 11) if _mod("gosim.inits").map_init_outlined(k))),
    Mutant("inits-declaration-order", "inits", "package variables initialised in plain declaration order",
           (Patch("gosim.inits", "_types2_order", _declaration_order),),
           (EX.format("2.5"), INITS + "test_variable_order_is_go_types_order_in_every_package"),
           lambda: _mod("gosim.inits").variable_order(_graph("initspec")["main"])),
    Mutant("inits-generic-methods-counted", "inits",
           "a method of an instantiated generic type counts as a dependency (Go 1.19's pkginit rule)",
           (Patch("gosim.inits", "_types2_refs", lambda original: lambda d: d.refs + getattr(d, "irefs", ())),),
           (INITS + "test_current_order_is_the_real_order[initgeneric]",),
           lambda: _inits_lines("initgeneric")),
    Mutant("inits-doinit-package-order", "inits",
           "packages in Go 1.13-1.20's doInit order (imports depth first), not the linker's sorted order",
           (Patch("gosim.inits", "linker_schedule", _doinit_package_order),),
           (INITS + "test_current_order_is_the_real_order[initpaths]", EX.format("2.2")),
           lambda: _inits_lines("initpaths")),
    Mutant("inits-inittask-only-with-functions", "inits",
           "a package gets an inittask only with functions to run (the importer-of-a-task rule dropped)",
           (Patch("gosim.inits", "has_inittask", _inittask_only_with_functions),),
           (INITS + "test_which_packages_get_an_inittask_is_the_compilers_choice",),
           lambda: _mod("gosim.inits").has_inittask(_graph("staticleaf"))),
]


# --- alloc --------------------------------------------------------------------------------------------------------


def _nelems(size: int, noscan: bool) -> int:
    from gosim.alloc import sizeclasses as sc
    from gosim.alloc.mspan import nelems_for

    k = sc.size_to_class(size)
    return nelems_for(sc.makeSpanClass(k, noscan), sc.SizeClassToNPages()[k])


def _tiny_blocks() -> int:
    from gosim.alloc import Allocator

    a = Allocator(1, seed=1)
    return len({a.mallocgc(size, True) >> 4 for size in (1, 8, 3, 15, 4)})


def _no_grow_pass(original):
    return lambda grow=True: original(False)


def _sweep_keeps_every_object(original):
    def sweep(h, s, preserve):
        s.gcmarkBits |= s.allocBits | ((1 << s.freeindex) - 1)  # every allocated object counts as marked
        return original(h, s, preserve)

    return sweep


def _lifo_span_sets(original):
    class LifoSpanSet(original):  # spanSet pops the span pushed last, not the oldest
        def popleft(self):
            return self.pop()

    return LifoSpanSet


def _sweep_reuse_keys():
    from gosim.checks import alloc as check

    return tuple(check.reuse_keys(check.model_sweep())[:12])


def _uncache_stale_as_swept(original):
    def uncacheSpan(self, s):  # a stale span handed back as if swept: its dead slots wait for the next cycle
        if s.sweepgen == self.heap.sweepgen + 1:
            s.sweepgen = self.heap.sweepgen + 3
        return original(self, s)

    return uncacheSpan


def _reuse_keys_before(before: int):
    def probe():
        from gosim.checks import alloc as check

        return tuple(check.reuse_keys(check.model_sweep(before=before))[:12])

    return probe


ARENA = "tests/test_alloc_arena.py::"


ALLOC_MUTANTS = [
    Mutant("alloc-no-pointer-bitmap-reserve", "alloc",
           "scan spans of objects up to 512 B keep no pointer bitmap at their end",
           (Patch("gosim.alloc.mspan", "heapBitsInSpan", _const(lambda size: False)),),
           (EX.format("3.3"),),
           lambda: _nelems(48, False)),
    Mutant("alloc-tiny-always-new-block", "alloc",
           "the tiny allocator always keeps the new block (not the one with more room)",
           (Patch("gosim.alloc.malloc", "tiny_keeps_new_block", _const(lambda size, tinyoffset, have: True)),),
           (EX.format("3.1"), ALLOC),
           _tiny_blocks),
    Mutant("alloc-no-malloc-header", "alloc", "scan objects over 512 B carry no 8-byte malloc header",
           (Patch("gosim.alloc.sizeclasses", "MallocHeaderSize", _const(0)),
            Patch("gosim.alloc.malloc", "MallocHeaderSize", _const(0))),
           (EX.format("3.5"), ALLOC),
           lambda: _mod("gosim.alloc.sizeclasses").roundupsize(560, False)),
    Mutant("alloc-inline-mark-bits-192", "alloc", "Green Tea's inline mark bits take 192 bytes, not 128",
           (Patch("gosim.alloc.mspan", "spanInlineMarkBitsSize", _const(192)),),
           (EX.format("3.3"),),
           lambda: _nelems(48, False)),
    Mutant("alloc-large-cutoff-32768", "alloc", "objects up to 32768 B are small (maxSmallSize, no header room)",
           (Patch("gosim.alloc.sizeclasses", "maxSmallAllocSize", _const(32768)),
            Patch("gosim.alloc.malloc", "maxSmallAllocSize", _const(32768))),
           (WIT + "test_small_large_cut_off_and_buckets_as_allocboundary_sees_them",),
           lambda: _mod("gosim.alloc.malloc").malloc_path(32768, True)),
    Mutant("alloc-no-grow-pass", "alloc", "mksizeclasses without the pass that grows each class",
           (Patch("gosim.alloc.sizeclasses", "make_classes", _no_grow_pass),),
           ("tests/test_alloc_sizeclasses.py::test_derived_table_equals_the_runtimes_row_by_row",),
           lambda: list(_mod("gosim.alloc.sizeclasses").SizeClassToSize())),
    Mutant("alloc-arena-index-no-base-offset", "alloc", "arenaIndex is p >> 26, without amd64's arenaBaseOffset",
           (Patch("gosim.alloc.arena", "arenaBaseOffset", _const(0)),),
           (ARENA + "test_every_address_of_a_real_run_finds_the_runtimes_arena_span_and_object",),
           lambda: _mod("gosim.alloc.arena").arenaIndex(0xC000000000)),
    Mutant("alloc-span-entry-os-pages", "alloc",
           "spanOf indexes heapArena.spans by 4 KiB OS pages, not the runtime's 8 KiB pages",
           (Patch("gosim.alloc.arena", "spanIndex", _const(lambda p: (p // 4096) % 8192)),),
           (ARENA + "test_every_address_of_a_real_run_finds_the_runtimes_arena_span_and_object",),
           lambda: _mod("gosim.alloc.arena").lookup(0xC000006000).span_page),
    Mutant("alloc-divmul-without-plus-one", "alloc", "divMul is ^uint32(0)/size, without the + 1",
           (Patch("gosim.alloc.arena", "divMagic", _const(lambda size: 0xFFFFFFFF // size)),),
           (ARENA + "test_every_address_of_a_real_run_finds_the_runtimes_arena_span_and_object",
            ARENA + "test_div_magic_equals_the_runtimes_table_and_divides_exactly"),
           lambda: _mod("gosim.alloc.arena").divMul_table()[5]),
    Mutant("alloc-sweep-keeps-allocbits", "alloc",
           "sweeping keeps every allocated object (gcmarkBits do not become allocBits)",
           (Patch("gosim.alloc.mgcsweep", "sweep", _sweep_keeps_every_object),
            Patch("gosim.alloc.mcentral", "sweep", _sweep_keeps_every_object),
            Patch("gosim.alloc.mheap", "sweep", _sweep_keeps_every_object)),
           (ARENA + "test_sweep_frees_and_reuse_match_the_runtime",),
           _sweep_reuse_keys),
    Mutant("alloc-sweep-all-at-once", "alloc", "every collection sweeps all spans before it ends (no lazy sweeping)",
           (Patch("gosim.alloc.mgcsweep", "gcSweep",
                  lambda original: lambda h, mcaches, blocking=False: original(h, mcaches, blocking=True)),),
           (ARENA + "test_after_an_automatic_collection_spans_stay_unswept_until_swept_lazily",),
           lambda: _mod("gosim.checks.alloc").model_lazy(30)["gc-done"]["unswept"]),
    Mutant("alloc-uncache-stale-unswept", "alloc",
           "uncacheSpan hands a stale span back as swept (the mcache flush does not sweep it)",
           (Patch("gosim.alloc.mcentral", "mcentral.uncacheSpan", _uncache_stale_as_swept),),
           (ARENA + "test_sweep_with_another_cached_span_matches_the_runtime[0]",),
           _reuse_keys_before(0)),
    Mutant("alloc-span-limit-is-span-end", "alloc",
           "s.limit is the span's end (base + npages*pageSize), not the end of its last object",
           (Patch("gosim.alloc.arena", "Span.limit",
                  lambda original: property(lambda self: self.start + self.npages * 8192)),),
           (ARENA + "test_every_address_of_a_real_run_finds_the_runtimes_arena_span_and_object",),
           lambda: _mod("gosim.alloc.arena").Span(0xc000100000, 13, 100000 + 6496, 0, 100000).limit),
    Mutant("alloc-span-sets-lifo", "alloc", "an mcentral's span sets hand out the span put in last (LIFO)",
           (Patch("gosim.alloc.mcentral", "deque", _lifo_span_sets),),
           (ARENA + "test_sweep_frees_and_reuse_match_the_runtime",),
           _sweep_reuse_keys),
]


# --- gc / pacer ---------------------------------------------------------------------------------------------------


def _goal_without_stacks_and_globals(original):
    def commit(self, isSweepDone):
        original(self, isSweepDone)
        if self.gcPercent >= 0:  # heapMarked·(1 + GOGC/100): Go 1.18's stacks and globals left out
            self.gcPercentHeapGoal = max(self.heapMarked + self.heapMarked * self.gcPercent // 100,
                                         self.heapMinimum)

    return commit


def _free_pages_as_nonheap(original):
    def memoryLimitHeapGoal(self):
        saved = self.heapFree
        self.heapFree = 0  # non-heap = mappedReady − heapAlloc: free heap pages counted as non-heap memory
        try:
            return original(self)
        finally:
            self.heapFree = saved

    return memoryLimitHeapGoal


def _no_heap_marked_floor(original):
    def memoryLimitHeapGoal(self):
        saved = self.heapMarked
        self.heapMarked = 0  # the limit's goal may fall below the live heap
        try:
            return original(self)
        finally:
            self.heapMarked = saved

    return memoryLimitHeapGoal


def _wb_always_old_value(original):
    def wb_entries(stores):  # needWBdst ignored: a freshly zeroed slot's old value is buffered too
        return sum((not s.global_value) + 1 for s in stores)

    return wb_entries


def _trigger_probe():
    from gosim.gc import mgcpacer

    c = mgcpacer.GCController.init(100)
    c.heapMarked = c.heapLive = c.lastHeapScan = 32 << 20
    c.consMark = 5.0  # a long runway: the trigger sits on its lower bound
    c.commit(False)
    return c.trigger()


def _goal(**kw):
    from gosim.gc import mgcpacer

    return mgcpacer.heap_goal(32 << 20, **kw)


def _no_large_heap_max_trigger(original):
    def trigger_upper_bound(goal, heapMarked):  # 61/64 of the way on any heap: no goal − 4 MiB for large ones
        from gosim.gc import mgcpacer

        return (goal - heapMarked) // mgcpacer.triggerRatioDen * mgcpacer.maxTriggerRatioNum + heapMarked

    return trigger_upper_bound


def _short_runway_probe(gogc: int):
    def probe():
        from gosim.gc import mgcpacer

        c = mgcpacer.GCController.init(gogc)
        c.heapMarked = c.heapLive = 16 << 20
        c.lastHeapScan = 64 << 10
        c.consMark = 0.5  # a short runway: the trigger sits on its upper bound
        c.commit(False)
        return c.trigger()

    return probe


UPPER = "tests/test_gc_upper.py::test_trigger_on_the_upper_bound_matches_the_runtime[{}]"
LIMITER = "tests/test_gc_limiter.py::test_limiter_turns_on_when_the_models_bucket_fills"


def _limiter_probe():
    return _mod("gosim.gc.mgclimit").time_to_enable(1, 0.65)


def _limiter_never_off(original):
    def accumulate(self, mutatorTime, gcTime, cycle=0):  # once on, the limiter stays on
        was = self.enabled
        original(self, mutatorTime, gcTime, cycle)
        self.enabled = self.enabled or was

    return accumulate


LIMITER_SHARE = "tests/test_gc_limiter.py::test_gc_share_falls_once_the_limiter_is_on"
SCAVENGE = "tests/test_gc_scavenge.py::test_retained_heap_ends_at_the_scavenger_goal"
SPECIALS = "tests/test_gc_specials.py::test_specials_model_matches_every_call[2]"


def _specials_probe(name: str):
    return lambda: _mod("gosim.gc.specials").scenario(name)


GC_MUTANTS = [
    Mutant("gc-min-trigger-38", "gc", "the trigger's lower bound at 38/64 of the runway, not 45/64",
           (Patch("gosim.gc.mgcpacer", "minTriggerRatioNum", _const(38)),),
           # GOGC=50 leaves the pacer a runway longer than the gap, so many steady cycles trigger on the lower
           # bound itself (GOGC=100 only on some runs, as cons/mark moves with the machine's load)
           (GCF + "test_model_trigger_matches_the_runtime_every_cycle[gogc50]",
            GCF + "test_model_trigger_matches_the_runtime_every_cycle[gogc100]"),
           _trigger_probe),
    Mutant("gc-max-trigger-64", "gc", "no upper trigger bound at 61/64 of the way to the goal (maxTriggerRatioNum 64)",
           (Patch("gosim.gc.mgcpacer", "maxTriggerRatioNum", _const(64)),),
           (UPPER.format("61/64"),),
           _short_runway_probe(100)),
    Mutant("gc-no-large-heap-max-trigger", "gc",
           "the upper trigger bound is 61/64 on large heaps too (no goal − 4 MiB)",
           (Patch("gosim.gc.mgcpacer", "trigger_upper_bound", _no_large_heap_max_trigger),),
           (UPPER.format("goal - 4 MiB"),),
           _short_runway_probe(1000)),
    Mutant("gc-limiter-capacity-2s", "gc", "the CPU limiter's bucket holds 2 CPU-seconds per P, not 1",
           (Patch("gosim.gc.mgclimit", "capacityPerProc", _const(2.0)),), (LIMITER,), _limiter_probe),
    Mutant("gc-limiter-no-background", "gc", "the CPU limiter counts only assists as GC time (no 25 % background)",
           (Patch("gosim.gc.mgclimit", "gcBackgroundUtilization", _const(0.0)),), (LIMITER,), _limiter_probe),
    Mutant("gc-limiter-never-off", "gc", "once on, the CPU limiter stays on (assists never resume)",
           (Patch("gosim.gc.mgclimit", "GCCPULimiter.accumulate", _limiter_never_off),), (LIMITER_SHARE,),
           lambda: _mod("gosim.gc.mgclimit").share_once_on(1, 0.65)),
    Mutant("gc-scavenge-no-retain-extra", "gc",
           "the scavenger keeps no free memory over the in-use heap (0 %, not 10 %)",
           (Patch("gosim.gc.mgcscavenge", "retainExtraPercent", _const(0.0001)),), (SCAVENGE,),
           lambda: _mod("gosim.gc.mgcscavenge").gc_percent_goal(64 << 20, 100 << 20, 100 << 20, 200 << 20)),
    Mutant("gc-finalizer-no-revival", "gc", "the sweep frees an object with a finalizer at once (no extra cycle)",
           (Patch("gosim.gc.specials", "REVIVE_FINALIZER_OBJECTS", _const(False)),), (SPECIALS,),
           _specials_probe("finalizer")),
    Mutant("gc-finalizer-referents-unmarked", "gc",
           "markrootSpans does not mark what a finalizer object reaches (a chain finalizes at once)",
           (Patch("gosim.gc.specials", "MARK_FROM_FINALIZER_OBJECTS", _const(False)),), (SPECIALS,),
           _specials_probe("chain")),
    Mutant("gc-cleanup-dropped-when-revived", "gc",
           "a finalizer object revived by the sweep loses its cleanup at once (not kept until it is freed)",
           (Patch("gosim.gc.specials", "KEEP_CLEANUP_WHEN_REVIVED", _const(False)),), (SPECIALS,),
           _specials_probe("finalizer+cleanup")),
    Mutant("gc-pacersim-releases-all-free", "gc",
           "the pacer simulation returns every free page to the OS at once (no scavenger goal, heapFree = 0)",
           (Patch("gosim.gc.mgcscavenge", "released_to_meet",
                  lambda original: (lambda heap_inuse, heap_free, nonheap, gc_goal, limit_goal: heap_free)),),
           ("tests/test_gc_scavenge.py::test_pacersim_keeps_free_pages_like_the_runtime[gogc100]",),
           lambda: _mod("gosim.gc.mgcscavenge").released_to_meet(64 << 20, 32 << 20, 8 << 20, 80 << 20, 1 << 30)),
    Mutant("gc-weak-cleared-when-freed", "gc", "a weak pointer is cleared when its object is freed, not when revived",
           (Patch("gosim.gc.specials", "CLEAR_WEAK_WHEN_REVIVED", _const(False)),), (SPECIALS,),
           _specials_probe("weak+finalizer")),
    Mutant("gc-goal-without-stacks-globals", "gc", "the GOGC goal from the heap alone (Go 1.10-1.17's rule)",
           (Patch("gosim.gc.mgcpacer", "GCController.commit", _goal_without_stacks_and_globals),),
           (GCF + "test_model_goal_matches_the_runtime_every_cycle[gogc100]",),
           lambda: _goal(stacks=1 << 20, globals_=200 << 10)),
    Mutant("gc-free-pages-nonheap", "gc", "free heap pages counted as non-heap memory in the limit's goal",
           (Patch("gosim.gc.mgcpacer", "GCController.memoryLimitHeapGoal", _free_pages_as_nonheap),),
           (GCF + "test_model_goal_matches_the_runtime_every_cycle[memlimit]",
            GCF + "test_goal_below_the_live_heap_one_p[40MiB]"),
           lambda: _goal(memlimit=56 << 20, nonheap=2 << 20, heap_free=8 << 20)),
    Mutant("gc-no-heapmarked-floor", "gc", "the memory limit's goal without its heapMarked floor",
           (Patch("gosim.gc.mgcpacer", "GCController.memoryLimitHeapGoal", _no_heap_marked_floor),),
           (GCF + "test_goal_below_the_live_heap_one_p[24MiB]",),
           lambda: _goal(memlimit=24 << 20, nonheap=2 << 20)),
    Mutant("gc-heap-minimum-4mb", "gc", "defaultHeapMinimum is 4 MB (4,000,000 B), not 4 MiB",
           (Patch("gosim.gc.mgcpacer", "defaultHeapMinimum", _const(4_000_000)),),
           (EX.format("4.2"),),
           lambda: _mod("gosim.gc.mgcpacer").GCController.init(200).trigger()),
    Mutant("gc-greentea-no-single-mark", "gc", "Green Tea without the single-mark path (every visit scans the span)",
           (Patch("gosim.gc.greentea", "spanScanOneMark", _const(0)),),
           (WIT + "test_green_tea_single_mark_share_on_a_linked_list",),
           lambda: _mod("gosim.gc.greentea").mark_greentea(
               _mod("gosim.gc.heap").linked_list(2000)).one_mark_visits),
    Mutant("gc-greentea-packed-ignores-cpu", "gc",
           "scanSpan takes the packed scan on any dense span, whether or not the CPU has it",
           (Patch("gosim.gc.greentea", "takes_packed_scan",
                  lambda original: (lambda objs, nelems, has_fast_packed: original(objs, nelems, True))),),
           ("tests/test_gc_greentea_packed.py::test_packed_share_of_span_visits_matches_the_runtime[avx512vl-off]",),
           lambda: _mod("gosim.gc.greentea").mark_greentea(
               _mod("gosim.gc.heap").dense_heap(2000), packed=False).packed_visits),
    Mutant("gc-greentea-packed-strict-density", "gc",
           "scanSpan takes the packed scan only with more than nelems/8 objects marked (> for >=)",
           (Patch("gosim.gc.greentea", "takes_packed_scan",
                  lambda original: (lambda objs, nelems, has_fast_packed:
                                    original(objs, nelems, has_fast_packed) and objs > nelems // 8)),),
           ("tests/test_gc_greentea_packed.py::test_packed_scan_needs_an_eighth_of_the_span_marked[8]",),
           lambda: _mod("gosim.gc.greentea").mark_greentea(
               _mod("gosim.checks.gc").sparse_heap(4000, 8), packed=True).packed_visits),
    Mutant("gc-wb-no-fresh-slot-rule", "gc", "wb_entries buffers the old value of a freshly zeroed slot too",
           (Patch("gosim.gc.mbarrier", "wb_entries", _wb_always_old_value),),
           (EX.format("4.5"),),
           lambda: (lambda mb: mb.wb_entries([mb.Store(fresh_slot=True), mb.Store()]))(_mod("gosim.gc.mbarrier"))),
]


# --- sched --------------------------------------------------------------------------------------------------------


def _runnext_new_slice(original):
    def runqget(pp):
        gp, _ = original(pp)
        return gp, False  # a G from runnext starts a new time slice (schedtick++)

    return runqget


def _runqgrab_round_down(original):
    def runqgrab(victim, steal_runnext):
        q = victim.runq
        n = len(q) // 2  # half the ring rounded down, not n - n/2
        if n == 0:
            if steal_runnext and victim.runnext is not None:
                gp, victim.runnext = victim.runnext, None
                return [gp]
            return []
        return [q.popleft() for _ in range(n)]

    return runqgrab


def _usleep_ignoring_measurements(original):
    return lambda self, us: us * 1000 + self.timerslack


def _segmented_stack(original):
    from gosim.sched import stack

    def newstack_size(oldsize, used, framesize):  # Go 1.2's segmented stacks: one more 8 KiB segment
        newsize = oldsize + 8192
        while newsize - used < framesize + stack.stackGuard:
            newsize += 8192
        return newsize

    return newstack_size


def _simulate(*args, **kw):
    from gosim import sched

    return sched.simulate(*args, **kw)


def _measured_slice():
    import statistics

    from gosim import sched
    from gosim.checks import sched as checks

    costs = sched.Costs.measured(checks.recorded_sleeps(checks.reference()))
    r = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="300ms", costs=costs)
    return statistics.median(r.timeslices(skip_ns=100_000_000).tolist())


def _steal_count():
    from gosim.sched import proc, runq

    thief, victim = proc.p(0), proc.p(1)
    victim.runq.extend(range(5))
    gp = runq.runqsteal(thief, victim, True)
    return len(thief.runq) + (gp is not None)


SCHED_MUTANTS = [
    Mutant("sched-sysmon-idle-ge-50", "sched", "sysmon's sleep doubles once idle >= 50, not > 50",
           (Patch("gosim.sched.proc", "sysmonIdleRounds", _const(49)),),
           (WIT + "test_sysmon_sleeps_follow_the_loop_in_proc_go",),
           lambda: _simulate("cpubound", gomaxprocs=1, goroutines=2, duration="20ms").sysmon_wakeups[:60]),
    Mutant("sched-no-61-tick", "sched", "findRunnable's every-61st-schedtick look at the global queue deleted",
           (Patch("gosim.sched.proc", "globrunqCheckTicks", _const(1 << 62)),),
           (SCHED + "test_live_schedpair_counts_the_61st_tick_and_runnext",),
           lambda: _simulate("schedpair", gomaxprocs=1, goroutines=1, duration="1ms", limit="100ms").observed[:6],
           slow=True),  # W never runs again: the model simulates the test's whole 5 s limit
    Mutant("sched-runnext-new-slice", "sched", "a G from runnext starts a new time slice (no inheritTime)",
           (Patch("gosim.sched.proc", "runqget", _runnext_new_slice),
            Patch("gosim.sched.runq", "runqget", _runnext_new_slice)),
           (SCHED + "test_live_schedpair_counts_the_61st_tick_and_runnext",),
           lambda: _simulate("schedpair-runnext", gomaxprocs=1, goroutines=1, duration="1ms",
                             limit="300ms").observed[:6],
           slow=True),
    Mutant("sched-runqgrab-round-down", "sched", "runqgrab takes n/2 rounded down, not n - n/2",
           (Patch("gosim.sched.runq", "runqgrab", _runqgrab_round_down),),
           (WIT + "test_runqgrab_takes_what_proc_go_says",),
           _steal_count),
    Mutant("sched-measured-sleeps-ignored", "sched", "sysmon's sleeps last the request plus the slack, measured or not",
           (Patch("gosim.sched.proc", "Costs.usleep", _usleep_ignoring_measurements),),
           (SCHED + "test_nanosleep_loop_slices_beside_the_recorded_runs",),
           _measured_slice),
    Mutant("sched-segmented-stack", "sched", "a stack grows by one 8 KiB segment (Go 1.2), not by doubling",
           (Patch("gosim.sched.stack", "newstack_size", _segmented_stack),),
           (SCHED + "test_stack_growth_depths_as_the_real_goroutine_moves_its_stack",),
           lambda: [g.new for g in _mod("gosim.sched.stack").recursion(300, 200).growths]),
]


# --- sched: GOMAXPROCS in a container (gosim.sched.cgroup) --------------------------------------------------------
# This machine has 2 CPUs, where the rule always gives 2; the witnesses ask the runtime's own defaultGOMAXPROCS
# for more CPUs inside a real group (cgroupprobe -rule), and read the runtime's own tests' expectations.

CGROUP = "tests/test_cgroup.py::"


def _floor_limit(original):
    import math

    from gosim.sched import cgroup

    return lambda limit: max(math.floor(limit), cgroup.FLOOR)  # quota/period rounded down


def _rule_probe():
    from gosim.sched import cgroup

    return [cgroup.default_gomaxprocs(8, q) for q in (50_000, 150_000, 250_000)]


def _whole_quota_each(original):
    def throttle(quota_us, period_us=100_000, *, threads, cpus):  # every thread may use the whole quota
        t = original(quota_us, period_us, threads=1, cpus=cpus)
        return type(t)(t.quota_us, t.period_us, min(threads, cpus), t.run_ms, t.stall_ms)

    return throttle


def _throttle_probe():
    from gosim.sched import cgroup

    return cgroup.throttle(50_000, threads=2, cpus=2)


CGROUP_MUTANTS = [
    Mutant("sched-cfs-whole-quota-each", "sched",
           "CFS gives each runnable thread the whole quota (the group's quota not shared between its CPUs)",
           (Patch("gosim.sched.cgroup", "throttle", _whole_quota_each),),
           (CGROUP + "test_recorded_throttling_is_the_model[q50-default]",),
           _throttle_probe),
    Mutant("sched-cgroup-update-every-500ms", "sched",
           "sysmon re-reads the CPU limit every 500 ms, not once a second",
           (Patch("gosim.sched.cgroup", "UPDATE_INTERVAL_NS", _const(500_000_000)),),
           (CGROUP + "test_recorded_updates_come_at_sysmons_once_a_second_check",),
           lambda: _mod("gosim.sched.cgroup").update_seen_at(300_000_000)),
    Mutant("sched-cgroup-floor-1", "sched", "a CPU quota under 1 CPU gives GOMAXPROCS 1, not 2 (floor 1)",
           (Patch("gosim.sched.cgroup", "FLOOR", _const(1)),),
           (CGROUP + "test_runtime_default_gomaxprocs_is_the_rule",
            CGROUP + "test_rule_has_the_runtime_tests_expectations"),
           _rule_probe),
    Mutant("sched-cgroup-round-down", "sched", "GOMAXPROCS from floor(quota/period), not ceil",
           (Patch("gosim.sched.cgroup", "limit_procs", _floor_limit),),
           (CGROUP + "test_runtime_default_gomaxprocs_is_the_rule",
            CGROUP + "test_rule_has_the_runtime_tests_expectations"),
           _rule_probe),
]

# --- sched: system calls (chapter 5, "System calls, end to end"; witness gosim/programs/schedsys) ------------------

SYSCALLS = "tests/test_sched_syscalls.py::"


def _retake_at_first_sighting(original):
    from gosim.sched import proc

    def retake(self, now):  # as if sysmon had already seen this syscalltick once: no "one sysmon tick" wait
        for pp in self.allp:
            mp = pp.m
            if mp is not None and mp.curg is not None and mp.curg.status == proc._Gsyscall:
                pp.st_syscalltick = pp.syscalltick
        return original(self, now)

    return retake


def _no_old_p(original):
    return lambda self, oldp: original(self, None)  # exitsyscall looks only for an idle P


def _checkmcount_ge(original):
    from gosim.sched import proc

    def checkmcount(self):
        if self.sched.mcount >= self.maxmcount:  # off by one: a process may not reach the limit
            raise proc.ThreadExhaustion(f"program exceeds {self.maxmcount}-thread limit")

    return checkmcount


def _hand_off_at_once(original):
    return _mod("gosim.sched.proc").Sched.entersyscallblock


def _syscall_paths():
    from gosim import sched
    from gosim.checks import sched as checks

    return checks.exit_paths(sched.simulate("syscall", gomaxprocs=2, goroutines=20, duration="100ms"))


def _blocked_threads():
    from gosim.sched import proc, workloads

    try:
        return workloads.blocked_process(7, 2, maxthreads=10).sched.mcount
    except proc.ThreadExhaustion as e:
        return str(e)


def _read_holds_a_thread(original):
    def netpollblock(self, pp, mp, gp, pd):  # thread-per-connection: a goroutine waiting on a socket keeps a thread
        parked = original(self, pp, mp, gp, pd)
        if parked and self.netpollWaiters > self.__dict__.get("_reading_threads", 0):
            self._reading_threads = self.netpollWaiters
            self.newm_struct()
        return parked

    return netpollblock


def _net_threads():
    from gosim.sched import workloads

    return workloads.network_process(10, 2, duration=50_000_000).sched.mcount


def _net_largest():
    from gosim.sched import workloads

    return workloads.network_process(1000, 1).net.largest


def _ready_fd_hidden(original):
    def netpollready_fd(self, pd):  # a ready descriptor is not on epoll's list for findRunnable or the poller
        if pd.rg is None:
            return original(self, pd)
        self.net.writes += 1
        self.__dict__.setdefault("_hidden", []).append(pd.rg)
        pd.rg = None

    return netpollready_fd


def _sysmon_polls_alone(original):
    def sysmon_netpoll(self, now):  # sysmon every 10 ms is the only netpoll that sees a ready descriptor
        if self.__dict__.get("_polled", 0) + 10_000_000 < now and self.__dict__.get("_hidden"):
            self._polled = now
            self.netpollReadyList = self.__dict__.pop("_hidden")
            self.injectglist(self.netpoll_list("sysmon"))

    return sysmon_netpoll


def _net_wakes():
    from gosim.checks import exectrace

    return exectrace.model_net(10)["wakes"]


def _inject_all_local(original):
    def injectglist(self, gs, pp=None):  # with a P, every injected G to the caller's local queue
        from gosim.sched import proc

        if pp is None:
            return original(self, gs, None)
        rest = list(gs)
        proc.runqputbatch(pp, rest)
        self.sched.runq.extend(rest)
        self.wakep()

    return injectglist


def _inject_no_m(original):
    def injectglist(self, gs, pp=None):  # no M started for the idle Ps: no startIdle, no wakep
        self.startIdle = lambda n: None
        self.wakep = lambda: None
        try:
            original(self, gs, pp)
        finally:
            del self.startIdle, self.wakep

    return injectglist


def _inject_placement():
    from gosim.checks import exectrace

    return exectrace.model_inject()


def _sleepgrain_medians():
    from gosim.sched import workloads

    return {us: t[len(t) // 2] for us, t in workloads.sleepgrain_process(calls=5).items()}


def _no_poll_slack(original):
    def __init__(self, *args, **kwargs):  # the blocked poller wakes on its whole millisecond: no kernel slack
        original(self, *args, **kwargs)
        import dataclasses

        from gosim.sched import proc

        if isinstance(self.costs, proc.Costs):
            self.costs = dataclasses.replace(self.costs, pollslack=0)

    return __init__


def _spin_without_limit(original):
    def findRunnable(self, mp, final=False):  # an M with nothing queued spins, however many already do
        pp = mp.p
        timers = pp.timers
        if (not mp.spinning and pp.runnext is None and not pp.runq and not self.sched.runq
                and not (timers and timers[0][0] <= self.now)):
            self.becomeSpinning(mp)
        return original(self, mp, final)

    return findRunnable


def _spinning_stats():
    from gosim.checks import spinning

    ref = spinning.spin_reference()
    return spinning.model_stats(spinning.model_run(ref, duration=300_000_000))


SYSCALL_MUTANTS = [
    Mutant("sched-retake-first-sighting", "sched", "sysmon retakes a P the first time it sees it in a system call "
           "(no 'at least one sysmon tick')",
           (Patch("gosim.sched.proc", "Sched.retake", _retake_at_first_sighting),),
           (SYSCALLS + "test_how_system_calls_end_beside_the_traced_runs",),
           _syscall_paths),
    Mutant("sched-exitsyscall-no-old-p", "sched", "exitsyscall never takes its old P back from the thread now in "
           "a system call on it (only an idle P)",
           (Patch("gosim.sched.proc", "Sched.exitsyscallTryGetP", _no_old_p),),
           (SYSCALLS + "test_how_system_calls_end_beside_the_traced_runs",),
           _syscall_paths),
    Mutant("sched-entersyscall-hands-off", "sched", "every system call hands its P off at once (entersyscallblock "
           "for all)",
           (Patch("gosim.sched.proc", "Sched.entersyscall", _hand_off_at_once),),
           (SYSCALLS + "test_how_system_calls_end_beside_the_traced_runs",),
           _syscall_paths),
    Mutant("sched-maxmcount-off-by-one", "sched", "checkmcount kills the process at maxmcount threads, not above",
           (Patch("gosim.sched.proc", "Sched.checkmcount", _checkmcount_ge),),
           (SYSCALLS + "test_set_max_threads_kills_the_process_where_the_runtime_dies",),
           _blocked_threads),
    Mutant("sched-netpoll-read-holds-thread", "sched", "a goroutine waiting to read a socket keeps its thread, "
           "as a blocking system call does (thread per connection)",
           (Patch("gosim.sched.proc", "Sched.netpollblock", _read_holds_a_thread),),
           ("tests/test_sched_netpoll.py::test_goroutines_in_io_wait_hold_no_thread",),
           _net_threads),
    Mutant("sched-netpoll-sysmon-only", "sched", "only sysmon's poll every 10 ms finds ready descriptors: "
           "findRunnable's netpoll(0) and the M blocked in netpoll never see them",
           (Patch("gosim.sched.proc", "Sched.netpollready_fd", _ready_fd_hidden),
            Patch("gosim.sched.proc", "Sched.sysmon_netpoll", _sysmon_polls_alone)),
           ("tests/test_sched_exectrace.py::test_model_beside_the_execution_trace",),
           _net_wakes),
    Mutant("sched-injectglist-all-local", "sched", "injectglist puts every goroutine a netpoll returned on the "
           "polling P's local queue (none on the global queue for the idle Ps)",
           (Patch("gosim.sched.proc", "Sched.injectglist", _inject_all_local),),
           ("tests/test_sched_exectrace.py::test_injectglist_beside_the_execution_trace",),
           _inject_placement),
    Mutant("sched-injectglist-no-m", "sched", "injectglist starts no M for the idle Ps (no startIdle, no wakep)",
           (Patch("gosim.sched.proc", "Sched.injectglist", _inject_no_m),),
           ("tests/test_sched_exectrace.py::test_injectglist_beside_the_execution_trace",),
           _inject_placement),
    Mutant("sched-netpoll-no-cap", "sched", "a netpoll returns every ready descriptor at once, not at most the 128 "
           "of EpollWait's event array",
           (Patch("gosim.sched.proc", "NETPOLL_EVENTS", _const(1 << 30)),),
           ("tests/test_sched_netpoll.py::test_netpoll_returns_at_most_the_runtimes_event_array",),
           _net_largest),
    Mutant("sched-netpoll-exact-wakeup", "sched", "the M blocked in netpoll wakes exactly when the next timer is "
           "due (no whole milliseconds of EpollWait)",
           (Patch("gosim.sched.proc", "netpollWaitNS", _const(lambda delay: max(delay, 0))),),
           ("tests/test_sched_sleepgrain.py::test_model_sleep_within_the_real_spread",
            "tests/test_sched_exectrace.py::test_model_batches_at_the_pollers_wake"),
           _sleepgrain_medians),
    Mutant("sched-netpoll-no-slack", "sched", "the M blocked in netpoll wakes on its whole millisecond, without "
           "the 85 µs each wait ends late (Costs.pollslack 0)",
           (Patch("gosim.sched.proc", "Sched.__init__", _no_poll_slack),),
           ("tests/test_sched_sleepgrain.py::test_poller_slack_beside_the_recorded_runs",
            "tests/test_sched_sleepgrain.py::test_held_out_sleep_of_two_waits",
            "tests/test_sched_netpoll.py::test_goroutines_in_io_wait_hold_no_thread",
            "tests/test_sched_exectrace.py::test_model_batches_at_the_pollers_wake"),
           _sleepgrain_medians),
    Mutant("sched-spinning-no-half-limit", "sched", "every M that runs out of work spins: no 'at most half the "
           "busy Ps spinning' in findRunnable",
           (Patch("gosim.sched.proc", "Sched.findRunnable", _spin_without_limit),),
           ("tests/test_sched_spinning.py::test_spinning_beside_the_recorded_runs",),
           _spinning_stats),
]

MUTANTS: list[Mutant] = (BOOT_MUTANTS + INITS_MUTANTS + ALLOC_MUTANTS + GC_MUTANTS + SCHED_MUTANTS + CGROUP_MUTANTS
                         + SYSCALL_MUTANTS)


def by_name(name: str) -> Mutant:
    for m in MUTANTS:
        if m.name == name:
            return m
    raise KeyError(f"no mutant named {name!r}")


# --- the runner ---------------------------------------------------------------------------------------------------


def pytest_argv(tests: list[str]) -> list[str]:
    # Only tests/conftest.py (--confcutdir): the root conftest.py and the nbval and hypothesis plugins serve the
    # notebooks and property tests, which the suite never runs, and cost seconds of imports per process.
    return [sys.executable, "-m", "pytest", "-p", "mutant_plugin", "-p", "no:randomly", "-p", "no:cacheprovider",
            "-p", "no:nbval", "-p", "no:hypothesispytest", "--confcutdir=tests", "-o", "addopts=", "-q", "-x",
            "--no-header", "-rN", *tests]


def run_pytest(tests: list[str], mutant: str | None, report: Path) -> tuple[list[dict], str, int]:
    """Run ``tests`` (with ``mutant`` planted, or none) replaying the recorded runs; the per-test outcomes."""
    env = dict(os.environ, GOSIM_RECORD=str(RECORD), GOSIM_MUTANT_REPORT=str(report),
               PYTHONPATH=os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")])))
    env.pop("GOSIM_MUTANT", None)
    if mutant:
        env["GOSIM_MUTANT"] = mutant
    report.unlink(missing_ok=True)
    proc = subprocess.run(pytest_argv(tests), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    results = json.loads(report.read_text()) if report.is_file() else []
    return results, proc.stdout + proc.stderr, proc.returncode


@dataclass
class Outcome:
    mutant: Mutant
    planted: bool
    killed_by: str | None
    exception: str | None
    seconds: float
    where: str = ""
    note: str = ""

    @property
    def in_a_test(self) -> bool:
        """The failed assertion is a test's (a check), not one inside the model that the mutation tripped."""
        return Path(self.where.rsplit(":", 1)[0]).resolve().is_relative_to(ROOT / "tests") if self.where else False

    @property
    def killed(self) -> bool:
        return self.killed_by is not None and self.exception == "AssertionError" and self.in_a_test

    @property
    def ok(self) -> bool:
        return self.planted and self.killed


def run_mutant(mutant: Mutant, planted_: bool, note: str) -> Outcome:
    start = time.perf_counter()
    results, output, _ = run_pytest(list(mutant.tests), mutant.name, REPORTS / f"{mutant.name}.json")
    failed = next((r for r in results if r["outcome"] == "failed"), None)
    seconds = time.perf_counter() - start
    if failed is None:
        tail = "\n".join(output.strip().splitlines()[-3:])
        return Outcome(mutant, planted_, None, None, seconds, note=note or f"no test failed: {tail}")
    return Outcome(mutant, planted_, failed["nodeid"], failed["exception"], seconds, failed.get("where", ""), note)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def short(nodeid: str | None) -> str:
    if nodeid is None:
        return "-"
    return nodeid.removeprefix("tests/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="print the mutants and exit")
    parser.add_argument("--jobs", type=int, default=2, help="pytest processes at once (default 2)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.list:
        print(table([[m.name, m.model, m.rule, ", ".join(short(t) for t in m.tests)] for m in MUTANTS],
                    ["mutant", "model", "rule planted", "tests"]))
        return 0
    chosen = [by_name(n) for n in args.names] if args.names else MUTANTS
    t0 = time.perf_counter()
    shutil.rmtree(RECORD, ignore_errors=True)
    RECORD.mkdir(parents=True)
    REPORTS.mkdir(parents=True, exist_ok=True)

    # 1. The baseline: every witness unmutated, recording the real runs.
    witnesses = list(dict.fromkeys(t for m in chosen for t in m.tests))
    print(f"baseline: {len(witnesses)} witness tests, unmutated, recording real runs in "
          f"{RECORD.relative_to(ROOT)} ...", flush=True)
    start = time.perf_counter()
    results, output, code = run_pytest(witnesses, None, REPORTS / "baseline.json")
    passed = {r["nodeid"] for r in results if r["outcome"] == "passed"}
    missing = [t for t in witnesses if t not in passed]
    print(f"baseline: {len(passed)} passed in {time.perf_counter() - start:.1f} s", flush=True)
    if code != 0 or missing:
        print(output[-4000:])
        print(f"the unmutated baseline fails: {len(missing)} witness test(s) did not pass:")
        for t in missing:
            r = next((r for r in results if r["nodeid"] == t), None)
            print(f"  {t}: {r['outcome'] + ' ' + (r.get('exception') or '') if r else 'not run'}")
        print(f"total {time.perf_counter() - t0:.1f} s")
        return 1

    # 2. Probes, in this process: the patch must change the model's output.
    probes = {}
    for m in chosen:
        try:
            changed, before, after = probe_changed(m)
            probes[m.name] = (changed, "" if changed else f"probe unchanged: {before!r}")
        except Exception as exc:  # a probe that crashes planted nothing we can see
            probes[m.name] = (False, f"probe raised {type(exc).__name__}: {exc}")

    # 3. Each mutant's tests, replaying the recorded runs.
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        started = {m.name: pool.submit(run_mutant, m, *probes[m.name])
                   for m in sorted(chosen, key=lambda m: not m.slow)}
        outcomes = [started[m.name].result() for m in chosen]

    rows = [[o.mutant.name, o.mutant.model, o.mutant.rule, "yes" if o.planted else "NO", short(o.killed_by),
             o.exception or "-", f"{o.seconds:.1f}"] for o in outcomes]
    print()
    print(table(rows, ["mutant", "model", "rule planted", "planted?", "killed by", "exception", "s"]))
    for o in outcomes:
        if o.ok:
            continue
        if o.killed_by is None:
            why = o.note
        elif o.exception != "AssertionError":
            why = f"killed by {o.exception}, not an AssertionError ({o.where})"
        elif not o.in_a_test:
            why = f"killed by an assertion inside the model, not a test's ({o.where})"
        else:
            why = o.note
        print(f"  ! {o.mutant.name}: {why}")
    killed = sum(o.killed for o in outcomes)
    survived = sum(o.killed_by is None for o in outcomes)
    unplanted = sum(not o.planted for o in outcomes)
    other = sum(o.killed_by is not None and not o.killed for o in outcomes)
    per_model = {model: sum(o.mutant.model == model for o in outcomes) for model in MODELS}
    print()
    print("per model: " + ", ".join(f"{k} {v}" for k, v in per_model.items()))
    summary = f"{len(outcomes)} mutants, {killed} killed, {survived} survived"
    if unplanted:
        summary += f", {unplanted} not planted"
    if other:
        summary += f", {other} killed by something other than a test's AssertionError"
    print(summary)
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
