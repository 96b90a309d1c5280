"""The scheduler model's behaviour, pinned: for fixed seeds, every workload (at several GOMAXPROCS), the whole-process
helpers (`blocked_process`, `network_process`) and chapter 1's boot (which runs on the same scheduler) produce the
same SCHED lines, scheduling decisions, steals, hand-offs, preemptions, timelines and goroutine ends as when the
digests in ``tests/data/sched/pinned.json`` were recorded (before the simulator was made faster, issue 13 item 7).

A change that alters the model's behaviour on purpose re-records them:

    .venv/bin/python tests/test_sched_pinned.py --record

and says in its commit why the digests moved. A speed-up must leave them as they are.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

PINNED = Path(__file__).parent / "data" / "sched" / "pinned.json"

# (workload, gomaxprocs, goroutines, duration, extra simulate() arguments)
CASES = [
    ("cpubound", 1, 4, "60ms", {}),
    ("cpubound", 2, 10, "60ms", {}),
    ("cpubound", 4, 10, "60ms", {"asyncpreempt": False, "limit": "200ms"}),
    ("cpubound", 8, 40, "40ms", {}),
    ("cpubound-calls", 2, 6, "60ms", {}),
    ("cpubound-calls", 4, 12, "40ms", {"asyncpreempt": False}),
    ("timeslice", 1, 2, "80ms", {}),
    ("timeslice-sys", 1, 2, "60ms", {}),
    ("timeslice-sys", 4, 6, "60ms", {}),
    ("schedpair", 1, 2, "1ms", {"limit": "100ms"}),
    ("schedpair-runnext", 1, 1, "1ms", {"limit": "100ms"}),
    ("fanout", 1, 20, "20ms", {}),
    ("fanout", 2, 50, "20ms", {}),
    ("fanout", 8, 300, "30ms", {}),
    ("fanout", 8, 2000, "10ms", {}),
    ("prodcons", 2, 10, "30ms", {}),
    ("prodcons", 8, 64, "30ms", {}),
    ("syscall", 1, 8, "30ms", {}),
    ("syscall", 4, 40, "40ms", {}),
    ("block", 2, 6, "40ms", {}),
    ("network", 2, 20, "40ms", {}),
    ("network", 4, 50, "40ms", {}),
    ("mix", 2, 16, "30ms", {}),
    ("mix", 8, 200, "30ms", {}),
    ("prodcons", 4, 32, "60ms", {"resize": (("20ms", 2), ("40ms", 8))}),
    ("fanout", 4, 100, "20ms", {"check": True}),
    ("empty", 1, 50, "1ms", {}),
    ("empty", 3, 700, "1ms", {}),
    ("empty", 8, 5000, "1ms", {}),
    ("mix", 4, 40, "20ms", {"check": True, "seed": 7}),
]


def _h(obj) -> str:
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def sched_digest(case) -> dict[str, str]:
    from gosim import sched

    workload, procs, n, duration, extra = case
    kw = {"seed": 3, "schedtrace": "5ms", "sample": "1ms", **extra}
    r = sched.simulate(workload, gomaxprocs=procs, goroutines=n, duration=duration, **kw)
    return {
        "schedtrace": _h(r.schedtrace_lines()),
        "decisions": _h((r.decisions, r.end_ns, r.exited, r.threads, r.sysmon_ticks, r.sysmon_wakeups,
                         r.max_local_runq, r.max_global_runq, r.conservation_max_ns, r.schedticks)),
        "steals": _h(r.steals),
        "timeline": _h(sorted(r.intervals)),
        "handoffs": _h((r.handoffs, r.syscalls, r.preemptions, r.resizes)),
        "samples": _h(r.samples),
        "goroutines": _h((r.gs, r.observed)),
    }


def process_digest(which: str) -> dict[str, str]:
    from gosim.sched import workloads
    from gosim.sched.proc import ThreadExhaustion

    if which == "blocked":
        s = workloads.blocked_process(12, 2, duration=40_000_000, seed=1)
    elif which == "blocked-maxthreads":
        try:
            s = workloads.blocked_process(7, 2, maxthreads=10)
            return {"died": _h(s.sched.mcount)}
        except ThreadExhaustion as e:
            return {"died": _h(str(e))}
    else:
        s = workloads.network_process(30, 4, duration=60_000_000, seed=2)
    rec = s.rec
    return {
        "decisions": _h((s.decisions, s.now, s.exited, s.sched.mcount, s.sysmon_ticks, s.observed,
                         tuple(pp.schedtick for pp in s.allp))),
        "steals": _h(rec.steals),
        "timeline": _h(sorted(rec.intervals)),
        "handoffs": _h((rec.handoffs, rec.syscalls, rec.preemptions, rec.sysmon)),
        "goroutines": _h([(gp.goid, gp.name, gp.status, gp.waitreason, gp.created, gp.finished, gp.cpu,
                           gp.nslices) for gp in s.allgs]),
    }


def boot_digest(version: str, procs: int) -> dict[str, str]:
    from gosim import boot

    b = boot.boot(version, procs)
    return {"states": _h(b.states), "steps": _h([st.function for st in b.steps]), "ran": _h((b.ran, b.ran_on))}


def case_id(case) -> str:
    workload, procs, n, duration, extra = case
    more = ",".join(f"{k}={v}" for k, v in sorted(extra.items()))
    return f"{workload}-P{procs}-n{n}-{duration}" + (f"-{more}" if more else "")


PROCESSES = ["blocked", "blocked-maxthreads", "network"]
BOOTS = [("current", 1), ("current", 2), ("current", 4), ("1.10", 1), ("1.10", 2)]


def all_digests() -> dict[str, dict[str, str]]:
    out = {case_id(c): sched_digest(c) for c in CASES}
    out.update({f"process-{w}": process_digest(w) for w in PROCESSES})
    out.update({f"boot-{v}-P{n}": boot_digest(v, n) for v, n in BOOTS})
    return out


@pytest.fixture(scope="module")
def pinned() -> dict:
    return json.loads(PINNED.read_text())


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_workload_behaviour_is_pinned(case, pinned):
    assert sched_digest(case) == pinned[case_id(case)]


@pytest.mark.parametrize("which", PROCESSES)
def test_process_behaviour_is_pinned(which, pinned):
    assert process_digest(which) == pinned[f"process-{which}"]


@pytest.mark.parametrize("version,procs", BOOTS)
def test_boot_states_are_pinned(version, procs, pinned):
    assert boot_digest(version, procs) == pinned[f"boot-{version}-P{procs}"]


def test_exps_draws_what_exp_draws():
    # fanout draws its workers' work in one call per round; the numbers must be those of one exp() per worker
    from gosim.sched.workloads import Sampler

    one, bulk = Sampler(11), Sampler(11)
    singles = [one.exp(123_456.0) for _ in range(9000)]
    assert bulk.exps(123_456.0, 3) + bulk.exps(123_456.0, 5000) + bulk.exps(123_456.0, 3997) == singles
    assert (bulk.i, len(bulk.buf)) == (one.i, len(one.buf))


def test_every_workload_is_pinned():
    from gosim.sched import WORKLOADS

    assert set(WORKLOADS) <= {c[0] for c in CASES}


if __name__ == "__main__":
    if "--record" not in sys.argv:
        sys.exit("usage: tests/test_sched_pinned.py --record   (re-records tests/data/sched/pinned.json)")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    PINNED.write_text(json.dumps(all_digests(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PINNED}")
