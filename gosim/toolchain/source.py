"""Excerpts of the installed runtime's source, read live from ``$GOROOT/src``.

`source` finds a function by the name the tools print: a plain function (``runtime.schedinit``), a method
(``runtime.(*mcache).refill``) or an assembly symbol (``runtime·rt0_go``, ``runtime.rt0_go``,
``_rt0_amd64_linux``); also a type (``runtime.p``). `source_file` gives a whole file (``runtime/malloc.go``), for
design comments that stand outside any function. It looks only in the files that build for linux/amd64 (``go list``'s ``GoFiles`` and
``SFiles``), so ``runtime.osinit`` is the one in ``os_linux.go``. An `Excerpt` knows its file and line range, can
be narrowed to the lines between two patterns (so the book annotates between short excerpts without hard-coding
line numbers), and shows itself highlighted in a notebook.

Nothing here is copied into the repository: the text is read from the toolchain every time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import GoToolchainError
from .go import Toolchain

_SYMBOL = re.compile(
    r"^(?:(?P<pkg>[\w./-]+?)[.·])?(?:\((?P<ptr>\*?)(?P<recv>\w+)\)\.)?(?P<name>\w+)$"
)


ELISION = "⋮"


@dataclass(frozen=True)
class Excerpt:
    """Lines ``start``..``end`` (1-based, inclusive) of ``path`` (relative to ``$GOROOT/src``).

    ``numbers`` is set when the excerpt skips lines (`Excerpt.pick`): one entry per line of ``text``, the source
    line number, or None for the elision mark that stands where lines were left out. A reader therefore always
    sees that something was skipped, and how much.
    """

    symbol: str
    path: str
    start: int
    end: int
    text: str
    numbers: tuple[int | None, ...] | None = None
    # The Go release the text was read from when it is not the book's pinned toolchain (Debian's Go 1.19, say):
    # "go1.19.8". Empty for the installed toolchain and for the book's own programs.
    release: str = ""

    @property
    def language(self) -> str:
        return "asm" if self.path.endswith(".s") else "go"

    @property
    def location(self) -> str:
        """``runtime/proc.go:844-967`` (``… in go1.19.8`` when read from another toolchain)."""
        where = f"{self.path}:{self.start}" + (f"-{self.end}" if self.end != self.start else "")
        return f"{where} in {self.release}" if self.release else where

    @property
    def elided(self) -> bool:
        """True if lines between ``start`` and ``end`` are left out (and marked)."""
        return self.numbers is not None and None in self.numbers

    def lines(self) -> list[tuple[int | None, str]]:
        """(line number, text) pairs; the number is None on an elision mark."""
        texts = self.text.split("\n")
        if self.numbers is None:
            return list(enumerate(texts, self.start))
        return list(zip(self.numbers, texts))

    def line_of(self, pattern: str) -> str:
        """``runtime/proc.go:189``: where the first line matching the regex ``pattern`` is, for prose that cites
        a line (computed live, so it cannot go stale when the toolchain changes)."""
        return self.between(pattern).location

    def between(self, first: str, last: str | None = None) -> Excerpt:
        """The lines from the first one matching the regex ``first`` to the next one matching ``last``
        (inclusive); without ``last``, that one line."""
        return self._span(first, last, 0)[0]

    def pick(self, *spans: str | tuple[str, str]) -> Excerpt:
        """Several `between` spans, in order, as one excerpt with an elision mark (``⋮ N lines``) wherever lines
        are skipped: ``ex.pick(("func main", "lockOSThread"), ("doInit1", "}"))``. A span is a regex (one line)
        or a (first, last) pair; each is searched after the previous one ends."""
        if not spans:
            raise ValueError("pick needs at least one span")
        numbers: list[int | None] = []
        texts: list[str] = []
        at = 0
        for span in spans:
            first, last = (span, None) if isinstance(span, str) else span
            part, at = self._span(first, last, at)
            lines = part.lines()
            if numbers and lines[0][0] is not None and numbers[-1] is not None \
                    and lines[0][0] > numbers[-1] + 1:
                gap = lines[0][0] - numbers[-1] - 1
                indent = re.match(r"\s*", lines[0][1])[0]
                numbers.append(None)
                texts.append(f"{indent}// {ELISION} {gap} line{'s' if gap > 1 else ''} not shown")
            numbers.extend(n for n, _ in lines)
            texts.extend(t for _, t in lines)
        known = [n for n in numbers if n is not None]
        return Excerpt(self.symbol, self.path, known[0], known[-1], "\n".join(texts), tuple(numbers),
                       self.release)

    def _span(self, first: str, last: str | None, start_at: int) -> tuple[Excerpt, int]:
        lines = self.lines()
        i = next((k for k in range(start_at, len(lines)) if lines[k][0] is not None
                  and re.search(first, lines[k][1])), None)
        if i is None:
            raise GoToolchainError(f"{first!r} not found in {self.symbol} ({self.location})")
        j = i
        if last is not None:
            j = next((k for k in range(i + 1, len(lines)) if lines[k][0] is not None
                      and re.search(last, lines[k][1])), None)
            if j is None:
                raise GoToolchainError(f"{last!r} not found after {first!r} in {self.symbol} ({self.location})")
        chosen = lines[i:j + 1]
        numbers = tuple(n for n, _ in chosen)
        contiguous = None not in numbers
        return Excerpt(self.symbol, self.path, chosen[0][0], chosen[-1][0], "\n".join(t for _, t in chosen),
                       None if contiguous else numbers, self.release), j + 1

    def __str__(self) -> str:
        width = len(str(self.end))
        body = "\n".join(f"{'' if n is None else n:>{width}}  {t}" for n, t in self.lines())
        return f"// {self.location}\n{body}"

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import GoLexer

        lexer = GoLexer() if self.language == "go" else _plan9_lexer()
        formatter = HtmlFormatter(noclasses=True, nowrap=True, style="default", nobackground=True)
        code = highlight(self.text, lexer, formatter).rstrip("\n").split("\n")
        width = len(str(self.end))
        rows = []
        for (n, _), line in zip(self.lines(), code):
            number = html.escape(f"{'' if n is None else n:>{width}}")
            rows.append(f'<span style="color:#777;user-select:none">{number}  </span>{line}')
        origin = "a program written for this book" if self.path.startswith("gosim/") else \
            f"live from {self.release}, not the book's toolchain" if self.release else \
            "live from the installed toolchain"
        note = ", with the marked lines left out" if self.elided else ""
        body = "\n".join(rows)
        return (f'<div class="gosim-excerpt" style="tab-size:4;-moz-tab-size:4">'
                f'<div style="font-family:monospace;font-size:85%;color:#555">'
                f"{html.escape(self.location)} ({origin}{note})</div>"
                f'<div class="highlight"><pre style="line-height:125%">{body}</pre></div></div>')


def source(symbol: str, *, doc: bool = False, toolchain: Toolchain | None = None) -> Excerpt:
    """The text of a runtime function, with its file and line range, read from the installed GOROOT.

    ``doc=True`` includes the comment block above the declaration.
    """
    tc = toolchain or Toolchain.installed()
    match = _SYMBOL.match(symbol.strip().removesuffix(".abi0"))
    if not match:
        raise GoToolchainError(f"cannot read {symbol!r} as a Go symbol (like runtime.schedinit, "
                               "runtime.(*mcache).refill or runtime·rt0_go)")
    pkg = match["pkg"] or "runtime"
    name, recv = match["name"], match["recv"]
    info = tc.list_package(pkg)
    directory = Path(info["Dir"])
    go_files = [directory / f for f in info.get("GoFiles", [])]
    asm_files = [directory / f for f in info.get("SFiles", [])]

    if "·" not in symbol:
        if recv:
            decl = re.compile(rf"^func \(\w*\s*\*?{recv}(\[[^\]]*\])?\) {name}[\[(]")
        else:
            decl = re.compile(rf"^func {name}[\[(]")
        declared = _find(go_files, decl, _go_end)
        if declared and "{" in declared[1][declared[2]]:
            return _excerpt(tc, symbol, *declared, doc=doc)
        if not recv and not declared:  # a type: runtime.p, runtime.mspan
            found = _find(go_files, re.compile(rf"^type {name}(\[[^\]]*\])? "), _go_end)
            if found:
                return _excerpt(tc, symbol, *found, doc=doc)
    else:
        declared = None
    # A Go declaration without a body (func rt0_go()) is implemented in assembly: show that.
    if not recv:
        # runtime·rt0_go in the assembly; a bare name like _rt0_amd64_linux has no package prefix.
        prefix = r"[\w/]*·" if "·" in symbol else r"(?:[\w/]*·)?"
        decl = re.compile(rf"^TEXT\s+{prefix}{name}(?:<ABIInternal>)?\(SB\)")
        found = _find(asm_files, decl, _asm_end)
        if found:
            return _excerpt(tc, symbol, *found, doc=doc)
    if declared:
        return _excerpt(tc, symbol, *declared, doc=doc)
    raise GoToolchainError(f"{symbol} not found in the linux/amd64 files of package {pkg} ({directory})")


def source_file(path: str, *, toolchain: Toolchain | None = None) -> Excerpt:
    """A whole file of the installed ``$GOROOT/src`` (``"runtime/malloc.go"``) as an `Excerpt`, to narrow with
    `Excerpt.between`."""
    tc = toolchain or Toolchain.installed()
    full = (tc.src / path).resolve()
    if not full.is_relative_to(tc.src.resolve()) or not full.is_file():
        raise GoToolchainError(f"{path} is not a file of {tc.src}")
    lines = full.read_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    release = "" if tc.goroot == Toolchain.installed().goroot else tc.version
    return Excerpt(path, path, 1, len(lines), "\n".join(lines), release=release)


def program_file(program: str, name: str = "main.go") -> Excerpt:
    """A file of one of the book's own programs (``gosim/programs/<program>/<name>``) as an `Excerpt`."""
    from .go import PROGRAMS, program_dir

    path = program_dir(program) / name
    if not path.is_file():
        raise GoToolchainError(f"{program} has no file {name}")
    lines = path.read_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    shown = f"gosim/programs/{path.relative_to(PROGRAMS)}" if path.is_relative_to(PROGRAMS) else path.name
    return Excerpt(f"{program}/{name}", shown, 1, len(lines), "\n".join(lines))


def _find(files, decl: re.Pattern, end_of):
    for path in files:
        lines = path.read_text().split("\n")
        for i, line in enumerate(lines):
            if decl.match(line):
                return path, lines, i, end_of(lines, i)
    return None


def _go_end(lines: list[str], i: int) -> int:
    head = lines[i].rstrip()
    if not head.endswith("{"):  # a declaration without a body, or a one-line function
        return i
    return next(k for k in range(i + 1, len(lines)) if lines[k] == "}")


def _asm_end(lines: list[str], i: int) -> int:
    k = i + 1
    while k < len(lines) and not re.match(r"^(TEXT|DATA|GLOBL)\s", lines[k]):
        k += 1
    k -= 1
    while k > i and (not lines[k].strip() or lines[k].lstrip().startswith("//")):
        k -= 1
    return k


def _excerpt(tc: Toolchain, symbol: str, path: Path, lines: list[str], i: int, j: int, *, doc: bool) -> Excerpt:
    if doc:
        while i > 0 and lines[i - 1].startswith("//"):
            i -= 1
    release = "" if tc.goroot == Toolchain.installed().goroot else tc.version
    return Excerpt(symbol, str(path.relative_to(tc.src)), i + 1, j + 1, "\n".join(lines[i:j + 1]),
                   release=release)


def _plan9_lexer():
    """Go's assembler syntax (Plan 9 style: ``MOVQ src, dst``, ``runtime·name(SB)``), which pygments lacks."""
    from pygments.lexer import RegexLexer
    from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, Text

    class Plan9AsmLexer(RegexLexer):
        name = "Go assembly"
        tokens = {
            "root": [
                (r"//.*?$", Comment.Single),
                (r"/\*.*?\*/", Comment.Multiline),
                (r"^#\w+.*?$", Comment.Preproc),
                (r"^(TEXT|DATA|GLOBL)\b", Keyword.Declaration),
                (r"^\w+:", Name.Label),
                (r"^(\s+)([A-Z][A-Z0-9_]*)\b", lambda lexer, m: iter([(m.start(1), Text, m[1]),
                                                                   (m.start(2), Keyword, m[2])])),
                (r"\$-?(0x[0-9a-fA-F]+|\d+)", Number),
                (r"-?(0x[0-9a-fA-F]+|\d+)", Number),
                (r"\b(SB|SP|FP|PC|[A-D]X|[SD]I|BP|R\d+|X\d+|Y\d+|Z\d+)\b", Name.Builtin),
                (r"[\w·<>/.]+", Name),
                (r"[$(),+*&|^~-]", Operator),
                (r"[\[\]{};:]", Punctuation),
                (r"\s+", Text),
                (r".", Text),
            ]
        }

    return Plan9AsmLexer()
