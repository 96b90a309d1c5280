"""Green Tea's packed span scan (chapter 4, "Green Tea in depth"): which span visits take it.

gcchurn ``-shape ptrslice`` (16 MiB of 64-byte pointerful nodes in a slice, one P, gctrace=2) runs as shipped and
with ``GODEBUG=cpu.avx512vl=off``, which clears one of the CPU features ``avx512ScanPackedReqsMet`` needs. The
model (`gosim.gc.greentea.mark_greentea` with ``packed`` = whether this machine has the packed scan, then False)
says which share of the multi-object span visits is packed; the runtime's gctrace=2 counts say the same.
Counts only: no timing is asserted.
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
