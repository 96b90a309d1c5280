"""Model beside runtime: the comparisons a chapter's Check part shows and the fidelity tests assert.

Each function takes a model's result and what the real runtime did (plain data from `gosim.toolchain`: a gdb
trace, a parsed GODEBUG trace) and returns rows that say what matched. The chapter and its test call the same
function, so the book shows exactly what CI checks. One module per chapter.
"""

from .boot import SNAPSHOTS, Row, boot_chain_rows, boot_state_rows, callers, state_comparison, state_from_gdb

__all__ = ["SNAPSHOTS", "Row", "boot_chain_rows", "boot_state_rows", "callers", "state_comparison",
           "state_from_gdb"]
