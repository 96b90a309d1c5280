"""GOMAXPROCS in a container, and what the kernel does to a program that uses more CPU than its quota.

Two small models, for chapter 5's Containers section.

`default_gomaxprocs` is the runtime's rule (Go 1.25+): ``defaultGOMAXPROCS`` and ``adjustCgroupGOMAXPROCS`` in
runtime/cgroup_linux.go, called by ``schedinit`` (proc.go) when $GOMAXPROCS is not a positive number, and again
by sysmon once a second (``sysmonUpdateGOMAXPROCS``) unless GOMAXPROCS was set explicitly. The CPU count is what
``sched_getaffinity`` allows (``getCPUCount``, os_linux.go); the limit is quota/period of the process's own CPU
cgroup (v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``, v2 ``cpu.max``), rounded up and raised to at least 2.

`throttle` is CFS bandwidth control reduced to its arithmetic: a group may run ``quota`` µs of CPU in each
``period`` µs, summed over its threads. ``threads`` threads that always want a CPU (GOMAXPROCS Ps running
CPU-bound goroutines, at most one thread per CPU) use the quota up after quota/threads of wall time, and then none
of them runs until the period ends: every period is throttled, each stall lasts period - quota/threads, and the
kernel's ``throttled_time`` (summed over the CPUs' run queues) grows by threads × stall per period.

What it leaves out: the kernel hands out quota in slices (``sched_cfs_bandwidth_slice_us``, 5 ms) to each CPU,
so the threads stop within a slice of each other, not at once; periods are not aligned with the program's start;
the runtime's other threads (sysmon, GC workers) add their CPU to the group's; burst (``cpu.cfs_burst_us``) is
taken as 0; the other processes on the machine are assumed not to take the group's CPUs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_CPUS = 1024  # the model's practical bound (the runtime has none), as for GOMAXPROCS elsewhere in gosim
MIN_PERIOD_US = 1_000  # the kernel's min_cfs_quota_period
MAX_PERIOD_US = 1_000_000  # and max_cfs_quota_period
FLOOR = 2  # "A limit less than 2 is rounded up to 2" (defaultGOMAXPROCS)


def _check_cpus(cpus) -> int:
    if isinstance(cpus, bool) or not isinstance(cpus, int) or not 1 <= cpus <= MAX_CPUS:
        raise ValueError(f"cpus={cpus!r}: give the number of CPUs sched_getaffinity allows, an integer from 1 to "
                         f"{MAX_CPUS} (the model's practical limit)")
    return cpus


def _check_limit(quota_us, period_us) -> None:
    if isinstance(period_us, bool) or not isinstance(period_us, int) or not (
            MIN_PERIOD_US <= period_us <= MAX_PERIOD_US):
        raise ValueError(f"period_us={period_us!r}: the kernel takes a CFS period from {MIN_PERIOD_US} to "
                         f"{MAX_PERIOD_US} µs")
    if quota_us is not None and (isinstance(quota_us, bool) or not isinstance(quota_us, (int, float))
                                 or not quota_us > 0):
        raise ValueError(f"quota_us={quota_us!r}: give None (no limit, 'max' or -1 in the cgroup files) or a "
                         "positive number of µs per period")


def cpu_limit(quota_us: float | None, period_us: int = 100_000) -> float | None:
    """The cgroup's average CPU throughput limit, quota/period (``cgroup.ReadCPULimit``), or None without one."""
    _check_limit(quota_us, period_us)
    return None if quota_us is None else quota_us / period_us


def default_gomaxprocs(cpus: int, quota_us: float | None = None, period_us: int = 100_000, *,
                       explicit: int | None = None, containermaxprocs: bool = True) -> int:
    """GOMAXPROCS at start-up (models schedinit + runtime.defaultGOMAXPROCS + adjustCgroupGOMAXPROCS).

    ``cpus``: the CPUs sched_getaffinity allows; ``quota_us``/``period_us``: the cgroup's CPU limit (None: no
    limit); ``explicit``: a positive $GOMAXPROCS, which wins (the runtime ignores 0 and garbage there, which the
    model refuses: leave it None); ``containermaxprocs``: the GODEBUG setting (False: the cgroup is ignored).
    """
    _check_cpus(cpus)
    if explicit is not None:
        if isinstance(explicit, bool) or not isinstance(explicit, int) or explicit <= 0:
            raise ValueError(f"explicit={explicit!r}: give None or a positive GOMAXPROCS (the runtime ignores 0 or "
                             "garbage in $GOMAXPROCS and uses its default, i.e. None here)")
        return explicit
    limit = cpu_limit(quota_us, period_us)
    if not containermaxprocs or limit is None:
        return cpus
    return min(limit_procs(limit), cpus)


def limit_procs(limit: float) -> int:
    """The Ps a CPU limit asks for: rounded up, at least 2 (the two lines of adjustCgroupGOMAXPROCS)."""
    return max(math.ceil(limit), FLOOR)


def sysmon_update(current: int, cpus: int, quota_us: float | None = None, period_us: int = 100_000, *,
                  custom: bool = False, updatemaxprocs: bool = True, containermaxprocs: bool = True) -> int | None:
    """The GOMAXPROCS sysmon's once-a-second check asks the updater goroutine to apply, or None for no change
    (models sysmonUpdateGOMAXPROCS: nothing when GOMAXPROCS was set explicitly, ``custom``, or with
    GODEBUG=updatemaxprocs=0)."""
    if not updatemaxprocs or custom:
        return None
    procs = default_gomaxprocs(cpus, quota_us, period_us, containermaxprocs=containermaxprocs)
    return None if procs == current else procs


UPDATE_INTERVAL_NS = 1_000_000_000  # sysmon: "update GOMAXPROCS at most once per second" (lastgomaxprocs+1e9)


def update_seen_at(change_ns: int, start_ns: int = 0) -> int:
    """When the automatic update applies a change of the CPUs or the quota made at ``change_ns``: at sysmon's
    first check after it; sysmon checks when it starts (``start_ns``) and then once a second."""
    if change_ns < start_ns:
        raise ValueError(f"change_ns={change_ns}: the change must come after sysmon starts ({start_ns})")
    k = -(-(change_ns - start_ns) // UPDATE_INTERVAL_NS)
    return start_ns + k * UPDATE_INTERVAL_NS


@dataclass(frozen=True)
class Throttle:
    """What CFS bandwidth control does to ``threads`` always-runnable threads in one period."""

    quota_us: float
    period_us: int
    threads: int  # threads that run at once: min(runnable threads, CPUs)
    run_ms: float  # wall time per period in which they run
    stall_ms: float  # wall time per period in which none of them runs (0: never throttled)

    @property
    def throttled(self) -> bool:
        return self.stall_ms > 0

    @property
    def nr_throttled_per_s(self) -> float:
        """Throttled periods per second (``cpu.stat`` ``nr_throttled``)."""
        return 1e6 / self.period_us if self.throttled else 0.0

    @property
    def throttled_ms_per_period(self) -> float:
        """``throttled_time`` per throttled period: each CPU's run queue counts its own stall."""
        return self.threads * self.stall_ms

    @property
    def cpu_used(self) -> float:
        """CPUs' worth of time the group gets on average."""
        return self.threads * self.run_ms * 1e3 / self.period_us


def throttle(quota_us: float, period_us: int = 100_000, *, threads: int, cpus: int) -> Throttle:
    """``threads`` CPU-bound threads (e.g. GOMAXPROCS Ps busy) on ``cpus`` CPUs under ``quota_us`` per
    ``period_us``: they run until the quota is used up, then stall for the rest of the period."""
    _check_cpus(cpus)
    _check_limit(quota_us, period_us)
    if quota_us is None:
        raise ValueError("quota_us=None: throttling needs a quota (without one nothing is throttled)")
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_CPUS:
        raise ValueError(f"threads={threads!r}: give the number of always-runnable threads, 1 to {MAX_CPUS}")
    k = min(threads, cpus)
    run_us = min(period_us, quota_us / k)
    return Throttle(quota_us, period_us, k, run_us / 1e3, (period_us - run_us) / 1e3)
