"""System calls in a real run: ``gosim/programs/schedsys``'s output, and the way each system call ended, read from
a ``runtime/trace`` dump (``go tool trace -d=parsed``).

A goroutine leaves a system call one of three ways (proc.go's ``exitsyscall``), and the trace tells them apart:

* **fast**: its M still holds the P (nobody took it): ``Syscall->Running`` (``GoSysExit(false)``);
* **got a P**: the P was taken, but ``exitsyscallTryGetP`` took the old P back from the thread now in a system
  call on it, or an idle P: the same M writes ``Syscall->Runnable`` and at once ``Runnable->Running`` for it (so
  does ``exitsyscallNoP`` when its own ``pidleget`` under ``sched.lock`` finds an idle P, which the trace cannot
  tell apart: it is counted here, in the model's `gosim.checks.sched.exit_paths` too);
* **no P**: ``exitsyscallNoP`` put it on the global queue and the M parked: ``Syscall->Runnable``, and some other M
  runs it later.

sysmon's ``retake`` takes a P from a thread in a system call (``ProcSteal``: a ``Running->Idle`` P transition
written by sysmon's M, the one M that never runs a goroutine, while it holds no P: ``P=-1`` on the line). sysmon's
M also writes ``Running->Idle`` with the P on the line when it hands a P to a new M: ``newm`` → ``allocm``
borrows the P (``acquirep``, proc.go:2297) and gives it back (``releasep``); that is not a retake (counted as
one before: one extra per M sysmon started, 11 of 755 in a run of the syscall workload).
"""

from __future__ import annotations

from collections import defaultdict

from .rtrace import parse_transitions


def parse_output(stdout: str) -> dict:
    """schedsys's lines: ``syscalls N``, ``threads N``, ``threads_mid N``, ``threadcreate N``, and the probe's
    ``probe US mean NS median NS p10 NS p90 NS n N`` (as ``probe_mean_ns`` ...)."""
    out: dict = {}
    for line in stdout.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in ("syscalls", "threads", "threads_mid", "threadcreate"):
            out[f[0]] = int(f[1])
        elif f and f[0] == "probe":
            out["probe_us"] = int(f[1])
            for k, v in zip(f[2::2], f[3::2]):
                out[f"probe_{k}" + ("" if k == "n" else "_ns")] = int(v)
    return out


def exit_paths(dump: str) -> dict[str, int]:
    """How the system calls of a traced run ended (``fast``, ``got_p``, ``no_p``), how many began
    (``syscalls``), and sysmon's retakes (``retakes``), from `gosim.toolchain.rtrace.parse_transitions`."""
    busy_m: set[int] = set()  # Ms seen running a G
    events, _ = parse_transitions(dump, running_ms=busy_m)
    events.sort(key=lambda e: e.t)
    counts = defaultdict(int)
    pending: dict[int, int] = {}  # M -> G that just left a syscall without its P, on that M
    for e in events:
        if e.kind == "P":
            if e.src == "Running" and e.dst == "Idle" and e.m not in busy_m and e.p == -1:  # not allocm's borrow
                counts["retakes"] += 1
            continue
        g = pending.pop(e.m, None)
        if g is not None:
            counts["got_p" if (e.id == g and e.src == "Runnable" and e.dst == "Running") else "no_p"] += 1
        if e.dst == "Syscall":
            counts["syscalls"] += 1
        elif e.src == "Syscall" and e.dst == "Running":
            counts["fast"] += 1
        elif e.src == "Syscall" and e.dst == "Runnable":
            pending[e.m] = e.id
    counts["no_p"] += len(pending)
    return {k: counts[k] for k in ("syscalls", "fast", "got_p", "no_p", "retakes")}


def parse_net(stdout: str) -> dict:
    """``schedsys -w net``'s lines: ``state <state> <n>`` (the goroutines by state, halfway), ``threads N``,
    ``requests N``, as {"states": {state: n}, "threads": N, "requests": N}."""
    out: dict = {"states": {}}
    for line in stdout.splitlines():
        if line.startswith("state "):
            state, n = line[len("state "):].rsplit(" ", 1)
            out["states"][state] = int(n)
        elif line.split()[:1] in (["threads"], ["requests"]):
            k, v = line.split()
            out[k] = int(v)
    return out
