"""Green Tea: span-granular marking of small pointerful objects, beside the classic object-graph flood.

Mirrors runtime/mgcmark_greenteagc.go (default since Go 1.26; ``GOEXPERIMENT=nogreenteagc`` turns it off). For
objects of 16..512 bytes (``gcUsesSpanInlineMarkBits``) a pointer found while scanning only sets the object's mark
bit (``tryDeferToSpanScan``); if the span is not already queued (``tryAcquire`` on its ownership byte) the span
goes on a FIFO span queue (``spanQueue``). When a span is dequeued, ``scanSpan`` releases it and scans at once
every object whose mark bit is set but scan bit is not (``marks &^ scans``): one visit, many objects, one pass over
the span's metadata. Other objects (larger, or the world before Green Tea) go through the classic LIFO workbuf,
one object per visit (``greyobject``, ``scanobject``). ``gcDrain`` takes workbuf objects before spans.

`mark_greentea` and `mark_classic` walk the same `ObjectStore` and count: objects scanned, span visits and
objects per visit, visits with one mark (``spanScanOneMark``) and dense ones (``objsMarked >= nelems/8``), and for
the classic walk how often consecutive scans switch span (each switch is a fresh cache line of span metadata and
object memory). Counts, not times: a dense heap puts hundreds of marked objects in each span visit; a linked
list reveals one node at a time, so every node is a span enqueue and a dequeue on the single-mark path. What that
costs in CPU time the model does not say (the chapter prints the runtime's mark times beside the counts).

``mark_greentea(heap, packed=...)`` also says which multi-object visits take the packed scan
(``scan.ScanSpanPacked``): only when the CPU has it (``scan.HasFastScanSpanPacked``; ``packed`` stands for that
answer) and the visit found at least an eighth of the span's slots marked (``objsMarked >= nelems/8``,
`takes_packed_scan`); the others scan object by object (``scanObjectsSmall``).

What it leaves out: per-P queues and stealing (one FIFO queue here), what the SIMD "dartboard" scan does inside
a visit (only whether a visit takes it), oblets of large objects, noscan spans' fast path beyond counting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .heap import ObjectStore

MIN_SIZE, MAX_SIZE = 16, 512
# release()'s answer when exactly one object was marked while the span was queued: scan that object alone (the
# single-mark path), not the span's marks&^scans.
spanScanOneMark = 1
# scanSpan takes the packed scan only when objsMarked >= nelems/PACKED_MIN_FRACTION (and the CPU has it).
PACKED_MIN_FRACTION = 8


def takes_packed_scan(objs_marked: int, nelems: int, has_fast_packed: bool) -> bool:
    """``scanSpan``'s test: ``!scan.HasFastScanSpanPacked() || objsMarked < nelems/8`` scans one by one."""
    return has_fast_packed and objs_marked >= nelems // PACKED_MIN_FRACTION


def uses_span_queue(size: int, scan: bool) -> bool:
    """``gcUsesSpanInlineMarkBits``: small objects whose heap bits live in the span, 16..512 bytes."""
    return MIN_SIZE <= size <= MAX_SIZE


@dataclass(frozen=True)
class MarkStats:
    engine: str
    objects_marked: int
    objects_scanned: int
    span_visits: int  # Green Tea: scanSpan calls; classic: 0
    objects_in_span_visits: int
    one_mark_visits: int
    dense_visits: int
    workbuf_scans: int  # objects scanned from the workbuf (classic: all of them)
    span_switches: int  # consecutive scans in different spans
    packed_visits: int = 0  # Green Tea: multi-object visits that took the packed (SIMD) scan

    @property
    def objects_per_visit(self) -> float:
        return self.objects_in_span_visits / self.span_visits if self.span_visits else 0.0


def mark_classic(heap: ObjectStore) -> MarkStats:
    """The object-graph flood (``nogreenteagc``): every grey object through a LIFO workbuf."""
    marked = [False] * len(heap.size_)
    work: list[int] = []
    scanned = switches = 0
    last_span = -1

    def grey(o):
        if o is not None and not marked[o]:
            marked[o] = True
            if heap.scan_[o] and heap.fields_[o]:
                work.append(o)

    for o in heap.roots():
        grey(o)
    while work:
        o = work.pop()
        scanned += 1
        if heap.span[o] != last_span:
            switches += 1
            last_span = heap.span[o]
        for t in heap.fields_[o]:
            grey(t)
    return MarkStats("classic", sum(marked), scanned, 0, 0, 0, 0, scanned, switches)


def mark_greentea(heap: ObjectStore, packed: bool = True) -> MarkStats:
    """Green Tea: small objects via the span queue, the rest via the workbuf. ``packed``: whether the CPU has the
    packed span scan (``scan.HasFastScanSpanPacked``); it decides only `MarkStats.packed_visits`."""
    n = len(heap.size_)
    marks = [False] * n
    scans = [False] * n
    owned: dict[int, int] = {}  # span -> marks set while queued (1 = spanScanOneMark)
    by_span: dict[int, list[int]] = {}
    for o in range(n):
        by_span.setdefault(heap.span[o], []).append(o)
    spanq: deque[tuple[int, int]] = deque()
    work: list[int] = []
    st = dict(scanned=0, visits=0, in_visits=0, one=0, dense=0, wb=0, switches=0, packed=0)
    last = [-1]

    def touch(span):
        if span != last[0]:
            st["switches"] += 1
            last[0] = span

    def defer(o):  # tryDeferToSpanScan, else greyobject
        if o is None:
            return
        if uses_span_queue(heap.size_[o], heap.scan_[o]):
            if marks[o]:
                return
            marks[o] = True
            if not (heap.scan_[o] and heap.fields_[o]):
                scans[o] = True
                return
            s = heap.span[o]
            if s in owned:
                owned[s] += 1
            else:
                owned[s] = 1
                spanq.append((s, o))
            return
        if not marks[o]:
            marks[o] = True
            if heap.scan_[o] and heap.fields_[o]:
                work.append(o)

    for o in heap.roots():
        defer(o)
    while work or spanq:
        if work:
            o = work.pop()
            st["scanned"] += 1
            st["wb"] += 1
            touch(heap.span[o])
            for t in heap.fields_[o]:
                defer(t)
            continue
        s, rep = spanq.popleft()
        one = owned.pop(s) == spanScanOneMark  # release()
        st["visits"] += 1
        touch(s)
        if one:
            todo = [rep] if not scans[rep] else []
            st["one"] += 1
        else:
            todo = [o for o in by_span[s] if marks[o] and not scans[o]]
            if len(todo) >= heap.span_nelems[s] // 8:
                st["dense"] += 1
            if todo and takes_packed_scan(len(todo), heap.span_nelems[s], packed):
                st["packed"] += 1
        for o in todo:
            scans[o] = True
        st["in_visits"] += len(todo)
        st["scanned"] += len(todo)
        for o in todo:
            for t in heap.fields_[o]:
                defer(t)
    return MarkStats("greentea", sum(marks), st["scanned"], st["visits"], st["in_visits"], st["one"], st["dense"],
                     st["wb"], st["switches"], st["packed"])


def compare(heap: ObjectStore) -> tuple[MarkStats, MarkStats]:
    """(classic, greentea) on the same heap; both mark the same objects."""
    return mark_classic(heap), mark_greentea(heap)
