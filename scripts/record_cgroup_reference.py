#!/usr/bin/env python
"""Record chapter 5's container runs (tests/data/sched/cgroup.json): cgroupprobe inside a cgroup with a CPU quota.

Needs root and a writable cgroup CPU controller (gosim/toolchain/cgroup.py says why not, otherwise). Each
configuration (a quota, GOMAXPROCS left to the runtime or set to 1) runs ``--runs`` times (default 7), the
configurations interleaved so that the machine's load falls on all of them alike. The group gets the highest CPU
weight, so that the other processes of this shared machine do not blur the throttling; the quota still caps it.

    .venv/bin/python scripts/record_cgroup_reference.py [--runs 7]
    .venv/bin/python scripts/record_cgroup_reference.py --only update   # just the update runs, merged in

"update": cgroupprobe -shrink (no cgroup needed): the process restricts its threads to one CPU at 300 ms and
restores them at 1.8 s, watching GOMAXPROCS; with GOMAXPROCS unset, with GOMAXPROCS=2, with updatemaxprocs=0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gosim import toolchain as tc  # noqa: E402
from gosim.toolchain import cgroup as cg  # noqa: E402

OUT = ROOT / "tests" / "data" / "sched" / "cgroup.json"
PERIOD_US = 100_000
WEIGHT = 262_144
RULE_CPUS = (1, 2, 3, 4, 6, 8, 16)
# (name, quota µs per period or None, $GOMAXPROCS or None)
CONFIGS = [
    ("q50-default", 50_000, None),
    ("q50-p1", 50_000, 1),
    ("q100-default", 100_000, None),
    ("q100-p1", 100_000, 1),
    ("none-default", None, None),
]


def one(binary, quota, procs, duration: str) -> dict:
    env = {"GOMAXPROCS": str(procs)} if procs else {}
    r = cg.run(binary, ["-d", duration, "-rule", ",".join(map(str, RULE_CPUS))], quota_us=quota,
               period_us=PERIOD_US, weight=WEIGHT, env=env)
    p = cg.parse_probe(r.run.stdout)
    return {"gomaxprocs": p.gomaxprocs, "numcpu": p.numcpu, "rule": {str(k): v for k, v in p.rule.items()},
            "stat": r.stat, "seconds": round(p.seconds, 4),
            "gaps": [[w, round(s, 3), round(g, 3)] for w, s, g in p.gaps],
            "late_ms": [round(x, 3) for x in p.late_ms]}


UPDATES = [("default", {}), ("env", {"GOMAXPROCS": "2"}), ("godebug", {"GODEBUG": "updatemaxprocs=0"})]


def update_run(binary, env: dict) -> dict:
    r = tc.run(binary, ["-d", "3s", "-shrink", "300ms", "-restore", "1500ms"], env=env)
    return {"lines": r.lines}


def record_updates(out: dict, binary, runs: int) -> None:
    out["update"] = {name: [] for name, _ in UPDATES}
    for i in range(runs):
        for name, env in UPDATES:
            out["update"][name].append(update_run(binary, env))
            print(f"update run {i + 1} {name}:", " | ".join(out["update"][name][-1]["lines"]), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--duration", default="1s")
    ap.add_argument("--only", choices=["update"], help="record only this part, merged into the file")
    args = ap.parse_args()
    binary = tc.build("cgroupprobe", ldflags="-checklinkname=0")
    if args.only == "update":
        out = json.loads(OUT.read_text())
        record_updates(out, binary, args.runs)
        OUT.write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n")
        print("wrote", OUT)
        return
    reason = cg.available()
    if reason:
        sys.exit(reason)
    out = {"period_us": PERIOD_US, "weight": WEIGHT, "duration": args.duration, "runs": args.runs,
           "toolchain": tc.version(), "recorded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "configs": {name: {"quota_us": q, "gomaxprocs_env": p, "runs": []} for name, q, p in CONFIGS}}
    for i in range(args.runs):
        for name, quota, procs in CONFIGS:
            run = one(binary, quota, procs, args.duration)
            out["configs"][name]["runs"].append(run)
            print(f"run {i + 1} {name}: gomaxprocs={run['gomaxprocs']} {run['stat']}", flush=True)
    record_updates(out, binary, args.runs)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
