"""Write barriers: what the mutator does on every pointer write while the collector marks.

Mirrors runtime/mbarrier.go (the hybrid barrier's comment and its proof sketch) and runtime/mwbbuf.go (the per-P
``wbBuf`` of 512 pointers flushed to the mark queue). ``writePointer(slot, ptr)`` may shade the pointer being
overwritten (``shade(*slot)``, Yuasa's deletion barrier) and the pointer being written (``shade(ptr)``,
Dijkstra's insertion barrier). Four barriers, each with what it needs from the rest of the collector to be
correct:

* ``none``: no barrier; objects get lost (the chapter's demo).
* ``dijkstra``: insertion only (Go 1.5–1.7). Stacks have no barrier, so the stacks written since they were
  scanned must be re-scanned with the world stopped at mark termination (``rescan_stacks``; stack barriers,
  ``mstkbar.go`` until Go 1.8, limited each re-scan to the frames that had run since the first scan).
* ``yuasa``: deletion only, a snapshot at the beginning: every stack is scanned with the world stopped when
  marking starts (``scan_stacks_at_start``); afterwards anything reachable then is shaded before it can be unlinked.
* ``hybrid``: both shades (Go 1.8+, design 17503): no stack re-scan, stacks scanned one at a time concurrently.
  The pseudocode shades ``ptr`` only while the writing goroutine's stack is grey; the compiled barrier shades both
  always (``gcWriteBarrier2``: ``buf[0] = val; buf[1] = *ptr``), which is the default here
  (``insert_only_if_stack_grey=False``).

`wb_entries` is the compiler's side: how many pointers one statement's barrier call reserves in the buffer
(``gcWriteBarrierN``), with its two omissions (cmd/compile/internal/ssa/writebarrier.go: ``needWBdst``, the old
value of a slot known to be freshly zeroed; ``needWBsrc``, a new value that is the address of a global).

What it leaves out: ``bulkBarrierPreWrite`` for memmove/typedmemmove (same shades, many slots).
"""

from __future__ import annotations

from dataclasses import dataclass

wbBufEntries = 512
wbMaxEntriesPerCall = 8


@dataclass(frozen=True)
class Barrier:
    name: str
    shade_old: bool  # Yuasa: shade(*slot)
    shade_new: bool  # Dijkstra: shade(ptr)
    insert_only_if_stack_grey: bool = False
    rescan_stacks: bool = False  # STW stack re-scan at mark termination
    scan_stacks_at_start: bool = False  # STW scan of every stack when marking starts
    history: str = ""

    def pointers_to_shade(self, old: int | None, new: int | None, stack_grey: bool) -> list[int]:
        """The objects ``writePointer`` puts in the write-barrier buffer for one write."""
        out = []
        if self.shade_old and old is not None:
            out.append(old)
        if self.shade_new and new is not None and (stack_grey or not self.insert_only_if_stack_grey):
            out.append(new)
        return out


BARRIERS: dict[str, Barrier] = {
    "none": Barrier("none", False, False, history="no barrier: only correct with the world stopped"),
    "dijkstra": Barrier("dijkstra", False, True, rescan_stacks=True,
                        history="Go 1.5-1.7: insertion barrier, stacks re-scanned at mark termination "
                        "(only frames that ran since the first scan, thanks to stack barriers)"),
    "yuasa": Barrier("yuasa", True, False, scan_stacks_at_start=True,
                     history="deletion barrier: snapshot at the beginning, all stacks scanned at the start"),
    "hybrid": Barrier("hybrid", True, True,
                      history="Go 1.8+: deletion + insertion, no stack re-scan (design 17503)"),
}


# Each classic barrier without the stop-the-world stack work it needs: what goes wrong without it (the chapter's
# barrier demo shows both losing objects).
VARIANTS: dict[str, Barrier] = {
    "dijkstra-no-rescan": Barrier("dijkstra-no-rescan", False, True,
                                  history="insertion barrier without the STW stack re-scan: loses objects"),
    "yuasa-no-snapshot": Barrier("yuasa-no-snapshot", True, False,
                                 history="deletion barrier with stacks scanned concurrently: loses objects"),
}


@dataclass(frozen=True)
class Store:
    """One pointer store the compiler puts a barrier on: into a slot it knows is freshly zeroed (a field of an
    object just allocated in the same statement), and/or of a value that is the address of a global."""

    fresh_slot: bool = False
    global_value: bool = False


def wb_entries(stores: list[Store]) -> int:
    """The ``N`` of the ``gcWriteBarrierN`` call the compiler emits for a run of pointer stores under one
    ``writeBarrier.enabled`` branch: each store buffers its new value (unless ``needWBsrc`` drops it: the address
    of a global) and the slot's old value (unless ``needWBdst`` drops it: a freshly zeroed slot). The hybrid
    barrier's two shades, minus what the compiler can prove useless."""
    n = sum((not s.global_value) + (not s.fresh_slot) for s in stores)
    if n > wbMaxEntriesPerCall:
        raise ValueError(f"{n} entries: the compiler splits runs of more than {wbMaxEntriesPerCall}")
    return n


def barrier(name: str | Barrier) -> Barrier:
    """A barrier by name (``none``, ``dijkstra``, ``yuasa``, ``hybrid``, or a `VARIANTS` name) or as given."""
    if isinstance(name, Barrier):
        return name
    if name in VARIANTS:
        return VARIANTS[name]
    if name not in BARRIERS:
        raise ValueError(f"barrier must be one of {', '.join([*BARRIERS, *VARIANTS])}, got {name!r}")
    return BARRIERS[name]


@dataclass
class wbBuf:
    """A P's write-barrier buffer: the barrier's fast path appends, the slow path (``wbBufFlush``) greys
    everything in it. ``flushes`` counts how often it filled."""

    entries: list[int]
    flushes: int = 0

    def __init__(self) -> None:
        self.entries = []
        self.flushes = 0

    def put(self, ptrs: list[int]) -> bool:
        """Append; True when the buffer is full and must be flushed."""
        self.entries.extend(ptrs)
        return len(self.entries) > wbBufEntries - wbMaxEntriesPerCall

    def drain(self) -> list[int]:
        out, self.entries = self.entries, []
        self.flushes += 1
        return out
