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


@dataclass(frozen=True)
class Excerpt:
    """Lines ``start``..``end`` (1-based, inclusive) of ``path`` (relative to ``$GOROOT/src``)."""

    symbol: str
    path: str
    start: int
    end: int
    text: str

    @property
    def language(self) -> str:
        return "asm" if self.path.endswith(".s") else "go"

    @property
    def location(self) -> str:
        """``runtime/proc.go:844-967``."""
        return f"{self.path}:{self.start}" + (f"-{self.end}" if self.end != self.start else "")

    def lines(self) -> list[tuple[int, str]]:
        """(line number, text) pairs."""
        return list(enumerate(self.text.split("\n"), self.start))

    def between(self, first: str, last: str | None = None) -> Excerpt:
        """The lines from the first one matching the regex ``first`` to the next one matching ``last``
        (inclusive); without ``last``, that one line."""
        lines = self.lines()
        i = next((k for k, (_, t) in enumerate(lines) if re.search(first, t)), None)
        if i is None:
            raise GoToolchainError(f"{first!r} not found in {self.symbol} ({self.location})")
        j = i
        if last is not None:
            j = next((k for k in range(i + 1, len(lines)) if re.search(last, lines[k][1])), None)
            if j is None:
                raise GoToolchainError(f"{last!r} not found after {first!r} in {self.symbol} ({self.location})")
        chosen = lines[i:j + 1]
        return Excerpt(self.symbol, self.path, chosen[0][0], chosen[-1][0], "\n".join(t for _, t in chosen))

    def __str__(self) -> str:
        width = len(str(self.end))
        body = "\n".join(f"{n:>{width}}  {t}" for n, t in self.lines())
        return f"// {self.location}\n{body}"

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import GoLexer

        lexer = GoLexer() if self.language == "go" else _plan9_lexer()
        formatter = HtmlFormatter(noclasses=True, linenos="inline", linenostart=self.start, style="default",
                                  nobackground=True)
        code = highlight(self.text, lexer, formatter)
        origin = "a program written for this book" if self.path.startswith("gosim/") else \
            "live from the installed toolchain"
        return (f'<div class="gosim-excerpt" style="tab-size:4;-moz-tab-size:4">'
                f'<div style="font-family:monospace;font-size:85%;color:#555">'
                f"{html.escape(self.location)} ({origin})</div>{code}</div>")


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
    return Excerpt(path, path, 1, len(lines), "\n".join(lines))


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
    return Excerpt(symbol, str(path.relative_to(tc.src)), i + 1, j + 1, "\n".join(lines[i:j + 1]))


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
