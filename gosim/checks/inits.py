"""Chapter 2's checks: the predicted initialization order beside what a real binary printed.

The programs of the chapter and of the fidelity corpus print one line at every variable initializer and every
``init``, written exactly as the model's steps are (``var PKG NAME``, ``init PKG FILE:LINE``; ``println``, so on
standard error). The real order is then the sequence of such lines in the output, and the comparison is line by
line. Packages that run no code (only static data) print nothing and are left out of the prediction.

`compare_program` does it all (extract the graph, run the model, build and run the program); a chapter's Check
cell and the fidelity tests call the same function. `compare_inittrace` checks the package order of the whole
program, standard library included, against ``GODEBUG=inittrace=1``.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

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
    then build and run the program with ``toolchain`` (default: the installed one; for ``order="pre-1.21"`` give
    a pre-1.21 toolchain, e.g. ``Toolchain.at("/usr/lib/go-1.19")``) and compare."""
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
