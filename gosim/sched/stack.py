"""Goroutine stacks: the prologue check, morestack → newstack → copystack, doubling from 2 KiB.

Mirrors runtime/stack.go and the prologue the compiler emits (cmd/internal/obj/x86/obj6.go ``stacksplit``). A
goroutine starts with ``fixedStack`` = 2048 bytes (``stackMin``; linux/amd64 adds no ``stackSystem``). Every
function that is not ``//go:nosplit`` begins by comparing SP with ``g.stackguard0`` = ``stack.lo +
stackGuard`` (928 = ``stackNosplit`` 800 + ``StackSmall`` 128): a frame of at most ``StackSmall`` bytes grows
the stack when ``SP <= stackguard0`` (``CMPQ SP, 16(R14)``), a larger one when ``SP - (framesize - StackSmall)
<= stackguard0``. Then ``morestack`` switches to g0 and calls ``newstack``: ``newsize = oldsize * 2``, doubled
again while ``newsize - used < funcMaxSPDelta + stackGuard`` (a huge frame can skip sizes), a throw past
``maxstacksize`` (1 GB on 64-bit), and ``copystack`` allocates the new stack, copies the used part (``old.hi -
sp``) and adjusts pointers into it. The same ``stackguard0`` doubles as the cooperative preemption flag
(``stackPreempt``), which is why a call is a preemption point (`gosim.sched.proc.preemptone`).

What it leaves out: shrinking in the GC (``shrinkstack`` halves a stack using under a quarter), the adaptive
starting size (``GODEBUG=adaptivestackstart``), stack caches and spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

stackMin = 2048
fixedStack = 2048  # stackMin rounded up to a power of 2 (+ stackSystem = 0 on linux)
StackSmall = 128
stackNosplit = 800  # abi.StackNosplitBase * StackGuardMultiplier
stackGuard = stackNosplit + StackSmall  # 928 on linux/amd64
maxstacksize = 1_000_000_000  # set by runtime.main on 64-bit systems
PtrSize = 8


@dataclass(frozen=True)
class Growth:
    """One ``newstack``: at call ``depth`` (1 = the first call), with ``used`` bytes in use, ``old`` → ``new``
    bytes, ``copied`` bytes moved by ``copystack``."""

    depth: int
    used: int
    old: int
    new: int
    copied: int


@dataclass(frozen=True)
class StackRun:
    growths: tuple[Growth, ...]
    size: int  # the stack's size at the end
    max_used: int
    copied: int  # bytes copied by all copystacks


def needs_morestack(avail: int, framesize: int) -> bool:
    """The prologue's check: ``avail`` = SP - stack.lo at function entry."""
    return avail - max(0, framesize - StackSmall) <= stackGuard


def newstack_size(oldsize: int, used: int, framesize: int) -> int:
    """``newstack``: double, and keep doubling until the frame plus the guard fits."""
    newsize = oldsize * 2
    while newsize - used < framesize + stackGuard:
        newsize *= 2
    if newsize > maxstacksize:
        raise OverflowError(f"goroutine stack exceeds {maxstacksize}-byte limit (runtime: stack overflow)")
    return newsize


def grow(framesizes: Iterable[int], base: int = 0, start: int = fixedStack) -> StackRun:
    """Call functions with the given frame sizes (bytes, as ``TEXT f(SB), $framesize``), each from the one
    before; ``base`` bytes are in use before the first call. Returns every stack growth."""
    size, used, growths, copied, max_used = start, base, [], 0, base
    for depth, framesize in enumerate(framesizes, 1):
        if framesize < 0:
            raise ValueError(f"frame size must be >= 0, got {framesize}")
        used += PtrSize  # CALL pushes the return address
        if needs_morestack(size - used, framesize):
            new = newstack_size(size, used, framesize)
            growths.append(Growth(depth, used, size, new, used))
            copied += used
            size = new
        used += framesize
        max_used = max(max_used, used)
    return StackRun(tuple(growths), size, max_used, copied)


def recursion(depth: int, framesize: int, base: int = 0) -> StackRun:
    """A function with a ``framesize``-byte frame recursing ``depth`` times."""
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    return grow([framesize] * depth, base)
