"""Chapter 5's "The execution trace beside the model": ``gosim/programs/schedsys -w net`` run with ``-trace``
(``runtime/trace``) beside the model's `gosim.sched.workloads.network_process`.

From the real trace (`gosim.toolchain.rtrace.net_summary`, recorded by ``scripts/record_syscalls.py --only
nettrace`` into tests/data/sched/netpoll_trace.json, 9 runs per size): the goroutines that parked on the network,
who made them runnable again (`gosim.toolchain.rtrace.WAKE_SOURCES`: the M, P and G on each Waiting->Runnable
line), the Ms, the system calls. From the model, the same counts, which its scheduler keeps as it runs
(`gosim.sched.proc.NetStats`): ``netpollblock`` parking, ``netpoll`` returning goroutines (in ``findRunnable``
with a P, from the poller with or without an idle P, from sysmon), ``netpollready_fd`` (a write).
"""

from __future__ import annotations

import statistics

from ..sched import workloads
from .sched import Comparison, reference, spread

WAKE_KEYS = ("m_with_p", "m_without_p", "sysmon", "goroutine")
# as the rows name them (`gosim.toolchain.rtrace.WAKE_SOURCES` says how the trace tells them apart)
WAKE_LABELS = {"m_with_p": "an M with a P", "m_without_p": "an M without a P", "sysmon": "sysmon",
               "goroutine": "a running goroutine"}


def nettrace_reference() -> dict:
    """tests/data/sched/netpoll_trace.json (scripts/record_syscalls.py --only nettrace)."""
    return reference("netpoll_trace.json")


def nettimes_reference() -> dict:
    """tests/data/sched/netpoll_times.json (scripts/record_syscalls.py --only nettimes): 9 traced runs of
    ``schedsys -w net -c 100`` at GOMAXPROCS=2, each netpoll's list over time (`gosim.toolchain.rtrace.poll_bins`)."""
    return reference("netpoll_times.json")


def late_over_early(bins: list) -> float:
    """Goroutines per netpoll after 200 ms over those in the first 100 ms (`gosim.toolchain.rtrace.poll_bins`)."""
    from ..toolchain import rtrace

    return rtrace.per_poll_between(bins, 200_000_000, 400_000_000) / rtrace.per_poll_between(bins, 0, 100_000_000)


def model_net(c: int, gomaxprocs: int = 2, seed: int = 0, costs=None) -> dict:
    """The model's ``schedsys -w net -c C`` (`workloads.network_process`, 400 ms) in the shape of
    `gosim.toolchain.rtrace.net_summary`: blocks, most waiting at once, wakes by source, ``ms`` (its Ms),
    ``requests`` (round trips: two writes each), the states halfway, ``per_netpoll`` (goroutines per netpoll that
    returned any: `NetStats.made` over `NetStats.polls`), ``from_findrunnable`` (of the wake-ups by an M with a P,
    the share findRunnable's netpoll(0) made), ``g_busy_ms`` (how long its goroutines ran) and ``poll_sizes`` (the
    (t, size) of each netpoll with a P that returned any, in time order). ``costs``: as
    `workloads.network_process`."""
    if not isinstance(c, int) or c < 1:
        raise ValueError(f"c (connections) must be a positive integer, got {c!r}")
    s = workloads.network_process(c, gomaxprocs, seed=seed, costs=costs)
    net = s.net
    # the trace's sources: an M holding a P (findRunnable's netpoll(0), or the poller once it took an idle P),
    # an M with no P (the poller found none), sysmon; no goroutine calls netpoll in the model
    wakes = {"m_with_p": net.made["findRunnable"] + net.made["poller"], "m_without_p": net.made["poller_nop"],
             "sysmon": net.made["sysmon"], "goroutine": 0}
    polls = sum(net.polls.values())
    busy = sum(gp.cpu for gp in s.allgs if gp is not s.main)
    return {"blocks": net.parks, "max_waiting": net.max_waiting, "wakes": wakes, "writes": net.writes,
            "ms": s.sched.mcount, "requests": net.writes // 2, "states": s.observed[0],
            "per_netpoll": sum(net.made.values()) / polls if polls else 0.0,
            "from_findrunnable": net.made["findRunnable"] / wakes["m_with_p"] if wakes["m_with_p"] else 0.0,
            "g_busy_ms": busy / 1e6, "poll_sizes": [(t, len(goids)) for t, _, _, goids in s.rec.netpolls]}


def after_park_share(run: dict) -> float:
    """Of a real run's wake-ups by an M with a P, the share whose M had just seen its own goroutine stop
    (``m_with_p_after``, `gosim.toolchain.rtrace.AFTER`): findRunnable's netpoll(0) after a park."""
    return run["m_with_p_after"]["g_stopped"] / run["wakes"]["m_with_p"] if run["wakes"]["m_with_p"] else 0.0


def us_per_request(run: dict, key: str) -> float:
    """``key`` (``p_busy_ms``: Ps held; ``g_busy_ms``: goroutines running) per round trip, in µs."""
    return run[key] * 1e3 / run["requests"]


def parks_per_request(run: dict, c: int) -> float:
    """Parks on the network per round trip, less those before the first request: each server's first read
    (``c``) and the accept loop's wait, and in a real run also main's ``c`` waits in ``connect`` (the model's
    connections exist from the start)."""
    extra = (2 * c + 1) if "syscalls" in run else c + 1
    return (run["blocks"] - extra) / run["requests"]


def wake_share(run: dict, key: str) -> float:
    total = sum(run["wakes"].values())
    return run["wakes"][key] / total if total else 0.0


def _row(name: str, model: float, values: list, why: str, floor: float, digits: int = 3) -> Comparison:
    """``model`` beside the median of ``values`` (the real runs), within their interquartile range or ``floor``,
    whichever is larger (a floor is the smallest difference the runs can show, stated beside the row)."""
    real = statistics.median(values)
    tol = max(spread(values), floor)
    return Comparison(name, round(model, digits), round(real, digits), abs(model - real) <= tol,
                      f"{why}; tolerance {tol:.{digits}g} (IQR of {len(values)} traced runs, at least {floor:g})")


def exectrace_checks(model: dict, ref: dict, conns=(10, 100)) -> list[Comparison]:
    """The model's network workload (``model``: {C: `model_net(C)`}) beside the traced real runs (``ref``:
    netpoll_trace.json) at each C in ``conns``:

    - parks on the network per round trip (the server's read waiting for the next request, the client's for
      the echo), within the IQR or 0.1: in a real run a client's read sometimes finds the echo already there
      (the server ran on the other P between the client's write and its read: a race, 1.64-1.96 parks per
      round trip in the 9 runs at 10 connections); the model's read follows its write at once and parks;
    - the share of wake-ups by an M holding a P (findRunnable's netpoll), by sysmon, and by an M with no P,
      each within the IQR or 0.02 (the real trace also has a few by a running goroutine, GC's pollWork and
      startTheWorld: the model has no GC; they are in the real denominator);
    - the Ms: the model's within the real runs' range of Ms seen in the trace, while at least c + 1
      goroutines were in IO wait halfway (the program's goroutine profile), in the model and the median run (a
      snapshot can catch clients awake: one run of 9 at 10 connections has 10).

    Not a row: goroutines per netpoll (`side_by_side` shows it). The model's are 1.00 at 10 and 3.48 at 100
    connections, the real runs' 1.2-1.9 and 8.0-11.0 (a second recording at 100, netpoll_times.json: 5.1-9.0):
    the chapter's "What the model leaves out" box says why.
    """
    out = []
    for c in conns:
        runs, m = ref["runs"][str(c)], model[c]
        out.append(_row(f"{c} connections: network parks per round trip", parks_per_request(m, c),
                        [parks_per_request(r, c) for r in runs],
                        "a read that finds no data parks: the server waiting for a request, the client for the "
                        "echo (a real client's read races the echo: it finds it there in a few % of trips)", 0.1))
        for key in ("m_with_p", "sysmon", "m_without_p"):
            out.append(_row(f"{c} connections: share woken by {WAKE_LABELS[key]}", wake_share(m, key),
                            [wake_share(r, key) for r in runs], "who made a goroutine in IO wait runnable", 0.02))
        ms = [r["ms"] for r in runs]
        waiting = statistics.median(r["states"].get("IO wait", 0) for r in runs)
        mwait = m["states"].get("IO wait", 0)
        out.append(Comparison(f"{c} connections: Ms (threads)", m["ms"], f"{min(ms)}–{max(ms)}",
                              min(ms) <= m["ms"] <= max(ms) and min(mwait, waiting) >= c + 1,
                              f"halfway {mwait} (model) and {waiting:g} (median traced run) goroutines "
                              "were in IO wait, holding no M"))
    return out


# --- injectglist: where the head of an injected list ran (GOMAXPROCS=4, 100 connections) --------------------------


def netinject_reference() -> dict:
    """tests/data/sched/netpoll_inject.json (scripts/record_syscalls.py --only netinject): 9 traced runs of
    ``schedsys -w net -c 100`` at GOMAXPROCS=4, each with `gosim.toolchain.rtrace.inject_placement`."""
    return reference("netpoll_inject.json")


def model_placement(s, kmin: int = 3) -> dict:
    """`gosim.toolchain.rtrace.inject_placement` for a model run (`Record.netpolls` and its intervals): for each
    netpoll with a P that returned ``kmin`` or more goroutines, where the head of the injected list first ran."""
    import bisect

    starts: dict = {}
    for p, goid, start, _, _ in s.rec.intervals:
        starts.setdefault(goid, []).append((start, p))
    for v in starts.values():
        v.sort()
    out = {"next": 0, "later": 0, "other": 0}
    for t, p, _, goids in s.rec.netpolls:
        if len(goids) < kmin:
            continue
        first = {}
        for goid in goids[:-1]:
            v = starts.get(goid, [])
            i = bisect.bisect_left(v, (t, -1))
            if i < len(v):
                first[goid] = v[i]
        if goids[0] not in first:
            continue
        t0, p0 = first[goids[0]]
        if p0 != p:
            out["other"] += 1
        else:
            out["later" if any(q == p and st < t0 for st, q in first.values()) else "next"] += 1
    return out


def model_inject(seed: int = 0) -> dict:
    """The model's `model_placement` for ``schedsys -w net -c 100`` at GOMAXPROCS=4 (400 ms)."""
    ref = netinject_reference()
    return model_placement(workloads.network_process(ref["conns"], ref["gomaxprocs"], seed=seed))


def placement_share(placement: dict, key: str) -> float:
    n = sum(placement.values())
    return placement[key] / n if n else 0.0


# The rows of `inject_checks` the model misses: too few heads run later by the polling P, too many by another P.
# With an 80 µs wake-up (`Costs.wakeup`, 15 µs by default) all three shares are inside the runs' ranges
# (`inject_wakeup_finding`): a fit to the same nine runs (only 40 and 80 µs tried), not a cause shown; the
# default stays 15 µs, which other chapters' checks use.
INJECT_MISSES = {"later": "below", "other": "above"}


def inject_checks(model: dict, ref: dict) -> list[Comparison]:
    """Where the head of an injected list ran (``model``: `model_placement`; ``ref``: `netinject_reference`).
    ``injectglist`` (proc.go) puts one goroutine per idle P on the global queue and starts an M for each, the
    rest on the polling P's local queue:

    - the rule: some heads are run by the polling P after others of their list (they waited on the global queue;
      the local queue is first in, first out, so nothing else puts a head behind them). Every real run has some;
      the model must have some (every injected G on the local queue has none);
    - each share (`PLACEMENT`: run next by the polling P, later by it, by another P) within the range of the
      traced runs. The model misses two (`INJECT_MISSES`): it runs 0.03 later (runs 0.08-0.31) and 0.27 on
      another P (runs 0.00-0.14). With no M started for the idle Ps (the mutant ``sched-injectglist-no-m``) the
      share run next falls to 0.49, below every run."""
    runs = ref["runs"]
    out = []
    later = [placement_share(r["placement"], "later") for r in runs]
    m_later = placement_share(model, "later")
    out.append(Comparison("heads of an injected list run after others of it (they waited on the global queue)",
                          round(m_later, 3), "some > 0", m_later > 0 and min(later) > 0,
                          f"the rule: some in every one of the {len(runs)} traced runs ({min(later):.3f}–{max(later):.3f}), "
                          "and some in the model"))
    for key in PLACEMENT_KEYS:
        real = [placement_share(r["placement"], key) for r in runs]
        m = placement_share(model, key)
        out.append(Comparison(f"share of heads {PLACEMENT_LABELS[key]}", round(m, 3),
                              f"{min(real):.3f}–{max(real):.3f}", min(real) <= m <= max(real),
                              f"the range of {len(runs)} traced runs (median {statistics.median(real):.3f})"))
    return out


PLACEMENT_KEYS = ("next", "later", "other")
PLACEMENT_LABELS = {"next": "the polling P ran next (its local queue's head)",
                    "later": "the polling P ran after others of the list (global queue)",
                    "other": "another P ran first"}


def inject_wakeup_finding(ref: dict, wakeup: int = 80_000) -> list[Comparison]:
    """`inject_checks` for the model with an M's wake-up of ``wakeup`` ns instead of `Costs.wakeup`'s 15 µs:
    with 80 µs its three shares (0.753, 0.122, 0.125) are inside the traced runs' ranges (a fit to those runs:
    only 40 and 80 µs were tried)."""
    from ..sched import proc

    s = workloads.network_process(ref["conns"], ref["gomaxprocs"], costs=proc.Costs(wakeup=wakeup))
    return inject_checks(model_placement(s), ref)


def _median_range(values, fmt: str = "{:.0f}") -> str:
    values = list(values)
    if not values:  # the runs of this size were recorded before the quantity was (record_syscalls.py --conns)
        return "not recorded"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def side_by_side(model: dict, ref: dict, conns=(10, 100, 400)) -> list[tuple]:
    """Rows (quantity, connections, model, real: median (range) of the traced runs) for the chapter's table:
    goroutines waiting on the network, who woke them, the Ms, the system calls and sysmon's retakes. (The most
    waiting at once is not shown: a real run reaches it while ``trace.Stop`` ends the trace.)"""
    rows = []
    pct = "{:.1%}"
    for c in conns:
        runs, m = ref["runs"][str(c)], model[c]
        rows += [("goroutines in IO wait halfway", c, m["states"].get("IO wait", 0),
                  _median_range([r["states"].get("IO wait", 0) for r in runs])),
                 ("parks on the network per round trip", c, f"{parks_per_request(m, c):.2f}",
                  _median_range([parks_per_request(r, c) for r in runs], "{:.2f}"))]
        for key in WAKE_KEYS:
            rows.append((f"woken by {WAKE_LABELS[key]}", c, pct.format(wake_share(m, key)),
                         _median_range([wake_share(r, key) for r in runs], pct)))
        rows += [("goroutines per netpoll (that returned any)", c, f"{m['per_netpoll']:.2f}",
                  _median_range([r["per_netpoll"] for r in runs if "batches" in r], "{:.2f}")),
                 ("of those by an M with a P: findRunnable's netpoll(0) (real: just after the M's goroutine "
                  "stopped)", c, pct.format(m["from_findrunnable"]),
                  _median_range([after_park_share(r) for r in runs if "batches" in r], pct)),
                 ("goroutines' running time per round trip (µs)", c, f"{us_per_request(m, 'g_busy_ms'):.1f}",
                  _median_range([us_per_request(r, "g_busy_ms") for r in runs if "batches" in r], "{:.1f}")),
                 ("Ps held per round trip (µs)", c, "–",
                  _median_range([us_per_request(r, "p_busy_ms") for r in runs if "batches" in r], "{:.0f}")),
                 ("Ms (threads) in the trace", c, m["ms"], _median_range([r["ms"] for r in runs])),
                 ("system calls per round trip", c, 0,
                  _median_range([r["syscalls"] / r["requests"] for r in runs], "{:.1f}")),
                 ("system calls that kept their P", c, "–",
                  _median_range([r["fast"] / r["syscalls"] for r in runs], "{:.2%}")),
                 ("sysmon's retakes", c, "–", _median_range([r["retakes"] for r in runs])),
                 ("new Ms, started on a P sysmon retook", c, "–",
                  _median_range([r["new_ms_after_retake"] for r in runs]))]
    return rows


# --- what batches the model's clients: the poller's wake-ups ---------------------------------------------------

EPOLL_MIN_WAIT_NS = 1_000_000  # netpoll_epoll.go's ``waitms = 1`` for any delay under 1 ms (the chapter reads it)


def model_clients_per_wake(c: int, gomaxprocs: int = 2, after_ns: int = 50_000_000, costs=None,
                           near_ns: int = 100_000) -> dict:
    """The clients the model's timer checks ready per wake-up of its blocked poller during ``schedsys -w net -c
    C`` (after the first ``after_ns``): the timers run between one return of the poller's ``netpoll`` and the
    next, over the returns (``per_wake``); ``near_share``, the share of them run within ``near_ns`` of the wake
    (the running Ps run none in between); ``mean_gap_ns``, the time between wakes. Counted by wrapping
    `gosim.sched.proc.Sched.runTimers` and ``netpoll_return`` for the one run (restored after it)."""
    import bisect

    from ..sched import proc

    run_timers, poll_return = proc.Sched.runTimers, proc.Sched.netpoll_return
    timers: list = []
    wakes: list = []

    def runTimers(self, owner, pp, now):
        before = len(owner.timers)
        run_timers(self, owner, pp, now)
        timers.append((now, before - len(owner.timers)))

    def netpoll_return(self, mp):
        wakes.append(self.now)
        poll_return(self, mp)

    proc.Sched.runTimers, proc.Sched.netpoll_return = runTimers, netpoll_return
    try:
        workloads.network_process(c, gomaxprocs, costs=costs)
    finally:
        proc.Sched.runTimers, proc.Sched.netpoll_return = run_timers, poll_return
    wakes = [t for t in wakes if t > after_ns]
    times = [t for t, _ in timers]
    ran = near = 0
    for a, b in zip(wakes, wakes[1:]):
        for t, k in timers[bisect.bisect_left(times, a):bisect.bisect_left(times, b)]:
            ran += k
            near += k if t < a + near_ns else 0
    n = len(wakes) - 1
    return {"wakes": n, "per_wake": ran / n if n > 0 else 0.0, "near_share": near / ran if ran else 0.0,
            "mean_gap_ns": (wakes[-1] - wakes[0]) / n if n > 0 else 0.0}


def clients_per_wake_predicted(c: int, lateness_us: float) -> float:
    """What one wake-up of the poller should ready if every client due during its wait runs at it: ``C`` clients,
    each due once per ``NET_EVERY`` (10 ms), over a wait of ``EpollWait``'s 1 ms plus ``lateness_us`` (measured:
    the median of the recorded ``schedsleep -timer`` runs, `gosim.checks.sched.poller_slack_us`)."""
    return c * (EPOLL_MIN_WAIT_NS + lateness_us * 1e3) / workloads.NET_EVERY


def clients_per_wake_check(model: dict, c: int, lateness_us: float, tol: float = 0.10) -> Comparison:
    """The model's clients per wake of its poller (``model``: `model_clients_per_wake`) beside
    `clients_per_wake_predicted`, two-sided within ``tol`` (10 %): the derivation leaves out the time from a wake
    to the poller blocking again (the woken clients' round: at 100 connections about 10.85 × 15 µs of goroutine
    time over two Ps, some 80 µs, +7 %). A poller that wakes exactly when the next timer is due readies about
    one client per wake; one without the lateness, 6.9 at 100 connections."""
    want = clients_per_wake_predicted(c, lateness_us)
    got = model["per_wake"]
    return Comparison(f"{c} connections: clients readied per wake of the poller", round(got, 2), round(want, 2),
                      abs(got / want - 1) <= tol,
                      f"{c} × (1 ms + {lateness_us:.1f} µs) / {workloads.NET_EVERY / 1e6:g} ms, within "
                      f"{tol:.0%}; {model['wakes']} wakes")
