"""Parsers for the collector's own traces: ``GODEBUG=gctrace=1`` and ``GODEBUG=gcpacertrace=1``.

gctrace (printed at the end of ``gcMarkTermination``, runtime/mgc.go; documented in runtime/extern.go)::

    gc 9 @0.077s 2%: 0.024+0.79+0.053 ms clock, 0.049+0.057/0.055/0.67+0.10 ms cpu, 111->112->52 MB,
    130 MB goal, 0 MB stacks, 0 MB globals, 2 P

— cycle number; seconds since the program started; GC's share of CPU since then (%, truncated); wall clock of the
sweep-termination pause + concurrent mark + mark-termination pause; CPU of the first pause + assists / background
workers / idle workers + the second pause; ``heapLive`` at GC start -> at mark termination -> marked (live) heap;
the goal this cycle was paced against; scanned stack and global bytes; GOMAXPROCS; "(forced)" for runtime.GC().
All "MB" are MiB, truncated (``>>20``): for byte precision read runtime/metrics (the gcchurn program does).

gcpacertrace (``startCycle`` and ``endCycle``, runtime/mgcpacer.go; ``sweepone``, mgcsweep.go)::

    pacer: assist ratio=0.308 (scan 11 MB in 120->141 MB) workers=0+0.25
    pacer: 29% CPU (25 exp.) for 496400+2680+159594 B work (658066 B exp.) in 34727464 B -> 35333672 B
    (∆goal -724298, cons/mark 0.6765577606854296)
    pacer: sweep done at heap size 20MB; allocated 3MB during sweep; swept 4273 pages at 0.00027 pages/byte

Also `parse_fields`: the ``kind key=value ...`` lines the programs in gosim/programs print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_GC = re.compile(
    rf"^gc (?P<n>\d+) @(?P<at>{_NUM})s (?P<pct>\d+)%(?: \([^)]*\))?: "
    rf"(?P<c1>{_NUM})\+(?P<c2>{_NUM})\+(?P<c3>{_NUM}) ms clock, "
    rf"(?P<u1>{_NUM})\+(?P<u2>{_NUM})/(?P<u3>{_NUM})/(?P<u4>{_NUM})\+(?P<u5>{_NUM}) ms cpu, "
    rf"(?P<h0>\d+)->(?P<h1>\d+)->(?P<h2>\d+) MB, (?P<goal>\d+) MB goal, (?P<stacks>\d+) MB stacks, "
    rf"(?P<globals>\d+) MB globals, (?P<procs>\d+) P(?P<forced> \(forced\))?\s*$"
)
_ASSIST = re.compile(
    rf"^pacer: assist ratio=(?P<ratio>{_NUM}) \(scan (?P<scan>\d+) MB in (?P<h0>\d+)->(?P<goal>\d+) MB\) "
    rf"workers=(?P<dedicated>\d+)\+(?P<fractional>{_NUM})\s*$"
)
_END = re.compile(
    rf"^pacer: (?P<util>-?\d+)% CPU \((?P<exp>\d+) exp\.\) for (?P<heap>\d+)\+(?P<stack>\d+)\+(?P<globals>\d+) "
    rf"B work \((?P<expected>\d+) B exp\.\) in (?P<triggered>\d+) B -> (?P<live>\d+) B "
    rf"\((?:∆|\u2206)goal (?P<dgoal>-?\d+), cons/mark (?P<consmark>{_NUM})\)\s*$"
)
_SCAN = re.compile(
    r"^scan: (?:class (?P<cls>L|\d+)B?|total) (?P<sparse>\d+)\+(?P<spansparse>\d+)\+(?P<spandense>\d+)=\d+ objs, "
    r"(?P<nsparse>\d+)\+(?P<ndense>\d+)=\d+ spans\s*$"
)
_SWEEP = re.compile(
    rf"^pacer: sweep done at heap size (?P<heap>\d+)MB; allocated (?P<alloc>\d+)MB during sweep; "
    rf"swept (?P<pages>\d+) pages at (?P<rate>{_NUM}) pages/byte\s*$"
)


@dataclass(frozen=True)
class GCTraceLine:
    """One gctrace line. Times in milliseconds, heap sizes in MiB (truncated, as printed)."""

    n: int
    at_s: float
    cpu_pct: int
    sweep_term_ms: float
    mark_ms: float
    mark_term_ms: float
    stw_sweep_cpu_ms: float
    assist_cpu_ms: float
    background_cpu_ms: float
    idle_cpu_ms: float
    stw_mark_term_cpu_ms: float
    heap0_mib: int
    heap1_mib: int
    heap2_mib: int
    goal_mib: int
    stacks_mib: int
    globals_mib: int
    procs: int
    forced: bool

    @property
    def mark_cpu_ms(self) -> float:
        return self.assist_cpu_ms + self.background_cpu_ms + self.idle_cpu_ms

    @property
    def pause_ms(self) -> float:
        return self.sweep_term_ms + self.mark_term_ms


@dataclass(frozen=True)
class PacerStart:
    """``startCycle``'s line: the assist ratio and the mark workers."""

    assist_ratio: float
    scan_mib: int
    heap0_mib: int
    goal_mib: int
    dedicated: int
    fractional: float


@dataclass(frozen=True)
class PacerEnd:
    """``endCycle``'s line: utilisation, scan work (bytes), heapLive from trigger to end, the cons/mark used."""

    utilization_pct: int
    expected_pct: int
    heap_work: int
    stack_work: int
    globals_work: int
    expected_work: int
    triggered: int
    live: int
    delta_goal: int
    cons_mark: float  # the estimate this cycle was paced with (printed before it is updated)

    @property
    def work(self) -> int:
        return self.heap_work + self.stack_work + self.globals_work


@dataclass(frozen=True)
class SweepDone:
    heap_mib: int
    allocated_mib: int
    pages: int
    pages_per_byte: float


@dataclass(frozen=True)
class ScanStats:
    """One size class of ``GODEBUG=gctrace=2``'s scan statistics for a cycle (``dumpScanStats``,
    mgcmark_greenteagc.go): objects scanned one at a time (``scanobject``, or ``scanSpan``'s single-mark path),
    objects scanned in span visits that found several marks (one by one, ``scanObjectsSmall``; or in one packed
    pass, ``ScanSpanPacked``), and the numbers of those span visits."""

    size: int  # the size class's object size in bytes; 0 for large objects ("class L"), -1 for the total
    single_objs: int  # sparseObjsScanned
    sparse_span_objs: int  # spanObjsSparseScanned
    dense_span_objs: int  # spanObjsDenseScanned
    sparse_spans: int  # spansSparseScanned
    dense_spans: int  # spansDenseScanned

    @property
    def objects(self) -> int:
        return self.single_objs + self.sparse_span_objs + self.dense_span_objs

    @property
    def span_visits(self) -> int:
        """Span visits that scanned several marked objects (each single-mark visit is in ``single_objs``)."""
        return self.sparse_spans + self.dense_spans

    @property
    def objects_per_span_visit(self) -> float:
        """Objects scanned per multi-object span visit."""
        return (self.sparse_span_objs + self.dense_span_objs) / self.span_visits if self.span_visits else 0.0


def parse_scanstats(text: str) -> dict[int, dict[int, ScanStats]]:
    """``GODEBUG=gctrace=2``'s scan statistics, by cycle: the ``scan:`` lines printed after the ``gc N`` line of
    the cycle they describe (mgc.go prints them after the gctrace line), keyed by object size (0 for large
    objects, -1 for the total)."""
    out: dict[int, dict[int, ScanStats]] = {}
    cycle = None
    for line in text.splitlines():
        line = line.strip()
        if m := _GC.match(line):
            cycle = int(m["n"])
            out[cycle] = {}
        elif (m := _SCAN.match(line)) and cycle is not None:
            size = -1 if m["cls"] is None else 0 if m["cls"] == "L" else int(m["cls"])
            out[cycle][size] = ScanStats(size, int(m["sparse"]), int(m["spansparse"]), int(m["spandense"]),
                                         int(m["nsparse"]), int(m["ndense"]))
    return out


def parse_gctrace(text: str) -> list[GCTraceLine]:
    """Every gctrace line in ``text`` (other lines are skipped)."""
    rows = []
    for line in text.splitlines():
        m = _GC.match(line.strip())
        if m:
            f = m.groupdict()
            rows.append(GCTraceLine(
                int(f["n"]), float(f["at"]), int(f["pct"]), float(f["c1"]), float(f["c2"]), float(f["c3"]),
                float(f["u1"]), float(f["u2"]), float(f["u3"]), float(f["u4"]), float(f["u5"]),
                int(f["h0"]), int(f["h1"]), int(f["h2"]), int(f["goal"]), int(f["stacks"]), int(f["globals"]),
                int(f["procs"]), bool(f["forced"])))
    return rows


def parse_pacertrace(text: str) -> list[PacerStart | PacerEnd | SweepDone]:
    """Every gcpacertrace line in ``text``, in order."""
    out: list[PacerStart | PacerEnd | SweepDone] = []
    for line in text.splitlines():
        line = line.strip()
        if m := _ASSIST.match(line):
            out.append(PacerStart(float(m["ratio"]), int(m["scan"]), int(m["h0"]), int(m["goal"]),
                                  int(m["dedicated"]), float(m["fractional"])))
        elif m := _END.match(line):
            out.append(PacerEnd(int(m["util"]), int(m["exp"]), int(m["heap"]), int(m["stack"]), int(m["globals"]),
                                int(m["expected"]), int(m["triggered"]), int(m["live"]), int(m["dgoal"]),
                                float(m["consmark"])))
        elif m := _SWEEP.match(line):
            out.append(SweepDone(int(m["heap"]), int(m["alloc"]), int(m["pages"]), float(m["rate"])))
    return out


_SCAV = re.compile(r"^scav (?P<bg>\d+) KiB work \(bg\), (?P<eager>\d+) KiB work \(eager\), (?P<now>\d+) KiB now, "
                   r"(?P<util>\d+)% util(?P<forced> \(forced\))?\s*$")


def parse_scavtrace(text: str) -> list[dict]:
    """``GODEBUG=scavtrace=1`` lines (``printScavTrace``, mgcscavenge.go): one when a cycle's sweep is done (KiB
    released by the background scavenger and eagerly since the last line, KiB released in all, heapInUse as a
    percentage of the retained heap) and one, ``forced``, after ``debug.FreeOSMemory``."""
    out = []
    for line in text.splitlines():
        if m := _SCAV.match(line.strip()):
            out.append(dict(bg_kib=int(m["bg"]), eager_kib=int(m["eager"]), now_kib=int(m["now"]),
                            util_pct=int(m["util"]), forced=bool(m["forced"])))
    return out


def parse_fields(text: str, kind: str) -> list[dict[str, int | float | str]]:
    """Lines ``KIND key=value key=value ...`` → dicts; integers and floats converted."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] != kind:
            continue
        row: dict[str, int | float | str] = {}
        for part in parts[1:]:
            key, _, value = part.partition("=")
            try:
                row[key] = int(value)
            except ValueError:
                try:
                    row[key] = float(value)
                except ValueError:
                    row[key] = value
        rows.append(row)
    return rows


def run_gcchurn(live_mib: int, churn_mib: int, env: dict[str, str], *, gomaxprocs: int = 2) -> dict:
    """One run of ``gosim/programs/gcchurn`` (a steady live set, then churn) under ``env`` (GOGC, GOMEMLIMIT),
    with ``GODEBUG=gctrace=1,gcpacertrace=1``, parsed: the program's per-cycle ``runtime/metrics`` lines
    (``cycles``), its ``summary``, the gctrace lines (``trace``) and the pacer lines (``pacer``). Chapter 4 and
    the fidelity tests both run the program through here."""
    from .go import Toolchain

    tc = Toolchain.installed()
    r = tc.run(tc.build("gcchurn"), ["-live", str(live_mib), "-churn", str(churn_mib)],
               env={**env, "GOMAXPROCS": str(gomaxprocs)}, godebug="gctrace=1,gcpacertrace=1")
    return dict(cycles=parse_fields(r.stdout, "cycle"), summary=parse_fields(r.stdout, "summary")[0],
                trace=parse_gctrace(r.stderr), pacer=parse_pacertrace(r.stderr), stderr=r.stderr,
                seconds=r.seconds)


def run_gcpacing(args: dict[str, object], env: dict[str, str], *, gomaxprocs: int = 2,
                 godebug: str = "gctrace=1,gcpacertrace=1") -> dict:
    """One run of ``gosim/programs/gcpacing`` with flags ``args`` (``{"live": 16, "sleep": "100us"}``) under
    ``env``, parsed as `run_gcchurn` parses gcchurn (the two print the same ``cycle``/``summary`` lines)."""
    from .go import Toolchain

    tc = Toolchain.installed()
    argv = [str(x) for k, v in args.items() for x in (f"-{k}", v)]
    r = tc.run(tc.build("gcpacing"), argv, env={**env, "GOMAXPROCS": str(gomaxprocs)}, godebug=godebug)
    return dict(cycles=parse_fields(r.stdout, "cycle"), summary=parse_fields(r.stdout, "summary")[0],
                trace=parse_gctrace(r.stderr), pacer=parse_pacertrace(r.stderr), stderr=r.stderr,
                seconds=r.seconds)


# internal/cpu's X86 feature names → the flags Linux prints in /proc/cpuinfo.
_CPUINFO_FLAG = {"AVX512VL": "avx512vl", "AVX512BW": "avx512bw", "GFNI": "gfni", "AVX512BITALG": "avx512_bitalg",
                 "AVX512DQ": "avx512dq", "AVX512VBMI": "avx512vbmi", "POPCNT": "popcnt", "AVX512F": "avx512f"}


def packed_scan_support(cpuinfo: str | None = None) -> dict[str, bool] | None:
    """Whether this machine takes Green Tea's packed (AVX-512) span scan: the CPU features the installed
    runtime requires (``avx512ScanPackedReqsMet`` in internal/runtime/gc/scan/scan_amd64.go, read live), each
    with whether ``/proc/cpuinfo`` lists it. None when this is not linux/amd64 (the scan is then off:
    ``HasFastScanSpanPacked`` is false in scan_generic.go)."""
    import platform

    from .go import Toolchain

    if cpuinfo is None:
        if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
            return None
        try:
            cpuinfo = open("/proc/cpuinfo").read()
        except OSError:
            return None
    src = (Toolchain.installed().src / "internal/runtime/gc/scan/scan_amd64.go").read_text()
    m = re.search(r"avx512ScanPackedReqsMet\s*=(.*?)(?:\n\s*\n|\Z)", src, re.S)
    if not m:
        raise ValueError("avx512ScanPackedReqsMet not found in scan_amd64.go")
    needed = re.findall(r"cpu\.X86\.Has(\w+)", m[1])
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    return {name: _CPUINFO_FLAG.get(name, name.lower()) in flags for name in needed}
