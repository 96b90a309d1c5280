"""Chapter 2's checks: the predicted initialization order beside what a real binary printed.

The programs of the chapter and of the fidelity corpus print one line at every variable initializer and every
``init``, written exactly as the model's steps are (``var PKG NAME``, ``init PKG FILE:LINE``; ``println``, so on
standard error). The real order is then the sequence of such lines in the output, and the comparison is line by
line. Packages that run no code (only static data) print nothing and are left out of the prediction.

`compare_program` does it all (extract the graph, run the model, build and run the program); a chapter's Check
cell and the fidelity tests call the same function. `compare_inittrace` checks the package order of the whole
program, standard library included, against ``GODEBUG=inittrace=1``. `compare_printed` checks a program whose
init functions print words of their own (the seed's). `compare_variant` checks what the chapter's panel predicts
for a renamed file or an added import against a real copy of the program changed that way (`write_variant`).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import inits


@dataclass(frozen=True)
class Comparison:
    """The model's observable steps and the real ones, in order."""

    program: str
    order: str
    toolchain: str
    model: tuple[str, ...]
    real: tuple[str, ...]

    @property
    def equal(self) -> bool:
        return self.model == self.real

    def rows(self) -> list[tuple[int, str | None, str | None, bool]]:
        """(position, the model's step, the real step, equal), for a table."""
        n = max(len(self.model), len(self.real))
        at = lambda seq, i: seq[i] if i < len(seq) else None  # noqa: E731
        return [(i + 1, at(self.model, i), at(self.real, i), at(self.model, i) == at(self.real, i))
                for i in range(n)]

    def diff(self) -> str:
        """A unified diff, model first: empty when they agree."""
        return "\n".join(difflib.unified_diff(self.model, self.real, f"model ({self.order})",
                                              f"real ({self.toolchain})", lineterm=""))


def observable(result: inits.Initialization) -> tuple[str, ...]:
    """The steps a program of the corpus prints: its own packages' (not the standard library's), except for
    packages that run no code."""
    static = set(result.static)
    return tuple(str(s) for s in result.steps if not s.std and s.package not in static)


def printed_steps(output: str) -> tuple[str, ...]:
    """The lines of a program's output that are steps (``var ...`` or ``init ...``), in order."""
    return tuple(line.strip() for line in output.splitlines() if line.startswith(("var ", "init ")))


def compare(result: inits.Initialization, output: str, *, program: str = "", toolchain: str = "") -> Comparison:
    """The model's result beside a real run's output (the text the program printed)."""
    return Comparison(program, result.order, toolchain, observable(result), printed_steps(output))


def compare_program(directory: str | os.PathLike, order: str = "current", *, toolchain=None) -> Comparison:
    """Extract the graph of the program in ``directory`` (with the installed toolchain), predict with the model,
    then build and run the program with ``toolchain`` (default: the installed one; for ``order="go1.19"`` give
    Go 1.19, e.g. ``Toolchain.at("/usr/lib/go-1.19")``) and compare."""
    from ..toolchain import Toolchain
    from ..toolchain.initgraph import program_graph

    tc = toolchain or Toolchain.installed()
    result = inits.initialize(inits.Program.from_data(program_graph(directory)), order)
    run = tc.run(tc.build(directory))
    return compare(result, run.stderr, program=os.path.basename(os.path.normpath(directory)), toolchain=tc.version)


def compare_inittrace(result: inits.Initialization, trace) -> Comparison:
    """The packages whose init code runs, in the model's order, beside the ``init PKG`` lines of
    ``GODEBUG=inittrace=1`` (rows from `gosim.toolchain.inittrace.parse_inittrace`)."""
    model = tuple(p for p in result.packages if p not in set(result.static))
    return Comparison("inittrace", result.order, "", model, tuple(row.package for row in trace))


# --- programs that print their own words (the seed) -----------------------------------------------------------------


def said_by(directory: str | os.PathLike, module: str, step: inits.Step) -> str | None:
    """What an ``init`` step prints: the first ``println("...")`` in the function that starts at its FILE:LINE,
    in the module's source under ``directory`` (``module``: the module's import path). None when it prints
    nothing the simple way."""
    rel = "" if step.package == "main" else step.package.removeprefix(module + "/")
    lines = (Path(directory) / rel / step.file).read_text().splitlines()
    for line in lines[step.line - 1:]:
        match = re.search(r'println\("([^"]*)"\)', line)
        if match:
            return match[1]
        if line.startswith("}"):
            return None
    return None


def compare_printed(directory: str | os.PathLike, order: str = "current", *, toolchain=None) -> Comparison:
    """For a program whose init functions print words of their own (the seed's ``sum.init``, ``main.init.2``,
    ...): the model's init steps, each replaced by what it prints (`said_by`), beside the lines of the real
    output that are words some ``println("...")`` of the program's source prints, in order. The graph comes from
    the installed toolchain; the binary from ``toolchain`` (default the installed one)."""
    from ..toolchain import Toolchain
    from ..toolchain.initgraph import program_graph

    tc = toolchain or Toolchain.installed()
    graph = program_graph(directory)
    result = inits.initialize(inits.Program.from_data(graph), order)
    said = [said_by(directory, graph["module"], s) for s in result.steps if s.kind == "init" and not s.std]
    # the real output filtered by every word the program's source can print, not by the model's own words, so a
    # step the model leaves out still shows up on the real side
    words = {m[1] for f in Path(directory).rglob("*.go")
             for m in re.finditer(r'println\("([^"]*)"\)', f.read_text())}
    run = tc.run(tc.build(directory))
    real = tuple(line.strip() for line in run.stderr.splitlines() if line.strip() in words)
    return Comparison(os.path.basename(os.path.normpath(directory)), order, tc.version,
                      tuple(w for w in said if w), real)


# --- variants of a program: a renamed file, an added import -----------------------------------------------------------


def write_variant(directory: str | os.PathLike, dest: str | os.PathLike, module: str, *,
                  rename: tuple[str, str, str] | None = None, added: tuple[str, str] | None = None) -> Path:
    """A copy of the module in ``directory`` at ``dest`` with one file renamed (``(package, old, new)``) and/or
    one import added (``(importer, imported)``: a new file ``zz_added_import.go`` in the importer's directory,
    which sorts after its other files, holding ``import _ "imported"``): the real program behind
    `gosim.inits.rename_file` and `gosim.inits.add_import`. Returns ``dest``."""
    src, out = Path(directory), Path(dest)
    shutil.copytree(src, out)

    def folder(package: str) -> Path:
        return out if package == "main" else out / package.removeprefix(module + "/")

    if rename is not None:
        package, old, new = rename
        text = (folder(package) / old).read_text()
        (folder(package) / old).unlink()
        # a step the file prints names the file ("init main test.go:7"): the renamed copy says its new name
        (folder(package) / new).write_text(text.replace(f" {old}:", f" {new}:"))
    if added is not None:
        importer, imported = added
        where = folder(importer)
        name = next(line.split()[1] for f in sorted(where.glob("*.go"))
                    for line in f.read_text().splitlines() if line.startswith("package "))
        (where / "zz_added_import.go").write_text(f'package {name}\n\nimport _ "{imported}"\n')
    return out


def compare_variant(directory: str | os.PathLike, result: inits.Initialization, module: str, *,
                    rename: tuple[str, str, str] | None = None, added: tuple[str, str] | None = None,
                    toolchain=None) -> Comparison:
    """A variant's prediction (``result``, from the model's rename_file/add_import) beside the real variant
    (`write_variant`) built and run with ``toolchain``."""
    from ..toolchain import Toolchain

    tc = toolchain or Toolchain.installed()
    with tempfile.TemporaryDirectory() as tmp:
        copy = write_variant(directory, Path(tmp) / Path(directory).name, module, rename=rename, added=added)
        run = tc.run(tc.build(copy))
    return compare(result, run.stderr, program=Path(directory).name, toolchain=tc.version)
