"""The GC CPU limiter: a leaky bucket that caps GC at about 50 % of the CPU.

Mirrors ``gcCPULimiterState`` (runtime/mgclimit.go): the bucket fills with GC CPU time and drains with mutator
time (``accumulate``); while the GC is enabled, 25 % of all CPU time counts as GC (``gcBackgroundUtilization``)
plus assist time; idle time (idle Ps and idle mark workers) is subtracted from the total first (``updateLocked``).
Its capacity is one CPU-second per P (``capacityPerProc``); when the bucket is full the limiter is ``enabled`` and
mark assists are skipped (``gcAssistAlloc``, mgcmark.go), so the heap may overshoot its goal rather than the
program drowning in GC work. What it leaves out: the 10 ms update period and per-P limiter events (the caller
feeds it time in slices), the lock, ``overflow`` accounting for the scavenger.
"""

from __future__ import annotations

from dataclasses import dataclass

capacityPerProc = 1.0  # seconds (1e9 ns in the runtime)
gcCPULimiterUpdatePeriod = 0.010  # seconds


@dataclass
class GCCPULimiter:
    """``gcCPULimiterState`` with times in seconds."""

    nprocs: int
    fill: float = 0.0
    enabled: bool = False
    gcEnabled: bool = False
    lastEnabledCycle: int = 0
    # Time not yet accounted (the runtime's assistTimePool, idleTimePool and the window since lastUpdate).
    window: float = 0.0
    assistTimePool: float = 0.0
    idleTimePool: float = 0.0

    def tick(self, window: float, assist: float, idle: float, cycle: int = 0) -> None:
        """Time passes: pool it, and update once ``gcCPULimiterUpdatePeriod`` (10 ms) has gone by, as
        ``findRunnableGCWorker`` and sysmon do."""
        self.window += window
        self.assistTimePool += assist
        self.idleTimePool += idle
        if self.window > gcCPULimiterUpdatePeriod:
            self.flush(cycle)

    def flush(self, cycle: int = 0) -> None:
        window, assist, idle = self.window, self.assistTimePool, self.idleTimePool
        self.window = self.assistTimePool = self.idleTimePool = 0.0
        if window > 0:
            self.update(window, assist, idle, cycle)

    @property
    def capacity(self) -> float:
        return self.nprocs * capacityPerProc

    def update(self, window: float, assist: float, idle: float, cycle: int = 0) -> None:
        """``updateLocked`` for ``window`` seconds of wall time: ``assist`` CPU-seconds of assists and ``idle``
        CPU-seconds of idle Ps plus idle mark work in that window."""
        total = window * self.nprocs
        gc_time = assist + (total * 0.25 if self.gcEnabled else 0.0)
        total -= idle
        self.accumulate(total - gc_time, gc_time, cycle)

    def accumulate(self, mutatorTime: float, gcTime: float, cycle: int = 0) -> None:
        """``accumulate``: add GC time, drain mutator time; full bucket → enabled."""
        headroom = self.capacity - self.fill
        was_enabled = headroom <= 0
        change = gcTime - mutatorTime
        if change > 0 and headroom <= change:
            self.fill = self.capacity
            if not self.enabled:
                self.enabled = True
                self.lastEnabledCycle = cycle + 1
            return
        self.fill = max(0.0, self.fill - max(-change, 0.0)) if change < 0 else self.fill + change
        if change != 0 and was_enabled:
            self.enabled = False

    def limiting(self) -> bool:
        return self.enabled

    def stw(self, seconds: float, cycle: int = 0) -> None:
        """``startGCTransition`` flushes what was pooled; ``finishGCTransition`` counts the pause's ``nprocs``
        CPUs as GC time."""
        self.flush(cycle)
        self.accumulate(0.0, seconds * self.nprocs, cycle)
