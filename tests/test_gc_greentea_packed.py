"""Green Tea's packed span scan (chapter 4, "Green Tea in depth"): which span visits take it.

gcchurn ``-shape ptrslice`` (16 MiB of 64-byte pointerful nodes in a slice, one P, gctrace=2) runs as shipped and
with ``GODEBUG=cpu.avx512vl=off``, which clears one of the CPU features ``avx512ScanPackedReqsMet`` needs. The
model (`gosim.gc.greentea.mark_greentea` with ``packed`` = whether this machine has the packed scan, then False)
says which share of the multi-object span visits is packed; the runtime's gctrace=2 counts say the same. On the
dense slice every visit finds a whole span marked, so that pair checks the CPU switch only; gcsparse (one node
kept of every 8 or 9 allocated) puts each visit just above or just below scanSpan's nelems/8, and checks the
density rule. Counts only: no timing is asserted.
"""

from __future__ import annotations

import pytest

from gosim import toolchain as tc
from gosim.checks import gc as checks
from gosim.gc import greentea, heap
from gosim.toolchain import gctrace

pytestmark = pytest.mark.slow

LIVE = 16


def _stats(godebug: str):
    r = tc.run(tc.build("gcchurn"), ["-live", str(LIVE), "-churn", "128", "-shape", "ptrslice"],
               env={"GOMAXPROCS": "1"}, godebug=godebug)
    return checks.scan_stats_of(r.stderr, 64, LIVE)


def _has_packed() -> bool:
    flags = gctrace.packed_scan_support()
    return bool(flags) and all(flags.values())


@pytest.mark.parametrize("off", [False, True], ids=["as-shipped", "avx512vl-off"])
def test_packed_share_of_span_visits_matches_the_runtime(off):
    real = _stats("gctrace=2" + ("," + checks.PACKED_OFF if off else ""))
    g = greentea.mark_greentea(heap.dense_heap(20_000), packed=_has_packed() and not off)
    assert real.span_visits > 1000, real
    # the dense slice's visits that scan one by one with the packed scan on: 2 of 2,116 in the runs behind
    # the chapter (the spans the slice's first and last nodes share with other objects)
    assert abs(checks.model_packed_share(g) - checks.packed_share(real)) <= 0.02, (g, real)


def test_the_godebug_switch_turns_the_packed_scan_off():
    real = _stats("gctrace=2," + checks.PACKED_OFF)
    assert real.dense_spans == 0 and real.dense_span_objs == 0, real


# gcsparse: 4 MiB of 64-byte nodes, one kept of every `every` allocated in a row. A 64-byte pointerful span
# holds 124 slots, so scanSpan's threshold is 124/8 = 15 marked objects: keeping one in 8 leaves 15 or 16 live
# per span (every visit packed), one in 9 leaves 13 or 14 (none packed). A density rule off by one object
# (> instead of >=, nelems/7, nelems/9), or one that ignores density, moves one of the two shares by 0.5 or more.
SPARSE_LIVE = 4


@pytest.mark.parametrize("every", [8, 9])
def test_packed_scan_needs_an_eighth_of_the_span_marked(every):
    if not _has_packed():
        pytest.skip(f"this CPU lacks a feature the packed scan needs ({gctrace.packed_scan_support()}): "
                    "every visit scans one by one, so the density rule cannot be seen")
    r = tc.run(tc.build("gcsparse"), ["-live", str(SPARSE_LIVE), "-every", str(every), "-churn", "128"],
               env={"GOMAXPROCS": "1"}, godebug="gctrace=2")
    real = checks.scan_stats_of(r.stderr, 64, SPARSE_LIVE)
    g = greentea.mark_greentea(checks.sparse_heap(4000, every), packed=True)
    assert real.span_visits > 1000, real
    assert abs(checks.model_packed_share(g) - checks.packed_share(real)) <= 0.02, (every, g, real)
