#!/usr/bin/env python
"""Record the real runtime's system-call behaviour for chapter 5's "System calls, end to end" (tests/data/sched/
syscalls.json), with ``gosim/programs/schedsys`` at GOMAXPROCS=2:

  syscall   ``-w syscall -g 20 -d 400ms -probe 20`` under GODEBUG=schedtrace=100, ``--runs`` times (default 9):
            syscalls done, threads, schedticks per P per 100 ms (median of the run's rows after 100 ms), and
            how long a 20 µs nanosleep lasted meanwhile on this machine (the child probe: sysmon's sleep)
  traced    the same with -trace, ``--runs`` times: how each system call ended (fast / got a P / no P) and
            sysmon's retakes (gosim.toolchain.syscalls.exit_paths)
  block     ``-w block -g N -d 100ms`` for N in BLOCK_G, ``--runs`` times each: the process's threads when main
            wakes after 100 ms (block) and halfway (block_mid), while the N goroutines sit in their system calls
  limit     ``-w block -g N -maxthreads 10`` for N around the limit, 3 times each: did the runtime kill it
            ("thread exhaustion")?

and the network poller's (tests/data/sched/netpoll.json): ``-w net -c C -every 10ms -d 400ms`` for C in CONNS,
``--runs`` times each: the goroutines by state halfway (its goroutine profile), its OS threads then, the round
trips done; and traced (tests/data/sched/netpoll_trace.json): ``... -trace FILE`` for C in TRACE_CONNS, ``--runs``
times each: the same output, and from the execution trace the goroutines that waited on the network, who made
them runnable again (and how many per netpoll), the Ms, the CPU (Ps held, goroutines running), the system calls
and sysmon's retakes (`gosim.toolchain.rtrace.net_summary`).

    .venv/bin/python scripts/record_syscalls.py [--runs 9] [--only syscalls|traced|net|nettrace|netinject|nettimes|sleepgrain] [--conns 10 100]

(``--conns``: record only these sizes of the traced network runs again, keeping the others in the file: the 400-
connection runs of netpoll_trace.json are from an earlier recording, on a machine busy enough for sysmon's retakes
to start Ms, which the chapter's "Why 400 connections take more threads" reads; they have no netpoll batches.)

(``--only traced`` records the traced runs again and keeps the rest of syscalls.json.)

``--only nettimes`` (tests/data/sched/netpoll_times.json): traced ``-w net -c 100`` at GOMAXPROCS=2, ``--runs`` times:
goroutines per netpoll over time (`gosim.toolchain.rtrace.poll_bins`) and the lists of 30 or more with their times.

``--only sleepgrain`` (tests/data/sched/sleepgrain.json): ``gosim/programs/schedsleep -timer -n 40`` at GOMAXPROCS=2,
``--runs`` times: how long a ``time.Sleep`` of each of SLEEPGRAIN_US lasted in an otherwise idle process (median,
p10, p90 of the 40 calls), the poller's whole milliseconds plus each wait's lateness (chapter 5, *Where
timers live*; the model's `Costs.pollslack`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gosim import toolchain as tc  # noqa: E402
from gosim.toolchain import rtrace  # noqa: E402
from gosim.toolchain import schedtrace as st  # noqa: E402
from gosim.toolchain import syscalls  # noqa: E402

OUT = ROOT / "tests" / "data" / "sched" / "syscalls.json"
NET_OUT = ROOT / "tests" / "data" / "sched" / "netpoll.json"
NET_TRACE_OUT = ROOT / "tests" / "data" / "sched" / "netpoll_trace.json"
NET_INJECT_OUT = ROOT / "tests" / "data" / "sched" / "netpoll_inject.json"
NET_TIMES_OUT = ROOT / "tests" / "data" / "sched" / "netpoll_times.json"
TIMES_CONNS = 100
SLEEPGRAIN_OUT = ROOT / "tests" / "data" / "sched" / "sleepgrain.json"
SLEEPGRAIN_US, SLEEPGRAIN_CALLS = (50, 300, 1300, 2000), 40
INJECT_CONNS, INJECT_PROCS = 100, 4
CONNS = (10, 100)
TRACE_CONNS = (10, 100, 400)
NET_ARGS = ["-w", "net", "-every", "10ms", "-d", "400ms"]
ARGS = ["-w", "syscall", "-g", "20", "-d", "400ms"]
BLOCK_G = (1, 2, 4, 8, 16)
LIMIT = 10
LIMIT_G = (6, 7, 8, 9)


def rate(rows) -> float:
    out = []
    for a, b in zip(rows, rows[1:]):
        if a.ms >= 100 and b.ms > a.ms:
            out += [(tb - ta) * 100 / (b.ms - a.ms) for ta, tb in zip(a.schedticks, b.schedticks)]
    return float(statistics.median(out))


def record_net(binary, runs: int) -> None:
    out: dict = {"gomaxprocs": 2, "every": "10ms", "duration": "400ms", "runs": {}}
    for c in CONNS:
        out["runs"][str(c)] = []
        for _ in range(runs):
            r = tc.run(binary, [*NET_ARGS, "-c", c], env={"GOMAXPROCS": "2"}, timeout=60)
            out["runs"][str(c)].append(syscalls.parse_net(r.stdout))
            print("net", c, out["runs"][str(c)][-1], flush=True)
    NET_OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", NET_OUT)


def record_net_trace(runs: int, conns=TRACE_CONNS) -> None:
    out: dict = {"gomaxprocs": 2, "every": "10ms", "duration": "400ms", "runs": {}}
    if NET_TRACE_OUT.exists():  # keep the sizes not recorded again, and the runs recorded under load ("loaded")
        old = json.loads(NET_TRACE_OUT.read_text())
        out["runs"] = old["runs"]
        if "loaded" in old:
            out["loaded"] = old["loaded"]
    for c in conns:
        out["runs"][str(c)] = []
        for _ in range(runs):
            r, text = rtrace.run_traced("schedsys", 2, [*NET_ARGS, "-c", c], timeout=120)
            row = {**syscalls.parse_net(r.stdout), **rtrace.net_summary(text)}
            out["runs"][str(c)].append(row)
            print("nettrace", c, {k: v for k, v in row.items() if not isinstance(v, list)}, flush=True)
    NET_TRACE_OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", NET_TRACE_OUT)


def record_net_times(runs: int) -> None:
    """Traced ``schedsys -w net -c 100`` at GOMAXPROCS=2: each netpoll's list over time (`rtrace.poll_bins`, per
    10 ms, and the lists of 30 or more with their times), for the chapter's "the real lists grow as the run goes
    on". Kept apart from netpoll_trace.json, whose runs the chapter's other numbers come from."""
    out: dict = {"gomaxprocs": 2, "conns": TIMES_CONNS, "every": "10ms", "duration": "400ms",
                 "bin_ms": rtrace.BIN_NS // 1_000_000, "big_poll": rtrace.BIG_POLL, "runs": []}
    for _ in range(runs):
        r, text = rtrace.run_traced("schedsys", 2, [*NET_ARGS, "-c", TIMES_CONNS], timeout=120)
        s = rtrace.net_summary(text)
        row = {k: s[k] for k in ("per_netpoll", "poll_bins", "big_polls", "ms")}
        row["requests"] = syscalls.parse_net(r.stdout)["requests"]
        out["runs"].append(row)
        print("nettimes", row["per_netpoll"], len(row["big_polls"]), flush=True)
    NET_TIMES_OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print("wrote", NET_TIMES_OUT)


def record_net_inject(runs: int) -> None:
    """Traced ``schedsys -w net -c 100`` at GOMAXPROCS=4 (idle Ps at a netpoll): where the head of each injected
    list ran (`rtrace.inject_placement`), with the run's batches and Ms."""
    out: dict = {"gomaxprocs": INJECT_PROCS, "conns": INJECT_CONNS, "every": "10ms", "duration": "400ms",
                 "runs": []}
    for _ in range(runs):
        r, text = rtrace.run_traced("schedsys", INJECT_PROCS, [*NET_ARGS, "-c", INJECT_CONNS], timeout=120)
        events, _ = rtrace.parse_transitions(text)
        events.sort(key=lambda e: e.t)
        ran_g = {e.m for e in events if e.g >= 0 or (e.kind == "G" and e.dst == "Running")}
        s = rtrace.net_summary(text)
        row = {"placement": rtrace.inject_placement(events, ran_g), "per_netpoll": s["per_netpoll"],
               "ms": s["ms"], "wakes": s["wakes"], "requests": syscalls.parse_net(r.stdout)["requests"]}
        out["runs"].append(row)
        print("netinject", row, flush=True)
    NET_INJECT_OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", NET_INJECT_OUT)


def record_sleepgrain(runs: int) -> None:
    """``schedsleep -timer`` ``runs`` times: {µs: [median, p10, p90] ns} per run."""
    binary = tc.build("schedsleep")
    out: dict = {"gomaxprocs": 2, "calls": SLEEPGRAIN_CALLS, "lengths_us": list(SLEEPGRAIN_US), "runs": []}
    for _ in range(runs):
        r = tc.run(binary, ["-timer", "-n", SLEEPGRAIN_CALLS, "-us", ",".join(map(str, SLEEPGRAIN_US))],
                   env={"GOMAXPROCS": "2"}, timeout=60)
        row = {p[1]: [int(x) for x in p[2:5]] for p in map(str.split, r.stdout.splitlines()) if p[:1] == ["sleep"]}
        if sorted(map(int, row)) != sorted(SLEEPGRAIN_US):
            raise SystemExit(f"schedsleep -timer printed {r.stdout!r}")
        out["runs"].append(row)
        print("sleepgrain", row, flush=True)
    SLEEPGRAIN_OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", SLEEPGRAIN_OUT)


def traced(binary) -> dict:
    """One traced run of the syscall workload: how its system calls ended and sysmon's retakes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/run.trace"
        r = tc.run(binary, [*ARGS, "-trace", path], env={"GOMAXPROCS": "2"}, timeout=60)
        paths = syscalls.exit_paths(rtrace.dump(path))
    paths["completed"] = syscalls.parse_output(r.stdout)["syscalls"]
    print("traced", paths, flush=True)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--only", choices=("syscalls", "traced", "net", "nettrace", "netinject", "nettimes",
                                           "sleepgrain"))
    ap.add_argument("--conns", type=int, nargs="+", default=TRACE_CONNS, help="nettrace: sizes to record again")
    args = ap.parse_args()
    runs = args.runs
    if runs < 7:
        ap.error(f"--runs must be at least 7 (the tolerances come from the spread), got {runs}")
    if args.only in (None, "sleepgrain"):
        record_sleepgrain(runs)
        if args.only:
            return 0
    binary = tc.build("schedsys")
    if args.only in (None, "net"):
        record_net(binary, runs)
    if args.only in (None, "nettrace"):
        if not set(args.conns) <= set(TRACE_CONNS):
            ap.error(f"--conns must be among {TRACE_CONNS}, got {args.conns}")
        record_net_trace(runs, args.conns)
    if args.only in (None, "netinject"):
        record_net_inject(runs)
    if args.only in (None, "nettimes"):
        record_net_times(runs)
    if args.only in ("net", "nettrace", "netinject", "nettimes"):
        return 0
    if args.only == "traced":
        out = json.loads(OUT.read_text())
        out["traced"] = [traced(binary) for _ in range(runs)]
        OUT.write_text(json.dumps(out, indent=1) + "\n")
        print("wrote", OUT)
        return 0
    out: dict = {"gomaxprocs": 2, "goroutines": 20, "duration": "400ms", "syscall": [], "traced": [],
                 "block": {}, "block_mid": {}, "limit": {"maxthreads": LIMIT, "runs": {}}}
    for _ in range(runs):
        r = st.run_program("schedsys", 2, [*ARGS, "-probe", "20"])
        o = syscalls.parse_output(r.stdout)
        out["syscall"].append({"syscalls": o["syscalls"], "threads": max(x.threads for x in r.rows),
                               "schedticks_per_100ms": rate(r.rows), "probe_mean_ns": o["probe_mean_ns"],
                               "probe_median_ns": o["probe_median_ns"]})
        print("syscall", out["syscall"][-1], flush=True)
    out["traced"] = [traced(binary) for _ in range(runs)]
    for g in BLOCK_G:
        res = [syscalls.parse_output(tc.run(binary, ["-w", "block", "-g", g, "-d", "100ms"],
                                            env={"GOMAXPROCS": "2"}).stdout) for _ in range(runs)]
        out["block"][str(g)] = [r["threads"] for r in res]
        out["block_mid"][str(g)] = [r["threads_mid"] for r in res]
        print("block", g, out["block"][str(g)], out["block_mid"][str(g)], flush=True)
    for g in LIMIT_G:
        res = [tc.run(binary, ["-w", "block", "-g", g, "-d", "100ms", "-maxthreads", LIMIT],
                      env={"GOMAXPROCS": "2"}, check=False, timeout=30) for _ in range(3)]
        out["limit"]["runs"][str(g)] = [{"exit": r.returncode, "exhausted": "thread exhaustion" in r.stderr}
                                        for r in res]
        print("limit", g, out["limit"]["runs"][str(g)], flush=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
