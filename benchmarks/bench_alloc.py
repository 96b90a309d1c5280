"""The allocator model against the real runtime: the same 1,000,000 small allocations, one run each.

Real Go: ``gosim/programs/allocseq -bench -profile small`` times its own loop of ``make([]byte, n)`` /
``make([]*byte, n/8)`` (every object kept alive, GC off, GOMAXPROCS=1). The model: the same splitmix64 sequence
through `Allocator.mallocgc_many` (the vectorised path) and through one `Allocator.mallocgc` call per object.
For scale, a bare CPython loop that only looks up the size class and pops a free list. Prints ns per allocation
and the ratio to Go; ``--profile`` adds cProfile's top functions for the vectorised path.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="allocations (default 1000000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
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


if __name__ == "__main__":
    main()
