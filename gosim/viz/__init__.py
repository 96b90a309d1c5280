"""gosim.viz: how the book shows results: tables now, matplotlib figures drawn from model results.

One style for the whole book lives here, so every chapter's tables and plots look alike.
"""

from .table import Table, table

__all__ = ["Table", "table"]
