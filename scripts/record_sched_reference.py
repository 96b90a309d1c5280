#!/usr/bin/env python
"""Record the real scheduler's reference values for chapter 5's tests (tests/data/sched/*.json).

The machine is small and shared (2 vCPUs), so every measurement is repeated (``--runs``, default 5) and the
tests compare with medians. Run it again after a toolchain upgrade:

    .venv/bin/python scripts/record_sched_reference.py [--runs 5]
    .venv/bin/python scripts/record_sched_reference.py --only slices   # just that part, merged in

Writes:
  reference.json   time slices (timeslice, GOMAXPROCS=1), schedticks per P per 100 ms and fairness (cpubound,
                   GOMAXPROCS 1/2/4), the GOMAXPROCS=1 global-queue rows, the asyncpreemptoff starvation,
                   the schedwork workloads (syscall, fanout, prodcons at GOMAXPROCS=2)
                   and "slices": per run, the real length of sysmon's sleeps (schedsleep) measured just before
                   timeslice's slices without and with the nanosleep goroutine (-sys 1)
  trace_cpubound_p2.json  a runtime/trace of cpubound (GOMAXPROCS=2, 4 goroutines) as per-P intervals
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gosim import toolchain as tc  # noqa: E402
from gosim.toolchain import rtrace  # noqa: E402
from gosim.toolchain import schedtrace as st  # noqa: E402

OUT = ROOT / "tests" / "data" / "sched"
GOROUTINES = 20
DURATION = "500ms"


def rates(rows) -> list[float]:
    """schedtick increments per P per 100 ms between consecutive rows, after the first 100 ms."""
    out = []
    for a, b in zip(rows, rows[1:]):
        if a.ms >= 100 and b.ms > a.ms and len(a.schedticks) == len(b.schedticks):
            out += [(tb - ta) * 100 / (b.ms - a.ms) for ta, tb in zip(a.schedticks, b.schedticks)]
    return out


def row_dict(r) -> dict:
    return {"ms": r.ms, "gomaxprocs": r.gomaxprocs, "idleprocs": r.idleprocs, "threads": r.threads,
            "spinningthreads": r.spinningthreads, "needspinning": r.needspinning, "idlethreads": r.idlethreads,
            "runqueue": r.runqueue, "runq": list(r.runq), "schedticks": list(r.schedticks)}


def record_slices(runs: int) -> dict:
    """Per run: sysmon's sleeps as this machine lasts them (schedsleep, median of 30 calls per length), then
    timeslice -g 2 (600 ms) and timeslice -g 2 -sys 1 (600 ms) right after, so each run's sleeps and slices
    come from the same moment of the machine's load."""
    out = []
    for _ in range(runs):
        sleeps = st.measure_sleeps()
        row = {"sleeps": {str(k): v for k, v in sleeps.items()}}
        for key, extra in (("plain", []), ("sys", ["-sys", 1])):
            run = st.run_program("timeslice", 1, ["-g", 2, *extra, "-d", "600ms"], schedtrace_ms=None)
            row[key] = [round((e - b) / 1e6, 4) for _, b, e in st.parse_slices(run.stdout)]
        out.append(row)
        print("slices: sleep(10ms)", sleeps[10000], "sleep(20us)", sleeps[20], "plain p50",
              statistics.median(row["plain"]), "sys p50", statistics.median(row["sys"]), file=sys.stderr)
    return {"gomaxprocs": 1, "goroutines": 2, "duration": "600ms", "runs": out}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=["slices"], help="record only this part and merge it into reference.json")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only == "slices":
        ref = json.loads((OUT / "reference.json").read_text())
        ref["slices"] = record_slices(args.runs)
        (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
        return 0
    ref: dict = {"toolchain": tc.version(), "runs": args.runs, "goroutines": GOROUTINES, "duration": DURATION}

    slices_ms: list[float] = []
    per_run_p50 = []
    for g in (2, 4):
        for _ in range(args.runs):
            run = st.run_program("timeslice", 1, ["-g", g, "-d", DURATION], schedtrace_ms=None)
            s = [(e - b) / 1e6 for _, b, e in st.parse_slices(run.stdout)]
            slices_ms += s
            per_run_p50.append(statistics.median(s))
    slices_ms.sort()
    q = statistics.quantiles(slices_ms, n=10)
    ref["timeslice"] = {"gomaxprocs": 1, "goroutines": [2, 4], "n": len(slices_ms), "p10_ms": q[0],
                        "p50_ms": statistics.median(slices_ms), "p90_ms": q[-1], "per_run_p50_ms": per_run_p50}
    print("timeslice p50", ref["timeslice"]["p50_ms"], "ms over", len(slices_ms), "slices", file=sys.stderr)

    ref["cpubound"] = {}
    for procs in (1, 2, 4):
        rs, fair, runs_rows = [], [], []
        for _ in range(args.runs):
            run = st.run_program("cpubound", procs, ["-g", GOROUTINES, "-d", DURATION])
            rs += rates(run.rows)
            work = st.parse_work(run.stdout)
            fair.append(min(work) / max(work))
            runs_rows.append([row_dict(r) for r in run.rows])
        ref["cpubound"][str(procs)] = {
            "schedticks_per_100ms_median": statistics.median(rs), "schedticks_per_100ms": rs,
            "fairness_median": statistics.median(fair), "fairness": fair, "rows": runs_rows,
        }
        print("cpubound P", procs, "schedticks/100ms", statistics.median(rs), "fairness", statistics.median(fair),
              file=sys.stderr)

    ref["schedwork"] = {}
    for workload, g in (("syscall", 20), ("fanout", 100), ("prodcons", 20)):
        runs = []
        for _ in range(args.runs):
            run = st.run_program("schedwork", 2, ["-w", workload, "-g", g, "-d", "400ms"])
            out = dict(line.split() for line in run.stdout.splitlines())
            runs.append({"threads": max(r.threads for r in run.rows), "schedticks_per_100ms": rates(run.rows),
                         "items": int(out["items"]), "syscalls": int(out["syscalls"]),
                         "rows": [row_dict(r) for r in run.rows]})
        traced = []
        for _ in range(3):
            tl = rtrace.record("schedwork", 2, ["-w", workload, "-g", g, "-d", "400ms"])
            whys = [iv[4] for iv in tl.intervals]
            traced.append({why: whys.count(why) for why in set(whys)} | {
                "median_interval_us": statistics.median((iv[3] - iv[2]) / 1e3 for iv in tl.intervals)})
        ref["schedwork"][workload] = {"goroutines": g, "gomaxprocs": 2, "duration": "400ms", "runs": runs,
                                      "traced": traced}
        print("schedwork", workload, "threads", [r["threads"] for r in runs], "syscalls",
              [r["syscalls"] for r in runs], file=sys.stderr)

    starve = st.run_until_timeout("cpubound", 2, ["-g", 4, "-d", "100ms"], timeout=1.5, godebug="asyncpreemptoff=1")
    coop = st.run_program("cpubound", 2, ["-g", 4, "-d", "100ms", "-calls"], godebug="asyncpreemptoff=1")
    ref["asyncpreemptoff"] = {
        "call_free": {"returncode": starve.returncode, "exited": starve.returncode == 0,
                      "rows": [row_dict(r) for r in starve.rows]},
        "calls": {"returncode": coop.returncode, "exited": coop.returncode == 0,
                  "rows": [row_dict(r) for r in coop.rows]},
    }
    print("asyncpreemptoff: call-free exited", starve.returncode == 0, "; with calls exited",
          coop.returncode == 0, file=sys.stderr)
    ref["slices"] = record_slices(args.runs)
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")

    tl = rtrace.record("cpubound", 2, ["-g", 4, "-d", "200ms"])
    (OUT / "trace_cpubound_p2.json").write_text(json.dumps({
        "program": "cpubound -g 4 -d 200ms", "gomaxprocs": 2, "end_ns": tl.end_ns,
        "intervals": [list(iv) for iv in tl.intervals], "syscalls": [list(s) for s in tl.syscalls],
    }) + "\n")
    print("wrote", OUT, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
