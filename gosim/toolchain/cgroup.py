"""Run a real program inside a cgroup with a CPU quota, as a container runtime would.

The Go runtime (1.25+) reads the CPU limit of the cgroup it starts in (``internal/runtime/cgroup``,
``runtime/cgroup_linux.go``) and lowers GOMAXPROCS to it; the kernel enforces the same limit by throttling
(CFS bandwidth control: at most ``quota`` µs of CPU per ``period`` µs, over all the group's threads). This module
makes a child group named ``gosim-<pid>-<n>`` under this process's own CPU cgroup, sets the quota, starts the
program inside it (the child writes its own pid into ``cgroup.procs`` between fork and exec, so the runtime sees
the group from its first instruction), reads the group's ``cpu.stat`` after the run and removes the group in a
``finally``. Stale ``gosim-*`` groups of processes that no longer exist are removed first.

Both hierarchies are handled: cgroup v1 (the ``cpu`` controller's own mount, ``cpu.cfs_quota_us`` and
``cpu.cfs_period_us``) and cgroup v2 (``cpu.max``, with ``+cpu`` in the parent's ``cgroup.subtree_control``).
v1 is used when a v1 hierarchy has the ``cpu`` controller, as the runtime does (``parseCPUCgroup``). Without root,
or without a writable CPU controller, `controller()` raises `CgroupUnavailable` whose message says why: the
chapter and the tests skip visibly with it.

Runs are recorded and replayed like `Toolchain.run` (``GOSIM_RECORD``, `gosim.toolchain.record`).
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import GoToolchainError
from .go import RUNTIME_ENV, Run

PREFIX = "gosim-"
MAX_PERIOD_US = 1_000_000  # the kernel's max_cfs_quota_period
MIN_PERIOD_US = 1_000  # and min_cfs_quota_period


class CgroupUnavailable(GoToolchainError):
    """No writable CPU cgroup controller here (not root, no ``cpu`` controller, a read-only mount): skip."""


@dataclass(frozen=True)
class Controller:
    """Where this process's CPU cgroup lives and how to set a quota there."""

    version: int  # 1 or 2
    base: Path  # this process's own CPU cgroup: children are made here

    def quota_files(self, quota_us: int | None, period_us: int) -> dict[str, str]:
        """The files and values that set ``quota_us`` per ``period_us`` (``None``: no limit)."""
        if self.version == 1:
            return {"cpu.cfs_period_us": str(period_us),
                    "cpu.cfs_quota_us": "-1" if quota_us is None else str(quota_us)}
        return {"cpu.max": f"{'max' if quota_us is None else quota_us} {period_us}"}


@dataclass(frozen=True)
class CgroupRun:
    """One run inside a group: the program's `Run`, the group's ``cpu.stat`` after it, the limit it had."""

    run: Run
    stat: dict[str, int]
    quota_us: int | None
    period_us: int
    version: int

    @property
    def nr_throttled(self) -> int:
        """Periods in which the group was throttled (v1 and v2 name it the same)."""
        return self.stat.get("nr_throttled", 0)

    @property
    def throttled_ms(self) -> float:
        """Total time the group's runqueues spent throttled (v1: ``throttled_time`` ns, v2: ``throttled_usec``)."""
        if "throttled_time" in self.stat:
            return self.stat["throttled_time"] / 1e6
        return self.stat.get("throttled_usec", 0) / 1e3


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(root, mount point, fstype, super options) of every cgroup mount, from /proc/self/mountinfo."""
    out = []
    try:
        text = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3 or rfields[0] not in ("cgroup", "cgroup2"):
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        out.append((fields[3], point, rfields[0], set(rfields[2].split(","))))
    return out


def _own_groups() -> dict[str, str]:
    """This process's cgroup per hierarchy: ``{"cpu": path}`` for a v1 hierarchy with cpu, ``{"": path}`` for v2."""
    out: dict[str, str] = {}
    try:
        text = Path("/proc/self/cgroup").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        hid, _, rest = line.partition(":")
        ctrls, _, path = rest.partition(":")
        if hid == "0":
            out[""] = path
        elif "cpu" in ctrls.split(","):
            out["cpu"] = path
    return out


def _under(mount_root: str, point: str, path: str) -> Path:
    rel = os.path.relpath(path, mount_root) if path.startswith(mount_root) else path.lstrip("/")
    return Path(point) / ("" if rel == "." else rel.lstrip("/"))


def controller() -> Controller:
    """The CPU controller this process can make child groups in, or `CgroupUnavailable` saying why not."""
    if os.geteuid() != 0:
        raise CgroupUnavailable("skipped: making a cgroup with a CPU quota needs root (this process runs as uid "
                                f"{os.geteuid()})")
    own = _own_groups()
    mounts = _mounts()
    if "cpu" in own:
        for root, point, fstype, opts in mounts:
            if fstype == "cgroup" and "cpu" in opts:
                base = _under(root, point, own["cpu"])
                if not (base / "cpu.cfs_quota_us").exists():
                    break
                if not os.access(base, os.W_OK) or "ro" in opts:
                    raise CgroupUnavailable(f"skipped: the cgroup v1 cpu hierarchy at {base} is not writable")
                return Controller(1, base)
        raise CgroupUnavailable("skipped: this process is in a cgroup v1 cpu hierarchy, but its mount "
                                "(with cpu.cfs_quota_us) was not found in /proc/self/mountinfo")
    if "" in own:
        for root, point, fstype, opts in mounts:
            if fstype == "cgroup2":
                base = _under(root, point, own[""])
                try:
                    controllers = (base / "cgroup.controllers").read_text().split()
                except OSError:
                    continue
                if "cpu" not in controllers:
                    raise CgroupUnavailable(f"skipped: the cgroup v2 group {base} has no cpu controller "
                                            f"(cgroup.controllers: {' '.join(controllers) or 'empty'})")
                if not os.access(base, os.W_OK) or "ro" in opts:
                    raise CgroupUnavailable(f"skipped: the cgroup v2 hierarchy at {base} is not writable")
                return Controller(2, base)
    raise CgroupUnavailable("skipped: no cgroup CPU controller found (/proc/self/cgroup has neither a v1 'cpu' "
                            "hierarchy nor a v2 group)")


def available() -> str | None:
    """``None`` if groups with a CPU quota can be made here, else the reason they cannot (for a visible skip)."""
    try:
        controller()
    except CgroupUnavailable as exc:
        return str(exc)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(ctl: Controller) -> list[str]:
    """Remove ``gosim-<pid>-*`` groups whose maker ``pid`` is gone (a crashed run's leftovers); return their names.
    A group still holding processes cannot be removed and is left (rmdir fails with EBUSY)."""
    removed = []
    for child in sorted(ctl.base.glob(PREFIX + "*")):
        m = re.fullmatch(PREFIX + r"(\d+)-\d+", child.name)
        if not child.is_dir() or (m and _alive(int(m.group(1)))):
            continue
        try:
            child.rmdir()
            removed.append(child.name)
        except OSError:
            pass
    return removed


_counter = 0


def _check_limit(quota_us: int | None, period_us: int) -> None:
    if not isinstance(period_us, int) or not MIN_PERIOD_US <= period_us <= MAX_PERIOD_US:
        raise ValueError(f"period_us={period_us!r}: the kernel takes a CFS period from {MIN_PERIOD_US} to "
                         f"{MAX_PERIOD_US} µs")
    if quota_us is not None and (not isinstance(quota_us, int) or quota_us < MIN_PERIOD_US):
        raise ValueError(f"quota_us={quota_us!r}: give None (no limit) or an integer of at least {MIN_PERIOD_US} "
                         "µs (the kernel's minimum quota)")


@contextmanager
def group(quota_us: int | None, period_us: int = 100_000, weight: int | None = None) -> Iterator[Path]:
    """A fresh ``gosim-*`` child group with ``quota_us`` of CPU per ``period_us`` (µs), removed on exit.

    ``weight`` (optional) sets the group's CPU weight against the other processes of the parent group (v1
    ``cpu.shares``, v2 ``cpu.weight``, capped at the kernel's maximum): on a shared machine a high weight keeps
    the other processes from blurring the throttling the quota causes. The quota still caps the group."""
    global _counter
    _check_limit(quota_us, period_us)
    ctl = controller()
    remove_stale(ctl)
    _counter += 1
    path = ctl.base / f"{PREFIX}{os.getpid()}-{_counter}"
    try:
        path.mkdir()
    except OSError as exc:
        raise CgroupUnavailable(f"skipped: cannot make a cgroup under {ctl.base}: {exc.strerror}") from exc
    try:
        if ctl.version == 2:
            control = ctl.base / "cgroup.subtree_control"
            if "cpu" not in control.read_text().split():
                try:
                    control.write_text("+cpu")
                except OSError as exc:
                    raise CgroupUnavailable(f"skipped: cannot enable the cpu controller for children of "
                                            f"{ctl.base} ({exc.strerror}; a v2 group with processes of its own "
                                            "cannot delegate controllers)") from exc
        for name, value in ctl.quota_files(quota_us, period_us).items():
            (path / name).write_text(value)
        if weight:  # v1 cpu.shares 2..262144, v2 cpu.weight 1..10000: the group's share against its siblings
            name, top = ("cpu.shares", 262144) if ctl.version == 1 else ("cpu.weight", 10000)
            (path / name).write_text(str(min(top, weight)))
        yield path
    finally:
        for _ in range(50):  # the exited child leaves the group a moment after wait() returns (EBUSY till then)
            try:
                path.rmdir()
                break
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    break
                time.sleep(0.02)


def read_stat(path: Path) -> dict[str, int]:
    """A group's ``cpu.stat`` as numbers."""
    out = {}
    for line in (path / "cpu.stat").read_text().splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            out[key] = int(value)
    return out


def run(binary: str | os.PathLike, args=(), *, quota_us: int | None, period_us: int = 100_000,
        weight: int | None = None, env: dict[str, str] | None = None, godebug: str | None = None, timeout: float = 120,
        check: bool = True) -> CgroupRun:
    """Run a built program inside a new group with ``quota_us`` per ``period_us``; see `Toolchain.run` for
    ``env``/``godebug`` (the caller's GOMAXPROCS, GODEBUG, ... are not inherited).

    Raises `CgroupUnavailable` (a skip) when no group can be made here, before anything runs (a run recorded
    under ``GOSIM_RECORD`` replays without one).
    """
    from . import record

    _check_limit(quota_us, period_us)
    run_env = {k: v for k, v in os.environ.items() if k not in RUNTIME_ENV}
    run_env.update(env or {})
    if godebug is not None:
        run_env["GODEBUG"] = godebug
    argv = (str(binary), *map(str, args))

    def execute() -> CgroupRun:
        ctl = controller()
        with group(quota_us, period_us, weight) as path:
            procs = str(path / "cgroup.procs")

            def enter() -> None:  # in the child, between fork and exec
                fd = os.open(procs, os.O_WRONLY)
                try:
                    os.write(fd, str(os.getpid()).encode())
                finally:
                    os.close(fd)

            start = time.perf_counter()
            try:
                proc = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=timeout,
                                      cwd=Path(binary).parent, preexec_fn=enter)
            except subprocess.TimeoutExpired as exc:
                raise GoToolchainError(f"{Path(binary).name} did not finish within {timeout} s") from exc
            except subprocess.SubprocessError as exc:
                raise CgroupUnavailable(f"skipped: could not start {Path(binary).name} inside {path}: {exc}") from exc
            seconds = time.perf_counter() - start
            stat = read_stat(path)
        result = Run((Path(binary).name, *argv[1:]), proc.returncode, proc.stdout, proc.stderr, seconds)
        return CgroupRun(result, stat, quota_us, period_us, ctl.version)

    given = {k: v for k, v in run_env.items() if k in RUNTIME_ENV or k in (env or {})}
    key = {"args": argv[1:], "env": given, "quota_us": quota_us, "period_us": period_us, "weight": weight}
    result = record.replay(
        "cgroup", binary, key, execute,
        lambda r: {"run": {**r.run.__dict__, "args": list(r.run.args)}, "stat": r.stat, "quota_us": r.quota_us,
                   "period_us": r.period_us, "version": r.version},
        lambda d: CgroupRun(Run(**{**d["run"], "args": tuple(d["run"]["args"])}), d["stat"], d["quota_us"],
                            d["period_us"], d["version"]))
    if check and result.run.returncode != 0:
        raise GoToolchainError(f"{Path(binary).name} exited with status {result.run.returncode} in a cgroup:\n"
                               f"{result.run.stderr.strip()[-2000:]}")
    return result


@dataclass(frozen=True)
class Probe:
    """What ``gosim/programs/cgroupprobe`` printed: the runtime's GOMAXPROCS and NumCPU, the rule's answers,
    each worker's clock gaps (ms, with their start), the probe's wake-up lateness (ms) and the run's length."""

    gomaxprocs: int
    numcpu: int
    rule: dict[int, int]  # ncpu -> runtime.defaultGOMAXPROCS(ncpu)
    gaps: list[tuple[int, float, float]]  # (worker, start ms, length ms)
    late_ms: list[float]
    seconds: float

    def stalls(self, at_least_ms: float) -> list[float]:
        """The gaps of at least ``at_least_ms``, in ms."""
        return [g for _, _, g in self.gaps if g >= at_least_ms]


def parse_probe(stdout: str) -> Probe:
    """Parse cgroupprobe's output (see its main.go)."""
    gomaxprocs = numcpu = 0
    rule: dict[int, int] = {}
    gaps: list[tuple[int, float, float]] = []
    late: list[float] = []
    seconds = 0.0
    for line in stdout.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "gomaxprocs":
            gomaxprocs, numcpu = int(f[1]), int(f[3])
        elif f[0] == "rule":
            rule[int(f[1])] = int(f[2])
        elif f[0] == "gap":
            start, end = int(f[2]), int(f[3])
            gaps.append((int(f[1]), start / 1e6, (end - start) / 1e6))
        elif f[0] == "probe":
            late.append(int(f[1]) / 1e6)
        elif f[0] == "done":
            seconds = int(f[1]) / 1e9
    return Probe(gomaxprocs, numcpu, rule, gaps, late, seconds)
