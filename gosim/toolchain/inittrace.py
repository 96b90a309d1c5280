"""What a program runs at initialization, seen from outside: ``GODEBUG=inittrace=1``, and the init task records.

``GODEBUG=inittrace=1`` prints one line per package whose init functions ran, written by runtime.doInit1.

Format (runtime/proc.go, doInit1; documented in runtime/extern.go)::

    init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs

``@T`` is the start since ``runtimeInitTime``, then the wall time of the package's init functions, the heap bytes
and allocations they made. Packages whose inittask the linker dropped (no functions) print nothing. Go 1.19
prints the same line (from doInit).

The package is printed as symbol names spell it (runtime.funcpkgpath of the first init function), escaped by
``cmd/internal/objabi.PathToPrefix``: a dot in the last element of the path is ``%2e`` (``gopkg.in/yaml%2ev3``).
`parse_inittrace` undoes it (`prefix_to_path`, objabi.PrefixToPath), so rows carry import paths.

`inittask_records` and `linked_order` read the records themselves out of a linked binary (symbol addresses from
``go tool nm``, bytes from the ELF file): what each package's record runs, and the list the linker sorted.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import GoToolchainError
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
    are skipped. Package paths are unescaped (``gopkg.in/yaml%2ev3`` → ``gopkg.in/yaml.v3``)."""
    rows = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            rows.append(InitTraceRow(prefix_to_path(match["package"]), float(match["start"]),
                                     float(match["clock"]), int(match["bytes"]), int(match["allocs"])))
    return rows


def prefix_to_path(prefix: str) -> str:
    """cmd/internal/objabi.PrefixToPath: a package path as symbol names spell it back to the import path, each
    ``%xx`` to its byte (PathToPrefix escapes bytes up to a space, ``%``, ``"``, bytes from 0x7F, and a ``.``
    after the last ``/``). A malformed escape raises ValueError, as PrefixToPath returns an error."""
    if "%" not in prefix:
        return prefix
    out = bytearray()
    i = 0
    raw = prefix.encode()
    while i < len(raw):
        if raw[i] != ord("%"):
            out.append(raw[i])
            i += 1
            continue
        digits = raw[i + 1:i + 3]
        if len(digits) != 2 or not all(chr(c) in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError(f"malformed prefix {prefix!r}: escape sequence must contain two hex digits")
        out.append(int(digits, 16))
        i += 3
    return out.decode("utf-8", errors="surrogateescape")


def inittrace(binary: str | os.PathLike, *, toolchain: Toolchain | None = None) -> list[InitTraceRow]:
    """Run a built program with ``GODEBUG=inittrace=1`` and parse what the runtime printed."""
    tc = toolchain or Toolchain.installed()
    return parse_inittrace(tc.run(binary, godebug="inittrace=1").stderr)


# --- the records themselves, read from a linked binary ---------------------------------------------------------


@dataclass(frozen=True)
class InitTask:
    """One ``PKG..inittask`` record as the linker laid it into a binary (runtime/proc.go: initTask).

    Since Go 1.21: ``{state uint32; nfns uint32; fns [nfns]func()}``. Before (Go 1.13 to 1.20): ``{state, ndeps,
    nfns uintptr; deps [ndeps]*initTask; fns [nfns]func()}``: the record named the records of its imports, in
    source order, and runtime.doInit walked them."""

    package: str
    address: int
    state: int
    fns: tuple[str, ...]  # the functions it runs, as go tool nm names them
    deps: tuple[str, ...] | None = None  # before Go 1.21: the packages whose records it points to; since: None


def inittask_records(binary: str | os.PathLike, *, toolchain: Toolchain | None = None) -> dict[str, InitTask]:
    """Every ``..inittask`` record of a built program, by package path (the main package is ``main``), decoded
    from the binary's data with the addresses ``go tool nm`` gives."""
    from .binary import nm

    tc = toolchain or Toolchain.installed()
    symbols = nm(binary, toolchain=tc)
    names = {s.address: s.name for s in symbols if s.kind in ("T", "t", "D", "d")}
    read = _reader(binary)
    old = _records_list_deps(tc)
    records = {}
    for s in symbols:
        if not s.name.endswith("..inittask"):
            continue
        package = _package_of(s.name)
        if old:
            state, ndeps, nfns = struct.unpack("<3Q", read(s.address, 24))
            words = struct.unpack(f"<{ndeps + nfns}Q", read(s.address + 24, 8 * (ndeps + nfns)))
            deps = tuple(_package_of(names[w]) for w in words[:ndeps])
            fns = tuple(names.get(w, hex(w)) for w in words[ndeps:])
        else:
            state, nfns = struct.unpack("<2I", read(s.address, 8))
            fns = tuple(names.get(w, hex(w)) for w in struct.unpack(f"<{nfns}Q", read(s.address + 8, 8 * nfns)))
            deps = None
        records[package] = InitTask(package, s.address, state, fns, deps)
    return records


def linked_order(binary: str | os.PathLike, *, toolchain: Toolchain | None = None,
                 symbol: str = "go:main.inittasks") -> list[str]:
    """The program's list of init tasks as the linker emitted it (``go:main.inittasks``, which runtime.main hands
    to doInit through ``moduledata.inittasks``): package paths, in the order they run. The runtime's own closure
    is a separate list, ``symbol="go:runtime.inittasks"`` (what ``runtime_inittasks`` points to), which
    runtime.main runs first. Go 1.21 and later only."""
    from .binary import nm

    tc = toolchain or Toolchain.installed()
    if _records_list_deps(tc):
        raise GoToolchainError(f"{tc.version} links no list of init tasks: runtime.doInit walks each record's "
                               "dependencies (Go 1.13 to 1.20)")
    symbols = nm(binary, toolchain=tc)
    names = {s.address: s.name for s in symbols}
    table = next((s for s in symbols if s.name == symbol), None)
    if table is None:
        return []
    words = struct.unpack(f"<{table.size // 8}Q", _reader(binary)(table.address, table.size))
    return [_package_of(names[w]) for w in words]


def _package_of(symbol: str) -> str:
    """``seedinit/lib..inittask`` → ``seedinit/lib`` (PathToPrefix undone: ``a%2eb`` → ``a.b``)."""
    return prefix_to_path(symbol.removesuffix("..inittask"))


def _records_list_deps(tc: Toolchain) -> bool:
    match = re.match(r"go1\.(\d+)", tc.version)
    return bool(match) and int(match[1]) < 21


def _reader(binary: str | os.PathLike):
    """read(address, size): bytes of a 64-bit little-endian ELF file at a virtual address (its PT_LOAD
    segments)."""
    data = Path(binary).read_bytes()
    (phoff,) = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segments = []
    for i in range(phnum):
        p_type, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            segments.append((vaddr, offset, filesz))

    def read(address: int, size: int) -> bytes:
        for vaddr, offset, filesz in segments:
            if vaddr <= address and address + size <= vaddr + filesz:
                return data[offset + address - vaddr:offset + address - vaddr + size]
        raise GoToolchainError(f"{Path(binary).name}: no file data at {address:#x}")

    return read
