"""A real execution trace (``runtime/trace``) as per-P intervals: the same timeline the scheduler model draws.

``go tool trace -d=parsed FILE`` (this toolchain's text dump; ``go tool trace -h`` lists the modes ``wire``,
``parsed``, ``footprint``) prints one event per line, e.g.::

    M=15328 P=1 G=-1 StateTransition Time=1093066789952 GoID=25 Runnable->Running Reason=""
    M=15328 P=1 G=25 StateTransition Time=1093082350400 GoID=25 Running->Runnable Reason="preempted"
    M=15331 P=-1 G=-1 StateTransition Time=1093066764416 ProcID=0 Idle->Running Reason=""

A goroutine runs on the P named on the line where it becomes ``Running`` until its next transition out of
``Running``; that transition says why (``Runnable`` + "preempted", ``Waiting`` = blocked, ``Syscall``,
``NotExist`` = exited). Stack lines (indented) and other event kinds are skipped. Times are nanoseconds,
made relative to the first event.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .go import Toolchain

_EVENT = re.compile(r"^M=(?P<m>-?\d+) P=(?P<p>-?\d+) G=(?P<g>-?\d+) StateTransition Time=(?P<t>\d+) "
                    r"(?P<what>GoID|ProcID)=(?P<id>\d+) (?P<src>\w+)->(?P<dst>\w+) Reason=\"(?P<reason>[^\"]*)\"")
# Any event's line: the M, the goroutine it was running (G), and the time (absent on a line of no known kind).
_HEAD = re.compile(r"^M=(?P<m>-?\d+) P=-?\d+ G=(?P<g>-?\d+) (?:\w+ Time=(?P<t>\d+))?")


@dataclass(frozen=True)
class Transition:
    t: int
    m: int
    p: int
    kind: str  # "G" or "P"
    id: int
    src: str
    dst: str
    reason: str
    g: int = -1  # the goroutine running on the M when it wrote the event (-1: none, the M was on g0)


@dataclass(frozen=True)
class TraceTimeline:
    """Per-P running intervals (p, goid, start, end, why), syscalls (goid, p, start, end) and P state changes."""

    intervals: tuple
    syscalls: tuple
    procs: tuple  # (t, p, src, dst)
    end_ns: int

    def gantt(self) -> dict[int, list[tuple[int, int, int, str]]]:
        """Per P: (start, end, goid, why) - the model's `SchedResult.gantt` shape."""
        out: dict[int, list] = {}
        for p, goid, start, end, why in self.intervals:
            out.setdefault(p, []).append((start, end, goid, why))
        return {p: sorted(rows) for p, rows in sorted(out.items())}

    def timeslices(self, why: str = "preempted") -> list[int]:
        return [end - start for _, _, start, end, w in self.intervals if w == why]


def parse_transitions(text: str, *, running_ms: set[int] | None = None) -> tuple[list[Transition], int]:
    """The StateTransition events of a ``-d=parsed`` dump, with times relative to the first event.

    ``running_ms``, if given, is filled with the Ms that wrote an event of any kind (a ``Metric``, a ``Label``,
    not only a StateTransition) while running a goroutine (``G >= 0`` on the line): every M but sysmon's, which
    never runs one (`gosim.toolchain.syscalls.exit_paths` tells sysmon's retakes apart by it)."""
    t0 = None
    out = []
    for line in text.splitlines():
        if not line.startswith("M="):
            continue
        head = _HEAD.match(line)
        if head and running_ms is not None and int(head["g"]) >= 0:
            running_ms.add(int(head["m"]))
        if head and head["t"] and t0 is None:
            t0 = int(head["t"])
        m = _EVENT.match(line)
        if m:
            out.append(Transition(int(m["t"]) - t0, int(m["m"]), int(m["p"]), "G" if m["what"] == "GoID" else "P",
                                  int(m["id"]), m["src"], m["dst"], m["reason"], int(m["g"])))
    end = max((t.t for t in out), default=0)
    return out, end


def timeline(text: str) -> TraceTimeline:
    """Per-P intervals from a ``go tool trace -d=parsed`` dump."""
    events, end = parse_transitions(text)
    running: dict[int, tuple[int, int]] = {}  # goid -> (p, start)
    insys: dict[int, tuple[int, int]] = {}
    intervals, syscalls, procs = [], [], []
    for ev in events:
        if ev.kind == "P":
            procs.append((ev.t, ev.id, ev.src, ev.dst))
            continue
        if ev.dst == "Running":
            if ev.src == "Syscall" and ev.id in insys:
                p0, s0 = insys.pop(ev.id)
                syscalls.append((ev.id, p0, s0, ev.t))
            running[ev.id] = (ev.p, ev.t)
        elif ev.src == "Running" and ev.id in running:
            p, start = running.pop(ev.id)
            why = {"Runnable": "preempted" if ev.reason == "preempted" else "gosched", "Waiting": "block",
                   "Syscall": "syscall", "NotExist": "exit"}.get(ev.dst, ev.dst.lower())
            intervals.append((p, ev.id, start, ev.t, why))
            if ev.dst == "Syscall":
                insys[ev.id] = (p, ev.t)
    for goid, (p, start) in running.items():
        intervals.append((p, goid, start, end, "end"))
    return TraceTimeline(tuple(intervals), tuple(syscalls), tuple(procs), end)


# --- the network poller in a trace (chapter 5, "The execution trace beside the model") ---------------------------

NET_REASON = "network"  # the Reason of a Running->Waiting parked in netpollblock (traceBlockNet's string)

# Who made a goroutine that waited on the network runnable again, told apart by the M, P and G on the line:
WAKE_SOURCES = {
    "m_with_p": "an M holding a P, between goroutines (findRunnable's netpoll(0), or the poller once it took "
                "an idle P)",
    "m_without_p": "an M with no P (findRunnable's blocking netpoll found no idle P: injectglist)",
    "sysmon": "sysmon (its M never runs a goroutine)",
    "goroutine": "a running goroutine (pollWork in a GC worker, startTheWorld, a close)",
}


# What an M holding a P did just before a batch of network wake-ups (`net_summary`'s ``m_with_p_after``):
AFTER = {
    "g_stopped": "its goroutine had just parked, yielded or exited: schedule → findRunnable's netpoll(0)",
    "p_started": "it had just started a P (ProcStart): the poller back from netpoll(delay) with an idle P, or "
                 "an M startm woke, polling before anything else",
    "other": "anything else (e.g. it ran timers first: findRunnable's netpoll(0) after checkTimers)",
}


def netpoll_batches(events: list[Transition], ran_g: set[int]) -> dict:
    """Group the network wake-ups (Waiting->Runnable of a goroutine parked with Reason "network") into polls:
    those one M wrote one after another, with no other event of that M in between, are one ``netpoll``'s list
    (findRunnable's, the poller's, sysmon's: each makes its whole list runnable at once, proc.go's
    ``injectglist``). ``events`` sorted by time; ``ran_g``: the Ms that ran a goroutine (not sysmon)."""
    waiting: set[int] = set()
    last: dict[int, Transition] = {}  # M -> its previous event
    open_: dict[int, list] = {}  # M -> [size, after] of the batch it is writing
    sizes: dict[int, int] = {}
    after = dict.fromkeys(AFTER, 0)
    timed: list[tuple[int, int]] = []  # (t since the trace began, size) of each batch, by its first wake-up
    start = events[0].t if events else 0

    def close(m: int) -> None:
        size, how, t = open_.pop(m)
        sizes[size] = sizes.get(size, 0) + 1
        timed.append((t - start, size))
        if how is not None:
            after[how] += size

    for e in events:
        if e.kind == "G" and e.src == "Running" and e.dst == "Waiting" and e.reason == NET_REASON:
            waiting.add(e.id)
        net_wake = e.kind == "G" and e.src == "Waiting" and e.id in waiting
        if e.m >= 0 and e.m in open_ and not net_wake:
            close(e.m)
        if net_wake:
            waiting.discard(e.id)
            if e.m < 0:  # no M on the line: a batch of its own
                sizes[1] = sizes.get(1, 0) + 1
                timed.append((e.t - start, 1))
                continue
            if e.m not in open_:
                prev = last.get(e.m)
                how = None
                if e.g < 0 and e.p >= 0 and e.m in ran_g:  # an M with a P (WAKE_SOURCES "m_with_p")
                    how = ("p_started" if prev is not None and prev.kind == "P" and prev.dst == "Running"
                           else "g_stopped" if prev is not None and prev.kind == "G" and prev.src == "Running"
                           else "other")
                open_[e.m] = [0, how, e.t]
            open_[e.m][0] += 1
        if e.m >= 0:
            last[e.m] = e
    for m in list(open_):
        close(m)
    n = sum(sizes.values())
    timed.sort()
    return {"batches": {k: sizes[k] for k in sorted(sizes)}, "m_with_p_after": after,
            "per_netpoll": round(sum(k * v for k, v in sizes.items()) / n, 3) if n else 0.0,
            "poll_bins": poll_bins(timed), "big_polls": [(round(t / 1e6, 2), k) for t, k in timed if k >= BIG_POLL]}


BIN_NS = 10_000_000  # `poll_bins`: 10 ms, a client's period in the chapter's runs
BIG_POLL = 30  # `netpoll_batches`' ``big_polls``: the lists of at least this many goroutines, with their times


def poll_bins(timed: list, bin_ns: int = BIN_NS) -> list[list[int]]:
    """Netpolls that returned any, by time: [[polls, goroutines], ...] per ``bin_ns`` from 0, from ``timed``
    ((t ns, size) of each: a traced run's batches, or the model's `gosim.checks.exectrace.model_net` ``poll_sizes``)."""
    out: list[list[int]] = []
    for t, k in timed:
        i = int(t // bin_ns)
        while len(out) <= i:
            out.append([0, 0])
        out[i][0] += 1
        out[i][1] += k
    return out


def per_poll_between(bins: list, lo_ns: int, hi_ns: int, bin_ns: int = BIN_NS) -> float:
    """Goroutines per netpoll in [lo_ns, hi_ns) from `poll_bins` (whole bins)."""
    sel = bins[lo_ns // bin_ns:hi_ns // bin_ns]
    polls = sum(b[0] for b in sel)
    return sum(b[1] for b in sel) / polls if polls else 0.0


# Where the head of an injected list ran (`inject_placement`), for a netpoll by an M holding a P that returned
# three goroutines or more: the trace writes injectglist's GoUnparks in the list's order, then the goroutine the M
# runs at once (proc.go's findRunnable: ``list.pop()``, ``injectglist(&list)``, then its GoUnpark).
PLACEMENT = {
    "next": "the polling P ran it right after the goroutine it ran at once: its local queue's head",
    "later": "the polling P ran it, but after others of the list: it waited on the global queue",
    "other": "another P ran it first: an M injectglist started (or one already awake) took it from the global "
             "queue, or stole it",
}


def inject_placement(events: list[Transition], ran_g: set[int], kmin: int = 3) -> dict:
    """For each netpoll by an M holding a P that made ``kmin`` or more goroutines runnable (a batch as
    `netpoll_batches` groups them), where the first goroutine of the injected list (the batch's first line) first
    ran after the poll (`PLACEMENT`). ``events`` sorted by time. ``injectglist`` (proc.go) puts one goroutine
    per idle P on the global queue, starting an M for each, and the rest on the caller's local queue."""
    waiting: set[int] = set()
    open_: dict[int, dict] = {}
    found: list[dict] = []
    for i, e in enumerate(events):
        if e.kind == "G" and e.src == "Running" and e.dst == "Waiting" and e.reason == NET_REASON:
            waiting.add(e.id)
        net_wake = e.kind == "G" and e.src == "Waiting" and e.id in waiting
        if e.m >= 0 and e.m in open_ and not net_wake:
            found.append(open_.pop(e.m))
        if net_wake:
            waiting.discard(e.id)
            if e.m < 0:
                continue
            if e.m not in open_:
                open_[e.m] = {"i": i, "p": e.p, "g": e.g, "m": e.m, "gs": []}
            open_[e.m]["gs"].append(e.id)
    found.extend(open_.values())
    out = dict.fromkeys(PLACEMENT, 0)
    for b in found:
        gs = b["gs"]
        if len(gs) < kmin or b["p"] < 0 or b["g"] >= 0 or b["m"] not in ran_g:
            continue
        head, left, seen = gs[0], set(gs[:-1]), 0
        for e in events[b["i"]:b["i"] + 100_000]:
            if e.kind == "G" and e.dst == "Running" and e.id in left:
                if e.id == head:
                    out["other" if e.p != b["p"] else "next" if seen == 0 else "later"] += 1
                    break
                left.discard(e.id)
                seen += e.p == b["p"]
    return out


def busy_ms(events: list[Transition]) -> dict:
    """How long Ps were held (ProcID Idle->Running to Running->Idle, summed over Ps) and goroutines ran
    (Running to their next transition), and the trace's length, in ms (events sorted by time)."""
    end = max((e.t for e in events), default=0)
    start = min((e.t for e in events), default=0)
    p_since: dict[int, int] = {}
    g_since: dict[int, int] = {}
    p_ns = g_ns = 0
    for e in events:
        since, key = (p_since, e.id) if e.kind == "P" else (g_since, e.id)
        if e.dst == "Running":
            since[key] = e.t
        elif e.src == "Running" and key in since:
            busy = e.t - since.pop(key)
            if e.kind == "P":
                p_ns += busy
            else:
                g_ns += busy
    p_ns += sum(end - t for t in p_since.values())
    g_ns += sum(end - t for t in g_since.values())
    return {"p_busy_ms": round(p_ns / 1e6, 2), "g_busy_ms": round(g_ns / 1e6, 2),
            "trace_ms": round((end - start) / 1e6, 2)}


def net_summary(text: str) -> dict:
    """What a traced ``schedsys -w net`` run did with the network poller and its threads, from a ``-d=parsed``
    dump, as plain numbers:

    ``blocks``: Running->Waiting with Reason "network"; ``max_waiting``: most goroutines waiting on the network
    at once; ``wakes``: their Waiting->Runnable by source (`WAKE_SOURCES`); ``ms``: distinct Ms (threads) that
    wrote an event; ``ms_running_g``: those that ran a goroutine (not sysmon); ``syscalls``, ``fast``,
    ``got_p``, ``no_p``: `gosim.toolchain.syscalls.exit_paths`; ``retakes``: Ps sysmon took (``ProcSteal``:
    Running->Idle written by sysmon's M with no P, not the P ``allocm`` borrows for a new M: as exit_paths); ``new_ms``: Ms first seen after
    the trace began, ``new_ms_after_retake``: of those, the ones whose first event started a P that sysmon had
    just taken from an M in a system call (``retake`` → ``handoffp`` → ``startm`` → ``newm``);
    ``runnable_at_retake``: goroutines runnable at each retake; ``retaken_us``: how long each system call that
    lost its P lasted (µs).

    Batches (`netpoll_batches`): ``batches``, {size: how many} of the network wake-ups one M wrote in a row (one
    ``netpoll``'s list), ``per_netpoll`` their mean, ``poll_bins`` their count and goroutines per 10 ms of the
    trace (`poll_bins`), ``big_polls`` the time (ms) and size of each of 30 or more; ``m_with_p_after``: the
    wake-ups by an M with a P, by the M's event just before the batch (`AFTER`). CPU: ``p_busy_ms``, how long Ps were held (summed over Ps: an M
    running Go code, a system call or the scheduler; not an M blocked in netpoll without a P), ``g_busy_ms``,
    how long goroutines ran, and ``trace_ms``, the trace's length."""
    from .syscalls import exit_paths

    events, _ = parse_transitions(text)
    events.sort(key=lambda e: e.t)
    ran_g = {e.m for e in events if e.g >= 0 or (e.kind == "G" and e.dst == "Running")}
    waiting_net: set[int] = set()
    wakes = dict.fromkeys(WAKE_SOURCES, 0)
    blocks = max_waiting = runnable = new_ms = after_retake = 0
    at_retake, retaken_us = [], []
    seen: set[int] = set()
    last_p: dict[int, Transition] = {}
    insys: dict[int, int] = {}
    for e in events:
        if e.m >= 0 and e.m not in seen:
            seen.add(e.m)
            if e.src != "Undetermined":  # an M that did not exist, or did nothing, when the trace began
                new_ms += 1
                prev = last_p.get(e.id) if e.kind == "P" and e.dst == "Running" else None
                if prev is not None and prev.m not in ran_g and prev.dst == "Idle":
                    after_retake += 1
        if e.kind == "P":
            if e.src == "Running" and e.dst == "Idle" and e.m not in ran_g and e.p < 0:  # ProcSteal by sysmon
                at_retake.append(runnable)
            last_p[e.id] = e
            continue
        runnable += (e.dst == "Runnable") - (e.src == "Runnable")
        if e.dst == "Syscall":
            insys[e.id] = e.t
        elif e.src == "Syscall" and e.dst == "Runnable" and e.id in insys:
            retaken_us.append(round((e.t - insys.pop(e.id)) / 1e3, 1))
        if e.src == "Running" and e.dst == "Waiting" and e.reason == NET_REASON:
            blocks += 1
            waiting_net.add(e.id)
            max_waiting = max(max_waiting, len(waiting_net))
        elif e.src == "Waiting" and e.id in waiting_net:
            waiting_net.discard(e.id)
            if e.g >= 0:
                wakes["goroutine"] += 1
            elif e.p >= 0:
                wakes["m_with_p"] += 1
            elif e.m in ran_g:
                wakes["m_without_p"] += 1
            else:
                wakes["sysmon"] += 1
    batch = netpoll_batches(events, ran_g)
    return {"blocks": blocks, "max_waiting": max_waiting, "wakes": wakes, **batch, **busy_ms(events),
            "ms": len(seen),
            "ms_running_g": len(seen & ran_g), **exit_paths(text), "retakes": len(at_retake), "new_ms": new_ms,
            "new_ms_after_retake": after_retake, "runnable_at_retake": at_retake, "retaken_us": retaken_us}


def run_traced(program: str, gomaxprocs: int, args=(), toolchain: Toolchain | None = None, timeout: int = 60):
    """Run ``program ARGS -trace FILE`` at ``gomaxprocs``: (its `RunResult`, the trace's ``-d=parsed`` dump)."""
    import tempfile

    tc = toolchain or Toolchain.installed()
    binary = tc.build(program)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.trace")
        res = tc.run(binary, [*map(str, args), "-trace", path], env={"GOMAXPROCS": str(gomaxprocs)},
                     timeout=timeout)
        return res, dump(path, tc)


def load(path: str | os.PathLike) -> TraceTimeline:
    """A timeline saved as JSON by scripts/record_sched_reference.py (``intervals``, ``syscalls``, ``end_ns``)."""
    import json

    data = json.loads(open(path).read())
    return TraceTimeline(tuple(map(tuple, data["intervals"])), tuple(map(tuple, data.get("syscalls", ()))), (),
                         data["end_ns"])


def dump(trace_file: str | os.PathLike, toolchain: Toolchain | None = None) -> str:
    """``go tool trace -d=parsed FILE``: the trace as text."""
    tc = toolchain or Toolchain.installed()
    return tc.go(["tool", "trace", "-d=parsed", str(trace_file)], timeout=120).stdout


def record(program: str, gomaxprocs: int, args=(), toolchain: Toolchain | None = None) -> TraceTimeline:
    """Run ``program`` (it must accept ``-trace FILE``, as cpubound does) and return its trace's timeline."""
    return timeline(run_traced(program, gomaxprocs, args, toolchain)[1])
