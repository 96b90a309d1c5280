"""Chapter 5's checks: the scheduler model beside the real runtime's schedtrace, time slices and traces.

Each function takes a model result (`gosim.sched.SchedResult`) and what the real runtime did (parsed by
`gosim.toolchain.schedtrace` / `rtrace`, or the reference values recorded by scripts/record_sched_reference.py)
and returns `Comparison` rows: the quantity, both values, whether they agree within the stated tolerance, and
why the tolerance is what it is. The chapter prints the rows; the fidelity tests assert ``ok``.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from ..sched.model import SchedResult, SchedTraceRow, schedticks_rate


@dataclass(frozen=True)
class Comparison:
    quantity: str
    model: object
    real: object
    ok: bool
    why: str = ""


REFERENCE_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "sched"


def reference(name: str = "reference.json") -> dict:
    """The real runtime's values recorded by scripts/record_sched_reference.py (medians over several runs on this
    machine), from tests/data/sched/ of the source checkout."""
    path = REFERENCE_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the recorded reference values ship with the source checkout "
                                "(run scripts/record_sched_reference.py to record them again)")
    return json.loads(path.read_text())


def rows_from_real(lines) -> list[SchedTraceRow]:
    """Parsed SCHED lines (`gosim.toolchain.schedtrace.SchedLine` or the recorded dicts) as the model's rows."""
    out = []
    for r in lines:
        d = r if isinstance(r, dict) else r.__dict__
        out.append(SchedTraceRow(d["ms"], d["gomaxprocs"], d["idleprocs"], d["threads"], d["spinningthreads"],
                                 d["needspinning"], d["idlethreads"], d["runqueue"], tuple(d["runq"]),
                                 tuple(d["schedticks"])))
    return out


def within(model: float, real: float, tolerance: float) -> bool:
    return bool(abs(model - real) <= tolerance * abs(real))


def timeslice_check(model: SchedResult, real_p50_ms: float, tolerance: float = 0.10,
                    skip_ns: int = 100_000_000) -> Comparison:
    """The median time slice of preempted CPU-bound goroutines, model vs real (default: within 10 %). The model's
    first 100 ms are left out: sysmon's sleep is still backing off from 20 us to 10 ms."""
    slices = model.timeslices(skip_ns=skip_ns)
    p50 = float(statistics.median(slices)) / 1e6 if len(slices) else float("nan")
    return Comparison("time slice p50 (ms)", round(p50, 3), round(real_p50_ms, 3), within(p50, real_p50_ms, tolerance),
                      "2 sysmon periods of 10 ms + timer slack: one to see the new schedtick, one to preempt")


def schedticks_rate_check(model: SchedResult, real_rate: float, tolerance: float = 0.10) -> Comparison:
    """schedtick increments per P per 100 ms under CPU-bound load (real: ~5, i.e. 20 ms slices)."""
    rates = [x for row in schedticks_rate([r for r in model.schedtrace if r.ms >= 100]) for x in row]
    m = float(statistics.median(rates)) if rates else float("nan")
    return Comparison("schedticks per P per 100 ms", round(m, 2), round(real_rate, 2), within(m, real_rate, tolerance),
                      "one new time slice per preemption")


@dataclass(frozen=True)
class QueueStep:
    """Between two SCHED rows at GOMAXPROCS=1: ``drain`` (preempted Gs move from the local queue to the global
    queue's tail) or ``refill`` (the local queue ran dry and a global batch refilled it)."""

    ms: int
    kind: str
    moved: int


def global_queue_steps(rows, goroutines: int) -> list[QueueStep]:
    """Classify each step between consecutive rows (after the first) of a GOMAXPROCS=1 CPU-bound run."""
    steps = []
    for a, b in zip(rows[1:], rows[2:]):
        if len(a.runq) != 1 or len(b.runq) != 1:
            continue
        dg, dl = b.runqueue - a.runqueue, b.runq[0] - a.runq[0]
        if dg > 0 and dl == -dg:
            steps.append(QueueStep(b.ms, "drain", dg))
        elif dg < 0 and dl > 0:
            steps.append(QueueStep(b.ms, "refill", dl))
        else:
            steps.append(QueueStep(b.ms, "other", dg))
    return steps


def global_queue_checks(model_rows, real_rows, goroutines: int) -> list[Comparison]:
    """At GOMAXPROCS=1 with ``goroutines`` CPU-bound goroutines: every G but the running one is queued
    (global + local = N - 1), the local queue drains into the global one at the same rate as in the real run,
    and a batch from the global queue refills it (``globrunqgetbatch``)."""
    out = []
    for name, rows in (("model", model_rows), ("real", real_rows)):
        queued = [r.runqueue + r.runq[0] for r in rows[1:] if len(r.runq) == 1]
        out.append(Comparison(f"{name}: global + local = N-1 in every row", queued, goroutines - 1,
                              all(q == goroutines - 1 for q in queued),
                              "one goroutine runs, main sleeps, the rest wait in a queue"))
    ms, rs = global_queue_steps(model_rows, goroutines), global_queue_steps(real_rows, goroutines)
    md = [s.moved for s in ms if s.kind == "drain"]
    rd = [s.moved for s in rs if s.kind == "drain"]
    out.append(Comparison("preempted Gs moved local → global per 100 ms (median)", statistics.median(md) if md else None,
                          statistics.median(rd) if rd else None,
                          bool(md and rd) and abs(statistics.median(md) - statistics.median(rd)) <= 1,
                          "goschedImpl puts a preempted G at the global queue's tail"))
    out.append(Comparison("every step is a drain or a refill", [s.kind for s in ms], [s.kind for s in rs],
                          all(s.kind != "other" for s in ms) and all(s.kind != "other" for s in rs)))
    m_refill = any(s.kind == "refill" for s in ms)
    r_refill = any(s.kind == "refill" for s in rs)
    drain = statistics.median(rd) if rd else 0
    r_due = bool(real_rows) and len(real_rows[-1].runq) == 1 and real_rows[-1].runq[0] <= drain
    out.append(Comparison("a refill happens", m_refill, r_refill, m_refill and (r_refill or r_due),
                          "the local queue runs dry after N-1 slices; globrunqgetbatch moves the global queue back "
                          "(a real run that ends just before it has an almost empty local queue)"))
    return out


def queue_sequence(rows) -> list[tuple[int, int]]:
    """(global, local) queue lengths of each row after the first, at GOMAXPROCS=1."""
    return [(r.runqueue, r.runq[0]) for r in rows[1:] if len(r.runq) == 1]


def same_queue_sequence(model_rows, real_rows) -> Comparison:
    """The model prints the same (global, local) sequence as the real run over their common rows."""
    m, r = queue_sequence(model_rows), queue_sequence(real_rows)
    k = min(len(m), len(r))
    return Comparison("SCHED runqueue [local] sequence", m[:k], r[:k], k > 0 and m[:k] == r[:k],
                      "the real first slices vary with sysmon's back-off, which can shift the phase by one slice")


def fairness_check(model: SchedResult, real_fairness: list[float]) -> Comparison:
    """min/max CPU per goroutine over the run, beside the median of the recorded runs (``real_fairness``: one
    value per run). A 500 ms run at GOMAXPROCS=1 with 20 goroutines is ~25 slices, so each goroutine gets one or
    two: the model, whose slices have no spread, gives exactly 1/2; the real runs, whose slices vary, give less
    (0.29-0.49 recorded here). Tolerance: the range (max - min) of the recorded runs."""
    m = model.fairness()
    real = statistics.median(real_fairness)
    tol = max(real_fairness) - min(real_fairness)
    return Comparison("fairness (min/max work)", round(m, 2), round(real, 2), abs(m - real) <= tol,
                      f"tolerance {tol:.2f}: the range of the {len(real_fairness)} recorded runs")


def starvation_check(model: SchedResult, real_exited: bool, real_rows) -> list[Comparison]:
    """asyncpreemptoff + call-free loops: main never runs again, in both; schedticks freeze."""
    frozen_real = len(real_rows) >= 3 and real_rows[-1].schedticks == real_rows[-2].schedticks
    rows = [r for r in model.schedtrace if r.ms >= 200]
    frozen_model = len(rows) >= 2 and rows[-1].schedticks == rows[-2].schedticks
    return [
        Comparison("main returns", model.exited, real_exited, model.exited == real_exited,
                   "the loops never reach a preemption point; the sleeping main is never scheduled again"),
        Comparison("schedticks frozen", frozen_model, frozen_real, frozen_model == frozen_real),
    ]


def gantt_pair(model: SchedResult, real_timeline) -> tuple[dict, dict]:
    """The model's and the real trace's per-P timelines, same shape: {p: [(start, end, goid, why)]}."""
    return model.gantt(), real_timeline.gantt()


def goroutine_base(closure_asm: list[str], ptr_size: int = 8) -> int:
    """Bytes of a goroutine's stack in use when its function calls its first callee, from the binary and proc.go's
    rules (amd64): `newproc1` leaves ``totalSize`` = 4 words + ``sys.MinFrameSize`` (0 on amd64) free at the top,
    `gostartcall` pushes goexit's PC as a return address (one word), and the function's prologue pushes BP and
    subtracts its frame (``SUBQ $n, SP``, read from ``closure_asm``, the objdumped instructions)."""
    if "PUSHQ BP" not in closure_asm:
        raise ValueError(f"no PUSHQ BP in {closure_asm[:6]}: not the frame layout this assumes")
    subq = next(a for a in closure_asm if a.startswith("SUBQ $") and a.endswith(", SP"))
    frame = int(subq.split("$")[1].split(",")[0], 16)
    return 4 * ptr_size + ptr_size + ptr_size + frame


def stack_growth_check(level: int, real_moves: list[tuple[int, int]], depth: int, base: int) -> Comparison:
    """The depths at which a recursion with ``level`` bytes per call moves its stack, model vs real
    (``gosim/programs/schedstack``). ``base``: the bytes in use before the first call, derived from the binary
    (`goroutine_base`), not fitted: with it, the guard (`stackGuard`) and the prologue's rule alone decide."""
    from ..sched import stack

    run = stack.recursion(depth, level - stack.PtrSize, base)
    model = [g.depth for g in run.growths]
    real = [d for d, _ in real_moves]
    sizes = [(g.old, g.new) for g in run.growths]
    return Comparison("stack moves at depth", model, real, model == real,
                      f"sizes {sizes}; base {base} bytes (from the binary), stackGuard {stack.stackGuard}")


def trace_counts(intervals) -> dict[str, int]:
    """How many running intervals ended each way (block, syscall, preempted, exit) - model or real trace."""
    out: dict[str, int] = {}
    for iv in intervals:
        out[iv[4]] = out.get(iv[4], 0) + 1
    return out


@dataclass(frozen=True)
class SysmonLoop:
    """sysmon's sleep rule, read from the installed proc.go (not from the model): start at ``start_us``, double
    every round once more than ``idle_rounds`` rounds in a row retook nothing, never above ``max_us``."""

    start_us: int
    idle_rounds: int
    max_us: int
    force_preempt_ns: int


def sysmon_loop(source_text: str) -> SysmonLoop:
    """The constants of sysmon's loop and `forcePreemptNS`, parsed from proc.go's text."""
    import re

    def one(pattern: str) -> str:
        found = re.search(pattern, source_text)
        if not found:
            raise ValueError(f"{pattern!r} not found in proc.go: sysmon's loop has changed")
        return found[1]

    def product(text: str) -> int:  # "10 * 1000 * 1000"
        out = 1
        for factor in text.split("*"):
            out *= int(factor)
        return out

    start = int(one(r"if idle == 0 \{[^\n]*\n\s*delay = (\d+)"))
    rounds = int(one(r"\} else if idle > (\d+) \{"))
    cap = product(one(r"if delay > ([\d*\s]+) \{"))
    force = product(one(r"const forcePreemptNS = ([\d*\s]+?)\s*//"))
    return SysmonLoop(start, rounds, cap, force)


def sleep_ns(sleeps, us: int) -> int:
    """How long ``usleep(us)`` lasts: ``sleeps`` is a timer slack in ns (every sleep overshoots by it) or the
    measured lengths {requested us: ns} (recorded by `gosim.toolchain.schedtrace.measure_sleeps`)."""
    if isinstance(sleeps, dict):
        return int(sleeps.get(us, sleeps.get(str(us))))
    return us * 1000 + int(sleeps)


def sysmon_wakeups_after_reset(loop: SysmonLoop, sleeps, horizon_ns: int) -> list[int]:
    """When sysmon wakes (ns after a reset to its shortest sleep, e.g. a syscall retake), if nothing resets it
    again: sleep ``delay`` us (lasting what `sleep_ns` says), ``idle`` counting the rounds, as in the loop."""
    t, idle, delay, out = 0, 0, 0, []
    while t < horizon_ns:
        if idle == 0:
            delay = loop.start_us
        elif idle > loop.idle_rounds:
            delay *= 2
        delay = min(delay, loop.max_us)
        t += sleep_ns(sleeps, delay)
        out.append(t)
        idle += 1
    return out


def first_slice_after_reset(loop: SysmonLoop, sleeps, start_ns: int = 0) -> int:
    """The slice (ns) of a CPU-bound goroutine that starts ``start_ns`` after sysmon's sleep was reset: the first
    wake-up after it starts notes its new schedtick, the first one `forcePreemptNS` after that preempts it.
    ``sleeps``: a timer slack in ns or the measured sleep lengths (see `sleep_ns`)."""
    wakes = sysmon_wakeups_after_reset(loop, sleeps, start_ns + 3 * loop.force_preempt_ns)
    seen = next(w for w in wakes if w > start_ns)
    return next(w for w in wakes if w >= seen + loop.force_preempt_ns) - start_ns


# --- measured sleeps, and the slices they make ------------------------------------------------------------------


def recorded_sleeps(ref: dict) -> dict[int, int]:
    """The length of each usleep(us) sysmon makes, as recorded (``ref["slices"]["runs"][i]["sleeps"]``): the
    median over the recorded runs, {us: ns}."""
    runs = ref["slices"]["runs"]
    keys = runs[0]["sleeps"]
    return {int(k): int(statistics.median(r["sleeps"][k] for r in runs)) for k in keys}


def spread(values) -> float:
    """The interquartile range of ``values`` (the measured spread a tolerance is taken from)."""
    q = statistics.quantiles(sorted(values), n=4)
    return float(q[2] - q[0])


def slice_quantiles(slices) -> tuple[float, float, float]:
    """p10, p50, p90 of some slices."""
    q = statistics.quantiles(sorted(slices), n=10)
    return float(q[0]), float(statistics.median(slices)), float(q[-1])


def recorded_slices_check(model_slices_ms, ref: dict, key: str, which: int) -> Comparison:
    """One quantile (``which``: 0 p10, 1 p50, 2 p90) of the model's slices beside the same quantile of the recorded
    runs' slices (``key``: "plain" timeslice -g 2, or "sys" with the nanosleep goroutine), all runs pooled. The
    tolerance is the measured spread: the interquartile range of that quantile over the recorded runs."""
    runs = ref["slices"]["runs"]
    per_run = [slice_quantiles(r[key])[which] for r in runs]
    real = slice_quantiles([s for r in runs for s in r[key]])[which]
    model = slice_quantiles(model_slices_ms)[which]
    tol = spread(per_run)
    name = ("p10", "p50", "p90")[which]
    return Comparison(f"{key} slices {name} (ms)", round(model, 2), round(real, 2), abs(model - real) <= tol,
                      f"tolerance {tol:.2f} ms: the interquartile range of the {len(runs)} recorded runs' {name}")


# --- the 61st tick and runnext: gosim/programs/schedpair ---------------------------------------------------------


def steady(values) -> list[int]:
    """W's counter differences after its first two runs (the first ones include the start-up)."""
    return list(values)[2:]


def pair_checks(model_ring, real_ring, model_runnext, real_runnext, waiting: int = 1) -> list[Comparison]:
    """schedpair at GOMAXPROCS=1 with ``waiting`` goroutines W in the global queue. Through the ring every hand-off
    is a new schedtick, so findRunnable's ``schedtick % 61`` check takes one W every 61 ticks: each W sees
    ``61 * waiting - 1`` pair runs between its own runs, always (a count, not a time). Through runnext the partner
    inherits the slice: the tick does not move, and W waits for sysmon to preempt the pair: many more runs."""
    want = 61 * waiting - 1

    def med(values) -> float:
        return float(statistics.median(steady(values))) if steady(values) else 0.0

    ms, rs = steady(model_ring), steady(real_ring)
    out = [Comparison("via the ring: pair runs between two runs of W", sorted(set(ms)), sorted(set(rs)),
                      bool(ms) and bool(rs) and set(ms) == set(rs) == {want},
                      f"61 ticks per W run, one of them W's own, times {waiting} W"),
           Comparison("via runnext: median pair runs between two runs of W", med(model_runnext), med(real_runnext),
                      med(model_runnext) > 10 * want and med(real_runnext) > 10 * want,
                      "the partner inherits the time slice: no tick, so W waits for sysmon to preempt the pair "
                      "(or for a tick that happens to stop on a multiple of 61: then the check fires within the "
                      "chain, a rare short gap, hence the median)")]
    return out


# --- system calls, end to end: gosim/programs/schedsys (tests/data/sched/syscalls.json) ---------------------------


def syscall_reference() -> dict:
    """The real runs recorded by scripts/record_syscalls.py (tests/data/sched/syscalls.json)."""
    return reference("syscalls.json")


def nanosleep_overshoot(sleeps: dict) -> int:
    """How much longer than asked a nanosleep(2) of 160 µs or more lasts here: the median over the recorded
    lengths (``sleeps``: {µs: ns}, `recorded_sleeps`). The syscall workload's sleeps get it on top."""
    return int(statistics.median(ns - us * 1000 for us, ns in sleeps.items() if int(us) >= 160))


def syscall_costs(ref: dict, sleeps: dict):
    """The model's `Costs` for the syscall workload, all measured: sysmon's ``usleep(20)`` lasts the median over
    the recorded runs of what a 20 µs nanosleep lasted on average while that run went on (its child probe: the
    mean, because sysmon's rate is what counts), the other sleeps as recorded (``sleeps``), and each
    nanosleep(2) of the workload overshoots by `nanosleep_overshoot`."""
    from ..sched import Costs

    table = dict(sleeps)
    table[20] = int(statistics.median(r["probe_mean_ns"] for r in ref["syscall"]))
    return Costs.measured(table, timerslack=nanosleep_overshoot(sleeps))


def exit_paths(model: SchedResult) -> dict[str, int]:
    """How the model's system calls ended, in `gosim.toolchain.syscalls.exit_paths`'s terms: ``fast`` (the M kept
    its P), ``got_p`` (exitsyscallTryGetP found the old P or an idle one), ``no_p`` (exitsyscallNoP: the global
    queue); ``retakes``: Ps sysmon took from a thread in a system call."""
    ends = {(goid, end): lost for goid, _, _, end, lost in model.syscalls}
    starts = {(goid, start) for _, goid, start, _, _ in model.intervals}  # a G back at once: same instant
    fast = sum(1 for lost in ends.values() if not lost)
    got = sum(1 for key, lost in ends.items() if lost and key in starts)
    return {"syscalls": len(model.syscalls), "fast": fast, "got_p": got, "no_p": len(ends) - fast - got,
            "retakes": sum(1 for h in model.handoffs if h[2] == "retake")}


def _median_check(name: str, model: float, values: list, why: str, digits: int = 3) -> Comparison:
    """``model`` within the interquartile range of ``values`` (`spread`) of their median: the machine is shared,
    and one run in a busy moment can be far off, so not the range."""
    real = statistics.median(values)
    tol = spread(values)
    return Comparison(name, round(model, digits), round(real, digits), abs(model - real) <= tol,
                      f"{why}; tolerance {tol:.{digits}g}: the interquartile range of the {len(values)} real runs")


def syscall_checks(model: SchedResult, ref: dict) -> list[Comparison]:
    """The syscall workload (20 goroutines, ~50 µs of work then a ~500 µs nanosleep(2), GOMAXPROCS=2, 400 ms)
    beside the median real run of ``schedsys -w syscall``, each within the interquartile range of the recorded
    runs (`spread`): the system calls done, the threads, schedticks per P per 100 ms (untraced runs), and the
    share of system calls that ended each way and that sysmon retook a P for (traced runs)."""
    runs, traced = ref["syscall"], ref["traced"]
    rates = [x for row in schedticks_rate([r for r in model.schedtrace if r.ms >= 100]) for x in row]
    paths = exit_paths(model)
    n = max(paths["syscalls"], 1)
    out = [
        _median_check("system calls done", len(model.syscalls), [r["syscalls"] for r in runs],
                      "each goroutine waits for a P after its system call", 4),
        _median_check("threads (Ms)", model.threads, [r["threads"] for r in runs],
                      "one M per goroutine in a system call, plus those running Ps, plus sysmon", 2),
        _median_check("schedticks per P per 100 ms", float(statistics.median(rates)),
                      [r["schedticks_per_100ms"] for r in runs],
                      "a new tick when an M runs a G it found (after a retake, or from the global queue)", 3),
    ]
    for key, why in (("fast", "the M still held the P: nobody took it"),
                     ("got_p", "exitsyscallTryGetP took the old P back from the thread now in a syscall on "
                               "it, or an idle P"),
                     ("no_p", "exitsyscallNoP: to the global queue, the M parks"),
                     ("retakes", "sysmon took the P (two sightings of the same syscalltick)")):
        out.append(_median_check(f"share of system calls: {key}", paths[key] / n,
                                 [t[key] / t["syscalls"] for t in traced], why, 2))
    return out


def blocked_threads_checks(model_threads: dict, ref: dict, key: str = "block") -> list[Comparison]:
    """Threads while N goroutines sit in a blocking system call (``schedsys -w block``, GOMAXPROCS=2): the model's
    count (``model_threads``: {N: threads}) equal to the most common real count of the recorded runs; ``key``:
    "block" when main has woken at the end (100 ms), "block_mid" when it woke halfway (50 ms)."""
    out = []
    when = "at the end" if key == "block" else "halfway"
    for g, counts in sorted(ref[key].items(), key=lambda kv: int(kv[0])):
        common = statistics.mode(counts)
        share = counts.count(common) / len(counts)
        out.append(Comparison(f"threads, {g} goroutines blocked, {when}", model_threads[int(g)], common,
                              model_threads[int(g)] == common,
                              f"{share:.0%} of {len(counts)} real runs had {common}"))
    return out


def thread_limit_checks(model_died: dict, ref: dict) -> list[Comparison]:
    """``debug.SetMaxThreads(K)`` and N goroutines blocked: does the process die of "thread exhaustion"? The
    model (``model_died``: {N: bool}) beside every recorded run."""
    out = []
    for g, runs in sorted(ref["limit"]["runs"].items(), key=lambda kv: int(kv[0])):
        real = {r["exhausted"] for r in runs}
        out.append(Comparison(f"dies with {g} goroutines blocked, limit {ref['limit']['maxthreads']}",
                              model_died[int(g)], sorted(real), real == {model_died[int(g)]},
                              "checkmcount: more Ms than sched.maxmcount kills the process"))
    return out


# --- the netpoller: gosim/programs/schedsys -w net (tests/data/sched/netpoll.json) ----------------------------------


def state_counts(runs: list, state: str) -> tuple[int, int, int]:
    """Goroutines in ``state`` over the recorded runs of ``schedsys -w net`` (each with its ``states``): (most
    common, fewest, most)."""
    counts = [r["states"].get(state, 0) for r in runs]
    return statistics.mode(counts), min(counts), max(counts)


def mode_range(runs: list, state: str) -> str:
    """`state_counts` as the chapter's table shows it: "mode (min–max)"."""
    common, lo, hi = state_counts(runs, state)
    return f"{common} ({lo}–{hi})"


def netpoll_waits(us: int) -> tuple[int, int]:
    """A ``time.Sleep(us)`` in an otherwise idle process, as the M blocked in ``netpoll`` waits it: (waits, whole
    ms waited), each wait ``EpollWait``'s whole milliseconds (`gosim.sched.proc.netpollWaitNS`), the M waiting
    again while the timer is not due. The first delay is a little under ``us``: ``findRunnable`` takes ``now``
    after the timer was set (``timers.check``, proc.go:3430) and waits ``pollUntil - now`` (proc.go:3760), so
    a sleep of whole milliseconds waits one less, then 1 ms more (2 ms: 1 + 1). The lateness of each wait (the
    kernel's timer slack and the wake-up) is left out: for the lengths the chapter runs it does not change the
    count."""
    from ..sched.proc import netpollWaitNS

    left, waits, waited = us * 1000 - 1, 0, 0
    while left > 0:
        w = netpollWaitNS(left)
        waits, waited, left = waits + 1, waited + w, left - w
    return waits, waited


def timer_slack_us(grain: dict) -> dict:
    """The poller's lateness per wait (the kernel's timer slack, the wake-up), in µs, from ``schedsleep -timer``'s
    medians (``grain``: {µs asked: ns it lasted}): what a sleep lasted beyond its whole milliseconds of
    ``EpollWait``, per wait."""
    out = {}
    for us, ns in grain.items():
        waits, waited = netpoll_waits(int(us))
        out[int(us)] = (ns - waited) / waits / 1e3
    return out


def sleepgrain_reference() -> dict:
    """tests/data/sched/sleepgrain.json (scripts/record_syscalls.py --only sleepgrain): runs of ``schedsleep
    -timer`` at GOMAXPROCS=2, each {µs asked: [median, p10, p90] ns of its 40 calls}."""
    return reference("sleepgrain.json")


HELD_OUT_US = (1300,)  # the sleep `held_out_sleep_check` predicts: kept out of the slack's calibration


def poller_slack_us(run: dict, held_out: tuple = HELD_OUT_US) -> float:
    """One run's slack per wait of the poller, µs: the median of `timer_slack_us` over its lengths except
    ``held_out`` (the 1300 µs sleep, which `held_out_sleep_check` predicts: 50, 300 and 2000 µs here)."""
    return statistics.median(v for us, v in timer_slack_us({us: v[0] for us, v in run.items()}).items()
                             if us not in held_out)


def poller_slack_check(model_sleeps: dict, ref: dict) -> Comparison:
    """The model's slack per wait of the poller beside the recorded runs' (`poller_slack_us`, within their range).
    The model's comes from its sleeps under 1 ms (``model_sleeps``: {µs: [ns, ...]}, one wait each, in the model
    as in the runtime): the median beyond the 1 ms it waits."""
    from ..sched.proc import netpollWaitNS

    real = [poller_slack_us(r) for r in ref["runs"]]
    model = statistics.median(statistics.median(v) - netpollWaitNS(us * 1000)
                              for us, v in model_sleeps.items() if us < 1000) / 1e3
    return Comparison("the poller's lateness per wait (µs)", round(model, 1),
                      f"{min(real):.0f}–{max(real):.0f}", min(real) <= model <= max(real),
                      f"the range of {len(real)} recorded runs of schedsleep -timer (median "
                      f"{statistics.median(real):.1f}, from the 50, 300 and 2000 µs sleeps); the kernel's timer slack for an ordinary thread is 50 µs, "
                      "the rest its wake-up")


def held_out_sleep_check(model_sleeps: dict, ref: dict, us: int = 1300) -> Comparison:
    """A length the slack was not measured from, beside the recorded runs: ``time.Sleep(us)`` (1300 µs: two waits
    of the poller in the runtime, `netpoll_waits`, and in the model), the model's median within the range of the
    runs' medians. `poller_slack_check` calibrates the slack on the same runs' other lengths (50, 300 and
    2000 µs; `HELD_OUT_US` keeps this one out); this row tests what the calibrated model predicts for a sleep
    of two waits: without the slack (about 2.00 ms) or with it on one wait only (2.09 ms) it falls below every
    run."""
    real = [r[str(us)][0] / 1e6 for r in ref["runs"]]
    model = statistics.median(model_sleeps[us]) / 1e6
    return Comparison(f"time.Sleep({us} µs), two waits of the poller (ms)", round(model, 3),
                      f"{min(real):.3f}–{max(real):.3f}", min(real) <= model <= max(real),
                      f"the range of the medians of {len(real)} recorded runs of schedsleep -timer")


def netpoll_checks(model_states: dict, model_threads: dict, ref: dict) -> list[Comparison]:
    """``schedsys -w net -c C`` (a loopback server and C clients, GOMAXPROCS=2) halfway through: goroutines in "IO wait"
    and in "sleep", and the threads, each within the recorded runs' range. The states race too: main's 200 ms
    timer fires in the same whole millisecond of ``EpollWait`` as some clients' (netpoll_epoll.go's ``waitms``),
    and how many of those have run by the time main looks varies from run to run. ``model_states``:
    {C: {state: n}}, ``model_threads``: {C: threads}."""
    out = []
    for c, runs in sorted(ref["runs"].items(), key=lambda kv: int(kv[0])):
        for state in ("IO wait", "sleep"):
            counts = [r["states"].get(state, 0) for r in runs]
            common, lo, hi = state_counts(runs, state)
            model = model_states[int(c)].get(state, 0)
            out.append(Comparison(f"{c} connections: goroutines in {state}", model, f"{lo}–{hi}",
                                  lo <= model <= hi,
                                  f"the {len(counts)} real runs' range; {counts.count(common)} had {common} "
                                  f"({sorted(counts)})"))
        threads = [r["threads"] for r in runs]
        m = model_threads[int(c)]
        out.append(Comparison(f"{c} connections: threads", m, f"{min(threads)}–{max(threads)}",
                              min(threads) <= m <= max(threads),
                              "a goroutine in IO wait holds no thread; the real count races "
                              f"({sorted(threads)})"))
    return out
