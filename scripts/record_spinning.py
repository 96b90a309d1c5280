#!/usr/bin/env python
"""Record the real runtime's spinning threads for chapter 5's "Spinning threads" (tests/data/sched/spinning.json):
``gosim/programs/schedspin -k 4 -work 50us -every 1ms -d 2s`` at GOMAXPROCS=2 under GODEBUG=schedtrace=1 and with
``-trace`` in the same run, ``--runs`` times (default 9). Per run: the SCHED lines reduced by
`gosim.sched.spinning.spin_stats` (and the count of lines by spinning threads), ticks, wall and CPU time, threads,
and the wake latencies from its trace (`gosim.checks.spinning.wake_latencies`: mean, median, p10, p90, and
its 0th to 100th percentiles). Then the same
program untraced at GOMAXPROCS 1, 2 and 4, ``--runs`` times each: its CPU time (what spinning costs).

    .venv/bin/python scripts/record_spinning.py [--runs 9]
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gosim import toolchain as tc  # noqa: E402
from gosim.checks.spinning import SKIP_NS, wake_latencies  # noqa: E402
from gosim.sched.spinning import spin_stats  # noqa: E402
from gosim.toolchain import rtrace  # noqa: E402
from gosim.toolchain import schedtrace as st  # noqa: E402

OUT = ROOT / "tests" / "data" / "sched" / "spinning.json"
K, WORK, EVERY, DURATION = 4, "50us", "1ms", "2s"
ARGS = ["-k", str(K), "-work", WORK, "-every", EVERY, "-d", DURATION]


def parse(stdout: str) -> dict:
    return {k: int(v) for k, v in (line.split() for line in stdout.splitlines() if line.strip())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    binary = tc.build("schedspin")
    out = {"gomaxprocs": 2, "k": K, "work_ns": 50_000, "every": EVERY, "duration_ns": 2_000_000_000,
           "schedtrace_ms": 1, "runs": [], "cpu": {}}
    for i in range(a.runs):
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/run.trace"
            r = tc.run(binary, [*ARGS, "-trace", path], env={"GOMAXPROCS": "2"}, godebug="schedtrace=1",
                       timeout=120)
            events, _ = rtrace.parse_transitions(rtrace.dump(path))
        lat = sorted(wake_latencies(events))
        rows = st.parse_schedtrace(r.stderr)
        stats = spin_stats(rows, SKIP_NS // 1_000_000)
        run = {**parse(r.stdout), "stats": stats.__dict__,
               "spinning_lines": dict(sorted(collections.Counter(x.spinningthreads for x in rows
                                                                  if x.ms >= SKIP_NS // 1_000_000).items())),
               "wake_mean_ns": int(statistics.mean(lat)), "wake_median_ns": int(statistics.median(lat)), "wake_p10_ns": lat[len(lat) // 10],
               "wake_p90_ns": lat[len(lat) * 9 // 10], "wakes": len(lat),
               "wake_percentiles_ns": [lat[i * (len(lat) - 1) // 100] for i in range(101)]}
        out["runs"].append(run)
        print(i, {k: v for k, v in run.items() if k not in ("stats", "wake_percentiles_ns")}, stats, flush=True)
    for procs in (1, 2, 4):
        out["cpu"][str(procs)] = []
        for _ in range(a.runs):
            r = tc.run(binary, ARGS, env={"GOMAXPROCS": str(procs)}, timeout=120)
            out["cpu"][str(procs)].append(parse(r.stdout))
        print("GOMAXPROCS", procs, [x["cpu_ns"] / 1e6 for x in out["cpu"][str(procs)]], flush=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
