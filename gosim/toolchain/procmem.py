"""What the memory chapter's programs print about memory: ``/proc`` readings and ``runtime/metrics`` histograms.

* ``/proc/<pid>/status`` (Linux, ``proc(5)``): ``VmSize`` is the process's virtual address space (everything it
  has mapped or reserved), ``VmRSS`` the part resident in physical memory; both in kB. `parse_status` reads the
  file's ``Name:   value kB`` lines; the seed's program printed the same two numbers through a third-party module.
* ``gosim/programs/memrss`` prints ``mem step=N what=WHAT touched=BYTES VmSize=KB VmRSS=KB`` lines as it
  allocates and touches a 10 MiB array, a ``heap addr=0x...`` line and its large anonymous mappings from
  ``/proc/self/maps`` (``map lo=0x... hi=0x... perm=rw-p kb=N``); `parse_memrss` turns them into a `MemRun`.
* ``gosim/programs/allocmix`` prints one JSON object with the ``/gc/heap/allocs-by-size:bytes`` histogram of a
  small program's work; `parse_allocs_by_size` returns it as an `AllocsBySize`.
* ``gosim/programs/allocboundary`` prints ``bytes=N pointers=BOOL large=BOOL bucket=I`` per object: which
  ``allocs-by-size`` bucket one object of N bytes went to; `parse_allocboundary` returns {(N, pointers): large};
  its ``slots bytes=N pointers=BOOL run=R`` lines (`parse_slot_run`) say how many N-byte objects one span of the
  noscan and of the scan span class held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import GoToolchainError
from .gctrace import parse_fields


def parse_status(text: str) -> dict[str, int]:
    """``/proc/<pid>/status`` → {field: kB} for the sizes (``VmSize``, ``VmRSS``, ``VmHWM``, ``RssAnon``, ...:
    the lines whose value is ``N kB``). Other fields (masks in octal or hex, names, counts) are left out."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        fields = value.split()
        if sep and len(fields) == 2 and fields[0].isdigit() and fields[1] == "kB":
            out[name.strip()] = int(fields[0])
    return out


@dataclass(frozen=True)
class MemSample:
    """One ``mem`` line: after which step, what had been done, how many bytes of the array had been written, and
    the two sizes from ``/proc/self/status`` in kB."""

    step: int
    what: str
    touched: int
    vmsize_kb: int
    vmrss_kb: int


@dataclass(frozen=True)
class Mapping:
    """An anonymous mapping of ``/proc/self/maps``: [lo, hi) and its permissions (``---p``: reserved, never
    readable; ``rw-p``: usable)."""

    lo: int
    hi: int
    perm: str

    @property
    def size(self) -> int:
        return self.hi - self.lo

    @property
    def reserved_only(self) -> bool:
        return self.perm.startswith("---")


@dataclass(frozen=True)
class MemRun:
    samples: tuple[MemSample, ...]
    mappings: tuple[Mapping, ...]
    heap_addr: int | None

    def sample(self, what: str) -> MemSample:
        """The first sample taken after ``what`` (``start``, ``new``, ``touch``, ``collected``, ``released``)."""
        found = next((s for s in self.samples if s.what == what), None)
        if found is None:
            raise KeyError(f"no {what!r} step; steps: {sorted({s.what for s in self.samples})}")
        return found

    def arrays(self) -> dict[str, list]:
        """One list per field, for a plot."""
        return {name: [getattr(s, name) for s in self.samples] for name in MemSample.__dataclass_fields__}


def parse_memrss(stdout: str) -> MemRun:
    """The output of ``gosim/programs/memrss``."""
    samples = tuple(MemSample(int(r["step"]), str(r["what"]), int(r["touched"]), int(r["VmSize"]), int(r["VmRSS"]))
                    for r in parse_fields(stdout, "mem"))
    if not samples:
        raise GoToolchainError("no 'mem step=...' lines in the program's output (is this memrss's output?)")
    mappings = tuple(Mapping(int(str(r["lo"]), 16), int(str(r["hi"]), 16), str(r["perm"]))
                     for r in parse_fields(stdout, "map"))
    heap = parse_fields(stdout, "heap")
    addr = int(str(heap[0]["addr"]), 16) if heap else None
    return MemRun(samples, mappings, addr)


@dataclass(frozen=True)
class AllocsBySize:
    """The ``/gc/heap/allocs-by-size:bytes`` histogram of a run: bucket lower bounds (bucket i is
    [lo[i], lo[i+1]); the last one is unbounded) and counts, and the totals over the same window."""

    lo: tuple[float, ...]
    counts: tuple[int, ...]
    tiny_allocs: int
    allocs_objects: int
    allocs_bytes: int

    def nonzero(self) -> list[tuple[str, int]]:
        """("[lo, hi)", count) for the buckets that counted something."""
        bounds = [*self.lo, float("inf")]
        return [(f"[{bounds[i]:.0f}, {bounds[i + 1]:.0f})", c) for i, c in enumerate(self.counts) if c]


def parse_allocs_by_size(stdout: str) -> AllocsBySize:
    """The JSON ``gosim/programs/allocmix`` prints (``buckets`` without the final +Inf, ``counts``, totals)."""
    try:
        data = json.loads(stdout)
        lo = tuple(float(b) for b in data["buckets"])
        counts = tuple(int(c) for c in data["counts"])
        result = AllocsBySize(lo, counts, int(data["tiny_allocs"]), int(data["allocs_objects"]),
                              int(data["allocs_bytes"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise GoToolchainError(f"not allocmix's JSON output: {exc}") from exc
    if len(lo) != len(counts):
        raise GoToolchainError(f"{len(lo)} bucket bounds for {len(counts)} counts: expected one each")
    return result




def parse_allocboundary(stdout: str) -> dict[tuple[int, bool], bool]:
    """``allocboundary``'s lines → {(bytes, has pointers): the runtime counted it as a large object}."""
    out: dict[tuple[int, bool], bool] = {}
    for line in stdout.splitlines():
        if not line.startswith("bytes="):
            continue
        f = dict(kv.split("=", 1) for kv in line.split())
        out[int(f["bytes"]), f["pointers"] == "true"] = f["large"] == "true"
    if not out:
        raise GoToolchainError("allocboundary printed no 'bytes=' lines")
    return out


def parse_slot_run(stdout: str) -> dict[tuple[int, bool], int]:
    """``allocboundary``'s ``slots bytes=N pointers=BOOL run=R`` lines → {(N, has pointers): R}: the longest run
    of consecutive slots it saw for N-byte objects, that is, how many objects one span of that span class holds
    (a line without ``pointers=`` is a noscan span)."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("slots "):
            f = dict(kv.split("=", 1) for kv in line.split()[1:])
            out[int(f["bytes"]), f.get("pointers", "false") == "true"] = int(f["run"])
    return out
