"""python -m gosim inits DIR [--order current|go1.19] [--std] [--packages]

Prints the order in which a program's package-level variables are initialised and its init functions run, one
step per line: ``var IMPORTPATH NAME`` and ``init IMPORTPATH FILE:LINE`` (the main package is ``main``). The graph
comes from the real source (gosim.toolchain.initgraph, cached by content); the order from the model (gosim.inits).
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import inits


def run(args: argparse.Namespace) -> int:
    from ..toolchain import GoToolchainError
    from ..toolchain.initgraph import program_graph

    try:
        program = inits.Program.from_data(program_graph(args.dir))
    except GoToolchainError as exc:
        print(f"python -m gosim inits: error: {_one_line(exc, args.dir)}", file=sys.stderr)
        return 2
    result = inits.initialize(program, inits.canonical_order(args.order))
    if args.packages:
        std = {p.path for p in program.packages if p.std}
        lines = [p for p in result.packages if p not in result.static and (args.std or p not in std)]
    else:
        lines = result.lines(std=args.std)
    print("\n".join(lines))
    return 0


def _one_line(exc, directory: str) -> str:
    """The error as one line; a position is given relative to where the user stands (DIR/FILE:LINE)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if exc.file and exc.line and not os.path.isabs(exc.file):
        prefix = f"{exc.file}:{exc.line}:"
        text = os.path.join(directory, exc.file) + f":{exc.line}:" + text.removeprefix(prefix)
    return text


def register(sub) -> None:
    p = sub.add_parser("inits", help="the order of package initialization of a program (variables, init functions)",
                       description=__doc__.split("\n\n")[1])
    p.add_argument("dir", metavar="DIR", help="the root of a Go module with a main package")
    p.add_argument("--order", choices=[*inits.ORDERS, *inits.ORDER_ALIASES], default="current",
                   help="current: the linker's order of packages (Go 1.21+) and types2's order of variables "
                        "(Go 1.20+); go1.19: runtime.doInit's depth-first walk of each record's imports in "
                        "source order (Go 1.13-1.20) and the compiler's own variable pass (Go 1.13-1.19); "
                        "pre-1.21 is an old name for go1.19")
    p.add_argument("--std", action="store_true", help="include the standard library's packages")
    p.add_argument("--packages", action="store_true", help="print only the packages whose init code runs, in order")
    p.set_defaults(func=run)
