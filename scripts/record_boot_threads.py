#!/usr/bin/env python
"""Record what gdb sees of the boot's threads, for chapter 1's thread-count check (tests/data/boot/threads.json).

For each GOMAXPROCS in ``--procs`` (default 1, 2 and 4), ``--runs`` times (default 20, what the chapter cites):
hello world (built as the
seed built it for gdb, -gcflags "-N -l") under gdb twice,

- stopped at `gosim.checks.boot.SNAPSHOTS` with the runtime's state read at each (``allm``: how many Ms, and
  what each was started for; ``allp``; ``allgs``): the thread count at ``main.main``;
- stopped at `gosim.checks.boot.INIT_PINNED`: which OS thread ran each runtime helper goroutine, where m0 gave
  its P away (``stoplockedm``) and got one back (``startlockedm``).

How often the race adds an M depends on how busy the machine is, so each GOMAXPROCS's entry keeps the load
average over its runs. Entries recorded with another toolchain are dropped, never mixed with new ones. Run it
again after a toolchain upgrade:

    .venv/bin/python scripts/record_boot_threads.py [--runs 20] [--procs 1 2 4] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gosim import toolchain as tc  # noqa: E402
from gosim.checks import boot as checks  # noqa: E402

OUT = ROOT / "tests" / "data" / "boot" / "threads.json"


def one_run(binary, procs: int) -> dict:
    env = {"GOMAXPROCS": str(procs)}
    snap = tc.gdb_trace(binary, checks.SNAPSHOTS, env=env, snapshot_at=checks.SNAPSHOTS)
    state = snap.state_at("main.main")
    pinned = tc.gdb_trace(binary, checks.INIT_PINNED, env=env)
    hits = checks._until_main(pinned)
    return {
        "threads": len(state["ms"]),
        "ms": [{"id": m["id"], "p": m["p"], "curg": m["curg"], "spinning": m["spinning"], "mstartfn": m["mstartfn"]}
               for m in state["ms"]],
        "ps": [{"id": p["id"], "status": p["status"], "m": p["m"], "runnext": p["runnext"], "runq": p["runq"]}
               for p in state["ps"]],
        "gs": [{"goid": g["goid"], "fn": g["fn"], "status": g["status"]} for g in state["gs"]],
        "helper_threads": [list(r) for r in checks.helper_threads(pinned)],
        "pinned_threads": len({h.thread for h in hits}),
        "handoffs": sum(h.function == "runtime.stoplockedm" for h in hits),
        "preempted": sum(h.function == "runtime.goschedImpl" and h.thread == 1 for h in hits),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    if args.runs < 7:
        ap.error(f"--runs must be at least 7 (tests/test_boot_threads.py needs 7 per GOMAXPROCS), got {args.runs}")
    if any(p < 1 for p in args.procs):
        ap.error(f"--procs must be positive GOMAXPROCS values, got {args.procs}")
    binary = tc.build("hello", gcflags="-N -l")
    version = tc.version()
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    if data.get("go") != version:  # another toolchain's runs: do not mix them with this one's
        data = {}
    for procs in args.procs:
        runs, load = [], []
        for i in range(args.runs):
            runs.append(one_run(binary, procs))
            load.append(os.getloadavg()[0])
            print(procs, i, runs[-1]["threads"], [r[:2] for r in runs[-1]["helper_threads"]], flush=True)
        data[str(procs)] = {"runs": runs, "threads": dict(Counter(r["threads"] for r in runs)),
                            "loadavg": [round(min(load), 1), round(max(load), 1)]}
        print(procs, data[str(procs)]["threads"], flush=True)
    data["go"] = version
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
