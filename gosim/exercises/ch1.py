"""Chapter 1's exercises: the boot chain. Answers come from real runs (a crash dump of a program stopped in
``main.main``, gdb on ``hello``, the ABI0 wrapper in the binary, Debian's Go 1.19) and the model predicts them."""

from __future__ import annotations

import re
from collections import Counter

from .. import boot
from . import Choice, Exercise, Number, Order, Skipped, register

_UPDATER_STATES = ["running on another thread", "parked, waiting for a change of the CPU limit",
                   "runnable, not yet run", "not created yet"]


def _dump(program: str, procs: int, toolchain=None):
    """The goroutines of ``program``'s crash dump at GOMAXPROCS=procs (GOTRACEBACK=system lists the runtime's)."""
    from .. import toolchain as tc
    from ..checks import boot as checks

    chain = toolchain or tc.installed()
    binary = chain.build(program)
    run = chain.run(binary, env={"GOTRACEBACK": "system", "GOMAXPROCS": str(procs)}, check=False)
    goroutines = checks.goroutine_dump(run.stderr)
    if not goroutines:
        raise RuntimeError(f"{program}: no goroutine dump in its output: {run.stderr[-400:]}")
    return goroutines


def _majority(values):
    """The value most runs gave (each exercise's answer is the same on every run; three runs make sure)."""
    return Counter(values).most_common(1)[0][0]


# 1.1 -------------------------------------------------------------------------------------------------------------


def _updater_state_runtime() -> str:
    states = []
    for _ in range(3):
        g = next(g for g in _dump("bootids", 1) if g.fn == boot.UPDATER)
        states.append(g.state)
    state = _majority(states)
    if state == "runnable":
        return _UPDATER_STATES[2]
    if state == "running":
        return _UPDATER_STATES[0]
    return _UPDATER_STATES[1]


def _updater_state_model() -> str:
    state = boot.boot("current", 1).state_at("main.main")
    g = next(g for g in state.gs if g.fn == boot.UPDATER)
    return {"runnable": _UPDATER_STATES[2], "running": _UPDATER_STATES[0]}.get(g.status, _UPDATER_STATES[1])


register(Exercise(
    id="1.1",
    question="Run `hello` with `GOMAXPROCS=1`. When `main.main` starts, what is the GOMAXPROCS updater "
             "goroutine (the last goroutine `runtime.main` creates, `updateMaxProcsGoroutine`) doing? "
             "Answer with one of: " + "; ".join(f"({chr(97 + i)}) {o}" for i, o in enumerate(_UPDATER_STATES))
             + ". The panel below answers it for the model; a crash dump of the real program answers it for "
               "the runtime.",
    kind=Choice(_UPDATER_STATES),
    solve=_updater_state_runtime,
    model=_updater_state_model,
    source="runtime",
    hint="Follow the updater from newproc: where does newproc put a new goroutine, and which M could take it "
         "from there when there is only one P?",
    wrong_hints={
        _UPDATER_STATES[0]: "Another thread can run Go code only while it holds a P. How many Ps are there, "
                            "and who holds the only one at main.main?",
        _UPDATER_STATES[1]: "It parks there once it has run. That happens when an idle P lets wakep start an "
                            "M for it: look at what newproc does after runqput when no P is idle.",
        _UPDATER_STATES[3]: "Look at runtime.main's order: defaultGOMAXPROCSUpdateEnable comes before "
                            "doInit(main's tasks) and main.main.",
    },
))


# 1.2 -------------------------------------------------------------------------------------------------------------

_ARGS_REGS = re.compile(r"^MOV[LQ] 0x[0-9a-f]+\(SP\), (\w+)$")


def _args_registers_runtime() -> list[str]:
    from .. import toolchain as tc

    binary = tc.build("hello", gcflags="-N -l")
    wrapper = tc.objdump(binary, r"^runtime\.args\.abi0$")
    return [m[1] for i in wrapper if (m := _ARGS_REGS.match(i.asm))]


def _args_registers_model() -> list[str]:
    """From the ABI's own rule: integer arguments go in the amd64 integer registers in the order
    abi-internal.md lists them; runtime.args has two (argc, argv)."""
    from .. import toolchain as tc

    doc = (tc.goroot() / "src/cmd/compile/abi-internal.md").read_text()
    amd64 = doc.split("### amd64 architecture")[1]
    listed = re.search(r"integer arguments and results:\s*\n\s*\n?\s*([A-Z0-9, ]+)\n", amd64)
    names = [r.strip() for r in listed[1].split(",")]
    return [r.removeprefix("R") if r in ("RAX", "RBX", "RCX", "RDI", "RSI") else r for r in names[:2]]


register(Exercise(
    id="1.2",
    question="The chapter disassembles two ABI0 wrappers: `runtime.schedinit.abi0` (no arguments) and "
             "`runtime.newproc.abi0` (one). `rt0_go` also calls `runtime.args(c int32, v **byte)` with `argc` "
             "and `argv` on the stack. Into which registers does `runtime.args.abi0` load them, in order "
             "(`argc` first)? Answer as Go's assembler names them, e.g. `[\"R8\", \"R9\"]`.",
    kind=Order(),
    solve=_args_registers_runtime,
    model=_args_registers_model,
    source="runtime",
    transfer=True,
    hint="ABIInternal assigns integer arguments to registers in a fixed order, listed in "
         "$GOROOT/src/cmd/compile/abi-internal.md under the amd64 architecture; newproc.abi0 shows the first.",
    wrong_hints={
        "DI, SI": "Those are the System V C convention's first two registers, the ones _rt0_amd64 uses for "
                  "argc and argv. Go's register ABI has its own order.",
        "SI, DI": "That is _rt0_amd64's C-style pair, and reversed. Look at the Go register ABI's order.",
        "AX, CX": "Read the amd64 list of integer argument registers in abi-internal.md again, in its order, "
                  "and take as many as runtime.args has arguments.",
        "BX, AX": "Read the amd64 list of integer argument registers in abi-internal.md again: which register "
                  "does it list first, and which second?",
    },
))


# 1.3 -------------------------------------------------------------------------------------------------------------


def _helper_order_runtime() -> list[str]:
    from .. import toolchain as tc
    from ..checks import boot as checks

    try:
        tc.gdb_path()
    except tc.GoToolchainError as exc:
        raise Skipped(f"gdb is not installed (apt-get install gdb): {exc}") from None
    binary = tc.build("hello", gcflags="-N -l")
    orders = [tuple(checks.helper_order(tc.gdb_trace(binary, checks.INIT_PINNED, env={"GOMAXPROCS": "1"})))
              for _ in range(2)]
    if orders[0] != orders[1]:
        raise RuntimeError(f"two gdb runs disagree on the helpers' order: {orders}")
    return list(orders[0])


register(Exercise(
    id="1.3",
    question="With `GOMAXPROCS=1`, the three helper goroutines the runtime starts before `main.main` "
             "(`forcegchelper`, `bgsweep`, `bgscavenge`) are created in that order, and none can run until the "
             "main goroutine gives up the only P. In which order do they first run? gdb's table below shows it.",
    kind=Order(),
    solve=_helper_order_runtime,
    model=lambda: list(boot.boot("current", 1).ran),
    source="runtime",
    needs=("gdb",),
    hint="Each newproc puts the new goroutine in runnext; what happens to the goroutine already there? And which "
         "one does runqget take first?",
    wrong_hints={
        "forcegchelper, bgsweep, bgscavenge": "That is the creation order. Where does runqput put each new "
                                              "goroutine, and what becomes of the one in runnext before it?",
        "bgscavenge, bgsweep, forcegchelper": "The last created does go first (runnext). The other two wait in "
                                              "the run queue: in which order does a queue give them back?",
        "forcegchelper, bgscavenge, bgsweep": "Look at which goroutine sits in runnext when the main goroutine "
                                              "first blocks in gcenable.",
    },
))


# 1.4 -------------------------------------------------------------------------------------------------------------


def _twelfth_id_runtime() -> int:
    ids = []
    for _ in range(3):
        mine = [g.goid for g in _dump("bootspawn", 1) if g.created_by == "main.main"]
        ids.append(max(mine))
    return _majority(ids)


def _twelfth_id_model() -> int:
    # at GOMAXPROCS=1 every goroutine is created on P0: the runtime's five, then main.main's twelve
    runtime_gs = len(boot.boot("current", 1).state_at("main.main").gs)
    return boot.goids([0] * (runtime_gs + 12))[-1]


register(Exercise(
    id="1.4",
    question="A program's `main.main` starts 12 goroutines (`go func() { <-block }()` in a loop) and nothing "
             "else. It runs with `GOMAXPROCS=1`. What goroutine id does the twelfth one get? (Ids come from "
             "`newproc1`'s per-P cache, `goidcache`, filled in batches of 16 from `sched.goidgen`; with one P "
             "the batches follow each other, so this is a matter of counting the goroutines before it.)",
    kind=Number(),
    solve=_twelfth_id_runtime,
    model=_twelfth_id_model,
    source="runtime",
    hint="Count every goroutine created before it, the runtime's own included, and how one P's batches follow "
         "each other.",
    wrong_hints={
        12: "Ids are not per program: the runtime's own goroutines took the first ones before main.main ran.",
        16: "Off by one: count the runtime's goroutines at main.main again (the chapter's Check part lists them).",
        33: "A P takes a new batch when its cache runs out, but with one P the next batch starts right after "
            "the last id it used: nothing else took ids in between.",
        18: "Count again: the main goroutine is one of the runtime's goroutines, and ids start at 1.",
    },
))


# 1.5 -------------------------------------------------------------------------------------------------------------


def _go119_goroutines_runtime() -> int:
    from ..toolchain import GoToolchainError, Toolchain
    from ..toolchain.versions import GO119

    try:
        go119 = Toolchain.at(GO119)
    except GoToolchainError as exc:
        raise Skipped(f"Debian's Go 1.19 is not installed (apt-get install golang-1.19-go): {exc}") from None
    counts = [len(_dump("bootids", 1, toolchain=go119)) for _ in range(3)]
    return _majority(counts)


register(Exercise(
    id="1.5",
    question="The chapter compared Go 1.10 with today. Build the same program (`gosim/programs/bootids`: "
             "`main.main` panics at once) with Debian's Go 1.19 and run it with `GOMAXPROCS=1` and "
             "`GOTRACEBACK=system`. How many goroutines does the crash dump list, that is, how many exist when "
             "`main.main` starts?",
    kind=Number(),
    solve=_go119_goroutines_runtime,
    model=lambda: len(boot.runtime_goroutines("1.19")),
    source="runtime",
    transfer=True,
    needs=("go1.19",),
    hint="List today's goroutines at main.main and ask, for each, in which release it appeared (History).",
    wrong_hints={
        3: "That is Go 1.10's count. One of today's goroutines came well before 1.19: see the History table.",
        5: "That is today's count. One of them came after Go 1.19: see the History table.",
        2: "The sweeper has been started by gcenable since long before Go 1.10.",
    },
))


# 1.6 -------------------------------------------------------------------------------------------------------------


def _threads_at_main_runtime() -> int:
    """The fewest threads gdb read at main.main over the gdb runs at GOMAXPROCS=2 that
    scripts/record_boot_threads.py recorded (tests/data/boot/threads.json): a run no race added an M to. Not the
    most common count, and not a few fresh runs: the race adds a thread in 8 of the 20 recorded runs and in 16 of
    30 fresh ones on a loaded machine, so which count is the more common changes with the load."""
    from ..checks import boot as checks

    try:
        runs = checks.recorded_threads()["2"]["runs"]
    except (FileNotFoundError, KeyError) as exc:
        raise Skipped(f"no recorded gdb runs at GOMAXPROCS=2: {exc}") from None
    return min(r["threads"] for r in runs)


register(Exercise(
    id="1.6",
    question="Hello world runs with `GOMAXPROCS=2`. How many OS threads (Ms in `allm`) exist when `main.main` "
             "starts, in a run where no race adds one? Count them from the rules: sysmon's M, the lock of init "
             "to m0 (`lockOSThread`, `stoplockedm` → `handoffp`), and `wakep` when a goroutine is created while "
             "a P is idle.",
    kind=Number(),
    solve=_threads_at_main_runtime,
    model=lambda: boot.boot("current", 2).threads_at("main.main"),
    source="runtime",
    hint="m0 and sysmon's M; the first newproc after mainStarted finds P1 idle; when main blocks in gcenable m0 "
         "may not run the helpers itself.",
    wrong_hints={
        2: "m0 and sysmon are not alone: who runs forcegchelper while main holds P0?",
        3: "Count the M that handoffp starts when the main goroutine, locked to m0, blocks in gcenable.",
        5: "That is a run where a race added one more spinning M. Which count do the rules alone give?",
    },
))
