"""The history rows observed live (gosim.history.OBSERVED), each release's value checked against what that
release's own source says ($GOROOT/src of the toolchain that built it). A release whose toolchain is not here
skips (make toolchains fetches them)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from gosim import history
from gosim.toolchain import releases

pytestmark = pytest.mark.slow

RELEASES = releases.releases()


def _chain(release: str):
    try:
        return releases.toolchain(release, fetch_missing=False)
    except releases.ToolchainMissing as exc:
        pytest.skip(f"Go {release} is not here (make toolchains): {exc}")


def _value(key: str, release: str) -> str:
    _chain(release)  # skips (visibly) only when the release's toolchain is not here
    value = history.observe(key, releases=[release], fetch=False)[release]
    # the toolchain is here, so a skipped cell is a build or run that failed (a wrong go line, a program the
    # release cannot build): a failure, not a skip
    assert not isinstance(value, history.Skipped), f"Go {release} is here but {key} was not observed: {value.reason}"
    return value


def _src(release: str) -> Path:
    return _chain(release).src


def _read(release: str, path: str) -> str:
    file = _src(release) / path
    return file.read_text() if file.is_file() else ""


def _baseline(release: str) -> str:
    """The GOEXPERIMENT baseline block of internal/buildcfg/exp.go: the experiments on by default."""
    m = re.search(r"baseline := goexperiment\.Flags\{(.*?)\n\t\}", _read(release, "internal/buildcfg/exp.go"), re.S)
    return m[1] if m else ""


def _on(release: str, flag: str) -> bool:
    return re.search(rf"\b{flag}:\s+true\b", _baseline(release)) is not None


@pytest.mark.parametrize("release", RELEASES)
def test_goroutines_at_main_are_the_go_statements_of_that_runtime(release):
    value = _value("goroutines", release)
    proc, mgc = _read(release, "runtime/proc.go"), _read(release, "runtime/mgc.go")
    started = [s for s, text in [("go forcegchelper()", proc), ("go bgsweep(c)", mgc), ("go bgscavenge(c)", mgc),
                                 ("go updateMaxProcsGoroutine()", proc)] if s in text]
    count = int(value.split(":")[0])
    assert count == 1 + len(started), (value, started)  # runtime.main's own goroutine, and the ones it starts
    # the updater starts only when updatemaxprocs is on: its default follows the go line (= the release)
    assert ("updateMaxProcsGoroutine" in value) == ("go updateMaxProcsGoroutine()" in proc)
    assert history.observe("updater", releases=[release], fetch=False)[release] == \
        ("yes" if "go updateMaxProcsGoroutine()" in proc else "no")


@pytest.mark.parametrize("release", RELEASES)
def test_go_wrapper_names_follow_the_compiler(release):
    value = _value("gowrap", release)
    gowrap = re.search(r'(prefix|suffix) = "\.?gowrap"', _read(release, "cmd/compile/internal/ir/func.go"))
    assert value == ("gcenable.gowrap1, gcenable.gowrap2" if gowrap else "gcenable.func1, gcenable.func2")


@pytest.mark.parametrize("release", RELEASES)
def test_doinit1_where_the_source_has_it(release):
    value = _value("doinit", release)
    assert ("doInit1" in value) == ("func doInit1(" in _read(release, "runtime/proc.go"))


@pytest.mark.parametrize("release", RELEASES)
def test_malloc_functions_are_that_releases(release):
    value = _value("mallocs", release)
    runtime_src = "".join(p.read_text() for p in (_src(release) / "runtime").glob("malloc*.go"))
    defined = set(re.findall(r"^func (mallocgc\w*)\(", runtime_src, re.M))
    listed, specialised = history.malloc_functions(value)
    assert set(listed) <= defined, set(listed) - defined
    assert ("mallocgcLarge" in listed) == ("mallocgcLarge" in defined)  # the split of Go 1.24
    # size-specialised functions are linked only when the experiment is on by default
    assert (specialised > 0) == _on(release, "SizeSpecializedMalloc"), (value, _baseline(release))


@pytest.mark.parametrize("release", RELEASES)
def test_new_calls_newobject_unless_size_specialised(release):
    value = _value("newcalls", release)
    if _on(release, "SizeSpecializedMalloc"):
        assert value.startswith("mallocgc") and f"func {value}(" in "".join(
            p.read_text() for p in (_src(release) / "runtime").glob("malloc*.go")), value
    else:
        assert value == "newobject"


def _load_factor(release: str) -> tuple[int, int]:
    """loadFactorNum and loadFactorDen of that release's runtime/map.go, evaluated as Go evaluates integer
    constants (``/`` truncates: Go 1.21's ``(bucketCnt * 13 / 16) * loadFactorDen`` is 12, a load of 6, where
    1.19 and 1.22 say 13/2)."""
    text = _read(release, "runtime/map.go")
    den = int(re.search(r"^\s*loadFactorDen\s*=\s*(\d+)", text, re.M)[1])
    expr = re.search(r"^\s*loadFactorNum\s*=\s*(.+?)\s*(//.*)?$", text, re.M)[1]
    expr = re.sub(r"\b(abi\.MapBucketCount|bucketCnt)\b", "8", expr).replace("loadFactorDen", str(den))
    assert re.fullmatch(r"[\d\s*/()+-]+", expr), expr
    assert "bucketCnt     = 1 << bucketCntBits" in text or "abi.MapBucketCount" in text  # 8 slots a bucket
    return eval(expr.replace("/", "//")), den  # noqa: S307 - digits and operators only (checked above)


def _old_map_bytes(release: str, n: int) -> int:
    """The bucket array of the pre-Swiss map for n entries, from that release's runtime/map.go: 8 slots a
    bucket, grown when count > loadFactorNum * (2^B / loadFactorDen) (overLoadFactor), 2^(B-4) overflow buckets
    preallocated for B >= 4 (makeBucketArray)."""
    num, den = _load_factor(release)
    b = 0
    while n > 8 and n > num * ((1 << b) // den):
        b += 1
    buckets = (1 << b) + ((1 << (b - 4)) if b >= 4 else 0)
    return buckets * (8 + 8 * 8 + 8 * 8 + 8)  # tophash, 8 keys, 8 values, overflow pointer


def test_go121_load_factor_is_six():
    """Go 1.21's map grew at 6 entries a bucket, not 6.5: integer division in its constant."""
    _chain("1.21")
    _chain("1.22")
    assert _load_factor("1.21") == (12, 2) and _load_factor("1.22") == (13, 2)


@pytest.mark.parametrize("release", RELEASES)
def test_map_bytes_match_that_releases_map(release):
    value = float(_value("mapentry", release).split()[0])
    n = history.MAP_ENTRIES
    old = _old_map_bytes("1.23", n) if release != "1.23" else _old_map_bytes(release, n)
    swiss = (_src(release) / "internal/runtime/maps").is_dir() and (
        _on(release, "SwissMap") or not (_src(release) / "runtime/map_noswiss.go").is_file())
    if swiss:
        assert "maxAvgGroupLoad = 7" in _read(release, "internal/runtime/maps/group.go")
        slots = math.ceil(n * 8 / 7)
        floor = slots / 8 * (8 + 8 * 16)  # groups of 8 slots and a control word, at most 7/8 full
        assert floor <= value * n < old, (value, floor, old)
    else:
        derived = _old_map_bytes(release, n)
        assert derived <= value * n <= derived * 1.05, (value * n, derived)  # plus overflow buckets


@pytest.mark.parametrize("release", RELEASES)
def test_greentea_in_the_binary_iff_in_the_baseline(release):
    value = _value("greentea", release)
    if not history.greentea_only(_src(release)):
        assert value == "not in this release"
        return
    assert value.startswith("on") == _on(release, "GreenTeaGC"), (value, _baseline(release))
    exp = history.observe("greenteaexp", releases=[release], fetch=False)[release]
    assert exp.startswith("on ("), exp  # the experiment builds it in wherever the source has it


@pytest.mark.parametrize("release", RELEASES)
def test_scan_line_is_the_one_that_release_prints(release):
    value = _value("scanline", release)
    mgc = _read(release, "runtime/mgc.go")
    if "dumpScanStats()" not in mgc:
        assert value == "none"
        return
    name = "runtime/mgcmark_greenteagc.go" if _on(release, "GreenTeaGC") else "runtime/mgcmark_nogreenteagc.go"
    body = _read(release, name).split("func dumpScanStats()", 1)[1].split("\n}\n", 1)[0]
    assert value == ("objects and spans" if '" spans' in body else "objects"), (value, name)


@pytest.mark.parametrize("release", RELEASES)
def test_leak_profile_where_registered(release):
    value = _value("leak", release)
    pprof = _read(release, "runtime/pprof/pprof.go")
    registered = re.search(r'^\t+"goroutineleak":\s+goroutineLeakProfile', pprof, re.M) is not None or (
        "if goexperiment.GoroutineLeakProfile {" in pprof and _on(release, "GoroutineLeakProfile"))
    assert value == ("3 leaked" if registered else "no profile"), value


@pytest.mark.parametrize("release", RELEASES)
def test_leak_experiment_where_the_release_has_it(release):
    """GOEXPERIMENT=goroutineleakprofile builds where internal/goexperiment has the flag (Go 1.26: the profile is
    registered only under it); elsewhere the toolchain refuses an unknown experiment."""
    value = _value("leakexp", release)
    has_flag = (_src(release) / "internal/goexperiment/exp_goroutineleakprofile_on.go").is_file()
    gated = "if goexperiment.GoroutineLeakProfile {" in _read(release, "runtime/pprof/pprof.go")
    assert value == ("no such experiment" if not has_flag else "3 leaked" if gated else "no profile"), value


@pytest.mark.parametrize("release", RELEASES)
def test_p_states_in_dwarf_are_runtime2s(release):
    value = _value("psyscall", release)
    runtime2 = _read(release, "runtime/runtime2.go")
    expect = "_Psyscall_unused" if re.search(r"^\t_Psyscall_unused\b", runtime2, re.M) else "_Psyscall"
    assert re.search(rf"^\t{expect}\b", runtime2, re.M)
    assert value == expect, value


def test_dwarf_names_finds_a_constant_and_not_a_made_up_one():
    from gosim import toolchain as tc

    binary = tc.build("hello")
    assert history.dwarf_names(binary, ["runtime._Prunning", "runtime._Pnotastate"]) == ["runtime._Prunning"]


def test_every_observed_row_says_where_to_verify_it():
    keys = [r.key for r in history.OBSERVED]
    assert len(keys) == len(set(keys))
    per_chapter = {}
    for row in history.OBSERVED:
        assert row.evidence and row.since and row.how and row.programs, row.key
        per_chapter.setdefault(row.chapter.split()[0], []).append(row.key)
    assert all(len(v) >= 2 for k, v in per_chapter.items()), per_chapter
    with pytest.raises(ValueError, match="key must be one of"):
        history.observed("nope")
    # each told row an observed row says it shows exists (the history page links the two)
    told = {f"{c.chapter.split()[0]}: {c.topic}" for c in history.changes()}
    for row in history.OBSERVED:
        assert set(row.shows) <= told, (row.key, set(row.shows) - told)


@pytest.mark.parametrize("release", RELEASES)
def test_lab_order_is_the_model_of_that_releases_rule(release):
    """initlab's package order under each release against the init-order model (gosim.inits) with the rule that
    release's source has: the linker sorts the init tasks (cmd/link/internal/ld/inittask.go, Go 1.21) or the
    runtime walks each task's dependencies (Go 1.19)."""
    from gosim import inits
    from gosim.toolchain.initgraph import program_graph
    from gosim.toolchain.go import program_dir

    value = _value("laborder", release)
    linker_sorts = (_src(release) / "cmd/link/internal/ld/inittask.go").is_file()
    graph = inits.Program.from_data(program_graph(program_dir("initlab")))
    rule = "current" if linker_sorts else "go1.19"
    predicted = [p.removeprefix("lab/") for p in inits.package_order(graph, rule) if p in history.LAB]
    assert value.split(" → ") == predicted, (value, predicted, rule)


@pytest.mark.parametrize("release", RELEASES)
def test_inittask_layout_is_that_releases(release):
    value = _value("inittask", release)
    proc = _read(release, "runtime/proc.go")
    struct = proc.split("type initTask struct {", 1)[1].split("\n}", 1)[0]
    assert value == ("deps + functions" if "ndeps" in struct else "functions only"), (value, struct)


def test_malloc_functions_parses_the_cell_back():
    assert history.malloc_functions("mallocgc") == (["mallocgc"], 0)
    assert history.malloc_functions("mallocgc + Large, Tiny (+3 size-specialised)") == (
        ["mallocgc", "mallocgcLarge", "mallocgcTiny"], 3)
    with pytest.raises(ValueError, match="value must be a mallocs cell"):
        history.malloc_functions("newobject")
