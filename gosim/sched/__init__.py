"""gosim.sched: the G-M-P scheduler, simulated (chapter 5).

Modules follow the runtime's files: `proc` (g, m, p, schedt, schedule, findRunnable, stealWork, wakep, startm,
handoffp, entersyscall/exitsyscall, sysmon, retake, preemptone, procresize), `runq` (local and global run queues,
the stealing order), `chan` (what blocking and readying on a channel does to the scheduler), `stack` (goroutine
stack growth: morestack → newstack → copystack), `workloads` (the simulated programs), `model` (`simulate` and
the `SchedResult` it returns).
"""

from .model import GStat, SchedResult, SchedTraceRow, fairness, percentiles, schedticks_rate, simulate
from .proc import Costs, Sched, check_gomaxprocs
from .workloads import WORKLOADS

__all__ = ["Costs", "GStat", "Sched", "SchedResult", "SchedTraceRow", "WORKLOADS", "check_gomaxprocs", "fairness",
           "percentiles", "schedticks_rate", "simulate"]
