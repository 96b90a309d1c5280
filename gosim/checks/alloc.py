"""Chapter 3's check: one allocation sequence in the real runtime and in the allocator model; the size-class table.

``gosim/programs/allocseq`` allocates a deterministic sequence (splitmix64 sizes, a quarter of them pointerful,
all kept alive) between two collections with the GC otherwise off, and prints the difference of runtime/metrics
as JSON. `model_allocseq` runs the same sequence through `gosim.alloc`; `compare_allocseq` puts the two side by
side: the ``/gc/heap/allocs-by-size:bytes`` histogram bucket by bucket (it must be equal), the tiny allocations,
the bytes allocated, and the heap pages in use (``/memory/classes/heap/objects`` + ``unused``; within 5 %: the
real heap starts with the runtime's own partly used spans, which the sequence fills first, and the model's heap
starts empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..alloc import Allocator, Metrics, read, rows
from ..alloc.sizeclasses import SizeClassToSize, pageSize
from ..alloc.workloads import allocseq

PAGES_TOLERANCE = 0.05

_TABLE_ROW = re.compile(r"^//\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)%\s+(\d+)$", re.M)


def runtime_size_classes(text: str) -> list[tuple[int, int, int, int, int, float, int]]:
    """The table in the comment of the runtime's generated ``internal/runtime/gc/sizeclasses.go`` (its text):
    (class, bytes/obj, bytes/span, objects, tail waste, max waste %, min align) per class."""
    return [(int(a), int(b), int(c), int(d), int(e), float(f), int(g)) for a, b, c, d, e, f, g in
            _TABLE_ROW.findall(text)]


def size_class_rows(text: str) -> list[tuple[int, tuple, tuple, bool]]:
    """(class, the model's row, the runtime's row, equal) for every class of either table: the model's table is
    derived by the generator's algorithm (`gosim.alloc.sizeclasses`), the runtime's parsed from ``text``."""
    ours = [(r.sizeclass, r.size, r.span_bytes, r.objects, r.tail_waste, r.max_waste_pct, r.min_align)
            for r in rows()]
    theirs = runtime_size_classes(text)
    n = max(len(ours), len(theirs))
    ours += [()] * (n - len(ours))
    theirs += [()] * (n - len(theirs))
    return [(i + 1, a, b, a == b) for i, (a, b) in enumerate(zip(ours, theirs))]


def allocseq_args(n: int, seed: int, profile: str = "mixed") -> list[str]:
    """The command line of ``gosim/programs/allocseq`` for this sequence (run it with ``GOMAXPROCS=1`` so that
    one P, one mcache and one tiny block serve the whole sequence, as in the model)."""
    return ["-n", str(n), "-seed", str(seed), "-profile", profile]


def model_allocseq(n: int, seed: int, profile: str = "mixed") -> Metrics:
    """The model's metrics after the sequence and a flush of the mcache (the real program collects)."""
    sizes, noscan = allocseq(n, seed, profile)
    a = Allocator(1, seed=seed)
    a.mallocgc_many(sizes, noscan)
    a.flush()
    return read(a.mheap_)


@dataclass(frozen=True)
class BucketRow:
    """One bucket of ``/gc/heap/allocs-by-size:bytes``: [lo, hi) bytes, the size class it stands for."""

    lo: float
    hi: float
    sizeclass: int  # 0 for the large-object bucket
    model: int
    real: int

    @property
    def equal(self) -> bool:
        return self.model == self.real


@dataclass(frozen=True)
class AllocCheck:
    n: int
    seed: int
    profile: str
    buckets: tuple[BucketRow, ...]
    tiny_allocs: tuple[int, int]  # (model, real)
    allocs_bytes: tuple[int, int]
    allocs_objects: tuple[int, int]
    heap_objects_bytes: tuple[int, int]
    pages_in_use: tuple[int, int]

    @property
    def histogram_equal(self) -> bool:
        return all(b.equal for b in self.buckets)

    @property
    def pages_rel_diff(self) -> float:
        """(model − real) / real for the heap pages in use."""
        model, real = self.pages_in_use
        return (model - real) / real if real else float(model != 0)

    @property
    def pages_within_tolerance(self) -> bool:
        return abs(self.pages_rel_diff) <= PAGES_TOLERANCE

    def rows(self) -> list[tuple[str, object, object, bool]]:
        """(quantity, model, real, equal-or-within-tolerance) for a table."""
        return [
            ("allocs-by-size buckets equal", sum(b.equal for b in self.buckets), len(self.buckets),
             self.histogram_equal),
            ("/gc/heap/tiny/allocs:objects", *self.tiny_allocs, self.tiny_allocs[0] == self.tiny_allocs[1]),
            ("/gc/heap/allocs:objects", *self.allocs_objects, self.allocs_objects[0] == self.allocs_objects[1]),
            ("/gc/heap/allocs:bytes", *self.allocs_bytes, self.allocs_bytes[0] == self.allocs_bytes[1]),
            ("/memory/classes/heap/objects:bytes", *self.heap_objects_bytes,
             self.heap_objects_bytes[0] == self.heap_objects_bytes[1]),
            ("heap pages in use (±5 %)", *self.pages_in_use, self.pages_within_tolerance),
        ]


def compare_allocseq(real: dict, model: Metrics) -> AllocCheck:
    """Compare the JSON ``allocseq`` printed (the differences of runtime/metrics over the sequence) with the
    model's metrics."""
    hist = [int(x) for x in real["allocs_by_size"]]
    if len(hist) != len(model.allocs_by_size):
        raise ValueError(f"the real histogram has {len(hist)} buckets, the model's {len(model.allocs_by_size)}: "
                         "not the same runtime's size classes")
    sizes = SizeClassToSize()
    rows = tuple(BucketRow(model.buckets[i], model.buckets[i + 1], (i + 1) if i < len(sizes) - 1 else 0,
                           int(m), r)
                 for i, (m, r) in enumerate(zip(model.allocs_by_size.tolist(), hist)))
    d = real["delta"]
    real_inuse = d["/memory/classes/heap/objects:bytes"] + d["/memory/classes/heap/unused:bytes"]
    return AllocCheck(
        n=int(real["n"]), seed=int(real["seed"]), profile=str(real["profile"]), buckets=rows,
        tiny_allocs=(model.tiny_allocs, d["/gc/heap/tiny/allocs:objects"]),
        allocs_bytes=(model.allocs_bytes, d["/gc/heap/allocs:bytes"]),
        allocs_objects=(model.allocs_objects, d["/gc/heap/allocs:objects"]),
        heap_objects_bytes=(model.heap_objects_bytes, d["/memory/classes/heap/objects:bytes"]),
        pages_in_use=(model.heap_inuse_bytes // pageSize, real_inuse // pageSize),
    )


def histogram_arrays(check: AllocCheck) -> dict[str, np.ndarray]:
    """Bucket upper bounds and the two histograms as arrays, for a plot."""
    return {"hi": np.array([b.hi for b in check.buckets]), "model": np.array([b.model for b in check.buckets]),
            "real": np.array([b.real for b in check.buckets])}
