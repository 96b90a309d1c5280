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
_TIME = re.compile(r"^M=-?\d+ P=-?\d+ G=-?\d+ \w+ Time=(\d+)")


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


def parse_transitions(text: str) -> tuple[list[Transition], int]:
    """The StateTransition events of a ``-d=parsed`` dump, with times relative to the first event."""
    t0 = None
    out = []
    for line in text.splitlines():
        if not line.startswith("M="):
            continue
        mt = _TIME.match(line)
        if mt and t0 is None:
            t0 = int(mt[1])
        m = _EVENT.match(line)
        if m:
            out.append(Transition(int(m["t"]) - t0, int(m["m"]), int(m["p"]), "G" if m["what"] == "GoID" else "P",
                                  int(m["id"]), m["src"], m["dst"], m["reason"]))
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
    import tempfile

    tc = toolchain or Toolchain.installed()
    binary = tc.build(program)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.trace")
        tc.run(binary, [*map(str, args), "-trace", path], env={"GOMAXPROCS": str(gomaxprocs)}, timeout=60)
        return timeline(dump(path, tc))
