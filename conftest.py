"""Lets nbval collect the chapters, which are Jupytext MyST markdown (notebooks/*.md), with no .ipynb on disk.

nbval 0.11 reads notebooks with nbformat; here its collector gets the notebook jupytext parses from the .md
instead. The kernel starts in the chapter's folder, as in the book build. Run with --nbval-lax (pyproject.toml):
what a chapter claims is checked by its assert cells (tagged remove-cell), not by stored outputs.
"""

from __future__ import annotations

from unittest import mock

import jupytext
import nbformat
from nbval.plugin import IPyNbFile


class MystNotebook(IPyNbFile):
    def collect(self):
        with mock.patch.object(nbformat, "read", lambda path, as_version: jupytext.read(path)):
            yield from super().collect()


def _is_notebook(path) -> bool:
    """A chapter (notebooks/*.md) or a front-matter page that runs code (book/*.md with a kernelspec)."""
    if path.suffix != ".md" or path.parent.name not in ("notebooks", "book"):
        return False
    return "kernelspec:" in path.read_text(encoding="utf-8")[:1000]


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and _is_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
