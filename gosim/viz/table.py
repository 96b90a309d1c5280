"""A small table that shows itself as HTML in a notebook and as aligned text in a terminal."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def __str__(self) -> str:
        cells = [list(self.columns)] + [[_text(c) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = [self.caption] if self.caption else []
        for k, row in enumerate(cells):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='{_PAD}'>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='{_PAD}'>{_cell(c)}</td>" for c in row) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption style='caption-side:top;text-align:left'>{html.escape(self.caption)}</caption>" \
            if self.caption else ""
        return f"<table class='gosim-table'>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_PAD = "text-align:left;vertical-align:top;padding:0.2em 0.9em 0.2em 0"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _cell(value: Any) -> str:
    """HTML for a cell: `backquoted` spans become code."""
    text = html.escape(_text(value))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def table(rows: Iterable[Sequence[Any]], columns: Sequence[str], caption: str = "") -> Table:
    """Rows (sequences) under column names."""
    return Table(tuple(columns), tuple(tuple(r) for r in rows), caption)
