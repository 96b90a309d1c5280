"""The real scheduler's own words: ``GODEBUG=schedtrace=N[,scheddetail=1]`` parsed into rows, and the outputs of
the chapter's scheduler programs (``gosim/programs/cpubound``, ``timeslice``, ``schedstack``).

A ``SCHED`` line (runtime/proc.go ``schedtrace``)::

    SCHED 100ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 needspinning=1 idlethreads=1 runqueue=5 [ 14 ] schedticks=[ 11 ]

``runqueue`` is the global queue, ``[..]`` each P's local queue (without ``runnext``), ``schedticks`` each P's
schedtick. With ``scheddetail=1`` the header carries ``gcwaiting nmidlelocked stopwait sysmonwait`` and is
followed by one line per P (``P0: status=1 schedtick=11 syscalltick=0 m=0 runqsize=14 gfreecnt=0
timerslen=1``), per M and per G; `parse_schedtrace` keeps the header and the P lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .go import Toolchain

_SCHED = re.compile(
    r"^SCHED (?P<ms>\d+)ms: gomaxprocs=(?P<gomaxprocs>\d+) idleprocs=(?P<idleprocs>\d+) threads=(?P<threads>\d+)"
    r" spinningthreads=(?P<spinningthreads>\d+) needspinning=(?P<needspinning>\d+) idlethreads=(?P<idlethreads>\d+)"
    r" runqueue=(?P<runqueue>\d+)(?P<rest>.*)$")
_LOCAL = re.compile(r"^ \[ (?P<runq>[\d ]*)\] schedticks=\[ (?P<ticks>[\d ]*)\]")
_DETAIL_P = re.compile(r"^\s+P(?P<id>\d+): status=(?P<status>\d+) schedtick=(?P<schedtick>\d+)"
                       r" syscalltick=(?P<syscalltick>\d+) m=(?P<m>\S+) runqsize=(?P<runqsize>\d+)")


@dataclass(frozen=True)
class SchedLine:
    """One ``SCHED`` line; ``runq`` and ``schedticks`` per P (from the P lines under ``scheddetail=1``)."""

    ms: int
    gomaxprocs: int
    idleprocs: int
    threads: int
    spinningthreads: int
    needspinning: int
    idlethreads: int
    runqueue: int
    runq: tuple[int, ...] = ()
    schedticks: tuple[int, ...] = ()
    pstatus: tuple[int, ...] = field(default=(), compare=False)  # scheddetail only


def parse_schedtrace(text: str) -> list[SchedLine]:
    """Every ``SCHED`` line in ``text`` (the program's stderr), in order; other lines are skipped, and so is a last
    line without its newline: a run killed while the runtime printed it (`run_until_timeout`) leaves it cut, e.g.
    ``schedticks=[ 12`` without the rest (the runtime prints a line piece by piece)."""
    rows: list[SchedLine] = []
    pending: dict | None = None
    plines: list[tuple[int, int, int]] = []

    def flush() -> None:
        nonlocal pending, plines
        if pending is not None:
            if plines and not pending["runq"]:
                plines.sort()
                pending["runq"] = tuple(p[2] for p in plines)
                pending["schedticks"] = tuple(p[1] for p in plines)
                pending["pstatus"] = tuple(p[3] for p in plines)
            rows.append(SchedLine(**pending))
        pending, plines = None, []

    for line in text.split("\n")[:-1]:  # complete lines only
        m = _SCHED.match(line)
        if m:
            flush()
            fields = {k: int(v) for k, v in m.groupdict().items() if k != "rest"}
            local = _LOCAL.match(m["rest"])
            fields["runq"] = tuple(map(int, local["runq"].split())) if local else ()
            fields["schedticks"] = tuple(map(int, local["ticks"].split())) if local else ()
            pending = fields
            continue
        d = _DETAIL_P.match(line)
        if d and pending is not None:
            plines.append((int(d["id"]), int(d["schedtick"]), int(d["runqsize"]), int(d["status"])))
    flush()
    return rows


def parse_work(text: str) -> list[int]:
    """cpubound's ``work gN COUNT`` lines: loop iterations per goroutine, in goroutine order."""
    return [int(line.split()[2]) for line in text.splitlines() if line.startswith("work g")]


def parse_slices(text: str, partial: bool = False) -> list[tuple[int, int, int]]:
    """timeslice's ``slice G START END [partial]`` lines as (goroutine, start ns, end ns); the partial first and
    last interval of each goroutine only with ``partial=True``."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["slice"] and (partial or parts[-1] != "partial"):
            out.append((int(parts[1]), int(parts[2]), int(parts[3])))
    return out


def parse_sleeps(text: str) -> dict[int, int]:
    """schedsleep's ``sleep US MEDIAN P10 P90`` lines: {requested µs: median ns one nanosleep(2) really took}."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["sleep"]:
            out[int(parts[1])] = int(parts[2])
    return out


def parse_pair(text: str) -> tuple[list[int], int]:
    """schedpair's output: (the counter differences W saw, one per W run after its first; the pair's runs)."""
    seen = [int(line.split()[1]) for line in text.splitlines() if line.startswith("w ")]
    runs = next((int(line.split()[1]) for line in text.splitlines() if line.startswith("runs ")), 0)
    return seen, runs


# nanosleep lengths the chapter needs: sysmon's sleeps (20 µs doubling to 10 ms), the stealing Ms' 3 µs, and
# the 1 ms of timeslice's -sys goroutines.
SLEEPS_US = (3, 20, 40, 80, 160, 320, 640, 1000, 1280, 2560, 5120, 10000)


def measure_sleeps(calls: int = 30, toolchain: Toolchain | None = None) -> dict[int, int]:
    """Run ``gosim/programs/schedsleep``: how long each of `SLEEPS_US` really lasts here (median of ``calls``)."""
    tc = toolchain or Toolchain.installed()
    run = tc.run(tc.build("schedsleep"), ["-n", str(calls), "-us", ",".join(map(str, SLEEPS_US))])
    return parse_sleeps(run.stdout)


@dataclass(frozen=True)
class SchedRun:
    """One run of a scheduler program: its SCHED rows and its own output."""

    program: str
    gomaxprocs: int
    args: tuple[str, ...]
    rows: tuple[SchedLine, ...]
    stdout: str
    returncode: int
    seconds: float
    stderr: str = ""  # the runtime's own lines (SCHED ...), as printed


def run_program(program: str, gomaxprocs: int, args=(), *, schedtrace_ms: int | None = 100,
                godebug: str = "", timeout: float = 60, toolchain: Toolchain | None = None,
                check: bool = True) -> SchedRun:
    """Build ``program`` (a name in gosim/programs) and run it with ``GOMAXPROCS`` and
    ``GODEBUG=schedtrace=N`` (plus ``godebug``), returning the parsed SCHED rows and its stdout."""
    tc = toolchain or Toolchain.installed()
    binary = tc.build(program)
    debug = ",".join(x for x in ([f"schedtrace={schedtrace_ms}"] if schedtrace_ms else []) + [godebug] if x)
    run = tc.run(binary, [str(a) for a in args], env={"GOMAXPROCS": str(gomaxprocs)}, godebug=debug or None,
                 timeout=timeout, check=check)
    return SchedRun(program, gomaxprocs, tuple(map(str, args)), tuple(parse_schedtrace(run.stderr)), run.stdout,
                    run.returncode, run.seconds, run.stderr)


def run_until_timeout(program: str, gomaxprocs: int, args=(), *, timeout: float, schedtrace_ms: int = 100,
                      godebug: str = "", toolchain: Toolchain | None = None) -> SchedRun:
    """Like `run_program`, but a run still going after ``timeout`` seconds is killed and what it printed so far
    is kept (``returncode`` -9): the asyncpreemptoff starvation demo never ends on its own."""
    import os
    import subprocess
    import time

    from .go import RUNTIME_ENV

    tc = toolchain or Toolchain.installed()
    binary = tc.build(program)
    env = {k: v for k, v in os.environ.items() if k not in RUNTIME_ENV}
    env["GOMAXPROCS"] = str(gomaxprocs)
    env["GODEBUG"] = ",".join(x for x in (f"schedtrace={schedtrace_ms}", godebug) if x)
    start = time.perf_counter()
    proc = subprocess.Popen([str(binary), *map(str, args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=binary.parent)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return SchedRun(program, gomaxprocs, tuple(map(str, args)), tuple(parse_schedtrace(err)), out,
                    proc.returncode, time.perf_counter() - start, err)


def parse_stack(text: str) -> tuple[int, list[tuple[int, int]]]:
    """schedstack's output: (bytes of stack per recursion level, [(depth, bytes used) at each stack move])."""
    frame, moves = 0, []
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["frame"]:
            frame = int(parts[1])
        elif parts[:1] == ["move"]:
            moves.append((int(parts[1]), int(parts[2])))
    return frame, moves
