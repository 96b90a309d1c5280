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


# --- boot ---------------------------------------------------------------------------------------------------------


def _newm_without_sysmon(original):
    def newm(self, role, p=None):
        if role == "sysmon":  # sysmon runs on no M of its own
            return len(self.ms)
        return original(self, role, p)

    return newm


def _wakep_keeps_its_p(original):
    from gosim import boot

    def wakep(self):
        before = {p.id for p in self.ps.values() if p.status == "idle"}
        original(self)
        if before:  # the woken M keeps the P it took instead of putting it back on the idle list
            pid = min(before)
            mid = next(m.id for m in self.ms.values() if m.role == "worker")
            self.ps[pid] = boot.replace(self.ps[pid], status="running", m=mid)
            self.ms[mid] = boot.replace(self.ms[mid], p=pid, idle=False)

    return wakep


def _runnext_new_slice_boot(original):
    from gosim import boot

    def runqget(self, pid):
        came_from_runnext = self.ps[pid].runnext
        goid = original(self, pid)
        if goid is not None and goid == came_from_runnext:  # a G from runnext starts a new slice too
            self.ps[pid] = boot.replace(self.ps[pid], schedtick=self.ps[pid].schedtick + 1)
        return goid

    return runqget


def _old_runnext_to_the_head(original):
    from gosim import boot

    def runqput(self, pid, goid, *, next_):
        p = self.ps[pid]
        if next_ and p.runnext is not None:  # the kicked-out runnext goes to the head of the queue, not the tail
            self.ps[pid] = boot.replace(p, runnext=goid, runq=(p.runnext,) + p.runq)
            return
        original(self, pid, goid, next_=next_)

    return runqput


def _boot_state(procs: int, at: str):
    from gosim import boot

    return boot.boot("current", procs).state_at(at)


BOOT_MUTANTS = [
    Mutant("boot-no-sysmon-m", "boot", "sysmon gets no M of its own (runtime.newm \"sysmon\" a no-op)",
           (Patch("gosim.boot", "Runtime.newm", _newm_without_sysmon),),
           (BOOT + "test_state_read_by_gdb_matches_the_model[1]",),
           lambda: [m.role for m in _boot_state(1, "main.main").ms]),
    Mutant("boot-wakep-keeps-p", "boot", "the M wakep starts keeps its P after the G it stole parks",
           (Patch("gosim.boot", "Runtime.wakep", _wakep_keeps_its_p),),
           (WIT + "test_idle_ps_at_main_main_are_at_most_the_models[4]",
            WIT + "test_idle_ps_at_main_main_are_at_most_the_models[2]"),
           lambda: _boot_state(4, "main.main").idle_ps),
    Mutant("boot-runnext-new-slice", "boot", "a G taken from runnext starts a new time slice (schedtick++)",
           (Patch("gosim.boot", "Runtime.runqget", _runnext_new_slice_boot),),
           (BOOT + "test_state_read_by_gdb_matches_the_model[1]",),
           lambda: _boot_state(1, "runtime.main").ps[0].schedtick),
    Mutant("boot-runqput-head", "boot", "runqput puts the old runnext at the head of the run queue",
           (Patch("gosim.boot", "Runtime.runqput", _old_runnext_to_the_head),),
           (BOOT + "test_init_is_pinned_to_m0_so_another_m_runs_the_helpers", EX.format("1.3")),
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


GC_MUTANTS = [
    Mutant("gc-min-trigger-38", "gc", "the trigger's lower bound at 38/64 of the runway, not 45/64",
           (Patch("gosim.gc.mgcpacer", "minTriggerRatioNum", _const(38)),),
           # GOGC=50 leaves the pacer a runway longer than the gap, so many steady cycles trigger on the lower
           # bound itself (GOGC=100 only on some runs, as cons/mark moves with the machine's load)
           (GCF + "test_model_trigger_matches_the_runtime_every_cycle[gogc50]",
            GCF + "test_model_trigger_matches_the_runtime_every_cycle[gogc100]"),
           _trigger_probe),
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

MUTANTS: list[Mutant] = BOOT_MUTANTS + INITS_MUTANTS + ALLOC_MUTANTS + GC_MUTANTS + SCHED_MUTANTS


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
