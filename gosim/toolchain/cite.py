"""Citations of the runtime's source in the book's prose, checked against the installed toolchain.

A sentence may cite a line of Go's source as ``proc.go:189`` or a range as ``mgcpacer.go:1205-1240``, after the
name it is about: "`runtime.main` locks the main goroutine to m0 (`lockOSThread`, proc.go:189)". A bare file name
is a file of package runtime; any other file carries its path under ``$GOROOT/src``
(``cmd/compile/internal/ssagen/abi.go:310``). The rule that keeps a citation from going stale when the toolchain
is upgraded: the backquoted name nearest before the citation (in the same paragraph) must appear on the cited line,
or on one of the cited lines for a range. `check` applies the rule to a text; the test suite applies it to every
chapter, so a line that moves in a new release fails the build instead of misleading a reader.

Citations of the book's own programs (``main.go:11`` in a program's output) name files under ``gosim/programs``
and are not checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .go import PROGRAMS, Toolchain

CITATION = re.compile(r"(?<![\w/.-])(?P<path>(?:[\w.-]+/)*[\w.-]+\.(?:go|s)):(?P<first>\d+)(?:-(?P<last>\d+))?\b")
_NAME = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Citation:
    """One ``file:line`` in a text, with the backquoted name it cites."""

    path: str
    first: int
    last: int
    name: str | None
    line: int  # line of the text it stands on (1-based)

    def __str__(self) -> str:
        span = f"{self.first}" + (f"-{self.last}" if self.last != self.first else "")
        return f"{self.path}:{span}"


def citations(text: str) -> list[Citation]:
    """Every ``file.go:N`` citation of the runtime's source in ``text`` (a chapter's markdown), with the
    backquoted name before it in the same paragraph. Citations inside code cells are not prose and are skipped."""
    found = []
    program_files = {p.name for p in PROGRAMS.glob("*/*") if p.is_file()}
    fences: list[tuple[str, bool]] = []  # open fences: (backticks, holds code); a directive's body is prose
    paragraph = ""
    for number, line in enumerate(text.split("\n"), 1):
        fence = re.match(r"^(`{3,})(.*)$", line.strip())
        if fence:
            if fences and not fence[2].strip() and fence[1] == fences[-1][0]:
                fences.pop()
            else:
                info = fence[2].strip()
                fences.append((fence[1], not info.startswith("{") or info.startswith("{code-cell")))
            paragraph = ""
            continue
        if any(code for _, code in fences):
            continue
        if not line.strip():
            paragraph = ""
            continue
        for match in CITATION.finditer(line):
            path = match["path"]
            if "/" not in path and path in program_files:
                continue
            before = paragraph + " " + line[:match.start()]
            names = _NAME.findall(before)
            first = int(match["first"])
            last = int(match["last"] or first)
            found.append(Citation(path, first, last, names[-1] if names else None, number))
        paragraph += " " + line
    return found


def _identifier(name: str) -> str:
    """The part of a backquoted name that must appear on the cited line: ``runtime.(*mcache).refill`` →
    ``refill``, ``lockOSThread()`` → ``lockOSThread``, ``mheap_.arenas`` → ``arenas``."""
    name = re.sub(r"\(.*?\)$", "", name.strip())  # a call's arguments
    parts = [p for p in re.split(r"[.·\s]", name) if p]
    word = parts[-1] if parts else name
    return re.sub(r"[^\w]", "", word)


def resolve(path: str, toolchain: Toolchain | None = None) -> Path:
    """The file a citation names: a bare name is in ``runtime/``; otherwise the path is under ``$GOROOT/src``."""
    tc = toolchain or Toolchain.installed()
    full = tc.src / (path if "/" in path else f"runtime/{path}")
    return full


def check(text: str, toolchain: Toolchain | None = None) -> list[str]:
    """The problems with the citations in ``text``: a file that is not in the installed toolchain, a line past
    its end, a citation with no backquoted name before it, or a name that is not on the cited line(s)."""
    problems = []
    for c in citations(text):
        where = f"line {c.line}: {c}"
        full = resolve(c.path, toolchain)
        if not full.is_file():
            hint = " (a file outside package runtime needs its path under $GOROOT/src)" if "/" not in c.path else ""
            problems.append(f"{where}: no such file in the installed toolchain{hint}")
            continue
        lines = full.read_text().split("\n")
        if c.last < c.first or c.last > len(lines):
            problems.append(f"{where}: {full.name} has {len(lines)} lines")
            continue
        if c.name is None:
            problems.append(f"{where}: no backquoted name before it says what the line holds")
            continue
        ident = _identifier(c.name)
        cited = lines[c.first - 1:c.last]
        if not ident or not any(re.search(rf"\b{re.escape(ident)}\b", t) for t in cited):
            problems.append(f"{where}: `{c.name}` ({ident}) is not on the cited line"
                            + ("s" if c.last != c.first else ""))
    return problems
