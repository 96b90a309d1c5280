"""python -m gosim alloc --workload NAME [--gomaxprocs N] [--seed S] [--scale X]"""

from __future__ import annotations

import argparse

from .. import boot
from ..alloc import workloads
from ..alloc.sizeclasses import SizeClassToSize
from ..cli import checked
from ..units import format_bytes


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"seed must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise ValueError(f"seed must be a non-negative integer, got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    result = workloads.run(args.workload, args.gomaxprocs, args.seed, scale=args.scale)
    m = result.metrics
    print(f"workload {result.workload}: {workloads.WORKLOADS[result.workload][0]}")
    print(f"gomaxprocs {result.gomaxprocs}  seed {result.seed}  mallocgc calls {result.allocs}  "
          f"collections {result.collections}")
    print()
    for name, value in m.as_dict().items():
        if not isinstance(value, list):
            print(f"{name:<40} {value}")
    print()
    print("/gc/heap/allocs-by-size:bytes (non-empty buckets)")
    print("class bucket count")
    sizes = SizeClassToSize()
    for i, count in enumerate(m.allocs_by_size.tolist()):
        if count:
            bucket = f"[{sizes[i] + 1 if i else 1},{sizes[i + 1] + 1})" if i < 67 else "[32769,+Inf)"
            print(f"{i + 1 if i < 67 else 'large'} {bucket} {count}")
    print()
    print("model (not runtime/metrics)")
    print(f"{'pages in use':<40} {m.pages_in_use} ({format_bytes(m.pages_in_use * 8192)})")
    print(f"{'heap mapped (4 MiB chunks)':<40} {m.mapped_bytes} ({format_bytes(m.mapped_bytes)})")
    print(f"{'arenas reserved (64 MiB each)':<40} {m.arenas}")
    print(f"{'heapLive (pacer)':<40} {m.heap_live}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("alloc", help="run an allocation workload through the allocator model; print its statistics")
    p.add_argument("--workload", required=True, type=checked(workloads.check_workload), metavar="NAME",
                   help=f"one of: {', '.join(workloads.WORKLOADS)}")
    p.add_argument("--gomaxprocs", type=checked(boot.check_gomaxprocs), default=1, metavar="N",
                   help=f"number of Ps (each has an mcache and a page cache), 1..{boot.GOMAXPROCS_LIMIT} (default 1)")
    p.add_argument("--seed", type=checked(_seed), default=1, metavar="S",
                   help="seed for the sizes, the Ps' turns and the randomized heap base (default 1)")
    p.add_argument("--scale", type=checked(workloads.check_scale), default=1.0, metavar="X",
                   help="multiply the number of allocations (default 1.0)")
    p.set_defaults(func=run)
