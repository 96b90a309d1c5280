"""A vectorised marking engine for large heaps: the same mark set as `gosim.gc.mgc`, a frontier at a time.

The object-at-a-time engine (`mgc.Collector`) is what the chapter steps through, but a CPython loop costs
~235 ns per object; real Go marks ~10 ns per object (GOMAXPROCS 2). Here the pointer graph is a CSR matrix
(``indptr``, ``indices``: object i points to ``indices[indptr[i]:indptr[i+1]]``) and marking is breadth-first
over whole frontiers with numpy: gather every pointer field of the frontier (a row gather from a padded
fixed-width table, as a Go type has a fixed set of pointer slots), scatter the targets into a bitmap (duplicates
collapse), keep the white ones, blacken them, repeat. The set it marks is exactly the
set reachable from the roots, which is what the object-at-a-time engine marks with the world stopped (tested).

What it leaves out: colours in between (a frontier is grey, everything before it black), the mutator and the write
barrier, mark order (LIFO vs breadth-first) and span queues. Long chains are its worst case: a linked list of n
nodes is n frontiers of one object (use the object-at-a-time engine, or see `greentea` for what that costs Go).
"""

from __future__ import annotations

import numpy as np


ELL_MAX_DEGREE = 16


class MarkGraph:
    """A pointer graph prepared for marking. Objects with at most `ELL_MAX_DEGREE` pointer fields are stored as
    a padded ``(n, k)`` table of int32 field values (ELLPACK; ``-1`` = nil), like a type's fixed pointer slots: a
    frontier's targets are then one row gather. Otherwise CSR with a ``repeat`` gather."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, n: int | None = None) -> None:
        indptr = np.asarray(indptr, dtype=np.int64)
        indices = np.asarray(indices, dtype=np.int64)
        self.n = len(indptr) - 1 if n is None else n
        counts = np.diff(indptr)
        k = int(counts.max()) if counts.size else 0
        self.indptr, self.indices, self.ell = indptr, indices, None
        if 0 < k <= ELL_MAX_DEGREE and self.n < 2**31:
            ell = np.full((self.n, k), -1, dtype=np.int32)
            rows = np.repeat(np.arange(self.n), counts)
            ell[rows, np.arange(indices.size) - np.repeat(indptr[:-1], counts)] = indices
            self.ell = ell

    def targets(self, frontier: np.ndarray) -> np.ndarray:
        """Every pointer field of the frontier's objects (nil as -1 in the ELL form)."""
        if self.ell is not None:
            return self.ell[frontier].ravel()
        starts = self.indptr[frontier]
        counts = self.indptr[frontier + 1] - starts
        total = int(counts.sum())
        offsets = np.cumsum(counts) - counts
        return self.indices[np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, counts)]

    def mark(self, roots) -> np.ndarray:
        """Mark everything reachable from ``roots``; a boolean array over the objects.

        Per frontier: scatter its targets into a ``next`` bitmap (duplicates collapse for free; nil = -1 lands in
        a spare slot at the end), keep only the white ones (``next > marked``), blacken them, and read the next
        frontier back with ``flatnonzero``: no sort, no boolean compress of the targets."""
        n = self.n
        marked = np.zeros(n + 1, dtype=bool)
        nxt = np.zeros(n + 1, dtype=bool)
        frontier = np.asarray(roots, dtype=np.int64).ravel()
        if frontier.size == 0:
            return marked[:n]
        nxt[frontier] = True
        while True:
            nxt[n] = False
            np.greater(nxt, marked, out=nxt)
            np.logical_or(marked, nxt, out=marked)
            frontier = np.flatnonzero(nxt)
            if frontier.size == 0:
                break
            nxt[frontier] = False
            nxt[self.targets(frontier)] = True
        return marked[:n]


def mark_csr(indptr: np.ndarray, indices: np.ndarray, roots, n: int | None = None) -> np.ndarray:
    """Mark everything reachable from ``roots`` in a CSR graph; returns a boolean array over the objects."""
    return MarkGraph(indptr, indices, n).mark(roots)


def random_csr(n: int, degree: int = 2, seed: int = 0, roots: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random object graph with ``n`` objects of ``degree`` pointer fields each (``-1`` never appears: every
    field points somewhere), and ``roots`` root pointers. Returns (indptr, indices, roots)."""
    rng = np.random.default_rng(seed)
    indptr = np.arange(0, n * degree + 1, degree, dtype=np.int64)
    indices = rng.integers(0, n, size=n * degree, dtype=np.int64)
    return indptr, indices, rng.integers(0, n, size=roots, dtype=np.int64)


def tree_csr(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A complete binary tree over ``n`` objects in allocation order: object i points to 2i+1 and 2i+2 (nil past
    the end, kept as no edge). One root, object 0. Returns (indptr, indices, roots)."""
    children = np.stack([2 * np.arange(n) + 1, 2 * np.arange(n) + 2], axis=1)
    ok = children < n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(ok.sum(axis=1), out=indptr[1:])
    return indptr, children[ok].astype(np.int64), np.array([0], dtype=np.int64)
