"""The G-M-P scheduler as a discrete-event simulation, deterministic for a seed.

Follows runtime/proc.go (and the structures of runtime2.go) where it has the same parts: ``g``, ``m``, ``p`` and
``schedt`` with the runtime's field names, and the runtime's functions under their own names. ``schedule`` calls
``findRunnable``, which looks at the sources the model has in the runtime's order: this P's timers, the global
queue every 61st ``schedtick`` (fairness), the local queue (``runnext`` first), a batch from the global queue,
then - if this M may spin (at most half the busy Ps) - ``stealWork``: 4 rounds over the Ps in a random
coprime-stride order, half a victim's queue, its timers and ``runnext`` (after a 3 us sleep) only in the last
round. It has no trace reader, GC mark workers, finalizer or cleanup goroutines. Where the runtime
gives up after one ``stealWork``, a spinning M here waits ``Costs.spin`` (3 us) and calls ``stealWork`` once more
before it drops the P (``pidleput``), re-checks everything ("delicate dance") and parks the M (``stopm``) or
blocks it in the network poller until the next timer. New work calls ``wakep`` (one spinning M at a time;
``resetspinning`` wakes the next). Goroutines block and are readied on channels (`gosim.sched.chan`) and timers;
``entersyscall`` keeps the P wired to the M and sysmon's ``retake`` hands it off (``handoffp``) once it has seen
the same ``syscalltick`` twice, or when the P's ``schedtick`` is 10 ms old; ``entersyscallblock`` hands it off
at once; ``exitsyscall`` takes the old P back, an idle P, or puts the G on the global queue. ``sysmon`` sleeps
20 us, doubling after 50 rounds without a syscall retake up to 10 ms; a syscall retake, or a wake from its deep
sleep by another thread (a syscall entered or left, the world restarted), resets it. ``retake`` calls
``preemptone`` for a P whose ``schedtick`` has not moved for ``forcePreemptNS`` = 10 ms since sysmon saw it, which sets ``gp.preempt`` (noticed at the next
function call) and, unless asynchronous preemption is off, signals the thread. The time slice of a CPU-bound
goroutine comes out of this: 20 ms once sysmon's period is 10 ms plus the kernel's timer slack (one period to
see the new schedtick, another to preempt), 10-20 ms while sysmon's sleep is still climbing back from 20 us.
A preempted G goes to the tail of the global queue (``goschedImpl``). ``procresize`` (with a stop-the-world)
changes GOMAXPROCS.

Time is virtual, in integer nanoseconds. What costs time is in `Costs` (waking a parked M, creating one, a
spinning M's search, signal delivery, the kernel's timer slack), each a constant; a goroutine's own work comes
from its workload (`gosim.sched.workloads`) as a generator of actions (`run`, `spin`, `go` - or `gos` for a
loop of them -, `send`, `recv` - or `recvn` for a loop of them -, `syscall`, `sleep`, `netwait`/`netready` on a `pollDesc`...). Goroutines
waiting on a file descriptor park in "IO wait" with no M and no P until a ``netpoll`` (findRunnable's, the
blocked poller's, sysmon's after 10 ms) returns them; ``checkmcount`` kills a process with more Ms than ``maxmcount``. What it leaves out: the GC (no
mark workers, no STW except for procresize), writes that wait and deadlines in the network poller, cgo, the
trace reader, ``select``, real memory; a scheduling decision itself takes no time, and every P has a CPU of its
own.

Simulating costs about 2 us of CPU per goroutine (created, scheduled, exited; benchmarks/bench_sched.py
sets it beside the real runtime's): the hot paths (``schedule``'s first look at the local queue, ``run_g``,
``newproc`` for a `gos` loop at once, ``goexit0``) are written out where a call per goroutine would cost, a finished
program is read with ``next(prog, _END)`` (no StopIteration made), `recvn` takes a buffer's values at once, and
`gc_paused` keeps Python's cyclic collector off while a run's hundreds of thousands of objects live. tests/test_sched_pinned.py pins what
a run decides (SCHED lines, decisions, steals, timelines) so that such work cannot change it.
"""

from __future__ import annotations

import gc
import heapq
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .chan import chanrecv, chansend, closechan, hchan
from .runq import RUNQ_SIZE, globrunqgetbatch, randomOrder, runqempty, runqget, runqput, runqputbatch

GOMAXPROCS_LIMIT = 1024
_heappush = heapq.heappush
_heappop = heapq.heappop

# g.atomicstatus (runtime2.go)
_Gidle, _Grunnable, _Grunning, _Gsyscall, _Gwaiting, _Gdead = 0, 1, 2, 3, 4, 6
GSTATUS = {_Gidle: "idle", _Grunnable: "runnable", _Grunning: "running", _Gsyscall: "syscall",
           _Gwaiting: "waiting", _Gdead: "dead"}
# p.status (runtime2.go): _Psyscall is gone in today's runtime (_Psyscall_unused)
_Pidle, _Prunning, _Pdead = 0, 1, 4

forcePreemptNS = 10_000_000  # proc.go: the time slice before sysmon preempts
globrunqCheckTicks = 61  # findRunnable: the global queue first on every 61st schedtick (fairness)
sysmonIdleRounds = 50  # sysmon: its sleep doubles once more than 50 rounds in a row retook nothing
forcegcperiod = 120_000_000_000  # proc.go: sysmon's deep sleep is at most forcegcperiod/2
stealTries = 4
INF = 1 << 62
_END = object()  # what ``run_g`` gets from a goroutine's program that has returned


# netpoll_epoll.go's ``var events [128]linux.EpollEvent``: a netpoll takes at most 128 ready descriptors (events), not
# 128 goroutines: ``netpollready`` (netpoll.go:494) pushes a reader and a writer for an event ready both ways, and
# the netpollBreak eventfd can take a slot. Here one goroutine each: the model's writes never wait.
NETPOLL_EVENTS = 128


def netpollWaitNS(delay: int) -> int:
    """How long a blocking ``netpoll(delay)`` waits when nothing wakes it (netpoll_epoll.go's ``netpoll``):
    ``EpollWait`` takes whole milliseconds, so a delay under 1 ms waits 1 ms and a longer one is rounded down
    (capped at 1e9 ms). The lateness on top (the kernel's timer slack and the wake-up) is `Costs.pollslack`, added
    where the M blocks."""
    if delay <= 0:
        return 0
    if delay < 1_000_000:
        return 1_000_000
    if delay < 10**15:
        return delay // 1_000_000 * 1_000_000
    return 10**15

# Actions a goroutine's program yields.
OP_RUN, OP_SPIN, OP_GO, OP_SEND, OP_RECV, OP_SYSCALL, OP_SYSCALLBLOCK, OP_SLEEP, OP_STOP, OP_GOSCHED, \
    OP_GOMAXPROCS, OP_CLOSE, OP_MAIN = range(13)
OP_PARK = 13  # gopark(reason) until something readies the G (the boot's helper goroutines, chapter 1)
OP_NETWAIT, OP_NETREADY = 14, 15  # a read on a file descriptor; a write that makes another one readable
OP_GOS = 16  # several ``go`` statements in a row, nothing in between (a loop of them)
OP_RECVN = 17  # receives in a row, nothing in between (a loop of them): as many at once as need not block

# Event kinds.
EV_SEG_END, EV_PREEMPT, EV_MWAKE, EV_SPIN_END, EV_SYSCALL_EXIT, EV_SYSMON, EV_POLL, EV_SAMPLE, EV_STEAL_RUNNEXT, \
    EV_RESIZE = range(10)


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector off for a while (as it was before, after). A run allocates goroutines,
    their programs and run-queue entries by the hundred thousand, and they all live until the run ends; the
    collector would walk every one of them again and again (half the CPU time of a 100,000-goroutine run) to
    free nothing. Reference counting still frees what dies."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(ns: int, calls: bool = True) -> tuple:
    """Compute for ``ns`` of CPU time. ``calls``: the code calls functions, so a preemption request is noticed
    at the next call (cooperative); a call-free loop can only be preempted asynchronously."""
    return (OP_RUN, int(ns), calls)


def spin(calls: bool = False) -> tuple:
    """Loop until the program's stop flag is set (`stop`): ``for !stop.Load() { n++ }``."""
    return (OP_SPIN, calls)


def go(program: Iterator, name: str = "") -> tuple:
    """``go f()``: newproc puts the new G in this P's ``runnext`` and calls ``wakep``."""
    return (OP_GO, program, name)


def gos(programs: list) -> tuple:
    """``go f()`` for each (program, name) in ``programs``, one after the other with nothing in between: the same
    as yielding `go` for each (a ``for`` loop of ``go`` statements), one action for the simulation to handle."""
    return (OP_GOS, programs)


def send(ch: hchan) -> tuple:
    return (OP_SEND, ch)


def recv(ch: hchan) -> tuple:
    """``<-ch``; the program receives ``ok`` (False once the channel is closed and drained)."""
    return (OP_RECV, ch)


def recvn(ch: hchan, k: int) -> tuple:
    """Up to ``k`` receives in a row, ``for range k { <-ch }`` with nothing in between (`gosim.sched.workloads.recvs`
    loops on it): the program gets how many it received. Values already in a buffer with no sender waiting are
    taken at once (what as many `recv` would do, without resuming the program for each); otherwise one ``recv``.
    A closed, drained channel completes them all."""
    return (OP_RECVN, ch, k)


def close(ch: hchan) -> tuple:
    return (OP_CLOSE, ch)


def syscall(ns: int) -> tuple:
    """A system call of ``ns`` (``entersyscall``: the P stays wired to the M until sysmon retakes it)."""
    return (OP_SYSCALL, int(ns))


def syscallblock(ns: int) -> tuple:
    """A system call known to block (``entersyscallblock``: the P is handed off at once)."""
    return (OP_SYSCALLBLOCK, int(ns))


def sleep(ns: int) -> tuple:
    """``time.Sleep``: a timer on this P's heap, then ``gopark``."""
    return (OP_SLEEP, int(ns))


def stop() -> tuple:
    """Set the program's stop flag: every `spin` loop ends."""
    return (OP_STOP,)


def gosched() -> tuple:
    """``runtime.Gosched``: to the global queue's tail, like a preemption."""
    return (OP_GOSCHED,)


def gomaxprocs(n: int) -> tuple:
    """``runtime.GOMAXPROCS(n)``: stop the world, ``procresize(n)``, start the world."""
    return (OP_GOMAXPROCS, check_gomaxprocs(n))


def main_main(program: Iterator) -> tuple:
    """``runtime.main`` calls ``main.main``: the goroutine goes on as ``program`` (no generator in between)."""
    return (OP_MAIN, program)


def park(reason: str) -> tuple:
    """``gopark`` with ``reason`` (a wait reason as the runtime prints it): the G waits until something readies it
    (the runtime's helper goroutines park like this as soon as they start)."""
    return (OP_PARK, reason)


class pollDesc:
    """A file descriptor in the network poller (netpoll.go's ``pollDesc``): ``rg``, the goroutine parked reading
    it (``pdWait``/a G); ``ready``, data arrived while nobody was waiting (``pdReady``)."""

    __slots__ = ("name", "rg", "ready")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.rg = None
        self.ready = False


def netwait(pd: pollDesc) -> tuple:
    """A read on ``pd`` (``conn.Read``): go on if data is there, else park in "IO wait" (``netpollblock``)."""
    return (OP_NETWAIT, pd)


def netready(pd: pollDesc) -> tuple:
    """A write on the other end of ``pd``'s connection: the kernel makes ``pd`` readable."""
    return (OP_NETREADY, pd)


def check_gomaxprocs(gomaxprocs: object) -> int:
    """GOMAXPROCS as the model takes it: a positive integer up to 1024.

    The runtime ignores 0 or garbage and uses its default, and has no upper bound; 1024 is the model's own
    practical limit.
    """
    if isinstance(gomaxprocs, bool) or not isinstance(gomaxprocs, int):
        try:
            gomaxprocs = int(str(gomaxprocs).strip())
        except ValueError:
            raise ValueError(f"gomaxprocs must be an integer from 1 to {GOMAXPROCS_LIMIT}, got {gomaxprocs!r}")
    if not 1 <= gomaxprocs <= GOMAXPROCS_LIMIT:
        raise ValueError(
            f"gomaxprocs must be from 1 to {GOMAXPROCS_LIMIT}, got {gomaxprocs} (the runtime ignores values below 1 "
            f"and has no upper bound; {GOMAXPROCS_LIMIT} is the model's practical limit)"
        )
    return gomaxprocs


@dataclass(frozen=True)
class Costs:
    """What takes time besides the goroutines' own work, in nanoseconds. Defaults are of this 2-vCPU VM's order.

    ``wakeup``: from ``notewakeup`` of a parked M to it running (futex; a real trace here shows ~16 us from
    ``ready`` to the woken P running). ``newm``: creating a thread. ``spin``: a spinning M's search before it
    gives up (4 steal rounds and the re-checks). ``async_preempt``: from ``preemptM``'s signal to the goroutine
    stopping. ``coop_preempt``: from setting ``stackguard0`` to the next function prologue in a loop that calls.
    ``timerslack``: what a ``usleep`` oversleeps when ``sleeps`` does not say (Linux's default timer slack,
    50 us). ``sleeps``: ((requested us, ns it really lasted), ...), measured on a real machine by
    ``gosim/programs/schedsleep`` (`Costs.measured`); real sleeps overshoot by more than the slack (the
    system call, the wake-up, the clock's granularity), and by an amount that depends on the length.
    ``pollslack``: how much later than its whole milliseconds (`netpollWaitNS`) a blocking ``netpoll`` that
    times out returns. ``epoll_pwait``'s timeout is a kernel hrtimer given the thread's timer slack (Linux's
    ``ep_poll`` takes it from ``select_estimate_accuracy``: ``current->timer_slack_ns``, 50 us for an ordinary
    thread, for any wait under 50 ms: a timer that fires up to 50 us late), then the thread wakes up and the runtime
    gets back to its timers. Measured: 85 us in all, the median of 9 recorded runs of ``schedsleep -timer`` (84.5 us,
    rounded to 5 us; 81-95 us per wait, each run's median over its 50, 300 and 2000 us sleeps;
    tests/data/sched/sleepgrain.json, `gosim.checks.sched.poller_slack_check`; held out of that calibration, the
    1300 us sleep of two waits: `gosim.checks.sched.held_out_sleep_check`).
    ``pollwake``: from a descriptor made ready (or ``netpollBreak``) to the M blocked in ``netpoll`` running: 0,
    it returns at once. A real thread has to be woken (other Ms are charged ``wakeup``). Left out because the
    model's wake-ups are one fixed constant and its goroutines per netpoll do not move one way with it (chapter
    5's box: at 400 connections 14.25 with 0, 8.54 with 15 us, 12.59 with 80 us).
    """

    wakeup: int = 15_000
    newm: int = 50_000
    spin: int = 3_000
    async_preempt: int = 10_000
    coop_preempt: int = 100
    timerslack: int = 50_000
    pollslack: int = 85_000
    pollwake: int = 0
    sleeps: tuple = ()

    @classmethod
    def measured(cls, sleeps: dict, **kw) -> "Costs":
        """Costs whose sleeps last what a real run measured: ``sleeps`` maps requested us to ns (a recorded
        ``{"20": 90000, ...}`` or `gosim.toolchain.schedtrace.measure_sleeps`'s result)."""
        table = tuple(sorted((int(us), int(ns)) for us, ns in sleeps.items()))
        for us, ns in table:
            if us <= 0 or ns < us * 1000:
                raise ValueError(f"sleeps: a sleep of {us} us cannot last {ns} ns")
        return cls(sleeps=table, **kw)

    def usleep(self, us: int) -> int:
        """How long ``usleep(us)`` lasts: measured if ``sleeps`` has it, else ``us`` plus the timer slack."""
        for req, took in self.sleeps:
            if req == us:
                return took
        return us * 1000 + self.timerslack


class g:
    """A goroutine: ``goid``, ``atomicstatus`` (as ``status``), ``m``, ``preempt``, ``waitreason``, and what the
    simulation needs: its program (a generator of actions), the action in progress, CPU time used."""

    __slots__ = ("goid", "name", "status", "prog", "op", "calls", "left", "ret", "m", "preempt",
                 "waitreason", "cpu", "created", "finished", "run_start", "nslices", "parent", "lockedm")

    def __init__(self, goid: int, prog: Iterator, name: str | None, now: int, parent: int = 0) -> None:
        self.goid = goid
        self.name = name  # None: "g<goid>" (`gname`)
        self.status = _Grunnable
        self.prog = prog
        self.op = None
        self.ret = None
        self.m = None
        self.preempt = False
        self.calls = True
        self.left = 0
        self.cpu = 0
        self.created = now
        self.finished = -1
        self.run_start = 0
        self.nslices = 0
        self.parent = parent
        self.waitreason = ""
        self.lockedm = None  # the M this G is locked to (lockOSThread)

    def __repr__(self) -> str:
        return f"G{self.goid}({GSTATUS[self.status]})"

    def gname(self) -> str:
        return self.name or f"g{self.goid}"


class m:
    """An OS thread: ``id``, ``p``, ``nextp``, ``oldp`` (the P it had before a syscall), ``curg``, ``spinning``."""

    __slots__ = ("id", "p", "nextp", "oldp", "curg", "spinning", "parked", "tok", "was_spinning", "sys_start",
                 "lockedg", "mstartfn")

    def __init__(self, id: int) -> None:
        self.id = id
        self.p = None
        self.nextp = None
        self.oldp = None
        self.curg = None
        self.spinning = False
        self.parked = False
        self.tok = 0
        self.was_spinning = False
        self.sys_start = 0
        self.lockedg = None  # the G locked to this M (lockOSThread): the M runs no other
        self.mstartfn = None  # what newm started it for: "runtime.mspinning" (startm spinning), "runtime.sysmon"

    def __repr__(self) -> str:
        return f"M{self.id}"


class p:
    """A processor: ``id``, ``status``, ``m``, ``runq`` (256 slots), ``runnext``, ``schedtick``, ``syscalltick``,
    ``sysmontick`` (sysmon's last view: ``st_*``), ``timers`` (a heap of (when, seq, g))."""

    __slots__ = ("id", "status", "m", "runq", "runnext", "schedtick", "syscalltick", "st_schedtick",
                 "st_schedwhen", "st_syscalltick", "st_syscallwhen", "timers", "idle", "tok", "seg_end")

    def __init__(self, id: int) -> None:
        from collections import deque

        self.id = id
        self.status = _Pidle
        self.m = None
        self.runq = deque()
        self.runnext = None
        self.schedtick = 0
        self.syscalltick = 0
        self.st_schedtick = 0
        self.st_schedwhen = 0
        self.st_syscalltick = 0
        self.st_syscallwhen = 0
        self.timers: list = []
        self.idle = False  # idlepMask: on sched.pidle
        self.tok = 0
        self.seg_end = 0  # when the running G's compute segment ends

    def __repr__(self) -> str:
        return f"P{self.id}"


class schedt:
    """``sched``: idle Ms and Ps, spinning count, ``needspinning``, the global run queue; ``poller`` is the M
    blocked in netpoll (``lastpoll == 0``) until ``pollUntil``; ``sysmonwait`` while sysmon sleeps deeply."""

    __slots__ = ("midle", "nmidle", "pidle", "npidle", "nmspinning", "needspinning", "runq", "poller",
                 "pollUntil", "sysmonwait", "mcount", "runqputslow")

    def __init__(self) -> None:
        from collections import deque

        self.midle: list = []
        self.nmidle = 0
        self.pidle: list = []
        self.npidle = 0
        self.nmspinning = 0
        self.needspinning = 0
        self.runq = deque()
        self.poller = None
        self.pollUntil = 0
        self.sysmonwait = False
        self.mcount = 0
        self.runqputslow = 0


class ThreadExhaustion(RuntimeError):
    """The simulated process died as the runtime's ``checkmcount`` kills it: more threads than ``maxmcount``."""


@dataclass
class Record:
    """What a run leaves behind, appended as it happens (plain tuples, so recording stays cheap)."""

    intervals: list = field(default_factory=list)  # (p, goid, start, end, why)
    syscalls: list = field(default_factory=list)  # (goid, m, start, end, lost_p)
    steals: list = field(default_factory=list)  # (t, thief p, victim p, n, runnext)
    handoffs: list = field(default_factory=list)  # (t, p, why)
    preemptions: list = field(default_factory=list)  # (t, p, goid, how)
    schedtrace: list = field(default_factory=list)  # (t, gomaxprocs, idle, threads, spinning, needspinning,
    #                                                   idlethreads, runqueue, (local...), (schedticks...))
    samples: list = field(default_factory=list)  # (t, global, (local incl. runnext...))
    resizes: list = field(default_factory=list)  # (t, old, new)
    sysmon: list = field(default_factory=list)  # when each sysmon round woke
    netpolls: list = field(default_factory=list)  # (t, p, caller, goids) of each netpoll with a P that returned
    #                                               any, goids in a trace's order: the injected, then the one run


# who called ``netpoll`` and made goroutines runnable (`NetStats.made`): findRunnable's ``netpoll(0)`` with a P;
# the M that was blocked in ``netpoll(delay)``, after it took an idle P ("poller") or finding none ("poller_nop":
# ``injectglist`` then ``stopm``); sysmon, when nobody polled for 10 ms
NETPOLL_CALLERS = ("findRunnable", "poller", "poller_nop", "sysmon")


@dataclass
class NetStats:
    """The network poller's work in a run, counted as it happens (kept with or without ``record``): what the
    chapter's panel and its check against a real execution trace read."""

    parks: int = 0  # goroutines netpollblock parked in "IO wait"
    max_waiting: int = 0  # most goroutines in "IO wait" at once
    writes: int = 0  # netpollready_fd: a write that made the other end readable
    returns: int = 0  # a blocking netpoll returned (with goroutines, or for a timer or a netpollBreak)
    made: dict = field(default_factory=lambda: dict.fromkeys(NETPOLL_CALLERS, 0))  # goroutines made runnable
    polls: dict = field(default_factory=lambda: dict.fromkeys(NETPOLL_CALLERS, 0))  # netpolls that returned any
    largest: int = 0  # the most goroutines one netpoll returned (at most `NETPOLL_EVENTS`)


class Sched:
    """One simulated process: ``allp``, ``allm``, ``allgs``, ``sched``, sysmon, and the event queue."""

    def __init__(self, gomaxprocs: int, *, seed: int = 0, asyncpreempt: bool = True, schedtrace_ns: int = 0,
                 costs: Costs = Costs(), record: bool = True, sample_ns: int = 0, check: bool = False) -> None:
        self.gomaxprocs = check_gomaxprocs(gomaxprocs)
        self.rng = random.Random(seed)
        self.asyncpreempt = asyncpreempt
        self.schedtrace_ns = schedtrace_ns
        self.costs = costs
        self.recording = record
        self.rec = Record()
        self.net = NetStats()
        self.sample_ns = sample_ns
        self.check = check
        self.now = 0
        self.events: list = []
        self.seq = 0
        self.sched = schedt()
        self.allp: list[p] = []
        self.allm: list[m] = []
        self.allgs: list[g] = []
        self.stealOrder = randomOrder(self.gomaxprocs)
        self.stopped = False
        self.exited = False
        self.main: g | None = None
        self.decisions = 0
        self.nevents = 0
        self.max_runq = 0
        self.max_globrunq = 0
        self.violation_start = -1
        self.conservation_max = 0
        self.sysmon_gen = None
        self.sysmon_tok = 0
        self.sysmon_ticks = 0
        self.starttime = -1
        self.observed: list = []  # what a workload's goroutines record (see workloads.schedpair)

    # --- events ----------------------------------------------------------------------------------------------

    def at(self, t: int, kind: int, obj, tok=None) -> None:
        self.seq += 1
        _heappush(self.events, (t, self.seq, kind, obj, tok))

    # --- boot -----------------------------------------------------------------------------------------------

    def boot(self, main_prog: Iterator) -> None:
        """``schedinit``'s ``procresize``, ``newm(sysmon)``, and the main goroutine running on m0 with P0."""
        n = self.gomaxprocs
        self.allp = [p(i) for i in range(n)]
        m0 = self.newm_struct()
        self.newm_struct()  # sysmon's M: no P, never in midle
        # procresize: P0 goes to m0; the rest are idle, pidle popping the lowest id first.
        for pp in reversed(self.allp[1:]):
            self.pidleput(pp)
        self.acquirep(m0, self.allp[0])
        self.main = gp = self.newg(main_prog, "main", 0)
        self.sysmon_gen = self.sysmon()
        self.at(0, EV_SYSMON, None, self.sysmon_tok)
        if self.sample_ns:
            self.at(0, EV_SAMPLE, None)
        gp.status = _Grunnable
        self.allp[0].runnext = gp
        self.schedule(m0)

    def newm_struct(self) -> m:
        mp = m(len(self.allm))
        self.allm.append(mp)
        self.sched.mcount += 1
        self.checkmcount()
        return mp

    # ``sched.maxmcount`` (schedinit sets 10000; ``debug.SetMaxThreads`` changes it): a class attribute, so a
    # workload sets it on its process and a mutant can patch it.
    maxmcount = 10000

    def checkmcount(self) -> None:
        """``checkmcount`` (called by ``mReserveID`` once the new M is counted): more Ms than ``maxmcount``
        and the process dies with "fatal error: thread exhaustion"."""
        if self.sched.mcount > self.maxmcount:
            raise ThreadExhaustion(f"runtime: program exceeds {self.maxmcount}-thread limit; "
                                   f"fatal error: thread exhaustion (at t={self.now} ns)")

    def setMaxThreads(self, n: int) -> int:
        """``debug.SetMaxThreads(n)`` (``setMaxThreads``): the new limit, checked at once; returns the old one."""
        old, self.maxmcount = self.maxmcount, min(int(n), 0x7FFFFFFF)
        self.checkmcount()
        return old

    def newg(self, prog: Iterator, name: str | None, parent: int) -> g:
        allgs = self.allgs
        gp = g(len(allgs) + 1, prog, name, self.now, parent)
        allgs.append(gp)
        return gp

    # --- the loop ---------------------------------------------------------------------------------------------

    def run(self, until: int) -> None:
        """Process events up to virtual time ``until`` or until the main goroutine returns."""
        with gc_paused():
            self.run_events(until)

    def run_events(self, until: int) -> None:
        events = self.events
        pop = _heappop
        check = self.check
        run_g = self.run_g
        schedule = self.schedule
        nevents = 0
        while events:
            if events[0][0] > until:
                break
            t, _, kind, obj, tok = pop(events)
            self.now = t
            nevents += 1
            if kind == EV_SEG_END:
                if obj.tok == tok:
                    mp = obj.m
                    gp = mp.curg
                    gp.left = 0
                    gp.op = None
                    if run_g(obj, mp, gp):
                        schedule(mp)
            elif kind == EV_PREEMPT:
                pp = obj
                mp = pp.m
                if mp is not None and mp.curg is tok and tok.status == _Grunning and tok.preempt:
                    if self.preempt_now(pp, mp, tok, "async" if self.asyncpreempt and not tok.calls else "coop"):
                        schedule(mp)
            elif kind == EV_SYSMON:
                if tok == self.sysmon_tok:
                    self.sysmon_step(obj)
            elif kind == EV_MWAKE:
                if obj.tok == tok:
                    self.mstart(obj)
            elif kind == EV_SPIN_END:
                if obj.tok == tok:
                    schedule(obj, True)
            elif kind == EV_SYSCALL_EXIT:
                if obj.tok == tok:
                    self.exitsyscall(obj)
            elif kind == EV_POLL:
                if obj.tok == tok:
                    self.netpoll_return(obj)
            elif kind == EV_STEAL_RUNNEXT:
                mp, p2, gp = obj
                if mp.tok == tok:
                    self.steal_runnext(mp, p2, gp)
            elif kind == EV_SAMPLE:
                self.sample()
                self.at(t + self.sample_ns, EV_SAMPLE, None)
            elif kind == EV_RESIZE:
                self.startTheWorld(self.procresize_stw(None, obj))
            if check:
                self.check_invariants()
            if self.exited:
                break
        self.nevents += nevents
        if not self.exited:
            self.now = max(self.now, until)

    # --- schedule / findRunnable / execute -------------------------------------------------------------------

    def schedule(self, mp: m, final: bool = False, gp: g | None = None) -> None:
        """``schedule``: one round per loop - find a runnable G and ``execute`` it - until the M blocks or runs a
        G that keeps it (a compute segment, a syscall). ``gp``: a G this M already took (a stolen ``runnext``,
        a G back from a syscall on an idle P) to execute first, in a new time slice."""
        findRunnable = self.findRunnable
        run_g = self.run_g
        sched = self.sched
        while True:
            self.decisions += 1
            if gp is None:
                if mp.lockedg is not None:  # a locked M runs only its G: it sleeps until that G is runnable
                    self.stoplockedm(mp)
                    return
                # findRunnable's first look when no timer is due and it is not a 61st tick with work on the global
                # queue: the local queue (runqget); findRunnable itself only when that is empty
                pp = mp.p
                timers = pp.timers
                if (timers and timers[0][0] <= self.now) or (sched.runq and pp.schedtick % globrunqCheckTicks == 0):
                    gp, inheritTime = findRunnable(mp, final)
                    pp = mp.p
                else:
                    gp, inheritTime = runqget(pp)
                    if gp is None:
                        gp, inheritTime = findRunnable(mp, final)
                        pp = mp.p
                if gp is None:
                    return
            else:
                inheritTime = False
                pp = mp.p
            if mp.spinning:
                self.resetspinning(mp)
            if gp.lockedm is not None and gp.lockedm is not mp:  # gp runs only on its M: hand it this P
                self.startlockedm(mp, gp)
                return
            # execute: a new time slice (schedtick++) unless gp inherits the current one
            mp.curg = gp
            gp.m = mp
            gp.status = _Grunning
            gp.preempt = False
            if not inheritTime:
                pp.schedtick += 1
            gp.run_start = self.now
            if not run_g(pp, mp, gp):
                return
            gp = None
            final = False

    def findRunnable(self, mp: m, final: bool = False):
        """``findRunnable``: (gp, inheritTime), or (None, False) when the M waits (spinning window, steal back-off,
        netpoll) or parks. ``final``: the spinning window is over, give up if nothing turns up."""
        sched = self.sched
        for _ in range(1000):
            pp = mp.p
            now = self.now
            timers = pp.timers
            if timers and timers[0][0] <= now:
                self.runTimers(pp, pp, now)
            if pp.schedtick % globrunqCheckTicks == 0 and sched.runq:  # fairness: the global queue at times
                return sched.runq.popleft(), False
            gp, inheritTime = runqget(pp)  # runnext first, inheriting the time slice
            if gp is not None:
                return gp, inheritTime
            if sched.runq:
                return self.globrunqget_into(pp), False
            if self.netpollWaiters and sched.poller is None and self.netpollReadyList:  # netpoll(0)
                return self.netpoll_inject("findRunnable", pp), False
            pollUntil = timers[0][0] if timers else 0
            if mp.spinning or 2 * sched.nmspinning < self.gomaxprocs - sched.npidle:
                if not mp.spinning:
                    self.becomeSpinning(mp)
                gp, inheritTime, newWork, w = self.stealWork(mp, pp, now)
                if gp is not None:
                    return (None, False) if gp is True else (gp, inheritTime)
                if newWork:
                    continue
                if w and (pollUntil == 0 or w < pollUntil):
                    pollUntil = w
                if not final:  # keep spinning a while: new work submitted now is found by this M, not a new one
                    mp.tok += 1
                    self.at(now + self.costs.spin, EV_SPIN_END, mp, mp.tok)
                    return None, False
            # We have nothing to do: return P and block.
            if sched.runq:
                return self.globrunqget_into(pp), False
            if not mp.spinning and sched.needspinning:
                self.becomeSpinning(mp)
                final = False
                continue
            self.releasep(mp)
            self.pidleput(pp)
            wasSpinning = mp.spinning
            if wasSpinning:  # the delicate dance: drop nmspinning, then check every source again
                mp.spinning = False
                sched.nmspinning -= 1
                if sched.runq:
                    pp = self.pidlegetSpinning()
                    if pp is not None:
                        gp = self.globrunqget_into(pp)
                        self.acquirep(mp, pp)
                        self.becomeSpinning(mp)
                        return gp, False
                pp = self.checkRunqsNoP()
                if pp is not None:
                    self.acquirep(mp, pp)
                    self.becomeSpinning(mp)
                    continue
                pollUntil = self.checkTimersNoP(pollUntil)
            if pollUntil or (self.netpollWaiters and sched.poller is None):
                if sched.poller is None:  # block in netpoll until the next timer (or a ready fd)
                    sched.poller = mp
                    sched.pollUntil = pollUntil
                    mp.was_spinning = wasSpinning
                    mp.tok += 1
                    if pollUntil:  # whole milliseconds, then ~85 us late (Costs.pollslack): it polls again if early
                        self.at(now + netpollWaitNS(pollUntil - now) + self.costs.pollslack, EV_POLL, mp,
                                mp.tok)
                    elif self.netpollReadyList:  # already ready: epoll_wait returns at once
                        self.netpollBreak()
                    return None, False
                if sched.pollUntil == 0 or sched.pollUntil > pollUntil:
                    self.netpollBreak()
            self.stopm(mp)
            return None, False
        raise RuntimeError(f"findRunnable on {mp} looped 1000 times at t={self.now}")

    def globrunqget_into(self, pp: p):
        """``globrunqgetbatch(len(pp.runq)/2)`` then ``runqputbatch``: the first G to run, the rest local."""
        gp, batch = globrunqgetbatch(self.sched, RUNQ_SIZE // 2, self.gomaxprocs)
        if batch:
            runqputbatch(pp, batch)
        return gp

    def stealWork(self, mp: m, pp: p, now: int):
        """``stealWork``: (gp | True while a runnext steal sleeps | None, inheritTime, newWork, pollUntil)."""
        allp = self.allp
        n = len(allp)
        coprimes = self.stealOrder.coprimes
        ncop = len(coprimes)
        getrandbits = self.rng.getrandbits
        ranTimer = False
        pollUntil = 0
        for i in range(stealTries):
            last = i == stealTries - 1
            r = getrandbits(32)  # stealOrder.start(cheaprand())
            pos = r % n
            inc = coprimes[r // n % ncop]
            for _ in range(n):
                p2 = allp[pos]
                pos = (pos + inc) % n
                if p2 is pp:
                    continue
                if last and p2.timers:
                    w = p2.timers[0][0]
                    if w <= now:
                        self.runTimers(p2, pp, now)  # may ready Gs onto pp: run one at once (runqget)
                        gp, inheritTime = runqget(pp)
                        if gp is not None:
                            return gp, inheritTime, False, 0
                        ranTimer = True
                    elif pollUntil == 0 or w < pollUntil:
                        pollUntil = w
                if p2.idle:
                    continue
                q = p2.runq
                if q:  # runqsteal: half of p2's queue
                    k = len(q)
                    k -= k // 2
                    batch = [q.popleft() for _ in range(k)]
                    gp = batch.pop()
                    if batch:
                        pp.runq.extend(batch)
                    if self.recording:
                        self.rec.steals.append((now, pp.id, p2.id, k, False))
                    return gp, False, False, 0
                if last and p2.runnext is not None:
                    m2 = p2.m
                    if p2.status == _Prunning and m2 is not None and (m2.curg is None or
                                                                        m2.curg.status != _Gsyscall):
                        # usleep(3): give p2 a chance to schedule its runnext before stealing it
                        mp.tok += 1
                        self.at(now + self.costs.usleep(3), EV_STEAL_RUNNEXT, (mp, p2, p2.runnext), mp.tok)
                        return True, False, False, 0
                    gp = p2.runnext
                    p2.runnext = None
                    if self.recording:
                        self.rec.steals.append((now, pp.id, p2.id, 1, True))
                    return gp, False, False, 0
        return None, False, ranTimer, pollUntil

    def steal_runnext(self, mp: m, p2: p, gp: g) -> None:
        """After ``usleep(3)``: take p2's runnext if it is still there (the CAS), else finish the search."""
        if p2.runnext is gp and mp.p is not None:
            p2.runnext = None
            if self.recording:
                self.rec.steals.append((self.now, mp.p.id, p2.id, 1, True))
            self.schedule(mp, final=True, gp=gp)
        else:
            self.schedule(mp, final=True)

    def checkRunqsNoP(self):
        """``checkRunqsNoP``: an idle P to come back with if some non-idle P has work."""
        for p2 in self.allp:
            if not p2.idle and (p2.runq or p2.runnext is not None):
                return self.pidlegetSpinning()
        return None

    def checkTimersNoP(self, pollUntil: int) -> int:
        for p2 in self.allp:
            if p2.timers:
                w = p2.timers[0][0]
                if pollUntil == 0 or w < pollUntil:
                    pollUntil = w
        return pollUntil

    # --- a goroutine's code -----------------------------------------------------------------------------------

    def run_g(self, pp: p, mp: m, gp: g) -> bool:
        """Run gp's program from where it is until it starts a compute segment (False), blocks, yields, is
        preempted at a call, or exits (True: the M schedules)."""
        now = self.now
        op = gp.op
        if op is not None:  # resuming a segment (after a preemption, a stop-the-world)
            if op == OP_RUN or not self.stopped:
                return self.resume_segment(pp, gp, now)
            gp.op = None  # a spin loop that was stopped while it waited
        steps = 0
        prog = gp.prog
        while True:
            if gp.preempt:  # a pending request, noticed at the next call's stack check
                return self.preempt_now(pp, mp, gp, "coop")
            ret = gp.ret
            if ret is None:  # next(prog, _END): a program that returns gives _END, no StopIteration made
                a = next(prog, _END)
            else:
                try:
                    a = prog.send(ret)
                except StopIteration:
                    a = _END
            if a is _END:
                return self.goexit0(pp, mp, gp)
            op = a[0]
            if op == OP_RUN:  # the hot path: start a compute segment
                gp.op = OP_RUN  # gp.left is set when the segment is cut short (preempt_now, a stop-the-world)
                gp.calls = a[2]
                tok = pp.tok + 1
                pp.tok = tok
                end = now + a[1]
                pp.seg_end = end
                seq = self.seq + 1
                self.seq = seq
                _heappush(self.events, (end, seq, EV_SEG_END, pp, tok))
                return False
            if op == OP_SPIN:
                gp.left = INF
                gp.calls = a[1]
                if self.stopped:
                    continue
                gp.op = OP_SPIN
                return self.resume_segment(pp, gp, now)
            steps += 1
            if steps > 100_000:
                raise RuntimeError(f"G{gp.goid} ({gp.name}) did 100000 actions without computing at t={now}")
            gp.ret = None
            if op == OP_SEND:
                blocked, w = chansend(a[1], gp)
                if w is not None:
                    w.ret = True
                    self.ready(pp, w)
                if blocked:
                    return self.gopark(pp, mp, gp, "chan send")
            elif op == OP_RECV:
                blocked, w, ok = chanrecv(a[1], gp)
                gp.ret = ok
                if w is not None:
                    w.ret = True
                    self.ready(pp, w)
                if blocked:
                    return self.gopark(pp, mp, gp, "chan receive")
            elif op == OP_RECVN:
                c = a[1]
                if c.qcount > 0 and not c.sendq:  # chanrecv from the buffer, no sender to wake: as many at once
                    k = min(c.qcount, a[2])
                    c.qcount -= k
                    c.recvs += k
                    gp.ret = k
                else:
                    blocked, w, ok = chanrecv(c, gp)
                    gp.ret = 1 if ok else a[2]  # woken by a send: True (1); by close: False, then ok is False
                    if w is not None:
                        w.ret = True
                        self.ready(pp, w)
                    if blocked:
                        return self.gopark(pp, mp, gp, "chan receive")
            elif op == OP_GOS:
                self.newproc(pp, a[1], gp.goid)
            elif op == OP_GO:
                self.newproc(pp, ((a[1], a[2]),), gp.goid)
            elif op == OP_MAIN:
                gp.prog = prog = a[1]
            elif op == OP_PARK:
                return self.gopark(pp, mp, gp, a[1])
            elif op == OP_NETWAIT:
                if self.netpollblock(pp, mp, gp, a[1]):
                    return True
            elif op == OP_NETREADY:
                self.netpollready_fd(a[1])
            elif op == OP_SYSCALL:
                return self.entersyscall(pp, mp, gp, a[1])
            elif op == OP_SYSCALLBLOCK:
                return self.entersyscallblock(pp, mp, gp, a[1])
            elif op == OP_SLEEP:
                return self.timeSleep(pp, mp, gp, a[1])
            elif op == OP_STOP:
                self.set_stop()
            elif op == OP_GOSCHED:
                return self.goschedImpl(pp, mp, gp, False)
            elif op == OP_CLOSE:
                for w in closechan(a[1]):
                    w.ret = False
                    self.ready(pp, w)
            elif op == OP_GOMAXPROCS:
                self.startTheWorld(self.procresize_stw(mp, a[1]))
                if mp.p is not pp:  # the caller moved to P0: its interval continues there
                    self.stopg(pp, gp, "stw")
                    gp.run_start = now
                    pp = mp.p
            else:
                raise ValueError(f"G{gp.goid} yielded an unknown action {a!r}")

    def resume_segment(self, pp: p, gp: g, now: int) -> bool:
        """gp (re)starts the compute segment it is in: ``gp.left`` more ns (a spin: until the stop flag); a
        preemption request still pending is noticed at the next call (False: the M stays with gp)."""
        tok = pp.tok + 1
        pp.tok = tok
        end = now + gp.left
        pp.seg_end = end
        if end < INF:
            self.seq += 1
            _heappush(self.events, (end, self.seq, EV_SEG_END, pp, tok))
        if gp.preempt and gp.calls:
            self.at(now + self.costs.coop_preempt, EV_PREEMPT, pp, gp)
        return False

    def stopg(self, pp: p, gp: g, why: str) -> None:
        """gp stops running on pp: close its interval on the timeline."""
        now = self.now
        gp.cpu += now - gp.run_start
        gp.nslices += 1
        pp.tok += 1
        if self.recording:
            self.rec.intervals.append((pp.id, gp.goid, gp.run_start, now, why))

    def gopark(self, pp: p, mp: m, gp: g, reason: str) -> bool:
        """``gopark`` → ``park_m``: gp waits; the M schedules."""
        self.stopg(pp, gp, "block")
        gp.status = _Gwaiting
        gp.waitreason = reason
        mp.curg = None
        return True

    def ready(self, pp: p, gp: g) -> None:
        """``ready``/``goready``: runnable, into this P's ``runnext``, and ``wakep``."""
        gp.status = _Grunnable
        gp.waitreason = ""
        sched = self.sched
        runqput(pp, gp, True, sched)
        if len(pp.runq) > self.max_runq:
            self.max_runq = len(pp.runq)
        if len(sched.runq) > self.max_globrunq:
            self.max_globrunq = len(sched.runq)
        if sched.nmspinning == 0:
            self.wakep()

    def newproc(self, pp: p, programs, parent: int) -> g:
        """``newproc`` for each (program, name) in ``programs`` (``go`` statements in a row: one, or a `gos` loop
        of them): a new G in ``runnext`` (the previous one to the tail), then ``wakep`` - or, with no idle P,
        ``needspinning``. Returns the last new G. (One call for a whole loop: a call per goroutine costs.)"""
        allgs = self.allgs
        sched = self.sched
        q = pp.runq
        globq = sched.runq
        max_runq = self.max_runq
        max_globrunq = self.max_globrunq
        newid = len(allgs)
        newg = None
        for program, name in programs:
            newid += 1
            newg = g(newid, program, name or None, self.now, parent)
            allgs.append(newg)
            runqput(pp, newg, True, sched)
            if len(q) > max_runq:
                max_runq = len(q)
            if len(globq) > max_globrunq:
                max_globrunq = len(globq)
            if sched.nmspinning == 0:
                if sched.pidle:
                    self.wakep()
                else:  # wakep finds no idle P: the next M that goes idle spins instead
                    sched.needspinning = 1
        self.max_runq = max_runq
        self.max_globrunq = max_globrunq
        return newg

    def goexit0(self, pp: p, mp: m, gp: g) -> bool:
        """``goexit0``: gp is dead (its interval ends "exit"); the M schedules, unless gp was main."""
        now = self.now
        gp.cpu += now - gp.run_start  # stopg(pp, gp, "exit")
        gp.nslices += 1
        pp.tok += 1
        if self.recording:
            self.rec.intervals.append((pp.id, gp.goid, gp.run_start, now, "exit"))
        gp.status = _Gdead
        gp.finished = now
        gp.prog = None  # its finished generator and what it held can go now
        mp.curg = None
        if gp is self.main:  # main.main returned: the process exits
            self.exited = True
            return False
        return True

    def set_stop(self) -> None:
        """The program's stop flag: running `spin` loops see it at once and end."""
        self.stopped = True
        for pp in self.allp:
            mp = pp.m
            if mp is not None and mp.curg is not None and mp.curg.op == OP_SPIN and mp.curg.status == _Grunning:
                self.at(self.now, EV_SEG_END, pp, pp.tok)

    # --- preemption -------------------------------------------------------------------------------------------

    def preemptone(self, pp: p) -> bool:
        """``preemptone``: ``gp.preempt`` and ``stackguard0 = stackPreempt`` (noticed at the next call), and
        since Go 1.14 a signal (``preemptM``) unless asynchronous preemption is off."""
        mp = pp.m
        if mp is None:
            return False
        gp = mp.curg
        if gp is None or gp.status != _Grunning:
            return False
        gp.preempt = True
        if self.asyncpreempt:
            delay = self.costs.async_preempt
            if gp.calls and (gp.op == OP_RUN or gp.op == OP_SPIN):
                delay = min(delay, self.costs.coop_preempt)
            self.at(self.now + delay, EV_PREEMPT, pp, gp)
        elif gp.calls and (gp.op == OP_RUN or gp.op == OP_SPIN):
            self.at(self.now + self.costs.coop_preempt, EV_PREEMPT, pp, gp)
        return True

    def preempt_now(self, pp: p, mp: m, gp: g, how: str) -> bool:
        """The G reached a preemption point (a call's stack check, or the signal handler's ``asyncPreempt``):
        ``gopreempt_m``."""
        if gp.op == OP_RUN:
            gp.left = max(0, pp.seg_end - self.now)
            if gp.left == 0:
                gp.op = None
        if self.recording:
            self.rec.preemptions.append((self.now, pp.id, gp.goid, how))
        return self.goschedImpl(pp, mp, gp, True)

    def goschedImpl(self, pp: p, mp: m, gp: g, preempted: bool) -> bool:
        """``goschedImpl``: runnable, to the tail of the global queue, ``wakep``; the M schedules."""
        self.stopg(pp, gp, "preempted" if preempted else "gosched")
        gp.status = _Grunnable
        mp.curg = None
        self.sched.runq.append(gp)
        if len(self.sched.runq) > self.max_globrunq:
            self.max_globrunq = len(self.sched.runq)
        self.wakep()
        return True

    # --- Ms and Ps ----------------------------------------------------------------------------------------------

    def acquirep(self, mp: m, pp: p) -> None:
        mp.p = pp
        pp.m = mp
        pp.status = _Prunning

    def releasep(self, mp: m) -> p:
        pp = mp.p
        mp.p = None
        pp.m = None
        pp.status = _Pidle
        return pp

    def pidleput(self, pp: p) -> None:
        if not runqempty(pp):
            raise RuntimeError(f"pidleput: {pp} has a non-empty run queue")
        pp.idle = True
        self.sched.pidle.append(pp)
        self.sched.npidle += 1

    def pidleget(self):
        sched = self.sched
        if not sched.pidle:
            return None
        pp = sched.pidle.pop()
        pp.idle = False
        sched.npidle -= 1
        return pp

    def pidlegetSpinning(self):
        pp = self.pidleget()
        if pp is None:
            self.sched.needspinning = 1
        return pp

    def becomeSpinning(self, mp: m) -> None:
        mp.spinning = True
        self.sched.nmspinning += 1
        self.sched.needspinning = 0

    def resetspinning(self, mp: m) -> None:
        """``resetspinning``: a spinning M found work; if it was the last spinner, wake another."""
        mp.spinning = False
        self.sched.nmspinning -= 1
        self.wakep()

    def wakep(self) -> None:
        """``wakep``: start one spinning M if none spins and a P is idle."""
        sched = self.sched
        if sched.nmspinning != 0:
            return
        if not sched.pidle:  # pidlegetSpinning finds no P: ask the next M that goes idle to spin instead
            sched.needspinning = 1
            return
        sched.nmspinning = 1
        self.startm(self.pidleget(), True)

    def startm(self, pp, spinning: bool) -> None:
        """``startm``: an idle M (``mget``) or a new one (``newm``) will run pp after it wakes up."""
        if pp is None:
            pp = self.pidleget()
            if pp is None:
                return
        sched = self.sched
        if sched.midle:
            nmp = sched.midle.pop()
            sched.nmidle -= 1
            delay = self.costs.wakeup
        else:
            nmp = self.newm_struct()
            nmp.mstartfn = "runtime.mspinning" if spinning else None
            delay = self.costs.newm
        nmp.parked = False
        nmp.spinning = spinning
        nmp.nextp = pp
        nmp.tok += 1
        self.at(self.now + delay, EV_MWAKE, nmp, nmp.tok)

    def mstart(self, mp: m) -> None:
        """The woken M runs: ``acquirep(nextp)`` and ``schedule``."""
        pp = mp.nextp
        mp.nextp = None
        self.acquirep(mp, pp)
        if mp.lockedg is not None:  # back from stoplockedm: execute(lockedg, false)
            self.schedule(mp, gp=mp.lockedg)
            return
        self.schedule(mp)

    def stopm(self, mp: m) -> None:
        """``stopm``: park the M on ``sched.midle`` until ``startm`` hands it a P."""
        mp.parked = True
        self.sched.midle.append(mp)
        self.sched.nmidle += 1

    def handoffp(self, pp: p, why: str) -> None:
        """``handoffp``: start an M for pp if it has work (or nobody spins and no P is idle, or it is the last
        running P and nobody polls); otherwise pp goes idle."""
        sched = self.sched
        if self.recording:
            self.rec.handoffs.append((self.now, pp.id, why))
        if not runqempty(pp) or sched.runq:
            self.startm(pp, False)
            return
        if sched.nmspinning + sched.npidle == 0:
            sched.nmspinning += 1
            sched.needspinning = 0
            self.startm(pp, True)
            return
        if sched.npidle == self.gomaxprocs - 1 and sched.poller is None:
            self.startm(pp, False)
            return
        when = pp.timers[0][0] if pp.timers else 0
        self.pidleput(pp)
        if when:
            self.wakeNetPoller(when)

    # --- locked Ms (lockOSThread) and sysmon's M: what the boot needs (chapter 1, gosim.boot) -------------------

    def lockOSThread(self, mp: m) -> None:
        """``lockOSThread`` → ``dolockOSThread``: the G running on ``mp`` and ``mp`` are wired together: the M runs
        no other G and the G no other M until ``unlockOSThread`` (runtime.main holds m0 so during init)."""
        gp = mp.curg
        mp.lockedg = gp
        gp.lockedm = mp

    def unlockOSThread(self, mp: m) -> None:
        gp = mp.lockedg
        mp.lockedg = None
        if gp is not None:
            gp.lockedm = None

    def stoplockedm(self, mp: m) -> None:
        """``stoplockedm``: the G locked to ``mp`` blocked, so ``schedule`` gives the P to another M
        (``handoffp(releasep())``) and ``mp`` sleeps (``mPark``, not on ``sched.midle``) until ``startlockedm``
        hands it a P with its G runnable."""
        if mp.p is not None:
            self.handoffp(self.releasep(mp), "stoplockedm")
        mp.parked = True

    def startlockedm(self, mp: m, gp: g) -> None:
        """``startlockedm``: ``mp`` found ``gp`` runnable but ``gp`` is locked to another M: hand that M this P
        (``nextp``), wake it (``notewakeup``), and stop (``stopm``)."""
        lm = gp.lockedm
        pp = self.releasep(mp)
        lm.nextp = pp
        lm.parked = False
        lm.tok += 1
        self.at(self.now + self.costs.wakeup, EV_MWAKE, lm, lm.tok)
        self.stopm(mp)

    def newm_sysmon(self) -> m:
        """``newm(sysmon, nil, -1)`` in runtime.main: sysmon's M, with no P (never on ``sched.midle``); its first
        round starts now. (`boot` does the same for chapter 5's processes, which start with sysmon running.)"""
        mp = self.newm_struct()
        mp.mstartfn = "runtime.sysmon"
        self.sysmon_gen = self.sysmon()
        self.sysmon_tok += 1
        self.at(self.now, EV_SYSMON, None, self.sysmon_tok)
        return mp

    # --- timers and the network poller ---------------------------------------------------------------------

    def timeSleep(self, pp: p, mp: m, gp: g, ns: int) -> bool:
        """``time.Sleep``: a timer on this P's heap; park; ``wakeNetPoller``."""
        when = self.now + ns
        self.seq += 1
        heapq.heappush(pp.timers, (when, self.seq, gp))
        self.gopark(pp, mp, gp, "sleep")
        self.wakeNetPoller(when)
        return True

    def runTimers(self, owner: p, pp: p, now: int) -> None:
        """``owner.timers.check``: run owner's expired timers; each readies its G on ``pp`` (the P running them)."""
        timers = owner.timers
        while timers and timers[0][0] <= now:
            _, _, gp = heapq.heappop(timers)
            self.ready(pp, gp)

    def wakeNetPoller(self, when: int) -> None:
        """``wakeNetPoller``: interrupt the poller if it sleeps past ``when``; with no poller, ``wakep``."""
        sched = self.sched
        if sched.poller is not None:
            if sched.pollUntil == 0 or sched.pollUntil > when:
                self.netpollBreak()
        else:
            self.wakep()

    _pollbreak = None  # (M, tok) of a wake-up of the poller under way (`Costs.pollwake`)

    def netpollBreak(self) -> None:
        """Wake the M blocked in ``netpoll`` (``netpollBreak``, or a descriptor made ready): it returns after
        `Costs.pollwake` (0 by default: at once; the chapter's box says what charging it does)."""
        mp = self.sched.poller
        delay = self.costs.pollwake
        if delay and self._pollbreak == (mp, mp.tok):  # already woken, still on its way
            return
        mp.tok += 1
        self.at(self.now + delay, EV_POLL, mp, mp.tok)
        if delay:
            self._pollbreak = (mp, mp.tok)

    def netpoll_return(self, mp: m) -> None:
        """The poller's ``netpoll(delay)`` returned: take an idle P and look again, or park."""
        sched = self.sched
        sched.poller = None
        sched.pollUntil = 0
        self.lastpoll = self.now
        self.net.returns += 1
        pp = self.pidleget()
        if pp is None:
            if self.netpollReadyList:
                self.injectglist(self.netpoll_list("poller_nop"))
            self.stopm(mp)
            return
        self.acquirep(mp, pp)
        if self.netpollReadyList:  # what netpoll returned: run the first, inject the rest
            self.schedule(mp, gp=self.netpoll_inject("poller", pp))
            return
        if mp.was_spinning:
            self.becomeSpinning(mp)
        self.schedule(mp)

    # --- the network poller: file descriptors (netpoll.go, netpoll_epoll.go) -----------------------------------

    netpollWaiters = 0  # goroutines parked in netpollblock (``netpollWaiters``)
    netpollReadyList = ()  # goroutines whose fd is ready, not yet returned by a netpoll (epoll's ready list)
    lastpoll = 0  # when an M last returned from a blocking netpoll (``sched.lastpoll``)

    def netpollblock(self, pp: p, mp: m, gp: g, pd: pollDesc) -> bool:
        """``poll_runtime_pollWait`` → ``netpollblock``: data there (``pdReady``): take it and go on (False); else
        park in "IO wait", holding no M and no P (True)."""
        if pd.ready:
            pd.ready = False
            return False
        pd.rg = gp
        self.netpollWaiters += 1
        net = self.net
        net.parks += 1
        if self.netpollWaiters > net.max_waiting:
            net.max_waiting = self.netpollWaiters
        return self.gopark(pp, mp, gp, "IO wait")

    def netpollready_fd(self, pd: pollDesc) -> None:
        """The kernel makes ``pd`` readable. Its goroutine does not become runnable here: it waits in epoll's ready
        list until an M calls ``netpoll`` (an M blocked in ``netpoll`` returns at once: ``netpollBreak``)."""
        self.net.writes += 1
        if pd.rg is None:
            pd.ready = True
            return
        if not self.netpollReadyList:
            self.netpollReadyList = []
        self.netpollReadyList.append(pd.rg)
        pd.rg = None
        if self.sched.poller is not None:
            self.netpollBreak()

    def netpoll_list(self, who: str) -> list:
        """``netpoll``, called by ``who`` (`NETPOLL_CALLERS`): the goroutines whose fds are ready, now runnable
        (``netpollready`` → ``netpollunblock``), in the order of netpoll's list: ``netpollready`` pushes each on
        the head of the list (``toRun.push``, netpoll.go:504; ``gList.push``, proc.go:7885), so the one made
        ready last comes first. At most `NETPOLL_EVENTS` (128) ready descriptors a call, one goroutine each here
        (writes never wait; a real event ready both ways gives two, ``netpollready``): ``EpollWait`` fills a ``var
        events [128]linux.EpollEvent`` (netpoll_epoll.go:131-133); the kernel keeps the rest on epoll's ready list, first
        made ready first, for the next call (the list is a FIFO, ``ep_poll_callback``'s ``list_add_tail`` in
        Linux's fs/eventpoll.c, not installed here)."""
        ready = self.netpollReadyList
        gs = ready[:NETPOLL_EVENTS][::-1]
        self.netpollReadyList = ready[NETPOLL_EVENTS:]
        self.netpollWaiters -= len(gs)
        if gs:
            self.net.made[who] += len(gs)
            self.net.polls[who] += 1
            if len(gs) > self.net.largest:
                self.net.largest = len(gs)
        for gp in gs:
            gp.status = _Grunnable
            gp.waitreason = ""
        return gs

    def netpoll_inject(self, who: str, pp: p) -> g:
        """``netpoll(0)`` in findRunnable (or after a blocking netpoll) with the P ``pp``: the head of the list
        (``list.pop()``, proc.go:3514 and proc.go:3789) runs now, the rest go to ``injectglist``."""
        gs = self.netpoll_list(who)
        if self.recording:  # as a trace writes them: injectglist's GoUnparks first, then the G that runs now
            self.rec.netpolls.append((self.now, pp.id, who, [gp.goid for gp in gs[1:]] + [gs[0].goid]))
        self.injectglist(gs[1:], pp)
        return gs[0]

    def injectglist(self, gs: list, pp: p | None = None) -> None:
        """``injectglist`` (proc.go:4060), for the caller holding ``pp`` (None: no P). With no P: every G to the
        global queue and an M started for each idle P, one per G (``startIdle``). With a P: one G per idle P
        (``sched.npidle``) to the global queue, an M started for each; the rest to ``pp``'s local queue (what
        does not fit to the global queue); then ``wakep``."""
        if not gs:
            return
        sched = self.sched
        if pp is None:
            sched.runq.extend(gs)
            if len(sched.runq) > self.max_globrunq:
                self.max_globrunq = len(sched.runq)
            self.startIdle(len(gs))
            return
        npidle = sched.npidle
        globq, rest = gs[:npidle], gs[npidle:]
        if globq:
            sched.runq.extend(globq)
            self.startIdle(len(globq))
        if rest:
            runqputbatch(pp, rest)  # leaves in ``rest`` what did not fit
            if len(pp.runq) > self.max_runq:
                self.max_runq = len(pp.runq)
            sched.runq.extend(rest)
        if len(sched.runq) > self.max_globrunq:
            self.max_globrunq = len(sched.runq)
        self.wakep()

    def startIdle(self, n: int) -> None:
        """injectglist's ``startIdle``: for each of ``n`` Gs an idle P (``pidlegetSpinning``) and a non-spinning
        M started for it (``startm(pp, false, true)``), until no P is idle."""
        for _ in range(n):
            pp = self.pidlegetSpinning()
            if pp is None:
                break
            self.startm(pp, False)

    def sysmon_netpoll(self, now: int) -> None:
        """sysmon: ``netpoll(0)`` if no M has returned from a blocking netpoll for 10 ms and none is blocked in
        it; what it returns goes to ``injectglist``."""
        if self.sched.poller is None and self.lastpoll + 10_000_000 < now:
            self.lastpoll = now
            if self.netpollReadyList:
                self.injectglist(self.netpoll_list("sysmon"))

    # --- system calls ---------------------------------------------------------------------------------------

    def entersyscall(self, pp: p, mp: m, gp: g, ns: int) -> bool:
        """``entersyscall``: the G leaves Go code; the P stays wired to this M (``m.oldp``) for sysmon to take."""
        self.stopg(pp, gp, "syscall")
        gp.status = _Gsyscall
        mp.oldp = pp
        mp.sys_start = self.now
        if self.sched.sysmonwait:
            self.sysmon_wake()
        mp.tok += 1
        self.at(self.now + ns, EV_SYSCALL_EXIT, mp, mp.tok)
        return False

    def entersyscallblock(self, pp: p, mp: m, gp: g, ns: int) -> bool:
        """``entersyscallblock``: the syscall will block, so ``handoffp(releasep())`` at once."""
        self.stopg(pp, gp, "syscall")
        gp.status = _Gsyscall
        pp.syscalltick += 1
        mp.oldp = None
        mp.sys_start = self.now
        self.handoffp(self.releasep(mp), "syscallblock")
        mp.tok += 1
        self.at(self.now + ns, EV_SYSCALL_EXIT, mp, mp.tok)
        return False

    def exitsyscall(self, mp: m) -> None:
        """``exitsyscall``: keep the P if sysmon did not take it (fast path); else the old P or an idle P
        (``exitsyscallTryGetP``); else the G goes to the global queue and the M parks (``exitsyscallNoP``)."""
        gp = mp.curg
        oldp = mp.oldp
        mp.oldp = None
        pp = mp.p
        lost = pp is None
        if self.recording:
            self.rec.syscalls.append((gp.goid, mp.id, mp.sys_start, self.now, lost))
        if pp is None:
            pp = self.exitsyscallTryGetP(oldp)
            if pp is not None:
                self.acquirep(mp, pp)
        if pp is not None:
            pp.syscalltick += 1
            gp.status = _Grunning
            gp.run_start = self.now
            pp.tok += 1
            if self.run_g(pp, mp, gp):
                self.schedule(mp)
            return
        # exitsyscallNoP
        gp.status = _Grunnable
        mp.curg = None
        pp = self.pidleget()
        if pp is not None:
            if self.sched.sysmonwait:
                self.sysmon_wake()
            self.acquirep(mp, pp)
            self.schedule(mp, gp=gp)
            return
        self.sched.runq.append(gp)
        if len(self.sched.runq) > self.max_globrunq:
            self.max_globrunq = len(self.sched.runq)
        self.stopm(mp)

    def exitsyscallTryGetP(self, oldp):
        if oldp is not None and oldp.status == _Prunning and oldp.m is not None:
            other = oldp.m
            if other.curg is not None and other.curg.status == _Gsyscall and other.p is oldp:
                other.p = None  # setBlockOnExitSyscall + takeP
                oldp.m = None
                oldp.syscalltick += 1
                return oldp
        if self.sched.pidle:
            pp = self.pidleget()
            if self.sched.sysmonwait:
                self.sysmon_wake()
            return pp
        return None

    # --- sysmon ---------------------------------------------------------------------------------------------

    def sysmon(self):
        """``sysmon``: a generator yielding how long to sleep; ``("note", ns)`` is a deep sleep that
        ``notewakeup(&sched.sysmonnote)`` cuts short (it then resumes with True)."""
        idle = 0
        delay = 0
        lasttrace = 0
        sched = self.sched
        usleep = self.costs.usleep
        while True:
            if idle == 0:
                delay = 20
            elif idle > sysmonIdleRounds:
                delay *= 2
            if delay > 10 * 1000:
                delay = 10 * 1000
            yield usleep(delay)
            now = self.now
            if self.schedtrace_ns <= 0 and sched.npidle == self.gomaxprocs:
                nxt = self.timeSleepUntil()
                if nxt > now:
                    sched.sysmonwait = True
                    woke = yield ("note", min(forcegcperiod // 2, nxt - now))
                    sched.sysmonwait = False
                    if woke:
                        idle = 0
                        delay = 20
            now = self.now
            if self.netpollWaiters:
                self.sysmon_netpoll(now)
            if self.retake(now):
                idle = 0
            else:
                idle += 1
            if self.schedtrace_ns > 0 and (self.starttime < 0 or lasttrace + self.schedtrace_ns <= now):
                lasttrace = now
                self.schedtrace()

    def sysmon_step(self, woke) -> None:
        self.sysmon_ticks += 1
        if self.recording:
            self.rec.sysmon.append(self.now)
        nxt = self.sysmon_gen.send(woke)
        self.sysmon_tok += 1
        if isinstance(nxt, tuple):
            self.at(self.now + nxt[1], EV_SYSMON, False, self.sysmon_tok)
        else:
            self.at(self.now + nxt, EV_SYSMON, None, self.sysmon_tok)

    def sysmon_wake(self) -> None:
        """``notewakeup(&sched.sysmonnote)``: end sysmon's deep sleep now."""
        self.sched.sysmonwait = False
        self.sysmon_tok += 1
        self.at(self.now, EV_SYSMON, True, self.sysmon_tok)

    def timeSleepUntil(self) -> int:
        return min((pp.timers[0][0] for pp in self.allp if pp.timers), default=INF)

    def retake(self, now: int) -> int:
        """``retake``: preempt a P whose schedtick has not moved for 10 ms; take a P whose G is in a syscall
        after one sysmon tick (unless nothing else needs it, for up to 10 ms). Returns the syscall retakes."""
        n = 0
        sched = self.sched
        for pp in self.allp:
            if pp.status != _Prunning:
                continue
            sysretake = False
            if pp.st_schedtick != pp.schedtick:
                pp.st_schedtick = pp.schedtick
                pp.st_schedwhen = now
            elif pp.st_schedwhen + forcePreemptNS <= now:
                self.preemptone(pp)
                sysretake = True
            mp = pp.m
            if mp is None or mp.curg is None or mp.curg.status != _Gsyscall or mp.p is not pp:
                continue
            if not sysretake and pp.st_syscalltick != pp.syscalltick:
                pp.st_syscalltick = pp.syscalltick
                pp.st_syscallwhen = now
                continue
            if runqempty(pp) and sched.nmspinning + sched.npidle > 0 and pp.st_syscallwhen + 10_000_000 > now:
                continue
            mp.p = None  # takeP
            pp.m = None
            pp.status = _Pidle
            pp.syscalltick += 1
            n += 1
            self.handoffp(pp, "retake")
        return n

    # --- GOMAXPROCS -----------------------------------------------------------------------------------------

    def procresize_stw(self, caller, nprocs: int) -> list:
        """Stop the world, then ``procresize(nprocs)``. Running Gs are preempted into their P's ``runnext``;
        Ps of removed ids push ``runnext`` and ``runq`` to the global queue's head (``p.destroy``); the caller
        keeps its P if its id survives, else takes P0. Returns the Ps that have work and need an M."""
        now = self.now
        sched = self.sched
        old = self.gomaxprocs
        nprocs = check_gomaxprocs(nprocs)
        if self.recording:
            self.rec.resizes.append((now, old, nprocs))
        # stopTheWorld: every other M lets go of its P.
        for pp in self.allp:
            mp = pp.m
            if mp is caller and caller is not None:
                continue
            if mp is not None:
                gp = mp.curg
                if gp is not None and gp.status == _Grunning:
                    if gp.op == OP_RUN:
                        gp.left = max(0, pp.seg_end - now)
                        if gp.left == 0:
                            gp.op = None
                    self.stopg(pp, gp, "stw")
                    gp.status = _Grunnable
                    mp.curg = None
                    runqput(pp, gp, True, sched)
                    mp.p = None
                    pp.m = None
                    self.stopm(mp)
                elif gp is not None and gp.status == _Gsyscall:
                    mp.p = None  # the syscall's P is taken; the M will find it gone at exitsyscall
                    pp.m = None
                    pp.syscalltick += 1
                else:  # in the scheduler (spinning, steal back-off)
                    if mp.spinning:
                        mp.spinning = False
                        sched.nmspinning -= 1
                    mp.p = None
                    pp.m = None
                    mp.tok += 1
                    self.stopm(mp)
            pp.status = _Pidle
        for mp in self.allm:  # Ms on their way to a P (startm) give it back
            if mp.nextp is not None:
                if mp.spinning:
                    mp.spinning = False
                    sched.nmspinning -= 1
                mp.nextp = None
                mp.tok += 1
                self.stopm(mp)
        sched.pidle.clear()
        sched.npidle = 0
        for pp in self.allp:
            pp.idle = False
        # procresize
        for i in range(old, nprocs):
            self.allp.append(p(i))
        cur = caller.p if caller is not None else None
        if caller is not None and (cur is None or cur.id >= nprocs):
            cur = self.allp[0]
            if cur.m is not None:
                cur.m.p = None
            self.acquirep(caller, cur)
        for pp in reversed(self.allp[nprocs:old]):  # p.destroy
            for gp in reversed(pp.runq):
                sched.runq.appendleft(gp)
            pp.runq.clear()
            if pp.runnext is not None:
                sched.runq.appendleft(pp.runnext)
                pp.runnext = None
            tgt = cur if cur is not None else self.allp[0]
            for tm in pp.timers:
                heapq.heappush(tgt.timers, tm)
            pp.timers.clear()
            pp.status = _Pdead
            pp.tok += 1
        del self.allp[nprocs:]
        self.gomaxprocs = nprocs
        self.stealOrder.reset(nprocs)
        runnable = []
        for pp in reversed(self.allp):
            if pp is cur:
                continue
            pp.status = _Pidle
            if runqempty(pp):
                self.pidleput(pp)
            else:
                runnable.append(pp)
        return runnable

    def startTheWorld(self, runnable: list) -> None:
        for pp in runnable:
            self.startm(pp, False)
        self.wakep()

    def resize_at(self, t: int, nprocs: int) -> None:
        """Change GOMAXPROCS at virtual time ``t`` from outside the program (as the GOMAXPROCS updater does)."""
        self.at(t, EV_RESIZE, check_gomaxprocs(nprocs))

    def release(self) -> None:
        """Let go of the finished run's goroutines, Ms, Ps, channels and pending events, so that reference
        counting frees them at once. (A run's state is full of cycles - programs hold the process, the process
        holds their goroutines - and left alone, Python's cyclic collector would walk all of it, a hundred
        thousand goroutines' worth, to free it.) The `Sched` is of no use afterwards."""
        for gp in self.allgs:
            gp.prog = None
            gp.m = None
        self.allgs = []
        self.allp = []
        self.allm = []
        self.events = []
        self.sysmon_gen = None
        self.main = None
        self.sched = schedt()

    # --- observation ----------------------------------------------------------------------------------------

    def schedtrace(self) -> None:
        """``schedtrace(false)``: one ``SCHED`` row."""
        now = self.now
        if self.starttime < 0:
            self.starttime = now
        s = self.sched
        self.rec.schedtrace.append((
            now - self.starttime, self.gomaxprocs, s.npidle, s.mcount, s.nmspinning, s.needspinning, s.nmidle,
            len(s.runq), tuple(len(pp.runq) for pp in self.allp), tuple(pp.schedtick for pp in self.allp),
        ))

    def sample(self) -> None:
        self.rec.samples.append((self.now, len(self.sched.runq),
                                 tuple(len(pp.runq) + (pp.runnext is not None) for pp in self.allp)))

    def runnable_waiting(self) -> int:
        return len(self.sched.runq) + sum(len(pp.runq) + (pp.runnext is not None) for pp in self.allp)

    def check_invariants(self) -> None:
        """Run queues bounded; work conservation: never an idle P, a queued G and nobody spinning for long."""
        sched = self.sched
        for pp in self.allp:
            if len(pp.runq) > RUNQ_SIZE:
                raise AssertionError(f"{pp}'s run queue holds {len(pp.runq)} > {RUNQ_SIZE}")
            if pp.idle and not runqempty(pp):
                raise AssertionError(f"idle {pp} has queued goroutines")
        bad = sched.npidle > 0 and sched.nmspinning == 0 and self.runnable_waiting() > 0
        if bad:
            if self.violation_start < 0:
                self.violation_start = self.now
        elif self.violation_start >= 0:
            self.conservation_max = max(self.conservation_max, self.now - self.violation_start)
            self.violation_start = -1


def simulate_program(main: Callable[[Sched], Iterator], gomaxprocs: int, *, until: int, seed: int = 0,
                     asyncpreempt: bool = True, schedtrace_ns: int = 0, costs: Costs = Costs(),
                     record: bool = True, sample_ns: int = 0, check: bool = False,
                     resize: tuple = ()) -> Sched:
    """Boot a process whose main goroutine runs ``main(sched)`` and simulate it up to ``until`` ns."""
    s = Sched(gomaxprocs, seed=seed, asyncpreempt=asyncpreempt, schedtrace_ns=schedtrace_ns, costs=costs,
              record=record, sample_ns=sample_ns, check=check)
    for t, n in resize:
        s.resize_at(int(t), n)
    s.boot(main(s))
    s.run(until)
    if s.violation_start >= 0:
        s.conservation_max = max(s.conservation_max, s.now - s.violation_start)
    return s
