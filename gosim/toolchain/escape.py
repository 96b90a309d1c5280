"""The compiler's escape analysis, as ``go build -gcflags=-m`` reports it, parsed into rows.

Escape analysis (``cmd/compile/internal/escape``) decides at compile time whether a variable can live in its
function's stack frame or must be moved to the heap, because a pointer to it outlives the frame. ``-m`` makes the
compiler say what it decided, one diagnostic per line::

    ./main.go:9:6: can inline test
    ./main.go:16:15: inlining call to test
    ./main.go:10:10: new(int) escapes to heap
    ./main.go:16:15: new(int) does not escape

``-m -l`` adds "no inlining", so every call stays a call and a returned pointer always escapes; ``-m=2`` explains
each decision with the flow of the pointer (indented lines). `escape_analysis` builds a program with those flags
and returns its binary with the diagnostics as `Diagnostic` rows (file relative to the program, line, column,
message); `parse_diagnostics` takes recorded text. The flags apply to the packages named on the command line (the
program's main package), not to the runtime.

The binary is `gosim.toolchain.Toolchain.build`'s (cached by content, flags and toolchain version); the
diagnostics are kept next to it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .go import Toolchain

_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.go):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<message>.*)$")

# What a diagnostic says, by its message (the compiler's wording, cmd/compile/internal/escape and inline).
KINDS = (
    ("escapes", re.compile(r" escapes to heap(?::)?$")),
    ("moved to heap", re.compile(r"^moved to heap: ")),
    ("does not escape", re.compile(r" does not escape$")),
    ("leaking param", re.compile(r"^leaking param(?: content)?: ")),
    ("can inline", re.compile(r"^can inline ")),
    ("inlining call", re.compile(r"^inlining call to ")),
    ("cannot inline", re.compile(r"^cannot inline ")),
)


@dataclass(frozen=True)
class Diagnostic:
    """One line of ``-gcflags=-m`` output: where (file relative to the program's directory, 1-based line and
    column; column 0 when the compiler gave none) and what the compiler said."""

    file: str
    line: int
    column: int
    message: str
    depth: int = 0  # indentation of -m=2's explanation lines (0 for a decision)

    @property
    def kind(self) -> str:
        """``escapes``, ``moved to heap``, ``does not escape``, ``leaking param``, ``can inline``,
        ``inlining call``, ``cannot inline``, or ``other`` (e.g. -m=2's ``flow:`` lines)."""
        if self.depth:
            return "other"
        return next((name for name, pattern in KINDS if pattern.search(self.message)), "other")

    @property
    def heap(self) -> bool:
        """The compiler put this on the heap."""
        return self.kind in ("escapes", "moved to heap")

    @property
    def position(self) -> str:
        """``main.go:10:10``, as the compiler prints it."""
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def __str__(self) -> str:
        return f"{self.position}: {'  ' * self.depth}{self.message}"


def parse_diagnostics(text: str, relpath=lambda p: p) -> list[Diagnostic]:
    """The diagnostics in the compiler's output, in the order printed. Lines that are not diagnostics (``#
    package`` headers, build noise) are skipped; ``./`` is dropped from paths, and ``relpath`` may shorten the
    rest (absolute paths of other packages)."""
    rows: list[Diagnostic] = []
    for raw in text.splitlines():
        m = _LINE.match(raw.rstrip())
        if not m:
            continue
        message = m["message"]
        stripped = message.lstrip(" ")
        depth = (len(message) - len(stripped)) // 2
        file = relpath(m["file"]).removeprefix("./")
        rows.append(Diagnostic(file, int(m["line"]), int(m["col"] or 0), stripped, depth))
    return rows


@dataclass(frozen=True)
class Escape:
    """A program built with ``-gcflags=<gcflags>``: the binary and what the compiler said."""

    program: str
    gcflags: str
    binary: Path
    diagnostics: tuple[Diagnostic, ...]

    def of_kind(self, *kinds: str) -> list[Diagnostic]:
        """The decisions of the given kinds (see `Diagnostic.kind`)."""
        return [d for d in self.diagnostics if d.kind in kinds]

    def at(self, line: int, file: str = "main.go") -> list[Diagnostic]:
        """The diagnostics about one source line."""
        return [d for d in self.diagnostics if d.line == line and d.file == file]

    def rows(self) -> list[tuple[str, str, str]]:
        """(position, kind, message) of each decision, for `gosim.viz.table`."""
        return [(d.position, d.kind, d.message) for d in self.diagnostics if not d.depth]

    def __str__(self) -> str:
        return "\n".join(map(str, self.diagnostics))


def gcflags_for(*, inline: bool = True, level: int = 1) -> str:
    """``-m`` (``-m=2`` for ``level=2``), plus ``-l`` when inlining is off."""
    if isinstance(level, bool) or level not in (1, 2, 3):
        raise ValueError(f"level must be 1, 2 or 3 (-m, -m=2, -m=3), got {level!r}")
    flags = "-m" if level == 1 else f"-m={level}"
    return flags if inline else flags + " -l"


def escape_analysis(program: str | os.PathLike, *, inline: bool = True, level: int = 1,
                    env: dict[str, str] | None = None, toolchain: Toolchain | None = None) -> Escape:
    """Build ``program`` (a name in ``gosim/programs`` or a module directory) with ``-gcflags=-m`` (``-m -l``
    without inlining, ``-m=2`` for the reasons) and return the binary and the compiler's diagnostics."""
    tc = toolchain or Toolchain.installed()
    gcflags = gcflags_for(inline=inline, level=level)
    binary = tc.build(program, gcflags=gcflags, env=env)
    saved = binary.parent / "diagnostics.txt"
    if not saved.is_file():
        # The build printed the diagnostics, but Toolchain.build keeps only the binary. Building the same
        # package with the same flags again compiles nothing: the go command replays the compiler's output
        # from its cache.
        src = binary.parent / "src"
        proc = tc.go(["build", "-o", os.devnull, f"-gcflags={gcflags}", "."], cwd=src, env=env)
        saved.write_text(tc.relpath(proc.stderr.replace(str(src) + "/", "")))
    return Escape(binary.name, gcflags, binary, tuple(parse_diagnostics(saved.read_text())))
