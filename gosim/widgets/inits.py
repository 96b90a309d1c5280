"""Chapter 2's panel: rename a file, add an import, switch the ordering rule, and see the predicted order.

The program graph comes in as data (extracted once with the real toolchain by the caller); every variant the
controls offer is a pure model operation on it (`gosim.inits.rename_file`, `gosim.inits.add_import`), computed
when the panel is made, so a redraw only draws. The caption lists what the program prints; lines that moved,
compared with the program as written under today's rule, are in bold vermillion.
"""

from __future__ import annotations

import html
from typing import Sequence

from .. import inits
from ..viz.inits import draw_order, order_caption, printed
from .panel import Control, Panel

RULE_LABELS = {"current": "Go 1.21+ (the linker sorts)", "go1.19": "Go 1.19 (doInit, depth first)"}
BUTTON_LABELS = {"current": "Go 1.21+", "go1.19": "Go 1.19"}  # buttons fit about 17 characters

Rename = tuple[str, str, str]  # (package, old file name, new file name)
Added = tuple[str, str]  # (importer, imported)


def variant(program: inits.Program, rename: Rename | None = None, added: Added | None = None) -> inits.Program:
    """The program after an optional file rename and an optional added import (``import _ "imported"`` after
    the importer's other imports)."""
    if rename is not None:
        program = inits.rename_file(program, *rename)
    if added is not None:
        program = inits.add_import(program, *added)
    return program


def describe(rename: Rename | None, added: Added | None) -> str:
    """The variant in words: ``test.go renamed a.go, lab/zeta imports lab/mid``."""
    parts = []
    if rename is not None:
        parts.append(f"{rename[1]} renamed {rename[2]}")
    if added is not None:
        parts.append(f"{added[0]} imports {added[1]}")
    return ", ".join(parts) or "as written"


def init_order_panel(program: inits.Program, *, renames: Sequence[Rename] = (), imports: Sequence[Added] = (),
                     name: str = "the program", default_order: str = "current") -> Panel:
    """File, import and rule controls over ``program``'s predicted initialization order (figure:
    `gosim.viz.inits.draw_order`). ``renames`` and ``imports`` are the variants offered besides the program as
    written; every combination is computed now (a cycle-making import raises ValueError here)."""
    if inits.ORDER_ALIASES.get(default_order, default_order) not in inits.ORDERS:
        raise ValueError(f"default_order: {default_order!r} is not one of {', '.join(inits.ORDERS)}")
    default_order = inits.canonical_order(default_order)
    files: list[Rename | None] = [None, *renames]
    added_imports: list[Added | None] = [None, *imports]
    results: dict[tuple, tuple[inits.Program, inits.Initialization]] = {}
    for rename in files:
        for added in added_imports:
            changed = variant(program, rename, added)
            for order in inits.ORDERS:
                results[rename, added, order] = changed, inits.initialize(changed, order)
    baseline = [str(s) for s in printed(results[None, None, "current"][1])]

    def moved(result: inits.Initialization) -> set[int]:
        lines = [str(s) for s in printed(result)]
        return {k for k, line in enumerate(lines) if k >= len(baseline) or baseline[k] != line}

    def draw(file, added, order):
        changed, result = results[file, added, order]
        return draw_order(changed, result, added=added,
                          title=f"{name}, {describe(file, added)}: {RULE_LABELS[order]}")

    def caption(file, added, order) -> str:
        changed, result = results[file, added, order]
        lines = moved(result)
        n = len(lines)
        note = (f"{n} printed line{'s' if n != 1 else ''} moved (bold) compared with {html.escape(name)} as "
                "written under Go 1.21+" if n else f"the same lines as {html.escape(name)} as written under Go 1.21+")
        return order_caption(changed, result, lines, note)

    panel = Panel(draw, caption=caption, controls=[
        Control("file", files, "file names", default=None, kind="buttons",
                labels=["as written", *(f"{r[1]} → {r[2]}" for r in renames)]),
        Control("added", added_imports, "add an import", default=None, kind="buttons",
                labels=["none", *(f"{_short(program, a[0])} imports {_short(program, a[1])}" for a in imports)]),
        Control("order", list(inits.ORDERS), "rule", default=default_order, kind="buttons",
                labels=[BUTTON_LABELS[o] for o in inits.ORDERS]),
    ])
    panel.results = results  # (file, added, order) -> (program, initialization): what each frame shows
    return panel


def _short(program: inits.Program, path: str) -> str:
    """A package path without its module's prefix (``lab/zeta`` → ``zeta``), for a button."""
    module = program.module.rstrip("/") + "/"
    return path.removeprefix(module) if path != program.module else path
