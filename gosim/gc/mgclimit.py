"""The GC CPU limiter: a leaky bucket that caps GC at about 50 % of the CPU.

Mirrors ``gcCPULimiterState`` (runtime/mgclimit.go): the bucket fills with GC CPU time and drains with mutator
time (``accumulate``); while the GC is enabled, 25 % of all CPU time counts as GC (``gcBackgroundUtilization``)
plus assist time; idle time (idle Ps and idle mark workers) is then subtracted from the total, after the 25 % was
taken of all of it, and the mutator's time is what is left (``updateLocked``).
Its capacity is one CPU-second per P (``capacityPerProc``); when the bucket is full the limiter is ``enabled`` and
mark assists are skipped (``gcAssistAlloc``, mgcmark.go), so the heap may overshoot its goal rather than the
program drowning in GC work. What it leaves out: the 10 ms update period and per-P limiter events (the caller
feeds it time in slices), the lock, ``overflow`` accounting for the scavenger.
"""

from __future__ import annotations

from dataclasses import dataclass

capacityPerProc = 1.0  # seconds (1e9 ns in the runtime)
gcBackgroundUtilization = 0.25  # mgcpacer.go: the share of all CPU time updateLocked counts as GC while it runs
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
        gc_time = assist + (total * gcBackgroundUtilization if self.gcEnabled else 0.0)
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


def time_to_enable(nprocs: int, assist_share: float, idle_share: float = 0.0, *,
                   horizon: float = 600.0) -> float | None:
    """CPU-seconds (wall time × ``nprocs``) from an empty bucket until the limiter turns on, for a program that
    collects all the time (``gcEnabled``) with mark assists taking ``assist_share`` and idle Ps (and idle mark
    workers) ``idle_share`` of all CPU time, fed in ``gcCPULimiterUpdatePeriod`` slices. None if the bucket never
    fills within ``horizon`` seconds of wall time (GC at or under half of the CPU left after idle time)."""
    if not isinstance(nprocs, int) or isinstance(nprocs, bool) or nprocs < 1:
        raise ValueError(f"nprocs must be a positive integer, got {nprocs!r}")
    for name, v in (("assist_share", assist_share), ("idle_share", idle_share)):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{name} must be a share of CPU time in [0, 1], got {v!r}")
    lim = GCCPULimiter(nprocs, gcEnabled=True)
    dt = gcCPULimiterUpdatePeriod
    t = 0.0
    while t < horizon:
        cpu = dt * nprocs
        lim.update(dt, assist_share * cpu, idle_share * cpu)
        t += dt
        if lim.enabled:
            return t * nprocs
    return None


def timeline(nprocs: int, assist_share: float, seconds: float, *, limiter: bool = True) -> list[tuple]:
    """A program that collects all the time, run for ``seconds`` of wall time in 10 ms updates: each update
    (wall seconds, bucket fill, limiter on, GC share of the update in the limiter's view). Assists take
    ``assist_share`` of the CPU except while the limiter is on (``gcAssistAlloc`` returns at once); with
    ``limiter=False`` the bucket is still kept but never switches assists off (what the collector would do
    without it)."""
    if not 0.0 <= assist_share <= 1.0 - gcBackgroundUtilization:
        raise ValueError(f"assist_share must be in [0, {1 - gcBackgroundUtilization}], got {assist_share!r}")
    if not 0 < seconds <= 600:
        raise ValueError(f"seconds must be in (0, 600], got {seconds!r}")
    lim = GCCPULimiter(nprocs, gcEnabled=True)
    dt = gcCPULimiterUpdatePeriod
    out = []
    for k in range(1, int(round(seconds / dt)) + 1):
        a = 0.0 if (limiter and lim.enabled) else assist_share
        lim.update(dt, a * dt * nprocs, 0.0)
        out.append((k * dt, lim.fill, lim.enabled, gcBackgroundUtilization + a))
    return out


def share_once_on(nprocs: int, assist_share: float, seconds: float | None = None) -> float | None:
    """The mean GC share (limiter's view: background + assists) from the update that first turns the limiter
    on to the end of ``seconds`` of wall time (by default 10 s after it turns on): assists switch off, the bucket
    drains, the limiter turns off at the next update, assists fill it again. None if it never turns on."""
    if seconds is None:
        t = time_to_enable(nprocs, assist_share)
        if t is None:
            return None
        seconds = min(t / nprocs + 10.0, 600.0)
    tl = timeline(nprocs, assist_share, seconds)
    first = next((i for i, row in enumerate(tl) if row[2]), None)
    if first is None:
        return None
    rest = tl[first + 1:]
    return sum(row[3] for row in rest) / len(rest) if rest else None
