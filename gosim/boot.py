"""The boot chain: from the ELF entry point to ``main.main``, and the runtime's state after each step.

Models the path a linux/amd64 Go program takes before user code runs: ``_rt0_amd64_linux`` (rt0_linux_amd64.s)
→ ``_rt0_amd64`` → ``runtime·rt0_go`` (asm_amd64.s) → ``args``, ``osinit``, ``schedinit`` (with ``mallocinit``,
``gcinit``, ``procresize``) → ``newproc(runtime.main)`` → ``mstart`` → ``schedule`` → ``runtime.main`` (proc.go),
which starts sysmon, runs the runtime's init tasks, enables the GC, runs every package's init and calls
``main.main``.

Two variants: ``"current"`` (the installed go1.27 runtime, checked against gdb by the tests) and ``"1.10"`` (the
seed's notes: ``newproc(siz, fn)``, ``runtime_init``/``main_init``, no ``mstart0``).

The state is computed, not written down, by chapter 5's scheduler (`gosim.sched.proc.Sched`): its g/m/p,
``procresize``, ``newproc``, ``runqput``, ``wakep``, ``startm``, ``handoffp``, ``schedule``, ``findRunnable``,
``stealWork``, and the lock of init to m0 (``lockOSThread`` in runtime.main; when the main goroutine blocks,
``schedule`` calls ``stoplockedm``, which hands m0's P off; the M that finds it runnable again calls
``startlockedm``). From ``runtime.schedule`` on, the rest of the chain is the main goroutine's code, run inside
the scheduler's event loop; the helpers are goroutines that send on gcenable's channel and park. What it leaves
out:

- threads' real interleaving: one deterministic run, each thread taking `gosim.sched.Costs` to start or wake and
  the main goroutine's own work none (so every M it starts runs after main has blocked in gcenable, whatever the
  costs). It predicts the thread count gdb sees at main.main in a run no race added an M to (GOMAXPROCS=1: 3,
  2: 4, the fewest of the recorded runs; 4: 5, the most common; tests/test_boot_threads.py,
  `gosim.checks.boot.thread_rows`), not the race that adds one M.
- sysmon's preemption of the main goroutine. G1 starts from runnext with inheritTime, so P0's schedtick is still
  0 (the model tracks ``schedtick`` and shows it) and sysmon's first ``retake`` may preempt it; the boot takes
  microseconds of virtual time, so the model's sysmon never does.

Goroutine ids come from per-P caches of 16 (``goidcache``, `goids` models it). The model creates every boot
goroutine on P0, so it numbers them 1..5, as the runtime always does at GOMAXPROCS=1. With more Ps the main
goroutine can come back from a hand-off on another P (``startlockedm`` gives m0 the P of the M that found it
runnable) and the next ids come from that P's batch (17, 33, ...): the scheduler numbers in creation order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .history import Change
from .sched import proc as sp
from .sched.chan import hchan
from .sched.runq import runqput

GOMAXPROCS_LIMIT = sp.GOMAXPROCS_LIMIT
UPDATER = "runtime.updateMaxProcsGoroutine"  # the GOMAXPROCS updater goroutine's start function (Go 1.25)
VERSIONS = ("current", "1.10")

# The runtime's own init tasks on go1.27 linux/amd64, in order; chapter 1 and tests/test_fidelity_boot.py check
# them against the list the linker emits (go:runtime.inittasks in the binary).
RUNTIME_INITTASKS = ("internal/bytealg", "internal/runtime/gc/scan", "runtime")


@dataclass(frozen=True)
class G:
    """A goroutine: ``fn`` is its start function as gdb reads it from ``g.startpc``."""

    goid: int
    fn: str
    status: str  # runnable, running, waiting
    waitreason: str | None = None
    runs: str | None = None  # what fn calls when it is a compiler wrapper (gowrap1 → bgsweep)


@dataclass(frozen=True)
class P:
    id: int
    status: str  # idle or running
    m: int | None = None
    runnext: int | None = None
    runq: tuple[int, ...] = ()
    schedtick: int = 0  # execute counts a new time slice unless the G came from runnext (inheritTime)


@dataclass(frozen=True)
class M:
    id: int
    role: str  # "m0", "sysmon" or "worker"
    p: int | None = None
    curg: int | None = None  # None: on its g0 (scheduler) stack, or asleep
    spinning: bool = False
    idle: bool = False  # parked in sched.midle (stopm)
    nextp: int | None = None  # woken (startm, startlockedm) and on its way to this P
    mstartfn: str | None = None  # what newm started it for: runtime.sysmon, runtime.mspinning (wakep), or none
    locked: bool = False  # a G is locked to it (lockOSThread): it runs no other

    @property
    def thread(self) -> int:
        """gdb's thread number: threads are numbered in creation order, and M ids too (m0 is thread 1)."""
        return self.id + 1


@dataclass(frozen=True)
class State:
    """The runtime after a step: Ms, Ps, Gs and a few of ``sched``'s fields."""

    gomaxprocs: int = 0
    ms: tuple[M, ...] = ()
    ps: tuple[P, ...] = ()
    gs: tuple[G, ...] = ()
    heap: bool = False  # mallocinit done
    gc_enabled: bool = False  # gcenable done
    main_started: bool = False
    signals: bool = False  # initsig done
    inits_done: tuple[str, ...] = ()
    exited: bool = False

    @property
    def idle_ps(self) -> int:
        """``sched.npidle``."""
        return sum(p.status == "idle" for p in self.ps)

    @property
    def goroutines(self) -> int:
        """``len(allgs)``: every G ever created (none has exited during boot)."""
        return len(self.gs)

    @property
    def threads(self) -> int:
        return len(self.ms)

    def g(self, goid: int) -> G:
        return next(g for g in self.gs if g.goid == goid)


@dataclass(frozen=True)
class Step:
    """One function of the chain, run on m0 (the program's first thread)."""

    function: str  # as go tool nm prints it, without .abi0
    file: str  # relative to $GOROOT/src; main.main's is the program's own
    called_from: str | None
    does: str
    history: str = ""  # what differs between today's runtime and Go 1.10 at this step


@dataclass(frozen=True)
class Boot:
    """The model's result: the chain and the state after each of its steps."""

    version: str
    gomaxprocs: int
    steps: tuple[Step, ...]
    states: tuple[State, ...]
    ran: tuple[str, ...] = ()  # the runtime's helper goroutines in the order they first ran (what they run)
    ran_on: tuple[int, ...] = ()  # the M that first ran each of ``ran``

    def helper_threads(self) -> dict[str, int]:
        """Which OS thread (gdb's number: M id + 1) first ran each helper, by what it runs."""
        return {fn: mid + 1 for fn, mid in zip(self.ran, self.ran_on)}

    def threads_at(self, function: str = "main.main") -> int:
        """How many OS threads (``allm``) exist when ``function`` is first entered."""
        return self.state_at(function).threads

    def chain(self) -> list[str]:
        """The functions from the ELF entry to ``main.main``, in call order (repeats included)."""
        names = [s.function for s in self.steps]
        return names[: names.index("main.main") + 1]

    def first_calls(self) -> list[str]:
        """Each function of the chain once, in the order it is first entered (what gdb's first hits show)."""
        seen: list[str] = []
        for name in self.chain():
            if name not in seen:
                seen.append(name)
        return seen

    def state_at(self, function: str) -> State:
        """The state just before ``function`` runs for the first time (what a breakpoint there sees)."""
        i = next(i for i, s in enumerate(self.steps) if s.function == function)
        return self.states[i - 1] if i else State()

    def state_after(self, function: str) -> State:
        i = max(i for i, s in enumerate(self.steps) if s.function == function)
        return self.states[i]

    def newproc_order(self) -> list[str]:
        """Goroutines in creation order, by start function."""
        return [g.fn for g in sorted(self.states[-1].gs, key=lambda g: g.goid)]


# --- the runtime: gosim.sched's scheduler, driven through the boot -----------------------------------------------

# The chain is a generator of `Step`s and, once m0 has entered the scheduler, of the actions the main goroutine
# takes (`gosim.sched.proc`'s go, recv, park...): from `SCHEDULE` on, the rest of the chain is G1's code and runs
# inside the scheduler's event loop, so each Step's state is what the scheduler holds at that moment.
SCHEDULE = ("schedule",)
LIMIT_NS = 1_000_000_000  # the boot ends within microseconds of virtual time; a model that does not is broken

_GSTATUS = {sp._Grunnable: "runnable", sp._Grunning: "running", sp._Gwaiting: "waiting", sp._Gdead: "dead"}


class Runtime:
    """The boot's process: a `gosim.sched.proc.Sched` (chapter 5's scheduler: ``allm``, ``allp``, ``allgs``,
    ``sched``) and the few flags of the chain (heap, GC, signals, init tasks), with the runtime's verbs the chain
    calls: ``rt0_go``, ``procresize``, ``newproc`` of the main goroutine, ``newm`` of sysmon,
    ``lockOSThread``/``unlockOSThread``. The rest (wakep, startm, handoffp, stoplockedm, startlockedm, schedule,
    findRunnable, stealWork, stopm) is the scheduler's own."""

    def __init__(self, gomaxprocs: int) -> None:
        self.gomaxprocs = gomaxprocs
        self.s = sp.Sched(gomaxprocs, record=False)
        self.flags: dict[str, object] = {}
        self.ran: list[tuple[str, int]] = []  # (what a helper runs, the M that first ran it), in that order
        self.runs: dict[str, str] = {}  # a compiler wrapper's name → what it calls (gowrap1 → bgsweep)
        self.m0 = None
        self.sysmon = None
        self.main_prog = None  # set by `boot`: the rest of the chain, as G1's program

    def snapshot(self) -> State:
        s = self.s
        midle = {id(mp) for mp in s.sched.midle}

        def curg(mp):
            return mp.curg.goid if mp.curg is not None and mp.curg.status == sp._Grunning else None

        ms = tuple(M(mp.id, "m0" if mp is self.m0 else "sysmon" if mp is self.sysmon else "worker",
                     p=mp.p.id if mp.p is not None else None, curg=curg(mp), spinning=mp.spinning,
                     idle=id(mp) in midle, nextp=mp.nextp.id if mp.nextp is not None else None,
                     mstartfn=mp.mstartfn, locked=mp.lockedg is not None)
                   for mp in s.allm)
        ps = tuple(P(pp.id, "running" if pp.status == sp._Prunning else "idle", pp.m.id if pp.m is not None else None,
                     pp.runnext.goid if pp.runnext is not None else None, tuple(gp.goid for gp in pp.runq),
                     pp.schedtick) for pp in s.allp)
        gs = tuple(G(gp.goid, gp.name, _GSTATUS[gp.status],
                     gp.waitreason or None if gp.status == sp._Gwaiting else None, runs=self.runs.get(gp.name))
                   for gp in s.allgs)
        return State(
            gomaxprocs=len(s.allp), ms=ms, ps=ps, gs=gs,
            heap=bool(self.flags.get("heap")), gc_enabled=bool(self.flags.get("gc")),
            main_started=bool(self.flags.get("mainStarted")), signals=bool(self.flags.get("signals")),
            inits_done=tuple(self.flags.get("inits", ())), exited=bool(self.flags.get("exited")),
        )

    # rt0_go: m0 and g0 are static; rt0_go links them (m0.g0 = &g0, g0.m = &m0) and sets TLS.
    def rt0_go(self) -> None:
        self.m0 = self.s.newm_struct()

    def procresize(self, n: int) -> None:
        """schedinit's ``procresize(procs)``: from no Ps (``gomaxprocs`` is 0 until then) to ``n``; m0 keeps P0,
        the others go on the idle list, P1 on top. The scheduler's own procresize, without a world to stop."""
        self.s.gomaxprocs = 0
        self.s.procresize_stw(self.m0, n)

    def newproc_main(self) -> None:
        """rt0_go's ``newproc(mainPC)``: G1 into P0's runnext. ``mainStarted`` is false, so no ``wakep``."""
        s = self.s
        gp = s.newg(self.main_prog(), "runtime.main", 0)
        s.main = gp
        runqput(s.allp[0], gp, True, s.sched)

    def newm_sysmon(self) -> None:
        """``newm(sysmon, nil, -1)``: sysmon's own M, with no P."""
        self.sysmon = self.s.newm_sysmon()

    def lockOSThread(self) -> None:
        self.s.lockOSThread(self.m0)

    def unlockOSThread(self) -> None:
        self.s.unlockOSThread(self.m0)

    def helper(self, fn: str, reason: str, *, runs: str | None = None, c: hchan | None = None):
        """``go fn()`` for one of the runtime's helpers: the action the main goroutine yields. The helper notes
        which M runs it, sends on ``c`` if given (gcenable's channel), and parks with ``reason``."""
        if runs:
            self.runs[fn] = runs

        def program():
            mp = next(m for m in self.s.allm if m.curg is not None and m.curg.name == fn)
            self.ran.append((runs or fn, mp.id))
            if c is not None:
                yield sp.send(c)
            yield sp.park(reason)

        return sp.go(program(), fn)


# --- the two chains -------------------------------------------------------------------------------------------

_F = "runtime/"


def _current(rt: Runtime, inittasks: tuple[str, ...]):
    """Today's chain (go1.27.3 linux/amd64), with each step's effect on the runtime."""
    yield Step("_rt0_amd64_linux", _F + "rt0_linux_amd64.s", None,
               "ELF entry point: the kernel starts the first thread here, argc and argv on its stack; "
               "one JMP to _rt0_amd64.", "Same in Go 1.10.")
    yield Step("_rt0_amd64", _F + "asm_amd64.s", "_rt0_amd64_linux",
               "Loads argc into DI and argv into SI, jumps to runtime·rt0_go.", "Same in Go 1.10.")
    rt.rt0_go()
    yield Step("runtime.rt0_go", _F + "asm_amd64.s", "_rt0_amd64",
               "Carves g0's stack out of the OS stack (64 KiB), sets up thread-local storage (settls), links "
               "m0.g0 = &g0 and g0.m = &m0, checks the CPU's features, calls runtime·check.",
               "Go 1.10 did the same; today it also zeroes BP so that unwinders stop here (TOPFRAME).")
    yield Step("runtime.args", _F + "runtime1.go", "runtime.rt0_go",
               "Saves argc/argv and reads the auxiliary vector: page size, AT_RANDOM, the vDSO.", "Same in Go 1.10.")
    yield Step("runtime.osinit", _F + "os_linux.go", "runtime.rt0_go",
               "Counts the CPUs this thread may run on (sched_getaffinity) and the huge page size.",
               "Go 1.10 set ncpu the same way; the result now feeds a cgroup-aware GOMAXPROCS default (1.25).")
    yield Step("runtime.schedinit", _F + "proc.go", "runtime.rt0_go",
               "Scheduler set-up: lock ranks, sched.maxmcount = 10000, GODEBUG parsed early, stacks, the random "
               "seed, the heap (mallocinit), CPU features, m0's id, os.Args and the environment, the GC "
               "(gcinit), then GOMAXPROCS Ps (procresize).",
               "Go 1.10's schedinit had no early GODEBUG, randinit, cpuinit or cgroup-aware GOMAXPROCS.")
    rt.flags["heap"] = True
    yield Step("runtime.mallocinit", _F + "malloc.go", "runtime.schedinit",
               "Checks the allocator's constants, initialises mheap_, places the arena hints (at a randomised "
               "base) and creates mcache0 for allocating before any P exists.",
               "Go 1.10 reserved one contiguous arena at 0xc000000000 with spans and bitmap arrays beside it.")
    yield Step("runtime.gcinit", _F + "mgc.go", "runtime.schedinit",
               "gcController.init(GOGC, GOMEMLIMIT): the pacer's first heap goal (4 MiB × GOGC/100).",
               "Go 1.10 had no GOMEMLIMIT; its pacer was redesigned in Go 1.18.")
    rt.procresize(rt.gomaxprocs)
    yield Step("runtime.procresize", _F + "proc.go", "runtime.schedinit",
               f"Creates allp[0..{rt.gomaxprocs - 1}], each P with its mcache; m0 acquires P0, the other "
               f"{rt.gomaxprocs - 1} go on the idle list.",
               "Same idea in Go 1.10, where GOMAXPROCS defaulted to the CPU count.")
    rt.newproc_main()
    yield Step("runtime.newproc", _F + "proc.go", "runtime.rt0_go",
               "rt0_go pushes mainPC and calls newproc: G1 gets a 2 KiB stack, returns into goexit, is runnable "
               "and goes into P0's runnext. mainStarted is false, so no other M is woken.",
               "Go 1.10: newproc(siz int32, fn *funcval), and rt0_go pushed $0 as the argument size. Today "
               "newproc(fn) only: the compiler wraps `go f(x)` into an argument-less closure (Go 1.17/1.18).")
    yield Step("runtime.mstart", _F + "asm_amd64.s", "runtime.rt0_go",
               "m0 enters the scheduler: the assembly root frame calls mstart0; it never returns.",
               "Go 1.10's mstart was a Go function in proc.go; the assembly frame and mstart0 came later.")
    yield Step("runtime.mstart0", _F + "proc.go", "runtime.mstart",
               "Sets g0's stack guards (on m0 rt0_go already set the bounds, so they are kept), then mstart1.",
               "Not in Go 1.10: added when mstart became an assembly root frame.")
    rt.flags["signals"] = True
    yield Step("runtime.mstart1", _F + "proc.go", "runtime.mstart0",
               "Saves g0's context for later, minit (signal stack and mask); on m0 mstartm0 installs the "
               "signal handlers (initsig); then schedule().", "Same in Go 1.10.")
    yield SCHEDULE  # from here on the chain is the main goroutine's code, run by the scheduler
    yield Step("runtime.schedule", _F + "proc.go", "runtime.mstart1",
               "findRunnable → runqget takes G1 from P0's runnext (it inherits the time slice) → execute → "
               "gogo switches from g0's stack to G1's.", "Same in Go 1.10.")
    rt.flags["mainStarted"] = True
    yield Step("runtime.main", _F + "proc.go", "runtime.schedule",
               "The main goroutine, on m0: maximum stack size 1 GB, mainStarted = true (newproc may wake Ms now); "
               "after starting sysmon it locks itself to m0 (lockOSThread) until every package's init is done, "
               "because some C libraries must be called from the main thread.", "Same start in Go 1.10.")
    rt.newm_sysmon()
    yield Step("runtime.newm", _F + "proc.go", "runtime.main",
               "Starts sysmon on a new M with no P: it runs without one forever, retaking Ps and preempting. "
               "Then lockOSThread: the main goroutine and m0 are wired together until every init has run.",
               "Same in Go 1.10.")
    rt.lockOSThread()
    yield Step("runtime.doInit", _F + "proc.go", "runtime.main",
               "doInit(runtime_inittasks), inlined in runtime.main: the runtime's own init tasks ("
               + ", ".join(RUNTIME_INITTASKS) + "), each through doInit1.",
               "Go 1.10 called runtime_init() directly; init tasks replaced that in Go 1.13.")
    yield Step("runtime.doInit1", _F + "proc.go", "runtime.doInit",
               "One package's initTask: marks it in progress, calls each of its nfns functions in order, marks "
               "it done.", "New with init tasks (Go 1.13).")
    rt.flags["inits"] = list(RUNTIME_INITTASKS)
    yield Step("runtime.init", "<autogenerated>", "runtime.doInit1",
               "The compiler-made init of package runtime: it sets the package's variables that need code. It "
               "is the first function of runtime..inittask; doInit1 then calls runtime.init.0, .1, ..., the "
               "package's `func init`s in file order.",
               "Go 1.10: runtime.main called it as runtime_init(), and it called runtime.init.0..5 itself. "
               "Today doInit1 calls it, and then each runtime.init.N.")
    yield rt.helper("runtime.forcegchelper", "force gc (idle)")
    yield Step("runtime.newproc", _F + "proc.go", "runtime.init.7",
               "proc.go's `func init` (runtime.init.7, the last of runtime's init functions) runs "
               "`go forcegchelper()`: the second goroutine, which parks (force gc (idle)) until sysmon wakes it "
               "when no GC has run for forcegcperiod, 2 minutes (only after a first GC, and never with GOGC=off)."
               + _woken(rt),
               "Go 1.10 did the same in runtime.init.4.")
    yield Step("runtime.gcenable", _F + "mgc.go", "runtime.main",
               "Starts the background sweeper and scavenger and waits on a channel until both have started; then "
               "memstats.enablegc = true.",
               "Go 1.10 started only bgsweep here; the background scavenger goroutine came in Go 1.13.")
    c = hchan(2, "gcenable")
    yield rt.helper("runtime.gcenable.gowrap1", "GC sweep wait", runs="runtime.bgsweep", c=c)
    yield Step("runtime.newproc", _F + "proc.go", "runtime.gcenable",
               "`go bgsweep(c)`: the compiler wrapped the call in gcenable.gowrap1, a closure with no "
               "arguments. It sends on c and parks (GC sweep wait).",
               "Go 1.10 called newproc with the argument size and bgsweep itself.")
    yield rt.helper("runtime.gcenable.gowrap2", "GC scavenge wait", runs="runtime.bgscavenge", c=c)
    yield sp.recv(c)
    yield sp.recv(c)
    rt.flags["gc"] = True
    yield Step("runtime.newproc", _F + "proc.go", "runtime.gcenable",
               "`go bgscavenge(c)` (gowrap2). Then main waits twice on c: " + _blocking(rt) + " Both "
               "helpers are parked, the GC is enabled.", "No scavenger goroutine in Go 1.10.")
    yield Step("runtime.defaultGOMAXPROCSUpdateEnable", _F + "proc.go", "runtime.main",
               "Unless GODEBUG=updatemaxprocs=0, starts the goroutine that applies a changed CPU limit to "
               "GOMAXPROCS.", "New in Go 1.25; Go 1.10 had no such goroutine.")
    yield rt.helper("runtime.updateMaxProcsGoroutine", "GOMAXPROCS updater (idle)")
    yield Step("runtime.newproc", _F + "proc.go", "runtime.defaultGOMAXPROCSUpdateEnable",
               "`go updateMaxProcsGoroutine()`: the fifth goroutine." + _woken(rt), "New in Go 1.25.")
    rt.flags["inits"] = list(RUNTIME_INITTASKS) + list(inittasks)
    rt.unlockOSThread()
    packages = ", ".join(inittasks) if inittasks else "none: this program's packages have no init work"
    yield Step("runtime.doInit", _F + "proc.go", "runtime.main",
               f"doInit(moduledata.inittasks): every package's init in the linker's order ({packages}), still on "
               "m0 and the main goroutine (chapter 2); then unlockOSThread: main.main may run on any M.",
               "Go 1.10 called main_init(), the compiler-generated main.init, which called each import's init "
               "guarded by an initdone· flag; Go 1.13 introduced init tasks, Go 1.21 let the linker order them.")
    yield Step("main.main", "main.go", "runtime.main",
               "The program, on the main goroutine. When it returns, runtime.main runs the exit hooks and calls "
               "exit(0).", "Same in Go 1.10.")
    rt.flags["exited"] = True
    yield Step("runtime.exit", _F + "sys_linux_amd64.s", "runtime.main", "exit_group(0): every thread ends.",
               "Same in Go 1.10.")


def _woken(rt: Runtime) -> str:
    if rt.gomaxprocs == 1:
        return " GOMAXPROCS is 1: wakep finds no idle P, so it waits in P0's runnext."
    return (" An idle P and no spinning M: wakep hands the P to an M (a new thread if none is idle, started in "
            "mspinning), which spins and steals from P0.")


def _blocking(rt: Runtime) -> str:
    ran = ", ".join(f"{fn.removeprefix('runtime.')} on M{mid}" for fn, mid in rt.ran)
    return ("main parks, and m0 is locked to it: schedule calls stoplockedm, handoffp gives m0's P to another M "
            "(a new thread when none is idle) and m0 sleeps. A helper's send readies main into runnext; the M "
            "that picks it up cannot run it and calls startlockedm: it hands m0 its P, wakes it and stops. "
            f"In the model: {ran}.")


def _go110(rt: Runtime, inittasks: tuple[str, ...]):
    """The seed's chain (Go 1.10.4 linux/amd64), from its gdb session and quoted source."""
    f = "runtime/"
    yield Step("_rt0_amd64_linux", f + "rt0_linux_amd64.s", None, "ELF entry point; JMP _rt0_amd64.")
    yield Step("_rt0_amd64", f + "asm_amd64.s", "_rt0_amd64_linux", "argc → DI, argv → SI; JMP runtime·rt0_go.")
    rt.rt0_go()
    yield Step("runtime.rt0_go", f + "asm_amd64.s", "_rt0_amd64", "g0 stack, TLS, m0.g0 = &g0, g0.m = &m0.")
    yield Step("runtime.args", f + "runtime1.go", "runtime.rt0_go", "Saves argc/argv, reads auxv.")
    yield Step("runtime.osinit", f + "os_linux.go", "runtime.rt0_go", "ncpu from sched_getaffinity.")
    yield Step("runtime.schedinit", f + "proc.go", "runtime.rt0_go",
               "maxmcount = 10000, tracebackinit, moduledataverify, stackinit, mallocinit, mcommoninit, alginit, "
               "modulesinit, typelinksinit, itabsinit, msigsave, goargs, goenvs, parsedebugvars, gcinit, "
               "procs = ncpu or $GOMAXPROCS, procresize.")
    rt.flags["heap"] = True
    yield Step("runtime.mallocinit", f + "malloc.go", "runtime.schedinit",
               "Reserves the arena (512 GB of address space at 0xc000000000) with the spans and bitmap areas.")
    yield Step("runtime.gcinit", f + "mgc.go", "runtime.schedinit", "GOGC read; first trigger.")
    rt.procresize(rt.gomaxprocs)
    yield Step("runtime.procresize", f + "proc.go", "runtime.schedinit", "Creates the Ps; m0 takes P0.")
    rt.newproc_main()
    yield Step("runtime.newproc", f + "proc.go", "runtime.rt0_go",
               "newproc(siz=0, fn=mainPC): rt0_go pushed the function and the argument size $0. G1 → runnext.")
    yield Step("runtime.mstart", f + "proc.go", "runtime.rt0_go", "Go function: stack bounds, then mstart1.")
    rt.flags["signals"] = True
    yield Step("runtime.mstart1", f + "proc.go", "runtime.mstart", "minit; on m0 initsig; schedule().")
    yield SCHEDULE
    yield Step("runtime.schedule", f + "proc.go", "runtime.mstart1", "runqget finds G1; execute; gogo.")
    rt.flags["mainStarted"] = True
    yield Step("runtime.main", f + "proc.go", "runtime.schedule", "maxstacksize; mainStarted = true.")
    rt.newm_sysmon()
    yield Step("runtime.newm", f + "proc.go", "runtime.main", "sysmon on its own M, no P; then lockOSThread.")
    rt.lockOSThread()
    rt.flags["inits"] = ["runtime"]
    yield Step("runtime.init", f + "proc.go", "runtime.main",
               "runtime_init(): the compiler-generated init of package runtime, calling runtime.init.0..5.")
    yield rt.helper("runtime.forcegchelper", "force gc (idle)")
    yield Step("runtime.newproc", f + "proc.go", "runtime.init", "runtime.init.4: go forcegchelper().")
    yield Step("runtime.gcenable", f + "mgc.go", "runtime.main", "go bgsweep(c); <-c; enablegc = true.")
    c = hchan(1, "gcenable")
    yield rt.helper("runtime.bgsweep", "GC sweep wait", c=c)
    yield sp.recv(c)
    rt.flags["gc"] = True
    yield Step("runtime.newproc", f + "proc.go", "runtime.gcenable", "newproc(siz, bgsweep).")
    rt.flags["inits"] = ["runtime", *inittasks, "main"]
    rt.unlockOSThread()
    yield Step("main.init", "<autogenerated>", "runtime.main",
               "main_init(): main.init calls each import's init (guarded by initdone·), then main.init.0, ...")
    yield Step("main.main", "main.go", "runtime.main", "The program.")
    rt.flags["exited"] = True
    yield Step("runtime.exit", f + "sys_linux_amd64.s", "runtime.main", "exit(0).")


def check_gomaxprocs(gomaxprocs: object) -> int:
    """GOMAXPROCS as the model takes it: a positive integer up to 1024 (`gosim.sched.proc.check_gomaxprocs`, the
    one validator: the scheduler's command line imports it without the boot model)."""
    return sp.check_gomaxprocs(gomaxprocs)


def boot(version: str = "current", gomaxprocs: int = 4, inittasks: tuple[str, ...] = ()) -> Boot:
    """Run the boot model: the chain of ``version`` ("current" or "1.10") and the state after each step.

    ``inittasks`` names the program's packages that have init work (none for hello world).
    """
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {', '.join(VERSIONS)}, got {version!r}")
    n = check_gomaxprocs(gomaxprocs)
    rt = Runtime(n)
    chain = (_current if version == "current" else _go110)(rt, tuple(inittasks))
    steps, states = [], []

    def record(step: Step) -> None:
        steps.append(step)
        states.append(rt.snapshot())

    def main_goroutine():
        """G1's program: the rest of the chain, its Steps recorded as G1 reaches them, its actions run."""
        for item in chain:
            if isinstance(item, Step):
                record(item)
            else:
                yield item

    rt.main_prog = main_goroutine
    for item in chain:  # m0, before the scheduler: rt0_go ... mstart1
        if isinstance(item, Step):
            record(item)
        elif item is SCHEDULE:
            break
    s = rt.s
    s.schedule(rt.m0)
    s.run(LIMIT_NS)
    if not s.exited or steps[-1].function != "runtime.exit":
        raise RuntimeError(f"the boot model did not reach exit: {len(steps)} steps, the last "
                           f"{steps[-1].function}, t={s.now} ns")
    return Boot(version, n, tuple(steps), tuple(states), tuple(fn for fn, _ in rt.ran),
                tuple(mid for _, mid in rt.ran))


@dataclass(frozen=True)
class Difference:
    function: str
    today: bool
    go110: bool
    note: str


def differences() -> list[Difference]:
    """What the chain gained and lost between Go 1.10 and today, function by function, with the reason."""
    today, old = boot("current", 1), boot("1.10", 1)
    old_names = {s.function for s in old.steps}
    new_names = {s.function for s in today.steps}
    notes: dict[str, list[str]] = {}
    for step in today.steps:
        kept = notes.setdefault(step.function, [])
        if step.history and step.history not in kept and not (kept and step.history.startswith("Same")):
            kept.append(step.history)
    rows = [Difference(f, True, f in old_names, " ".join(n)) for f, n in notes.items()]
    rows += [Difference(s.function, False, True, _REPLACED.get(s.function, ""))
             for s in old.steps if s.function not in new_names]
    return rows


_REPLACED = {
    "main.init": "Replaced by doInit(moduledata.inittasks): a flat list the linker orders (Go 1.21) instead of "
                 "main.init calling its imports' inits recursively.",
}


def summary(result: Boot, at: str = "main.main") -> str:
    """The state a breakpoint at ``at`` sees, as text: Ms, Ps, Gs, and the counts gdb can check."""
    state = result.state_at(at)
    lines = [f"state at {at} (GOMAXPROCS={result.gomaxprocs}, {result.version}):"]
    for m in state.ms:
        where = f"P{m.p}" if m.p is not None else "no P"
        doing = f"running G{m.curg}" if m.curg else ("idle (stopm)" if m.idle else
                                                    "sysmon loop" if m.role == "sysmon" else
                                                    f"woken for P{m.nextp}" + (", spinning" if m.spinning else "")
                                                    if m.nextp is not None else "on g0")
        lines.append(f"  M{m.id} {m.role:<7} {where:<5} {doing}")
    for p in state.ps:
        if p.status == "idle":
            continue
        runnext = f"G{p.runnext}" if p.runnext else "-"
        lines.append(f"  P{p.id} {p.status:<7} on M{p.m}  runnext={runnext} runq={list(p.runq)}")
    if state.idle_ps:
        idle = [f"P{p.id}" for p in state.ps if p.status == "idle"]
        lines.append(f"  idle Ps: {', '.join(idle)}")
    for g in state.gs:
        why = f" ({g.waitreason})" if g.waitreason else ""
        runs = f" → {g.runs}" if g.runs else ""
        lines.append(f"  G{g.goid} {g.status:<8} {g.fn}{runs}{why}")
    lines.append(f"gomaxprocs={state.gomaxprocs} idleprocs={state.idle_ps} goroutines={state.goroutines} "
                 f"threads={state.threads}")
    return "\n".join(lines)


_CH = "1 Bootstrap"
_GO119 = "Debian's Go 1.19 source (/usr/lib/go-1.19/src/runtime)"
HISTORY = [
    Change(_CH, "newproc", "newproc(siz int32, fn *funcval): rt0_go pushes the function and $0 (argument size)",
           "newproc(fn *funcval): rt0_go pushes only mainPC; `go f(x)` becomes a closure without arguments "
           "(gcenable.gowrap1)", "after Go 1.10 (by Go 1.19)",
           "Today `newproc` (proc.go:5334) takes only fn, and so does " + _GO119 + ", func newproc(fn *funcval); "
           "the wrapping of `go f(x)` came with the register ABI (Go 1.17 release notes; the register ABI "
           "proposal, golang/go#40724). The release that dropped siz is not verified here: after Go 1.10, by Go 1.19."),
    Change(_CH, "calls from assembly", "rt0_go calls the Go functions directly",
           "through ABI0 wrappers the compiler makes (runtime.schedinit.abi0 sets R14 = g and X15 = 0, then "
           "jumps to runtime.schedinit); gdb stops twice", "Go 1.17 (register ABI)",
           "Go 1.17 release notes (register-based calling convention on linux/amd64); `regabiAlwaysOn` "
           "(internal/buildcfg/exp.go:66) makes it the only ABI on amd64 today; `makeABIWrapper` "
           "(cmd/compile/internal/ssagen/abi.go:252) makes the wrappers."),
    Change(_CH, "mstart", "a Go function in proc.go", "an assembly root frame (TOPFRAME) → mstart0 → mstart1",
           "after Go 1.10 (by Go 1.19)",
           "Today `runtime·mstart` (asm_amd64.s:385) is assembly and calls `mstart0` (proc.go:1875); "
           + _GO119 + " has the same (asm_amd64.s TEXT runtime·mstart, proc.go func mstart0). The release in "
           "between is not verified here."),
    Change(_CH, "package init", "runtime_init() and main_init() (main.init calls imports' inits, initdone· flags)",
           "doInit(runtime_inittasks) and doInit over moduledata.inittasks, ordered by the linker; doInit1 "
           "calls runtime.init first, then runtime.init.0, .1, ...",
           "Go 1.13 (init tasks), Go 1.21 (linker order)",
           "Go 1.21 release notes (package initialization order specified precisely; the linker emits the "
           "list); today `doInit` (proc.go:8119) takes that list and `doInit1` (proc.go:8125) runs one task. "
           + _GO119 + " still walks each task's dependencies (func doInit(t *initTask)). Go 1.13 for init "
           "tasks is from Go's release history (golang.org/cl/161337), not verified here."),
    Change(_CH, "runtime goroutines at main.main", "forcegc helper, bgsweep",
           "forcegc helper, bgsweep, bgscavenge, GOMAXPROCS updater", "Go 1.13 (scavenger), Go 1.25 (updater)",
           "`updatemaxprocs` (internal/godebugs/table.go:72) records Go 1.25 (Changed: 25) for the updater "
           "that `defaultGOMAXPROCSUpdateEnable` starts (`updateMaxProcsGoroutine`, proc.go:7134); the "
           "scavenger goroutine (`bgscavenge`, mgc.go:215) is in " + _GO119 + ", and chapter 1's exercise 1.5 counts 4 "
           "goroutines there; Go 1.13 for it is from the Go 1.13 release notes (the runtime returns memory "
           "more promptly), not verified here."),
    Change(_CH, "GOMAXPROCS default", "the CPU count (ncpu)",
           "the CPU count, capped by a cgroup CPU limit, and updated while the program runs", "Go 1.25",
           "`containermaxprocs` (internal/godebugs/table.go:30) and `updatemaxprocs` "
           "(internal/godebugs/table.go:72) both record Changed: 25; Go 1.25 release notes."),
]


def goids(creators: list[int] | tuple[int, ...], batch: int = 16) -> list[int]:
    """Models how ``newproc1`` numbers goroutines (proc.go, ``goidcache``): each P takes ids in batches of
    ``batch`` (``_GoidCacheBatch``) from the global ``sched.goidgen``, and uses them up before taking another.
    ``creators`` is the P that creates each goroutine, in creation order; the result is their ids."""
    goidgen = 0
    cache: dict[int, list[int]] = {}
    ids = []
    for p in creators:
        if not cache.get(p):
            cache[p] = list(range(goidgen + 1, goidgen + batch + 1))
            goidgen += batch
        ids.append(cache[p].pop(0))
    return ids


# The runtime's goroutines at main.main, with the release that added each (see HISTORY and the gdb traces).
_RUNTIME_GOROUTINES = (("runtime.main", 0), ("runtime.forcegchelper", 0), ("runtime.bgsweep", 0),
                       ("runtime.bgscavenge", 13), ("runtime.updateMaxProcsGoroutine", 25))


def runtime_goroutines(release: str) -> list[str]:
    """The goroutines that exist when ``main.main`` starts under Go ``release`` ("1.10", "1.19", "current"), by
    what each runs: the main goroutine, the forced-GC helper and the sweeper always; the background scavenger
    from Go 1.13; the GOMAXPROCS updater from Go 1.25 (HISTORY)."""
    if release == "current":
        minor = 99
    else:
        try:
            major, minor = (int(x) for x in release.removeprefix("go").split(".")[:2])
        except ValueError:
            raise ValueError(f"release must be like '1.19' or 'current', got {release!r}") from None
        if major != 1:
            raise ValueError(f"release must be a Go 1.x release, got {release!r}")
    return [fn for fn, since in _RUNTIME_GOROUTINES if minor >= since]
