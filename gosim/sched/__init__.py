"""gosim.sched: the G-M-P scheduler, simulated (chapter 5).

Modules follow the runtime's files: `proc` (g, m, p, schedt, schedule, findRunnable, stealWork, wakep, startm,
handoffp, entersyscall/exitsyscall, sysmon, retake, preemptone, procresize), `runq` (local and global run queues,
the stealing order), `chan` (what blocking and readying on a channel does to the scheduler), `stack` (goroutine
stack growth: morestack → newstack → copystack), `workloads` (the simulated programs), `model` (`simulate` and
the `SchedResult` it returns). ``HISTORY``: what changed in the scheduler since the seed's Go 1.10 (rows for
`gosim.history.changes`).
"""

from .model import GStat, SchedResult, SchedTraceRow, fairness, percentiles, schedticks_rate, simulate
from .proc import Costs, Sched, check_gomaxprocs
from .workloads import WORKLOADS


def __getattr__(name: str):
    """``HISTORY`` is made at its first use: `gosim.history` (hashlib, json, pathlib...) stays out of the
    scheduler's command line."""
    if name == "HISTORY":
        globals()["HISTORY"] = rows = _history()
        return rows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _history() -> list:
    from ..history import Change

    _CH = "5 The scheduler"
    return [
        Change(_CH, "preemption", "cooperative only: sysmon sets stackguard0 = stackPreempt, which the goroutine notices "
               "at its next function call; a loop without calls holds its P forever",
               "also asynchronous: preemptM sends the thread SIGURG and the handler makes the goroutine call "
               "asyncPreempt at a safe point (GODEBUG=asyncpreemptoff=1 turns it off)", "Go 1.14",
               "Go 1.14 release notes (Runtime: goroutines are now asynchronously preemptible), issue 24543; today's "
               "signal is `sigPreempt` (signal_unix.go:74) and the setting `asyncpreemptoff` (runtime1.go:359)"),
        Change(_CH, "timers", "timer goroutines (timerproc) in buckets woke sleeping goroutines",
               "a timer heap on each P, run by findRunnable and, in stealWork's last pass, by other Ps' spinning Ms",
               "Go 1.14", "issue 6239 (timers scale poorly), fixed in Go 1.14 (its release notes: timers and the "
               "timer goroutines reworked); today's per-P heap is the p's `timers` field (runtime2.go:893)"),
        Change(_CH, "stack check in the prologue", "g loaded from thread-local storage: MOVQ FS:0xfffffff8, CX; "
               "CMPQ 0x10(CX), SP", "g kept in register R14 (the register ABI): CMPQ SP, 16(R14)", "Go 1.17",
               "Go 1.17 release notes (register-based calling convention on linux/amd64); the GOEXPERIMENT baseline "
               "sets `regabiSupported` for amd64 (internal/buildcfg/exp.go:67)"),
        Change(_CH, "GOMAXPROCS", "$GOMAXPROCS or the number of CPUs at start, fixed unless the program calls "
               "runtime.GOMAXPROCS(n)", "by default min(CPUs, max(2, ceil(cgroup CPU quota/period))); sysmon recomputes "
               "it once a second and, if it changed, wakes the updater goroutine, which applies it with a stop-the-world; "
               "off once $GOMAXPROCS or runtime.GOMAXPROCS sets it (runtime.SetDefaultGOMAXPROCS turns it back on); "
               "GODEBUG containermaxprocs and updatemaxprocs default to off for a main module whose go line is older",
               "Go 1.25", "the GODEBUG table: `containermaxprocs` changed in 25 (internal/godebugs/table.go:30), "
               "`updatemaxprocs` too (internal/godebugs/table.go:72); Go 1.25 release notes"),
        Change(_CH, "a goroutine's first stack", "2 KiB for every new goroutine", "2 KiB for a new g; a g reused from the "
               "free list gets startingStackSize, which every GC sets to the average stack use it scanned plus the "
               "guard, rounded up to a power of two (GODEBUG adaptivestackstart=0 turns it off)", "Go 1.19",
               "Go 1.19 release notes (initial goroutine stacks from the historic average stack usage); the setting "
               "`adaptivestackstart` (runtime1.go:397); Debian's Go 1.19 source has it too"),
        Change(_CH, "a P in a system call", "status _Psyscall; sysmon's retake and the returning M race for it with a "
               "compare-and-swap", "the P stays _Prunning (_Psyscall_unused); the goroutine's _Gsyscall says it, and "
               "retake blocks the exit (setBlockOnExitSyscall) while it takes the P", "Go 1.26",
               "CL 646198, which the Go 1.26 release notes credit with ~30 % cheaper cgo calls (Faster cgo calls); "
               "commit d55ecea9 (CL 720441, 'runtime: usleep before stealing runnext only if not in syscall') says "
               "that after CL 646198 Ps with goroutines in system calls stay _Prunning until stolen. Debian's Go "
               "1.19 source still retakes Ps in status _Psyscall (runtime/proc.go of /usr/lib/go-1.19); the "
               "installed source keeps the constant as `_Psyscall_unused` (runtime2.go:146)"),
    ]


__all__ = ["HISTORY", "Costs", "GStat", "Sched", "SchedResult", "SchedTraceRow", "WORKLOADS", "check_gomaxprocs", "fairness",
           "percentiles", "schedticks_rate", "simulate"]
