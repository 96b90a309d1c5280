"""The allocator model against the real runtime: the same 1,000,000 small allocations, one run each.

Real Go: ``gosim/programs/allocseq -bench -profile small`` times its own loop of ``make([]byte, n)`` /
``make([]*byte, n/8)`` (every object kept alive, GC off, GOMAXPROCS=1). The model: the same splitmix64 sequence
through `Allocator.mallocgc_many` (the vectorised path) and through one `Allocator.mallocgc` call per object.
For scale, a bare CPython loop that only looks up the size class and pops a free list. Prints ns per allocation
and the ratio to Go; ``--profile`` adds cProfile's top functions for the vectorised path.

Then chapter 3's panels (`gosim.widgets.alloc`), live as in JupyterLab: every frame of each panel is visited by
moving one control at a time, and the redraw (value change to new PNG, `Panel.live`'s ``last_redraw_seconds``)
is timed twice: first with no model run cached (a first visit runs the model), then with the model runs cached
and a fresh panel (drawing only). ``--no-widgets`` skips this part.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time

import numpy as np

from gosim import toolchain as tc
from gosim.alloc import Allocator
from gosim.alloc.sizeclasses import SizeClassToSize, SizeToSizeClass8, SizeToSizeClass128
from gosim.alloc.workloads import allocseq


def real_go(n: int, seed: int) -> float:
    binary = tc.build("allocseq")
    run = tc.run(binary, ["-n", str(n), "-seed", str(seed), "-profile", "small", "-bench"],
                 env={"GOMAXPROCS": "1"}, timeout=300)
    return json.loads(run.stdout)["ns_per_alloc"]


def model_batch(sizes: np.ndarray, noscan: np.ndarray, seed: int) -> float:
    a = Allocator(1, seed=seed)
    start = time.perf_counter()
    a.mallocgc_many(sizes, noscan)
    return (time.perf_counter() - start) / len(sizes) * 1e9


def model_per_call(sizes: np.ndarray, noscan: np.ndarray, seed: int) -> float:
    a = Allocator(1, seed=seed)
    mallocgc = a.mallocgc
    pairs = list(zip(sizes.tolist(), noscan.tolist()))
    start = time.perf_counter()
    for size, ns in pairs:
        mallocgc(size, ns)
    return (time.perf_counter() - start) / len(sizes) * 1e9


def bare_loop(sizes: np.ndarray) -> float:
    """The floor for CPython: size → class lookup and a pop from a per-class free list (no spans, no bitmaps)."""
    by8, by128, csize = SizeToSizeClass8(), SizeToSizeClass128(), SizeClassToSize()
    free: list[list[int]] = [[] for _ in csize]
    top = [0]
    start = time.perf_counter()
    for size in sizes.tolist():
        cls = by8[(size + 7) >> 3] if size <= 1016 else by128[(size - 1024 + 127) >> 7]
        fl = free[cls]
        if not fl:
            fl.extend(range(top[0] + 8192 - csize[cls], top[0] - 1, -csize[cls]))
            top[0] += 8192
        fl.pop()
    return (time.perf_counter() - start) / len(sizes) * 1e9


def profile(sizes: np.ndarray, noscan: np.ndarray, seed: int, top: int = 12) -> str:
    a = Allocator(1, seed=seed)
    prof = cProfile.Profile()
    prof.runcall(a.mallocgc_many, sizes, noscan)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def widget_latency() -> list[tuple[str, int, float, float, float, float, float, float]]:
    """(panel, frames, median and p90 ms of a first visit, median and p90 ms of a redraw with the model cached,
    and the same redraw's CPU time in this process: what the redraw costs when other work shares the CPUs)."""
    import statistics

    from gosim.widgets import alloc as panels

    def visit(make) -> list[float]:
        panel = make()
        box = panel.live()
        times = []
        for values in panel.grid():
            for control in panel.controls:
                widget = box.controls[control.name]
                index = list(control.values).index(values[control.name])
                if widget.index != index:
                    cpu = time.process_time()
                    widget.index = index
                    times.append((box.last_redraw_seconds * 1000, (time.process_time() - cpu) * 1000))
        return times

    def stats(times, k: int) -> tuple[float, float]:
        xs = sorted(t[k] for t in times)
        return statistics.median(xs), xs[int(0.9 * (len(xs) - 1))]

    rows = []
    for name, make in (("heap", panels.heap_panel), ("growth", panels.growth_panel),
                       ("waste", panels.waste_panel)):
        panels.result.cache_clear()
        cold = visit(make)
        warm = visit(make)
        rows.append((name, make().frames(), *stats(cold, 0), *stats(warm, 0), *stats(warm, 1)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="allocations (default 1000000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
    parser.add_argument("--no-widgets", action="store_true", help="skip chapter 3's panel latency")
    args, _ = parser.parse_known_args()
    sizes, noscan = allocseq(args.n, args.seed, "small")
    go = real_go(args.n, args.seed)
    rows = [("real Go (allocseq -bench)", go),
            ("model, mallocgc_many (vectorised)", model_batch(sizes, noscan, args.seed)),
            ("model, one mallocgc call per object", model_per_call(sizes, noscan, args.seed)),
            ("bare CPython class lookup + free-list pop", bare_loop(sizes))]
    print(f"{args.n} small allocations (sizes 1..1024 B, a quarter pointerful), GOMAXPROCS=1, seed {args.seed}")
    print(f"{'':<44} {'ns/alloc':>9} {'÷ Go':>7}")
    for name, ns in rows:
        print(f"{name:<44} {ns:>9.0f} {ns / go:>7.1f}")
    print(f"target: the model within 10x of Go; vectorised path {rows[1][1] / go:.1f}x")
    if args.profile:
        print(profile(sizes, noscan, args.seed))
    if not args.no_widgets:
        print("\nchapter 3 panels, live: value change to redrawn figure (ms)")
        print(f"{'panel':<8} {'frames':>6} {'first visit p50':>16} {'p90':>5} {'model cached p50':>17} {'p90':>5}"
              f" {'(CPU p50':>9} {'p90)':>5}")
        for name, frames, c50, c90, w50, w90, u50, u90 in widget_latency():
            print(f"{name:<8} {frames:>6} {c50:>16.0f} {c90:>5.0f} {w50:>17.0f} {w90:>5.0f} {u50:>9.0f} {u90:>5.0f}")
        print("target: a redraw well under 100 ms")


if __name__ == "__main__":
    main()
