"""python -m gosim inits: output format, the order switch, the standard library, errors and exit codes, speed."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from gosim import toolchain as tc

STEP = re.compile(r"^(var \S+ \S+|init \S+ [^\s:]+\.go:\d+)$")
pytestmark = pytest.mark.slow


def gosim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gosim", "inits", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def test_seed_program():
    proc = gosim(tc.program_dir("seedinit"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["init seedinit/lib sum.go:3", "init main main.go:11", "init main main.go:19",
                                        "init main test.go:7"]


def test_order_switch():
    current = gosim(tc.program_dir("initlex")).stdout.splitlines()
    old = gosim(tc.program_dir("initlex"), "--order", "go1.19").stdout.splitlines()
    assert current == ["var lexorder/mid M", "init lexorder/mid mid.go:7", "var lexorder/alpha A",
                       "init lexorder/alpha alpha.go:9", "var lexorder/zeta Z", "init lexorder/zeta zeta.go:7",
                       "var main a", "var main b", "init main main.go:15"]
    assert old == current[4:6] + current[:4] + current[6:]
    # the variant's old name is still accepted
    assert gosim(tc.program_dir("initlex"), "--order", "pre-1.21").stdout.splitlines() == old


def test_every_line_is_a_step_and_std_only_when_asked():
    plain = gosim(tc.program_dir("seedinit")).stdout.splitlines()
    full = gosim(tc.program_dir("seedinit"), "--std").stdout.splitlines()
    assert all(STEP.match(line) for line in full)
    assert len(full) > 1000
    assert [line for line in full if line.split()[1] in ("main", "seedinit/lib")] == plain
    assert full[-3:] == plain[-3:] and full.index("init seedinit/lib sum.go:3") < full.index("var net/http "
                                                                                             "DefaultClient")
    runtime_inits = [line for line in full if line.startswith("init runtime ")]
    assert runtime_inits and full.index(runtime_inits[0]) < full.index(plain[0])
    assert any(line.startswith("var net/http ") for line in full)


def test_packages_only():
    out = gosim(tc.program_dir("seedinit"), "--packages", "--std").stdout.splitlines()
    assert out[:3] == ["internal/bytealg", "internal/runtime/gc/scan", "runtime"]
    assert out[-1] == "main" and "net/http" in out and out.index("seedinit/lib") < out.index("net/http")
    assert gosim(tc.program_dir("seedinit"), "--packages").stdout.splitlines() == ["seedinit/lib", "main"]


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_not_a_module(tmp_path):
    assert "not a Go module (no go.mod)" in one_line_error(gosim(tmp_path))
    assert "no such directory" in one_line_error(gosim(tmp_path / "nothing"))


def test_no_main_package(make_module):
    directory = make_module({"lib.go": "// Package lib is a library.\npackage lib\n"})
    message = one_line_error(gosim(directory))
    assert message.endswith("lib.go:2: package lib is not a main package (example): "
                            "inits needs the module root of a program")


def test_syntax_error_names_file_and_line(make_module):
    directory = make_module({"main.go": "package main\n\nimport _ \"example/lib\"\n\nfunc main() {}\n",
                             "lib/lib.go": "package lib\n\nvar x = \n"})
    assert re.search(r"/lib/lib\.go:4: syntax error", one_line_error(gosim(directory)))


def test_type_error_names_file_and_line(make_module):
    directory = make_module({"main.go": "package main\n\nvar x int = \"s\"\n\nfunc main() {}\n"})
    message = one_line_error(gosim(directory))
    assert re.search(r"/main\.go:3: cannot use \"s\"", message), message


def test_initialization_cycle_is_a_compile_error(make_module):
    directory = make_module({"main.go": "package main\n\nvar a = f()\n\nfunc f() int { return a }\n\n"
                                        "func main() {}\n"})
    assert re.search(r"/main\.go:3: initialization cycle", one_line_error(gosim(directory)))


def test_bad_order_is_a_usage_error():
    proc = gosim(tc.program_dir("seedinit"), "--order", "1.10")
    assert proc.returncode == 2 and "usage:" in proc.stderr and "invalid choice: '1.10'" in proc.stderr


def test_warm_run_with_the_standard_library_is_fast():
    """The issue's bar: under 2 s with a warm cache on a program importing net/http (the seed)."""
    gosim(tc.program_dir("seedinit"), "--std")  # warm the cache
    start = time.perf_counter()
    proc = gosim(tc.program_dir("seedinit"), "--std")
    seconds = time.perf_counter() - start
    assert proc.returncode == 0
    assert seconds < 2.0, f"warm inits --std took {seconds:.2f} s"
