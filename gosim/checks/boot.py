"""Chapter 1's checks: the boot model beside gdb's view of the real runtime."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import boot as bootmodel


def state_from_gdb(snapshot: dict) -> bootmodel.State:
    """The runtime state gdb read (``allgs``, ``allp``, ``allm``) as the boot model's `State`. An M is sysmon's
    when its ``mstartfn`` is ``runtime.sysmon``; every other M but m0 is a "worker", started by ``startm``: with
    ``mstartfn`` = ``runtime.mspinning`` when it is to spin (wakep's; handoffp's when nothing spins and no P is
    idle), with none for a P that has work (handoffp's)."""
    gs = tuple(bootmodel.G(g["goid"], g["fn"], g["status"], g.get("waitreason")) for g in snapshot["gs"])
    ps = tuple(bootmodel.P(p["id"], p["status"], p["m"], p["runnext"], tuple(p["runq"]), p.get("schedtick", 0))
               for p in snapshot["ps"])
    ms = tuple(bootmodel.M(m["id"], "m0" if m["id"] == 0 else "sysmon" if m["mstartfn"] == "runtime.sysmon"
                           else "worker", m["p"], m["curg"], m["spinning"], mstartfn=m["mstartfn"])
               for m in snapshot["ms"])
    return bootmodel.State(gomaxprocs=snapshot["gomaxprocs"], ms=ms, ps=ps, gs=gs)


# What races at main.main, measured: gdb runs of hello world recorded by scripts/record_boot_threads.py
# (tests/data/boot/threads.json). The model predicts the thread count of a run the race left alone (at GOMAXPROCS
# 1 and 2 the fewest gdb sees; which count is the more common depends on the load); one more thread is a race the
# chapter states with its rate (an extra M: at GOMAXPROCS=1 m0 hands its P off again before the M that ran the
# helpers is back on the idle list; at GOMAXPROCS=2 one more M started spinning in 7 of 20 runs, a second
# hand-off M in 1: which wakep or handoffp started it the recorded runs do not say).
RACE_EXTRA_THREADS = 1


@dataclass(frozen=True)
class Row:
    """One quantity, the model's value beside the runtime's. Without ``allowed`` or ``race`` the two must be
    equal. ``allowed`` is a test of the real value that a simplification in the chapter's "What the model leaves
    out" box explains (with ``why``); ``race`` a test of a real value that a measured race gives (the model
    predicts a run the race left alone, checked over recorded runs: `thread_rows`). Any other value is
    a failure."""

    quantity: str
    model: object
    real: object
    why: str = ""
    allowed: Callable[[object], bool] | None = field(default=None, compare=False)
    race: Callable[[object], bool] | None = field(default=None, compare=False)

    @property
    def equal(self) -> bool:
        return self.model == self.real

    @property
    def verdict(self) -> str:
        """``equal``; ``race`` (the measured race, inside its bound); ``model leaves out`` (a difference the box
        explains, inside its bound); or ``differs``: a failure."""
        if self.equal:
            return "equal"
        if self.race is not None and self.race(self.real):
            return "race"
        if self.allowed is not None and self.allowed(self.real):
            return "model leaves out"
        return "differs"


ALONE = ("runtime.mstart", "runtime.mstart0", "runtime.mstart1", "runtime.schedule", "runtime.main")
UPDATER = bootmodel.UPDATER


def _m0_p(state: bootmodel.State) -> bootmodel.P | None:
    m0 = next((m for m in state.ms if m.id == 0), None)
    return next((p for p in state.ps if m0 is not None and p.id == m0.p), None)


def boot_state_rows(model: bootmodel.State, real: bootmodel.State, at: str) -> list[Row]:
    """The state the model predicts at a breakpoint beside what gdb read there.

    Exact everywhere: GOMAXPROCS, the goroutines that exist (``len(allgs)``), their start functions in creation
    order (``allgs`` is append-only), the main goroutine's status, and one M for sysmon. Exact while m0 is
    alone (up to ``runtime.main``) and at GOMAXPROCS=1: the goroutine ids, m0's P, its runnext, the idle Ps.
    The threads (``allm``) and the Ms by what started them (``mstartfn`` mspinning for an M started to spin, as
    wakep's are; none for one handoffp starts for a P with work): the model predicts a run the race left alone
    (`thread_rows` checks that over the recorded gdb runs); one more is the measured race
    (`RACE_EXTRA_THREADS`), anything else differs.
    With GOMAXPROCS > 1 at main.main, where the box explains a difference, the real value is held to what can
    be derived without timing: ids from at most GOMAXPROCS batches of 16 (each id at most 16 × GOMAXPROCS, G1
    is 1); m0's P is a P whose ``m`` is m0 (which P races); the updater still in runnext or not; the idle Ps
    are exactly the Ps no M holds, GOMAXPROCS − #{Ps with an M}, in the same snapshot, and no more than the
    model's.
    """
    alone = at in ALONE
    one = model.gomaxprocs == 1
    exact = alone or one
    procs = model.gomaxprocs
    main_g = lambda s: next((g for g in s.gs if g.goid == 1), None)  # noqa: E731
    fn_of = lambda s, goid: next((g.fn for g in s.gs if g.goid == goid), goid)  # noqa: E731
    m0p_model, m0p_real = _m0_p(model), _m0_p(real)
    holder = lambda s, pid: next((p.m for p in s.ps if p.id == pid), None)  # noqa: E731
    started = lambda s, fn: sum(m.role == "worker" and m.mstartfn == fn for m in s.ms)  # noqa: E731
    # the race: one more M; at GOMAXPROCS > 2 also one fewer (no second spinning M yet when gdb stops: 2 of 20)
    extra = (lambda want: (lambda n: n == want + RACE_EXTRA_THREADS or (procs > 2 and n == want - 1))) \
        if not alone else (lambda want: None)
    rows = [
        Row("gomaxprocs", model.gomaxprocs, real.gomaxprocs),
        Row("goroutines", model.goroutines, real.goroutines),
        Row("goroutine start functions", tuple(g.fn for g in model.gs), tuple(g.fn for g in real.gs),
            "allgs order = creation order"),
        Row("goroutine ids", tuple(g.goid for g in model.gs), tuple(g.goid for g in real.gs),
            "" if exact else "each P numbers from its own batch of 16 (goidcache), and the main goroutine may "
            "come back from a hand-off on another P",
            allowed=None if exact else (lambda ids: ids[:1] == (1,) and len(set(ids)) == len(ids)
                                        and max(ids) <= 16 * procs)),
        Row("main goroutine", main_g(model) and main_g(model).status, main_g(real) and main_g(real).status),
        Row("m0's P", m0p_model and m0p_model.id, m0p_real and m0p_real.id,
            "" if exact else "startlockedm gives m0 the P of the M that found the main goroutine runnable: "
            "checked only that m0 holds it (the P's m is m0)",
            allowed=None if exact else (lambda p: p is not None and holder(real, p) == 0)),
        Row("runnext of m0's P", m0p_model and fn_of(model, m0p_model.runnext),
            m0p_real and fn_of(real, m0p_real.runnext),
            "" if exact else "a woken M may already have taken the updater",
            allowed=None if exact else (lambda fn: fn in (None, UPDATER))),
        Row("idle Ps", model.idle_ps, real.idle_ps,
            "" if exact else "an M may still hold a P (running or parking the updater, spinning): checked "
            "that the idle Ps are the Ps no M holds, GOMAXPROCS − #{Ps with an M}, and at most the model's",
            allowed=None if exact else (lambda n: n == procs - sum(p.m is not None for p in real.ps)
                                        and n <= model.idle_ps)),
        Row("sysmon's M", sum(m.role == "sysmon" for m in model.ms), sum(m.role == "sysmon" for m in real.ms)),
        Row("threads (allm)", model.threads, real.threads,
            "" if alone else "one more: an extra M (measured rate in the chapter)", race=extra(model.threads)),
        Row("Ms started spinning (mspinning)", started(model, "runtime.mspinning"),
            started(real, "runtime.mspinning"), "" if alone else "one more: a race started another spinning M",
            race=extra(started(model, "runtime.mspinning"))),
        Row("Ms handoffp started (no mstartfn)", started(model, None), started(real, None),
            "" if alone else "one more: m0 handed its P off again before the first was idle",
            race=extra(started(model, None))),
    ]
    if at == "runtime.main":
        rows.append(Row("schedtick of m0's P", m0p_model and m0p_model.schedtick,
                        m0p_real and m0p_real.schedtick, "G1 came from runnext: inheritTime, no new slice"))
    return rows


def boot_chain_rows(model: bootmodel.Boot, first_hits: list[str]) -> list[tuple[int, str, str | None, bool]]:
    """(position, the model's function, gdb's function at that position, equal) for the first-call order."""
    expected = model.first_calls()
    rows = []
    for i in range(max(len(expected), len(first_hits))):
        want = expected[i] if i < len(expected) else None
        got = first_hits[i] if i < len(first_hits) else None
        rows.append((i + 1, want, got, want == got))
    return rows


# How gdb names a step's caller where it is not the model's ``called_from``: (called_from, function) → gdb's.
GDB_CALLER = {
    ("_rt0_amd64_linux", "_rt0_amd64"): None,  # a JMP, not a call: no return address
    ("_rt0_amd64", "runtime.rt0_go"): None,  # a JMP too
    # schedule → execute → gogo starts the goroutine; newproc1 made its return address point into goexit
    ("runtime.schedule", "runtime.main"): "runtime.goexit",
    ("runtime.main", "runtime.newm"): "runtime.main.func1",  # systemstack(func() { newm(sysmon, ...) })
}
# Callers the chain names that are not steps of their own: proc.go's last init function, which runtime.init's
# task calls after runtime.init (the Read part's init-task table).
NOT_STEPS = ("runtime.init.7",)


def chain_caller_rows(model: bootmodel.Boot, hits, thread: int = 1) -> list[tuple[str, str | None, str | None,
                                                                                   bool]]:
    """(function, the model's ``called_from`` at its first step, gdb's caller at its first stop on ``thread``,
    equal) for each function of ``model.first_calls()``. An ABI0 wrapper's stop comes first and names the
    assembly caller; `GDB_CALLER` translates the few calls gdb sees through another frame. A step missing
    from the model shows up here: the step after it names a caller gdb does not see."""
    first_step = {}
    for step in model.steps:
        first_step.setdefault(step.function, step)
    first_hit = {}
    for hit in hits:
        if hit.thread == thread:
            first_hit.setdefault(hit.function, hit)
    rows = []
    for fn in model.first_calls():
        want = first_step[fn].called_from
        hit = first_hit.get(fn)
        got = hit and (hit.caller_function or hit.caller)
        got = got.removesuffix(".abi0") if got else None
        rows.append((fn, want, got, GDB_CALLER.get((want, fn), want) == got and hit is not None))
    return rows


def unknown_callers(model: bootmodel.Boot) -> list[str]:
    """The ``called_from`` names that are neither a step of the chain nor in `NOT_STEPS`: each is a step the
    model left out."""
    steps = {s.function for s in model.steps}
    return [s.called_from for s in model.steps
            if s.called_from is not None and s.called_from not in steps and s.called_from not in NOT_STEPS]


def callers(hits, function: str, thread: int = 1) -> list[str | None]:
    """Who called ``function`` on ``thread``, once per call: a stop in an ABI0 wrapper and the stop in the body
    right after it are one call, and its caller is the wrapper's caller."""
    result: list[str | None] = []
    previous = None
    for hit in hits:
        if hit.thread != thread:
            continue
        if hit.function == function:
            if previous is not None and previous.function == function and previous.wrapper:
                previous = hit
                continue
            caller = hit.caller_function or hit.caller
            result.append(caller.removesuffix(".abi0") if caller else None)
        previous = hit
    return result


SNAPSHOTS = ("runtime.mstart", "runtime.main", "main.main")


def state_comparison(procs: int, trace=None) -> list[tuple]:
    """Rows ``(GOMAXPROCS, at, quantity, model, gdb, verdict, why)``: the boot model at ``procs`` beside the state
    gdb read at `SNAPSHOTS` (``trace`` from ``gdb_trace(..., snapshot_at=SNAPSHOTS)``). The verdict is ``equal``,
    ``race`` (the measured race, inside its bound), ``model leaves out`` (a difference a simplification of the
    model explains, inside its bound: see `Row.verdict`) or ``differs`` (a failure). Without a trace (no gdb)
    there is nothing to compare: ask for one (`gosim.toolchain.gdb_trace`), or skip."""
    if trace is None:
        raise ValueError("state_comparison needs a gdb trace (gdb_trace(..., snapshot_at=SNAPSHOTS)): without one "
                         "there is nothing to compare the model with")
    model = bootmodel.boot("current", procs)
    rows = []
    for at in SNAPSHOTS:
        real = state_from_gdb(trace.state_at(at))
        for row in boot_state_rows(model.state_at(at), real, at):
            rows.append((procs, at, row.quantity, row.model, row.real, row.verdict, row.why))
    return rows


HELPERS = ("runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge")
HANDOFF = ("runtime.stoplockedm", "runtime.startlockedm")
PREEMPT = ("runtime.sysmon", "runtime.preemptone", "runtime.goschedImpl")
INIT_PINNED = PREEMPT + HELPERS + HANDOFF + ("main.main",)


def _until_main(trace) -> list:
    hits = list(trace.hits)
    end = next((i for i, h in enumerate(hits) if h.function == "main.main"), len(hits) - 1)
    return hits[: end + 1]


def helper_threads(trace) -> list[tuple[str, int, str]]:
    """Rows ``(function, thread, called from)`` for the first stop in each function of `INIT_PINNED` before
    ``main.main`` (a ``gdb_trace`` with breakpoints there): where sysmon runs and preempts (``preemptone`` from
    ``retake``), which OS threads ran the runtime's helper goroutines, where m0 gave its P away
    (``stoplockedm``, thread 1) and another M gave one back (``startlockedm``)."""
    rows, seen = [], set()
    for hit in _until_main(trace):
        if hit.function in seen:
            continue
        seen.add(hit.function)
        rows.append((hit.function, hit.thread, hit.caller_function or hit.caller or ""))
    return rows


def helper_order(trace) -> list[str]:
    """The runtime's helper goroutines in the order they first ran (first stop in each of `HELPERS`)."""
    return [f for f, _, _ in helper_threads(trace) if f in HELPERS]


def pinned_checks(trace) -> list[tuple[str, bool]]:
    """Structural facts of a GOMAXPROCS=1 `INIT_PINNED` trace, each (what, holds): what the lock of init to m0
    and sysmon's preemption imply on every run, whatever the timing."""
    hits = _until_main(trace)
    sysmon = next((h.thread for h in hits if h.function == "runtime.sysmon"), None)
    helpers = {h.thread for h in hits if h.function in HELPERS}
    preempted_on_m0 = [i for i, h in enumerate(hits) if h.function == "runtime.goschedImpl" and h.thread == 1]
    started = {h.thread for h in hits if h.function == "runtime.startlockedm"}
    asked = [i for i, h in enumerate(hits) if h.function == "runtime.preemptone"
             and h.caller_function == "runtime.retake" and h.thread == sysmon]
    return [
        ("main.main runs on thread 1 (m0)", hits[-1].function == "main.main" and hits[-1].thread == 1),
        ("m0 calls stoplockedm at least once", any(h.function == "runtime.stoplockedm" and h.thread == 1
                                                    for h in hits)),
        ("no helper runs on m0 or on sysmon's thread", bool(helpers) and not helpers & {1, sysmon}),
        ("startlockedm runs, and on a helper's thread", bool(started) and started <= helpers),
        # whether sysmon preempts the main goroutine at all races (see the chapter): not asserted, only where
        ("every preemption of the main goroutine on m0 (goschedImpl ← gopreempt_m, if any) follows sysmon's "
         "preemptone ← retake",
         all(any(a < i for a in asked) for i in preempted_on_m0)
         and all(hits[i].caller_function == "runtime.gopreempt_m" for i in preempted_on_m0)),
    ]


@dataclass(frozen=True)
class DumpG:
    """One goroutine of a crash dump (``GOTRACEBACK=system``)."""

    goid: int
    state: str  # running, runnable, or the wait reason
    fn: str  # its start function: the frame above runtime.goexit
    created_by: str | None


def goroutine_dump(text: str) -> list[DumpG]:
    """The goroutines a Go crash dump lists (``goroutine N gp=… [state]:`` blocks), in the order printed."""
    import re

    result = []
    for block in re.split(r"\n(?=goroutine \d+ )", text):
        head = re.match(r"goroutine (\d+) [^\[]*\[([^\]]+)\]:", block)
        if not head:
            continue
        frames = re.findall(r"^(\S+)\(.*\)$", block, re.M)
        fn = frames[frames.index("runtime.goexit") - 1] if "runtime.goexit" in frames[1:] else frames[-1]
        created = re.search(r"^created by (\S+)", block, re.M)
        state = head[2].split(",")[0]
        result.append(DumpG(int(head[1]), state, fn, created and created[1]))
    return result


def runtime_task_rows(model_tasks: tuple[str, ...], linked: list[str]) -> list[tuple[int, str | None, str | None, bool]]:
    """(position, the model's runtime init task, the binary's go:runtime.inittasks entry, equal)."""
    n = max(len(model_tasks), len(linked))
    return [(i + 1, model_tasks[i] if i < len(model_tasks) else None, linked[i] if i < len(linked) else None,
             i < len(model_tasks) and i < len(linked) and model_tasks[i] == linked[i]) for i in range(n)]


# --- threads at main.main against recorded gdb runs --------------------------------------------------------------

THREADS_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "boot" / "threads.json"
HELPER_ORDER = ("runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge")


def recorded_threads(path: Path = THREADS_DATA) -> dict:
    """The gdb runs scripts/record_boot_threads.py recorded (tests/data/boot/threads.json of the source checkout):
    per GOMAXPROCS, each run's ``allm`` at main.main and the first thread of each helper."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the recorded gdb runs ship with the source checkout (run "
                                "scripts/record_boot_threads.py to record them again)")
    return json.loads(path.read_text())


def _first_threads(rows) -> tuple:
    first: dict = {}
    for function, thread, _ in rows:
        first.setdefault(function, thread)
    return tuple(first.get(f) for f in HELPER_ORDER)


def thread_rows(data: dict, procs: tuple[int, ...] = (1, 2, 4)) -> list[tuple]:
    """Rows ``(GOMAXPROCS, quantity, model, gdb, runs, verdict)``: the threads at main.main, the Ms by start
    function, and the thread of each helper (forcegchelper, bgsweep, bgscavenge), the model's value beside the
    recorded runs'.

    At GOMAXPROCS 1 and 2 the race only adds an M, and how often it does depends on the machine's load (the
    chapter gives the rates), so which count is the most common is not a property of the runtime. There the model's
    count is compared with the fewest threads gdb saw (a run the race left alone), every run must show that or
    `RACE_EXTRA_THREADS` more, and the Ms by start function are those of the runs with the fewest threads. At
    GOMAXPROCS=4 a run may also show one fewer (no second spinning M yet), so there the model's values are
    compared with the most common. The helpers' threads are compared with the most common of all runs (the same
    in 20 of 20 at GOMAXPROCS 1 and 2). Verdict ``equal`` or ``differs``; at GOMAXPROCS > 2 the helpers' threads
    are ``model leaves out`` (the chapter's box)."""
    rows = []
    for n in procs:
        runs = data[str(n)]["runs"]
        model = bootmodel.boot("current", n)
        at_main = model.state_at("main.main")
        helpers = model.helper_threads()
        counts = [r["threads"] for r in runs]
        fewest = min(counts)
        bounded = n <= 2  # the race only adds: compare with the runs it left alone
        clean = [r for r in runs if r["threads"] == fewest] if bounded else runs
        spread = ", ".join(f"{v}: {c}" for v, c in sorted(Counter(counts).items()))
        want = at_main.threads
        if bounded:
            ok = want == fewest and set(counts) <= {want, want + RACE_EXTRA_THREADS}
            rows.append((n, "threads at main.main (fewest)", want, fewest, spread, "equal" if ok else "differs"))
        else:
            (common, _), *_ = Counter(counts).most_common()
            rows.append((n, "threads at main.main (most common)", want, common, spread,
                         "equal" if common == want else "differs"))
        for quantity, want, got in (
            ("Ms by mstartfn" + (" (runs with the fewest threads)" if bounded else " (most common)"),
             tuple(m.mstartfn for m in at_main.ms), [tuple(m["mstartfn"] for m in r["ms"]) for r in clean]),
            ("helpers' threads (most common)", tuple(helpers.get(f) for f in HELPER_ORDER),
             [_first_threads(r["helper_threads"]) for r in runs]),
        ):
            (common, k), *_ = Counter(got).most_common()
            verdict = "equal" if common == want else (
                "model leaves out" if n > 2 and quantity.startswith("helpers'") else "differs")
            rows.append((n, quantity, want, common, f"{k} of {len(got)}", verdict))
    return rows
