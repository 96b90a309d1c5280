"""``GODEBUG=inittrace=1``: one line per package whose init functions ran, written by runtime.doInit1.

Format (runtime/proc.go, doInit1; documented in runtime/extern.go)::

    init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs

``@T`` is the start since ``runtimeInitTime``, then the wall time of the package's init functions, the heap bytes
and allocations they made. Packages whose inittask the linker dropped (no functions) print nothing. Go 1.19
prints the same line (from doInit).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .go import Toolchain

_LINE = re.compile(
    r"^init (?P<package>\S+) @(?P<start>[0-9.]+) ms, (?P<clock>[0-9.]+) ms clock, "
    r"(?P<bytes>\d+) bytes, (?P<allocs>\d+) allocs$"
)


@dataclass(frozen=True)
class InitTraceRow:
    """One package's init, as the runtime reported it."""

    package: str
    start_ms: float  # since runtimeInitTime
    clock_ms: float
    bytes: int
    allocs: int


def parse_inittrace(text: str) -> list[InitTraceRow]:
    """The ``init ...`` lines of a program's standard error, in order; other lines (the program's own output)
    are skipped."""
    rows = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            rows.append(InitTraceRow(match["package"], float(match["start"]), float(match["clock"]),
                                     int(match["bytes"]), int(match["allocs"])))
    return rows


def inittrace(binary: str | os.PathLike, *, toolchain: Toolchain | None = None) -> list[InitTraceRow]:
    """Run a built program with ``GODEBUG=inittrace=1`` and parse what the runtime printed."""
    tc = toolchain or Toolchain.installed()
    return parse_inittrace(tc.run(binary, godebug="inittrace=1").stderr)
