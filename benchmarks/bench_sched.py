#!/usr/bin/env python
"""Scheduler model throughput: scheduling decisions (calls of the model's ``schedule``) per second of wall time,
and 10,000 goroutines x GOMAXPROCS 8 x 1 s of virtual time. Targets: >= 500,000 decisions/s, <= 1 s wall. Also
chapter 5's panel: step latency (a control changed → the model run and the figure redrawn), median and p90 over
20 steps.

    .venv/bin/python benchmarks/bench_sched.py [--repeat 3] [--real] [--profile WORKLOAD] [--panel-only]

``--real`` also runs the real cpubound program with 10,000 goroutines at GOMAXPROCS=8 for 1 s and prints the
ratio of the model's wall time to the real one's. Numbers are wall-clock on whatever machine runs it (and the
process's CPU time, which a machine shared with other jobs disturbs less); nothing in the tests depends on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gosim import sched  # noqa: E402

CASES = [  # (workload, gomaxprocs, goroutines, virtual duration)
    ("prodcons", 8, 1000, "1s"),
    ("fanout", 8, 1000, "1s"),
    ("mix", 8, 1000, "1s"),
    ("syscall", 8, 1000, "1s"),
    ("cpubound", 8, 1000, "1s"),
]
BIG = [(w, 8, 10_000, "1s") for w in ("cpubound", "prodcons", "fanout", "syscall", "mix")]


def timed(fn) -> tuple[float, float, object]:
    """(wall s, CPU s, result) of one call."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - t, time.process_time() - c, result


def bench(workload: str, procs: int, n: int, duration: str, repeat: int):
    """Best (wall, CPU) of ``repeat`` runs, and the result."""
    best = (float("inf"), float("inf"), None)
    for _ in range(repeat):
        run = timed(lambda: sched.simulate(workload, gomaxprocs=procs, goroutines=n, duration=duration,
                                           limit=duration, sample="0", record=False))
        best = min(best, run, key=lambda x: x[0])
    return best


def yielders(n: int, k: int, work_ns: int):
    """A program whose goroutines do nothing but ask for scheduling decisions: ``n`` goroutines each run
    ``work_ns`` then call ``runtime.Gosched`` ``k`` times (to the global queue's tail, then ``schedule``)."""
    from gosim.sched.chan import hchan
    from gosim.sched.proc import go, gosched, recv, run, send

    def main(s):
        done = hchan(n, "done")

        def g():
            for _ in range(k):
                if work_ns:
                    yield run(work_ns)
                yield gosched()
            yield send(done)

        for _ in range(n):
            yield go(g())
        for _ in range(n):
            yield recv(done)

    return main


def bench_decisions(procs: int, n: int, k: int, work_ns: int, repeat: int) -> tuple[float, int]:
    from gosim.sched.proc import simulate_program

    best = (float("inf"), float("inf"), None)
    for _ in range(repeat):
        run = timed(lambda: simulate_program(yielders(n, k, work_ns), procs, until=10**15, record=False))
        best = min(best, run, key=lambda x: x[0])
    return best[0], best[1], best[2].decisions


def bench_panel(steps: int = 20) -> dict[str, tuple[float, float]]:
    """Chapter 5's panel, as a reader drives it: ``steps`` changes of (GOMAXPROCS, workload), each to a frame not
    drawn before (the model's run cache cleared, a fresh panel). Returns {part: (median s, p90 s)} for the whole
    step (simulate + draw + PNG) in wall and in CPU time, the model run alone and the drawing alone (wall)."""
    import itertools
    import statistics

    from gosim.widgets import sched as panels

    panels.run.cache_clear()
    panel = panels.sched_panel()
    first = (2, "cpubound")  # the frame a reader sees when the page opens is drawn with the page
    panel.frame(gomaxprocs=first[0], workload=first[1])
    grid = [pw for pw in itertools.product(panels.GOMAXPROCS, panels.VARIANTS) if pw != first][:steps]
    step, cpu, model, draw = [], [], [], []
    for procs, workload in grid:
        t0, c0 = time.perf_counter(), time.process_time()
        panels.run(workload, procs, 1)
        t1 = time.perf_counter()
        panel.frame(gomaxprocs=procs, workload=workload)
        t2, c2 = time.perf_counter(), time.process_time()
        model.append(t1 - t0)
        draw.append(t2 - t1)
        step.append(t2 - t0)
        cpu.append(c2 - c0)

    def stats(xs):
        return statistics.median(xs), statistics.quantiles(xs, n=10)[-1]

    return {"step (wall)": stats(step), "step (CPU)": stats(cpu), "model run": stats(model),
            "figure + PNG": stats(draw), "steps": (len(step), 0)}


def print_panel(steps: int = 20) -> None:
    r = bench_panel(steps)
    print(f"chapter 5 panel: {r['steps'][0]} steps, each to a frame not drawn before (GOMAXPROCS x workload)")
    for part in ("step (wall)", "step (CPU)", "model run", "figure + PNG"):
        med, p90 = r[part]
        print(f"  {part:<13} median {med * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--real", action="store_true", help="also time the real cpubound program (10,000 goroutines)")
    ap.add_argument("--profile", metavar="WORKLOAD", help="cProfile one 8-P, 1000-goroutine, 1 s run")
    ap.add_argument("--panel-only", action="store_true", help="only the panel's step latency")
    args = ap.parse_args()
    if args.panel_only:
        print_panel()
        return 0
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("sched.simulate(w, gomaxprocs=8, goroutines=1000, duration='1s', sample='0', record=False)",
                        {"sched": sched, "w": args.profile}, {}, "/tmp/bench_sched.prof")
        pstats.Stats("/tmp/bench_sched.prof").sort_stats("tottime").print_stats(20)
        return 0

    print("pure scheduling decisions: goroutines that only call runtime.Gosched (best of %d)" % args.repeat)
    for procs, n, k, work in ((1, 256, 200, 0), (8, 1000, 50, 0), (8, 1000, 50, 1000)):
        wall, cpu, d = bench_decisions(procs, n, k, work, args.repeat)
        what = f"run {work} ns, Gosched" if work else "Gosched"
        print(f"  P={procs} {n} goroutines x {k} x ({what}): {d} decisions in {wall:.3f} s wall = "
              f"{d / wall:,.0f}/s ({d / cpu:,.0f}/s of CPU time)")
    print()
    print("scheduling decisions per second in the workloads (best of %d)" % args.repeat)
    header = (f"{'workload':<10} {'P':>2} {'Gs':>6} {'virtual':>7} {'decisions':>10} {'events':>9} {'wall s':>7} "
              f"{'CPU s':>6} {'decisions/s':>12}")
    print(header)
    for w, procs, n, dur in CASES:
        wall, cpu, r = bench(w, procs, n, dur, args.repeat)
        print(f"{w:<10} {procs:>2} {n:>6} {dur:>7} {r.decisions:>10} {r.events:>9} {wall:>7.3f} {cpu:>6.3f} "
              f"{r.decisions / wall:>12,.0f}")
    print()
    print("10,000 goroutines x GOMAXPROCS 8 x 1 s of virtual time (target <= 1 s wall)")
    print(header)
    for w, procs, n, dur in BIG:
        wall, cpu, r = bench(w, procs, n, dur, args.repeat)
        print(f"{w:<10} {procs:>2} {n:>6} {dur:>7} {r.decisions:>10} {r.events:>9} {wall:>7.3f} {cpu:>6.3f} "
              f"{r.decisions / wall:>12,.0f}  {'ok' if wall <= 1 else 'over'}")
    print()
    print_panel()
    if args.real:
        from gosim.toolchain import schedtrace as st

        run = st.run_program("cpubound", 8, ["-g", 10_000, "-d", "1s"], schedtrace_ms=None)
        wall, _, _ = bench("cpubound", 8, 10_000, "1s", args.repeat)
        print(f"\nreal cpubound -g 10000 -d 1s at GOMAXPROCS=8: {run.seconds:.3f} s wall; "
              f"model {wall:.3f} s: ratio model/real = {wall / run.seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
