"""What is inside a built Go binary: ELF entry point and sections, symbols (``go tool nm``) and disassembly
(``go tool objdump``).

The seed read the entry point and the sections with gdb's ``info files``; `elf_info` reads the same facts from the
ELF header and section table directly. `nm` and `objdump` call the toolchain's own tools (built on first use,
about 3 s) and parse their output into rows; `parse_nm` and `parse_objdump` take the raw text, so they can be
tested on recorded samples.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import GoToolchainError
from .go import Toolchain


@dataclass(frozen=True)
class Section:
    """One ELF section as gdb's ``info files`` lists it: ``start - end is name``."""

    name: str
    start: int
    end: int
    kind: str  # "code", "data", "bss" or "other"

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class ElfInfo:
    """The ELF header facts the bootstrap chapter starts from."""

    path: str
    machine: str
    entry: int
    sections: tuple[Section, ...]

    def __str__(self) -> str:
        """The layout gdb's ``info files`` prints (the seed's first command)."""
        lines = [f"{self.path}: ELF 64-bit, {self.machine}", f"Entry point: {self.entry:#x}"]
        lines += [f"        {s.start:#018x} - {s.end:#018x} is {s.name}" for s in self.sections]
        return "\n".join(lines)

    def section_of(self, address: int) -> Section | None:
        """The section an address falls in (the entry point is in ``.text``)."""
        return next((s for s in self.sections if s.start <= address < s.end), None)


_MACHINES = {0x3E: "x86-64", 0xB7: "aarch64", 0x03: "i386"}
_SHF_ALLOC, _SHF_EXECINSTR, _SHT_NOBITS = 0x2, 0x4, 8


def elf_info(binary: str | os.PathLike) -> ElfInfo:
    """Entry point and the loaded sections (the ones with an address), in address order."""
    path = Path(binary)
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise GoToolchainError(f"{path.name} is not a 64-bit little-endian ELF file")
    (e_machine,) = struct.unpack_from("<H", data, 18)
    (e_entry,) = struct.unpack_from("<Q", data, 24)
    (e_shoff,) = struct.unpack_from("<Q", data, 40)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 58)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    strtab_off = headers[e_shstrndx][4]

    def name_at(offset: int) -> str:
        end = data.index(b"\0", strtab_off + offset)
        return data[strtab_off + offset:end].decode()

    sections = []
    for sh_name, sh_type, sh_flags, sh_addr, _off, sh_size, *_ in headers:
        if not sh_flags & _SHF_ALLOC or sh_addr == 0:
            continue
        kind = "code" if sh_flags & _SHF_EXECINSTR else "bss" if sh_type == _SHT_NOBITS else "data"
        sections.append(Section(name_at(sh_name), sh_addr, sh_addr + sh_size, kind))
    sections.sort(key=lambda s: s.start)
    return ElfInfo(path.name, _MACHINES.get(e_machine, hex(e_machine)), e_entry, tuple(sections))


@dataclass(frozen=True)
class Symbol:
    """A row of ``go tool nm -size``: address, size, kind letter (T text, D data, B bss, R rodata, ...), name."""

    address: int
    size: int
    kind: str
    name: str


def parse_nm(text: str) -> list[Symbol]:
    """Parse ``go tool nm -size`` output; undefined symbols (no address) are left out."""
    symbols = []
    for line in text.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4:
            address, size, kind, name = parts
            symbols.append(Symbol(int(address, 16), int(size), kind, name))
    return symbols


def nm(binary: str | os.PathLike, toolchain: Toolchain | None = None) -> list[Symbol]:
    """The binary's symbols in address order, as ``go tool nm -size -sort address`` prints them."""
    tc = toolchain or Toolchain.installed()
    return parse_nm(tc.go(["tool", "nm", "-size", "-sort", "address", str(binary)]).stdout)


@dataclass(frozen=True)
class Instruction:
    """A row of ``go tool objdump``: the function it belongs to, where it came from, what it is."""

    symbol: str
    address: int
    file: str  # relative to $GOROOT/src or to the program
    line: int
    hex: str
    asm: str


def parse_objdump(text: str, relpath=lambda p: p) -> list[Instruction]:
    """Parse ``go tool objdump`` output. ``relpath`` turns the absolute paths of ``TEXT`` lines into relative ones."""
    rows: list[Instruction] = []
    symbol = path = ""
    for line in text.splitlines():
        if line.startswith("TEXT "):
            head, _, file = line[5:].partition(" ")
            symbol = head.removesuffix("(SB)")
            path = relpath(file.strip())
            continue
        fields = [f.strip() for f in line.split("\t") if f.strip()]
        if len(fields) < 3 or not fields[1].startswith("0x"):
            continue
        location, address, code = fields[:3]
        asm = fields[3] if len(fields) > 3 else ""
        base, _, lineno = location.rpartition(":")
        file = path if path.endswith(base) else base
        rows.append(Instruction(symbol, int(address, 16), file, int(lineno), code, asm))
    return rows


def objdump(binary: str | os.PathLike, pattern: str, toolchain: Toolchain | None = None) -> list[Instruction]:
    """Disassemble the functions whose names match the regular expression ``pattern`` (``go tool objdump -s``)."""
    tc = toolchain or Toolchain.installed()
    out = tc.go(["tool", "objdump", "-s", pattern, str(binary)]).stdout
    rows = parse_objdump(out, lambda p: tc.relpath(p, binary))
    if not rows:
        raise GoToolchainError(f"no function in {Path(binary).name} matches {pattern!r}")
    return rows
