"""What changed between the seed's Go 1.10 and today's runtime: one list, rows contributed by each chapter's model.

The front-matter page "Go 1.10 → today" shows `changes()`; each chapter shows its own rows beside its model.
Versions named here that are not visible in the installed tree come from Go's release history.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    chapter: str
    topic: str
    go110: str
    today: str
    since: str  # the release that changed it
    # Where a reader can verify `since`: a citation of the installed source (checked, see tests/test_history.py),
    # a GODEBUG or GOEXPERIMENT entry, an api/go1.N.txt line, or the release notes / issue / CL that say it.
    evidence: str = ""


def changes() -> list[Change]:
    """Every chapter's rows, in chapter order."""
    from . import alloc, boot, gc, inits, sched

    rows: list[Change] = []
    for module in (boot, inits, alloc, gc, sched):
        rows.extend(module.HISTORY)
    return rows
