"""Marking the same object graph in real Go and in gosim's vectorised engine: ns per object and the ratio.

The graph: N objects (default 1,000,000) with two pointer fields each, pointing at random objects, and 16 roots
(about 80 % of the objects are reachable); or (``--shape tree``) a complete binary tree in allocation order. Python writes it to a file; gosim/programs/gcmark (Go) builds it as
N heap objects and times forced GC cycles; the concurrent-mark wall time of each cycle comes from gctrace
(``a+b+c ms clock``: b). gosim.gc.markvec.MarkGraph.mark marks the same graph. Both report the best of
several rounds. Also the object-at-a-time engine (gosim.gc.mgc, what the chapter steps through) on a sample.

And chapter 4's GOGC × GOMEMLIMIT panel (gosim.widgets.gc.gogc_panel, live): the step latency from setting a
control to the new frame's PNG bytes, over 20 steps to frames not drawn before (median and p90; wall clock and
this process's CPU time, which a busy machine disturbs less).

    .venv/bin/python benchmarks/bench_gc.py [--objects N] [--rounds R] [--gomaxprocs P] [--panel-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gosim import toolchain as tc  # noqa: E402
from gosim.gc import heap, markvec, mgc  # noqa: E402
from gosim.toolchain import gctrace  # noqa: E402


def write_graph(path: Path, ell: np.ndarray, roots: np.ndarray) -> None:
    n, k = ell.shape
    header = np.array([n, k, roots.size], dtype="<i4")
    path.write_bytes(header.tobytes() + ell.astype("<i4").tobytes() + roots.astype("<i4").tobytes())


def gogc_panel_latency(steps: int = 20) -> dict[str, float]:
    """Median and p90 of the live GOGC panel's step latency (seconds), wall and CPU."""
    from gosim.widgets.gc import gogc_panel

    box = gogc_panel().live()
    workload, gogc, limit = box.controls["workload"], box.controls["gogc"], box.controls["memlimit"]
    wall, cpu = [], []
    for m, w in [(m, w) for m in range(len(limit.options)) for w in range(len(workload.options))]:
        limit.index = m  # not timed: these two draw the frame for (m, w, current GOGC)
        workload.index = w
        for g in range(len(gogc.options)):
            if g == gogc.index or len(wall) == steps:
                continue
            t, c = time.perf_counter(), time.process_time()
            gogc.index = g  # a frame not drawn before
            assert box.image.value
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)

    def p90(xs):
        return sorted(xs)[int(0.9 * (len(xs) - 1))]

    return dict(median=statistics.median(wall), p90=p90(wall), cpu_median=statistics.median(cpu), cpu_p90=p90(cpu),
                steps=len(wall))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--gomaxprocs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shape", choices=("random", "tree"), default="random",
                    help="random: fields point anywhere (cache-hostile); tree: node i points to 2i+1, 2i+2")
    ap.add_argument("--panel-only", action="store_true", help="only the GOGC panel's step latency")
    args = ap.parse_args(argv)

    lat = gogc_panel_latency()
    print(f"chapter 4 GOGC panel step ({lat['steps']} new frames): median {lat['median'] * 1e3:.0f} ms, "
          f"p90 {lat['p90'] * 1e3:.0f} ms wall; CPU median {lat['cpu_median'] * 1e3:.0f} ms, "
          f"p90 {lat['cpu_p90'] * 1e3:.0f} ms (target <= 100 ms)")
    if args.panel_only:
        return 0

    if args.shape == "random":
        indptr, indices, roots = markvec.random_csr(args.objects, 2, args.seed)
    else:
        indptr, indices, roots = markvec.tree_csr(args.objects)
    graph = markvec.MarkGraph(indptr, indices)
    marked = graph.mark(roots)
    live = int(marked.sum())

    model = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        graph.mark(roots)
        model.append(time.perf_counter() - t)
    model_ns = min(model) / live * 1e9

    sample = heap.random_heap(20_000, args.seed, max_fields=2)
    c = mgc.Collector(sample, "hybrid")
    t = time.perf_counter()
    c.gcStart()
    c.drain()
    object_ns = (time.perf_counter() - t) / max(c.work, 1) * 1e9

    binary = tc.build("gcmark")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.bin"
        write_graph(path, graph.ell, roots)
        run = tc.run(binary, ["-graph", str(path), "-rounds", str(args.rounds)], godebug="gctrace=1",
                     env={"GOMAXPROCS": str(args.gomaxprocs), "GOGC": "off"}, timeout=600)
    fields = gctrace.parse_fields(run.stdout, "gcmark")[0]
    forced = [t for t in gctrace.parse_gctrace(run.stderr) if t.forced][-args.rounds:]
    mark_ms = min(t.mark_ms for t in forced)
    go_ns = mark_ms * 1e6 / live
    go_gc_ns = fields["best_gc_ns"] / live

    print(f"graph ({args.shape}): {args.objects} objects, 2 pointer fields each, {roots.size} roots, "
          f"{live} reachable")
    print(f"real Go (GOMAXPROCS={args.gomaxprocs}): concurrent mark {mark_ms:.2f} ms = {go_ns:.1f} ns/object "
          f"(whole runtime.GC() {go_gc_ns:.1f} ns/object)")
    print(f"gosim vectorised (markvec): {min(model) * 1e3:.1f} ms = {model_ns:.1f} ns/object")
    print(f"gosim object-at-a-time (mgc.Collector, 20000-object sample): {object_ns:.0f} ns/object")
    print(f"ratio vectorised/real = {model_ns / go_ns:.1f}x (target <= 25x); "
          f"object-at-a-time/real = {object_ns / go_ns:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
