"""Chapter 5's container checks: the GOMAXPROCS rule and the CFS-throttling model beside real runs in a cgroup.

The real runs are cgroupprobe's (gosim/programs/cgroupprobe) inside a group with a CPU quota, recorded ≥ 7 times
per configuration by scripts/record_cgroup_reference.py (tests/data/sched/cgroup.json), or made live by
`gosim.toolchain.cgroup.run`. The rule is checked against what the runtime's own ``defaultGOMAXPROCS`` answered
inside the group for several CPU counts, and against the expectations of the runtime's own tests
(runtime/cgroup_linux_test.go). The throttling model is checked against the kernel's ``cpu.stat`` and the stalls
the program's CPU-bound goroutines saw, with the tolerance taken from the spread of the recorded runs.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from ..sched import cgroup as model
from .sched import REFERENCE_DIR, Comparison

# A worker's clock gap this long is a throttling stall: longer than any gap of the recorded runs without a quota
# (the longest, 10.4 ms, when the machine's other processes took a CPU), shorter than any stall the quotas cause.
STALL_MS = 15.0


def reference(name: str = "cgroup.json") -> dict:
    """The recorded runs (scripts/record_cgroup_reference.py)."""
    path = REFERENCE_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run scripts/record_cgroup_reference.py (as root) to record it")
    return json.loads(path.read_text())


def quantile(xs, q: float) -> float:
    """The q-quantile (nearest rank below), 0 for no data."""
    xs = sorted(xs)
    return xs[int(q * (len(xs) - 1))] if xs else 0.0


def run_stats(run: dict, period_us: int) -> dict:
    """One recorded (or live) run's numbers: the runtime's GOMAXPROCS, the median stall of its workers, throttled
    periods per second of the run and throttled time per throttled period (cpu.stat), the probe's lateness."""
    stat = run["stat"]
    stalls = [g for _, _, g in run["gaps"] if g >= STALL_MS]
    throttles = stat.get("nr_throttled", 0)
    tt_ms = stat["throttled_time"] / 1e6 if "throttled_time" in stat else stat.get("throttled_usec", 0) / 1e3
    late = run["late_ms"]
    return {"gomaxprocs": run["gomaxprocs"], "numcpu": run["numcpu"],
            "stall_ms": statistics.median(stalls) if stalls else 0.0, "stalls": len(stalls),
            "longest_gap_ms": max((g for _, _, g in run["gaps"]), default=0.0),
            "throttled_per_s": throttles / run["seconds"] if run["seconds"] else 0.0,
            "throttled_ms_per_period": tt_ms / throttles if throttles else 0.0,
            "throttled_ms_per_s": tt_ms / run["seconds"] if run["seconds"] else 0.0,
            "late_p50_ms": quantile(late, 0.5), "late_p90_ms": quantile(late, 0.9),
            "late_max_ms": max(late, default=0.0), "probes_per_s": len(late) / run["seconds"] if run["seconds"] else 0}


def config_stats(ref: dict, name: str) -> list[dict]:
    return [run_stats(r, ref["period_us"]) for r in ref["configs"][name]["runs"]]


def predict(quota_us, period_us: int, gomaxprocs: int, cpus: int) -> dict:
    """The model's numbers for a run: GOMAXPROCS CPU-bound goroutines keep that many threads runnable."""
    if quota_us is None:
        return {"stall_ms": 0.0, "throttled_per_s": 0.0, "throttled_ms_per_period": 0.0}
    t = model.throttle(quota_us, period_us, threads=gomaxprocs, cpus=cpus)
    return {"stall_ms": t.stall_ms, "throttled_per_s": t.nr_throttled_per_s,
            "throttled_ms_per_period": t.throttled_ms_per_period if t.throttled else 0.0}


QUANTITIES = {"stall_ms": "stall of a worker (median, ms)", "throttled_per_s": "throttled periods per second",
              "throttled_ms_per_period": "throttled time per throttled period (ms)"}


def throttle_checks(ref: dict, name: str) -> list[Comparison]:
    """The model beside one recorded configuration: each quantity's median over the runs, agreeing when the
    difference is within the runs' spread (max - min); for an unthrottled prediction, agreeing when no run has a
    stall and the throttled time stays under 1 % of the run (the runtime's own threads, sysmon and the probe, push
    a group at exactly its quota over it now and then)."""
    cfg = ref["configs"][name]
    stats = config_stats(ref, name)
    procs = {s["gomaxprocs"] for s in stats}
    cpus = {s["numcpu"] for s in stats}
    if len(procs) != 1 or len(cpus) != 1:
        raise ValueError(f"{name}: runs disagree on GOMAXPROCS {procs} or NumCPU {cpus}")
    want = predict(cfg["quota_us"], ref["period_us"], procs.pop(), cpus.pop())
    out = []
    for key, label in QUANTITIES.items():
        values = [s[key] for s in stats]
        med, spread = statistics.median(values), max(values) - min(values)
        if want["stall_ms"] == 0:
            ok = all(s["stalls"] == 0 and s["throttled_ms_per_s"] < 10 for s in stats)
            why = "no stall in any run, throttled < 1 % of the time"
        else:
            ok = abs(want[key] - med) <= spread
            why = f"spread of {len(values)} runs: {min(values):.1f}-{max(values):.1f}"
        out.append(Comparison(f"{name}: {label}", round(want[key], 1), round(med, 1), ok, why))
    return out


def rule_checks(runs: list[dict], quota_us, period_us: int, explicit: int | None = None) -> list[Comparison]:
    """The rule beside the runtime: for each run, GOMAXPROCS as the runtime chose it (NumCPU CPUs, $GOMAXPROCS
    ``explicit`` or unset) and what its own defaultGOMAXPROCS(ncpu) answered for each CPU count asked (exact: the
    rule is deterministic)."""
    out = []
    for i, r in enumerate(runs):
        want = model.default_gomaxprocs(r["numcpu"], quota_us, period_us, explicit=explicit)
        out.append(Comparison(f"run {i + 1}: GOMAXPROCS with {r['numcpu']} CPUs", want, r["gomaxprocs"],
                              want == r["gomaxprocs"], "exact"))
        for ncpu, got in sorted((int(k), v) for k, v in r["rule"].items()):
            want = model.default_gomaxprocs(ncpu, quota_us, period_us)
            out.append(Comparison(f"run {i + 1}: defaultGOMAXPROCS({ncpu})", want, got, want == got, "exact"))
    return out


def runtime_test_table(text: str) -> list[tuple[int, int, int]]:
    """(quota µs, period µs, GOMAXPROCS wanted) from TestCgroupGOMAXPROCSRound in runtime/cgroup_linux_test.go:
    the runtime's own expectations (its tests run them only with 4 or more CPUs, so CPUs never bind)."""
    body = text[text.index("func TestCgroupGOMAXPROCSRound"):]
    body = body[:body.index("\n}\n")]
    period = int(re.search(r"SetCPUMax\(tc\.quota,\s*(\d+)\)", body).group(1))
    pairs = re.findall(r"quota:\s*(\d+),[^}]*?want:\s*(\d+),", body, flags=re.S)
    return [(int(q), period, int(w)) for q, w in pairs]


def parse_watch(lines: list[str]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """cgroupprobe -shrink's output: [(ns, CPUs allowed from then on)], [(ns, GOMAXPROCS seen from then on)]."""
    changes, seen = [], []
    for line in lines:
        f = line.split()
        if f and f[0] == "affinity":
            changes.append((int(f[1]), int(f[2])))
        elif f and f[0] == "watch":
            seen.append((int(f[1]), int(f[2])))
    return changes, seen


def update_checks(ref: dict) -> list[Comparison]:
    """The automatic update beside the recorded -shrink runs: with GOMAXPROCS unset, each change of the CPUs
    shows at sysmon's next once-a-second check, as the model says (its value: the rule for the new CPU count;
    its time: the median over the runs, within their spread); with $GOMAXPROCS set or updatemaxprocs=0 it never
    shows."""
    out = []
    runs = ref["update"]["default"]
    per_change: dict[int, list[tuple[int, int, int]]] = {}
    for run in runs:
        changes, seen = parse_watch(run["lines"])
        current = seen[0][1]
        for k, (at, cpus) in enumerate(changes):
            want = model.sysmon_update(current, cpus)
            after = [(t, p) for t, p in seen if t >= at]
            got_t, got_p = after[0] if after else (None, current)
            per_change.setdefault(k, []).append((model.update_seen_at(at), got_t, got_p, want))
            current = want if want is not None else current
    for k, rows in sorted(per_change.items()):
        wants = {w for _, _, _, w in rows}
        gots = {p for _, _, p, _ in rows}
        out.append(Comparison(f"change {k + 1}: GOMAXPROCS after it", sorted(wants), sorted(gots),
                              len(wants) == 1 and wants == gots, "exact"))
        times = [t / 1e6 for _, t, _, _ in rows if t is not None]
        predicted = [p / 1e6 for p, _, _, _ in rows]
        spread = max(times) - min(times) if times else 0.0
        med = statistics.median(times) if times else float("nan")
        ok = len(times) == len(rows) and abs(statistics.median(predicted) - med) <= spread
        out.append(Comparison(f"change {k + 1}: seen at (ms)", round(statistics.median(predicted), 1),
                              round(med, 1), ok, f"spread of {len(times)} runs: {min(times, default=0):.1f}-"
                              f"{max(times, default=0):.1f}"))
    for name, label, custom, update in (("env", "$GOMAXPROCS=2", True, True),
                                        ("godebug", "GODEBUG=updatemaxprocs=0", False, False)):
        wanted, seen_changes = 0, 0
        for run in ref["update"][name]:
            changes, seen = parse_watch(run["lines"])
            wanted += sum(model.sysmon_update(seen[0][1], c, custom=custom, updatemaxprocs=update) is not None
                          for _, c in changes)
            seen_changes += len(seen) - 1
        out.append(Comparison(f"{label}: GOMAXPROCS changes in {len(ref['update'][name])} runs", wanted,
                              seen_changes, wanted == seen_changes, "exact"))
    return out
