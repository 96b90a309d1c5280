"""The allocator's counters: ``memstats.heapStats`` and the part of ``gcController`` that allocation updates.

Models ``heapStatsDelta`` (runtime/mstats.go) — the consistent heap statistics runtime/metrics reads: bytes
committed, released, in heap spans; small allocation and free counts per size class; large allocation and free
counts and bytes; tiny allocations — and the ``gcController`` fields the allocator moves (runtime/mgcpacer.go):
``heapInUse``, ``heapFree``, ``heapReleased``, ``heapLive`` (what the pacer compares with the trigger),
``totalAlloc``/``totalFree``.

As in the runtime, small allocations are counted when a span leaves an mcache (``mcache.refill``,
``releaseAll``), not one by one: runtime/metrics lags until the next flush, and a GC flushes every mcache. Large
objects are counted when allocated. What it leaves out: stacks and GC work buffers (always 0 here), the
profiling and sampling counters, and the per-M sharding of the real counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .sizeclasses import NumSizeClasses


@dataclass
class heapStatsDelta:
    committed: int = 0  # bytes of heap memory backed by physical pages
    released: int = 0  # mapped but returned to (or never taken from) the OS
    inHeap: int = 0  # bytes in in-use heap spans
    inStacks: int = 0
    inWorkBufs: int = 0
    smallAllocCount: list[int] = field(default_factory=lambda: [0] * NumSizeClasses)
    smallFreeCount: list[int] = field(default_factory=lambda: [0] * NumSizeClasses)
    largeAlloc: int = 0
    largeAllocCount: int = 0
    largeFree: int = 0
    largeFreeCount: int = 0
    tinyAllocCount: int = 0


@dataclass
class gcControllerState:
    """The allocator-facing fields of ``gcControllerState`` (runtime/mgcpacer.go)."""

    heapInUse: int = 0  # bytes in mSpanInUse spans
    heapFree: int = 0  # free, not scavenged
    heapReleased: int = 0  # free and scavenged
    heapLive: int = 0  # bytes considered live by the pacer: cached spans count whole
    heapScan: int = 0  # scannable bytes allocated (scanAlloc)
    totalAlloc: int = 0
    totalFree: int = 0

    def update(self, dHeapLive: int, dHeapScan: int) -> None:
        """``gcControllerState.update``."""
        self.heapLive += dHeapLive
        self.heapScan += dHeapScan
