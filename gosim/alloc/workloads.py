"""Named, seeded allocation workloads for the command line, the chapter and the checks.

Each workload drives an `Allocator` and records the heap after every step, so a chapter can plot growth over time.

- ``allocseq``: the fidelity sequence — sizes and kinds from splitmix64 exactly as ``gosim/programs/allocseq``
  draws them in Go (profile ``mixed``: every mallocgc path including large objects; ``small``: the benchmark's
  small objects), all kept alive.
- ``sizemix``: a program's mix — short strings and small structs, slices, a few buffers, allocated in bursts
  (each on a P drawn at random), so GOMAXPROCS changes how many partly used spans the caches hold.
- ``seed``: the seed's VMS/RSS program, ``new([10][1024*1024]byte)``: one 10 MiB object, straight from the heap.
- ``churn``: objects with random lifetimes; every time the heap doubles since the last collection (GOGC=100's
  rule, as a stand-in for the pacer), the live ones are marked and the heap swept, so freed slots and spans are
  reused and the heap fragments.

`run_mix` drives the chapter's panels: one of four size mixes (`MIXES`: tiny strings, pointerful structs, a
program's mix, byte buffers) on GOMAXPROCS Ps, either all kept alive or with random lifetimes (``churn``).

What they leave out: goroutine scheduling (each burst of allocations goes to a P drawn at random, seeded, and
the same P may draw twice in a row) and a real collector (``churn`` marks a known live set; `gosim.gc` models
marking and pacing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .malloc import Allocator, check_gomaxprocs_int
from .metrics import Metrics, read

GOLDEN = 0x9E3779B97F4A7C15
PROFILES = ("mixed", "small")


def splitmix64(seed: int, n: int) -> np.ndarray:
    """The first n outputs of splitmix64 seeded with ``seed`` (as the Go program's ``rng.next``)."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed % (1 << 64)) + np.uint64(GOLDEN) * np.arange(1, n + 1, dtype=np.uint64)
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def allocseq(n: int, seed: int = 1, profile: str = "mixed") -> tuple[np.ndarray, np.ndarray]:
    """(sizes, noscan) of the sequence ``allocseq -n N -seed S -profile P`` allocates."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 10**8:
        raise ValueError(f"n must be an integer from 0 to 100000000, got {n!r}")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    x = splitmix64(seed, n)
    k = (x % np.uint64(1000)).astype(np.int64)
    y = x >> np.uint64(16)

    def draw(lo: int, span: int) -> np.ndarray:
        return lo + (y % np.uint64(span)).astype(np.int64)

    if profile == "mixed":
        sizes = np.select([k < 300, k < 750, k < 950, k < 997],
                          [draw(1, 15), draw(16, 497), draw(513, 3584), draw(4097, 28664)], draw(32761, 98304))
    else:
        sizes = np.select([k < 300, k < 800], [draw(1, 15), draw(16, 241)], draw(257, 768))
    scan = ((x >> np.uint64(60)) & np.uint64(3)) == 0
    sizes = np.where(scan, (sizes + 7) & ~7, sizes)
    return sizes.astype(np.int64), ~scan


@dataclass(frozen=True)
class Sample:
    """The heap after a step of a workload."""

    step: int
    allocs: int  # mallocgc calls so far
    heap_inuse: int  # bytes of in-use spans
    heap_objects: int  # bytes in allocated slots
    mapped: int  # bytes handed to the page allocator
    heap_live: int  # the pacer's heapLive
    collections: int = 0  # collections so far


@dataclass(frozen=True)
class Result:
    workload: str
    gomaxprocs: int
    seed: int
    allocs: int
    collections: int
    metrics: Metrics  # after a final flush of every mcache
    timeline: tuple[Sample, ...]
    allocator: Allocator = field(repr=False, compare=False)

    def timeline_arrays(self) -> dict[str, np.ndarray]:
        """The timeline as one numpy array per field, for plotting."""
        return {name: np.array([getattr(s, name) for s in self.timeline])
                for name in Sample.__dataclass_fields__}


class _Recorder:
    def __init__(self, a: Allocator) -> None:
        self.a = a
        self.allocs = 0
        self.collections = 0
        self.samples: list[Sample] = []

    def sample(self) -> None:
        h = self.a.mheap_
        self.samples.append(Sample(len(self.samples), self.allocs, h.gcController.heapInUse,
                                   self.a.heap_objects_bytes(), h.mapped_bytes(), h.gcController.heapLive,
                                   self.collections))


def _run_allocseq(a: Allocator, rec: _Recorder, rng: random.Random, scale: float, seed: int) -> int:
    n = max(1, int(50_000 * scale))
    sizes, noscan = allocseq(n, seed, "mixed")
    step = max(1, n // 50)
    for i in range(0, n, step):
        a.mallocgc_many(sizes[i:i + step], noscan[i:i + step], 0)
        rec.allocs += len(sizes[i:i + step])
        rec.sample()
    return 0


def _bursts(rng: random.Random, gomaxprocs: int, n: int, burst: int = 64):
    """Which P allocates: each burst goes to a P drawn at random (``rng``), possibly the same P again."""
    out = []
    p = 0
    while len(out) < n:
        out.extend([p] * min(burst, n - len(out)))
        p = (p + 1 + rng.randrange(gomaxprocs)) % gomaxprocs if gomaxprocs > 1 else 0
    return out


def _mix(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A program's mix: tiny strings, small structs, slices, buffers (sizes and noscan flags)."""
    kind = rng.choice(4, size=n, p=[0.35, 0.40, 0.20, 0.05])
    sizes = np.select([kind == 0, kind == 1, kind == 2],
                      [rng.integers(1, 16, n), 8 * rng.integers(2, 17, n), rng.integers(64, 2048, n)],
                      rng.integers(2048, 65536, n))
    noscan = np.select([kind == 0, kind == 1, kind == 2], [True, False, rng.random(n) < 0.5], True)
    return sizes.astype(np.int64), noscan.astype(bool)


def _run_sizemix(a: Allocator, rec: _Recorder, rng: random.Random, scale: float, seed: int) -> int:
    n = max(1, int(60_000 * scale))
    sizes, noscan = _mix(np.random.default_rng(seed), n)
    ps = np.array(_bursts(rng, a.gomaxprocs, n))
    step = max(1, n // 50)
    for i in range(0, n, step):
        a.mallocgc_many(sizes[i:i + step], noscan[i:i + step], ps[i:i + step])
        rec.allocs += len(sizes[i:i + step])
        rec.sample()
    return 0


def _run_seed(a: Allocator, rec: _Recorder, rng: random.Random, scale: float, seed: int) -> int:
    rec.sample()
    a.mallocgc(10 * 1024 * 1024, noscan=True)  # new([10][1024*1024]byte)
    rec.allocs += 1
    rec.sample()
    return 0


def _run_churn(a: Allocator, rec: _Recorder, rng: random.Random, scale: float, seed: int) -> int:
    n = max(1, int(60_000 * scale))
    g = np.random.default_rng(seed)
    sizes, noscan = _mix(g, n)
    lifetimes = g.geometric(0.0005, n)  # allocations an object survives
    ps = _bursts(rng, a.gomaxprocs, n)
    live: dict[int, int] = {}  # address → index of the allocation that frees it
    goal = 4 << 20  # the first heap goal, 4 MiB (heapMinimum at GOGC=100)
    collections = 0
    step = max(1, n // 50)
    for i in range(n):
        addr = a.mallocgc(int(sizes[i]), bool(noscan[i]), ps[i])
        rec.allocs += 1
        live[addr] = i + int(lifetimes[i])  # an address freed earlier is a new object now
        if a.mheap_.gcController.heapLive >= goal:
            survivors = [p for p, end in live.items() if end > i]
            live = {p: live[p] for p in survivors}
            a.collect(survivors)
            collections += 1
            rec.collections = collections
            goal = max(4 << 20, 2 * a.heap_objects_bytes())
            a.mheap_.gcController.heapLive = a.heap_objects_bytes()  # heapLive = heapMarked after a cycle
        if i % step == step - 1:
            rec.sample()
    return collections


WORKLOADS: dict[str, tuple[str, Callable]] = {
    "allocseq": ("the fidelity sequence (same sizes as gosim/programs/allocseq, all kept alive)", _run_allocseq),
    "sizemix": ("a program's size mix on every P, all kept alive", _run_sizemix),
    "seed": ("the seed's program: one new([10][1024*1024]byte)", _run_seed),
    "churn": ("random lifetimes; collect whenever the heap doubles", _run_churn),
}


def _mix_tiny(g: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Short strings and small numbers: noscan, 80 % under 16 bytes (the tiny allocator), the rest 16..64."""
    small = g.random(n) < 0.8
    sizes = np.where(small, g.integers(1, 16, n), g.integers(16, 65, n))
    return sizes.astype(np.int64), np.ones(n, dtype=bool)


STRUCT_SIZES = np.array([16, 24, 32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512])


def _mix_structs(g: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pointerful structs of typical sizes (16..512 bytes, smaller ones more often): every one in a scan span."""
    weights = 1.0 / np.arange(1, len(STRUCT_SIZES) + 1)
    sizes = g.choice(STRUCT_SIZES, size=n, p=weights / weights.sum())
    return sizes.astype(np.int64), np.zeros(n, dtype=bool)


def _mix_buffers(g: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Byte buffers of 1 KiB to 64 KiB, log-uniform: multi-page size classes and large objects."""
    sizes = np.exp(g.uniform(np.log(1024), np.log(65536), n)).astype(np.int64)
    return sizes, np.ones(n, dtype=bool)


# name → (what it is, how many allocations a panel frame runs, sizes and noscan flags)
MIXES: dict[str, tuple[str, int, Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]]] = {
    "tiny": ("short strings and numbers, mostly under 16 B (noscan)", 120_000, _mix_tiny),
    "structs": ("pointerful structs of 16-512 B", 50_000, _mix_structs),
    "program": ("a program's mix: strings, structs, slices, a few buffers", 8_000, _mix),
    "buffers": ("byte buffers of 1-64 KiB", 800, _mix_buffers),
}
LIFETIMES = ("kept", "churn")


def mix(name: str, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(sizes, noscan) of ``n`` requests drawn from size mix ``name`` (one of `MIXES`)."""
    if name not in MIXES:
        raise ValueError(f"mix must be one of {', '.join(MIXES)}, got {name!r}")
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 10**7:
        raise ValueError(f"n must be an integer from 0 to 10000000, got {n!r}")
    return MIXES[name][2](np.random.default_rng(seed), n)


def procs(gomaxprocs: int, n: int, seed: int = 1) -> np.ndarray:
    """Which P makes each of the ``n`` requests of `run_mix` with this seed: bursts of 64 allocations, each on a
    P drawn at random from the seed (the same P may draw twice in a row)."""
    gomaxprocs = check_gomaxprocs_int(gomaxprocs)
    return np.array(_bursts(random.Random(seed), gomaxprocs, n), dtype=np.int64)


def run_mix(name: str, gomaxprocs: int = 1, seed: int = 1, *, lifetimes: str = "kept",
            n: int | None = None, heap_minimum: int = 1 << 20) -> Result:
    """Allocate ``n`` requests (the mix's default count without ``n``) of size mix ``name`` with GOMAXPROCS Ps,
    goroutines on every P taking turns in bursts. ``lifetimes="kept"`` keeps every object alive;
    ``"churn"`` gives each a random lifetime (geometric, a tenth of the run on average) and collects whenever
    heapLive reaches the goal (twice the live heap: GOGC=100's rule, standing in for the pacer), so freed slots
    and pages are reused. The goal is at least ``heap_minimum``: 1 MiB by default, not the runtime's 4 MiB, so that
    runs this small collect a few times."""
    if name not in MIXES:
        raise ValueError(f"mix must be one of {', '.join(MIXES)}, got {name!r}")
    if lifetimes not in LIFETIMES:
        raise ValueError(f"lifetimes must be one of {', '.join(LIFETIMES)}, got {lifetimes!r}")
    gomaxprocs = check_gomaxprocs_int(gomaxprocs)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    n = MIXES[name][1] if n is None else n
    sizes, noscan = mix(name, n, seed)
    a = Allocator(gomaxprocs, seed=seed)
    rec = _Recorder(a)
    ps = procs(gomaxprocs, n, seed)
    # Allocate in chunks (vectorised mallocgc_many); with churn, the collector looks at heapLive between chunks,
    # so a cycle starts at most one chunk (half a percent of the run) late.
    churn = lifetimes == "churn"
    chunk = max(16, n // 200 if churn else n // 50)
    every = max(chunk, n // 50 // chunk * chunk)
    ends = np.arange(n) + np.random.default_rng(seed + 1).geometric(10 / max(n, 10), n)
    live: dict[int, int] = {}  # address → index of the allocation after which the object is dead
    if isinstance(heap_minimum, bool) or not isinstance(heap_minimum, int) or heap_minimum < 8192:
        raise ValueError(f"heap_minimum must be an integer number of bytes >= 8192, got {heap_minimum!r}")
    goal = heap_minimum
    collections = 0
    for i in range(0, n, chunk):
        addrs = a.mallocgc_many(sizes[i:i + chunk], noscan[i:i + chunk], ps[i:i + chunk])
        rec.allocs += len(addrs)
        if churn:
            live.update(zip(addrs.tolist(), ends[i:i + chunk].tolist()))
            if a.mheap_.gcController.heapLive >= goal:
                done = i + len(addrs)
                live = {addr: end for addr, end in live.items() if end >= done}
                a.collect(live)
                collections += 1
                rec.collections = collections
                goal = max(heap_minimum, 2 * a.heap_objects_bytes())
                a.mheap_.gcController.heapLive = a.heap_objects_bytes()  # heapLive = heapMarked after a cycle
        if (i + chunk) % every == 0:
            rec.sample()
    a.flush()
    rec.sample()
    return Result(f"{name}/{lifetimes}", gomaxprocs, seed, rec.allocs, collections, read(a.mheap_),
                  tuple(rec.samples), a)


def check_workload(name: str) -> str:
    if name not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {name!r}")
    return name


def check_scale(scale: object) -> float:
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a number from 0.001 to 100, got {scale!r}") from None
    if not 0.001 <= value <= 100:
        raise ValueError(f"scale must be from 0.001 to 100, got {value}")
    return value


def run(name: str, gomaxprocs: int = 1, seed: int = 1, *, scale: float = 1.0) -> Result:
    """Run workload ``name`` with GOMAXPROCS Ps from ``seed`` (which also places the heap); ``scale`` multiplies
    the number of allocations."""
    name = check_workload(name)
    gomaxprocs = check_gomaxprocs_int(gomaxprocs)
    scale = check_scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    a = Allocator(gomaxprocs, seed=seed)
    rec = _Recorder(a)
    collections = WORKLOADS[name][1](a, rec, random.Random(seed), scale, seed)
    a.flush()
    rec.sample()
    return Result(name, gomaxprocs, seed, rec.allocs, collections, read(a.mheap_), tuple(rec.samples), a)
