"""Chapter 5's exercises: the scheduler (gosim.sched beside the real runtime)."""

from __future__ import annotations

import statistics
from collections import Counter

from . import Choice, Exercise, Number, register  # noqa: F401 (Choice: kinds at hand)


def _steady_gap(seen: list, waiting: int) -> int:
    """The pair's runs between two runs of one W, once steady: ``seen`` holds each W's counter readings, W after
    W; the most common difference after the first two, over all the Ws."""
    from ..checks import sched as checks

    per_w = len(seen) // waiting
    steady = [x for i in range(waiting) for x in checks.steady(seen[i * per_w:(i + 1) * per_w])]
    return Counter(steady).most_common(1)[0][0]


def _pair_steady(via: str, waiting: int) -> int:
    """The real schedpair at GOMAXPROCS=1 (`_steady_gap`)."""
    from ..toolchain import Toolchain
    from ..toolchain import schedtrace as st

    tc = Toolchain.installed()
    run = tc.run(tc.build("schedpair"), ["-via", via, "-k", "20", "-w", str(waiting)], env={"GOMAXPROCS": "1"})
    seen, _ = st.parse_pair(run.stdout)
    return _steady_gap(seen, waiting)


def _pair_model(waiting: int) -> int:
    """The model's schedpair at GOMAXPROCS=1 (`_steady_gap`)."""
    from .. import sched

    r = sched.simulate("schedpair", gomaxprocs=1, goroutines=waiting, duration="1ms", limit="5s")
    return _steady_gap(r.observed, waiting)


def _panel_preemptions() -> int:
    from ..widgets import sched as panels

    r = panels.run("cpubound", 8)
    spinners = {g.goid for g in r.gs if g.name.startswith("spin")}
    counts = Counter(goid for _, _, goid, _ in r.preemptions if goid in spinners)
    if len(set(counts.values())) != 1 or set(counts) != spinners:
        raise RuntimeError(f"the spinners were not preempted equally often: {counts}")
    return next(iter(counts.values()))


register(Exercise(
    id="5.1",
    question=("Predict, then look at the panel below. Its **CPU-bound** workload at **GOMAXPROCS=8** starts 8 "
              "spinning goroutines, so each has a P of its own; main sleeps 120 ms, then sets the stop flag. How "
              "many times is each spinner preempted in the run (the model's sysmon, with its default sleeps of "
              "the asked time plus 50 µs)?"),
    kind=Number(),
    solve=_panel_preemptions,
    source="model",
    hint=("A goroutine alone on its P is still preempted by sysmon (retake does not ask whether anybody waits). "
          "Count the slices: the first is shorter, while sysmon's sleep climbs from 20 µs; then every two "
          "10 ms sleeps. And where does main run when its timer fires?"),
    wrong_hints={
        0: "Does retake look at whether another goroutine waits? Read its schedtick test again.",
        6: "That stops at 120 ms. main's timer is on a P's heap, checked only in findRunnable: who runs it "
           "while all 8 Ps spin?",
        12: "That is 10 ms slices: a tick is first seen one sysmon sleep after it moves (Why a time slice is "
            "20 ms).",
        13: "That is 10 ms slices: a tick is first seen one sysmon sleep after it moves (Why a time slice is "
            "20 ms).",
    },
))

register(Exercise(
    id="5.2",
    question=("Predict before you run the cell below: `schedpair -via ring` at **GOMAXPROCS=1**, with one goroutine "
              "W in a `runtime.Gosched` loop. A and B hand the CPU to each other through the local ring (each "
              "hand-off is a new slice), and each of their runs adds one to the counter. Once it is steady, by "
              "how much does the counter grow between two runs of W?"),
    kind=Number(),
    solve=lambda: _pair_steady("ring", 1),
    model=lambda: _pair_model(1),
    source="runtime",
    hint="Count schedticks: which findRunnable call looks at the global queue first, and which tick is W's own?",
    wrong_hints={
        61: "Is W's own run one of the ticks? Read execute's inheritTime test (schedule and findRunnable).",
        62: "Which of the ticks between two runs of W are not runs of A or B? (The 61st tick and runnext)",
        0: "W is in the global queue, but findRunnable looks there before the local queue every 61st tick.",
    },
))

register(Exercise(
    id="5.3",
    question=("A transfer: the same `schedpair -via ring` at **GOMAXPROCS=1**, but with **two** goroutines W1 and "
              "W2 in `runtime.Gosched` loops (`-w 2`). Between two runs of W1, by how much does the pair's "
              "counter grow, once steady?"),
    kind=Number(),
    solve=lambda: _pair_steady("ring", 2),
    model=lambda: _pair_model(2),
    source="runtime",
    transfer=True,
    hint="Where does W1 go after its Gosched, behind whom, and how many 61-tick rounds pass until it is first "
         "in the global queue again?",
    wrong_hints={
        60: "That is one W. With two, W1 waits in the global queue behind W2.",
        122: "Count the ticks that are not runs of A or B: who else is taken from the global queue?",
        121: "Is W1 the only goroutine taken from the global queue between two runs of W1?",
        61: "Count W's own tick out, and W2's.",
    },
))


def _stack_moves_real(depth: int) -> int:
    from ..toolchain import Toolchain
    from ..toolchain import schedtrace as st

    tc = Toolchain.installed()
    _, moves = st.parse_stack(tc.run(tc.build("schedstack"), ["-depth", str(depth)]).stdout)
    return len(moves)


def _stack_moves_model(depth: int) -> int:
    from ..checks import sched as checks
    from ..sched import stack
    from ..toolchain import Toolchain
    from ..toolchain.binary import objdump
    from ..toolchain import schedtrace as st

    tc = Toolchain.installed()
    binary = tc.build("schedstack")
    level, _ = st.parse_stack(tc.run(binary, ["-depth", "300"]).stdout)
    base = checks.goroutine_base([i.asm for i in objdump(binary, r"^main\.main\.func1$", tc)])
    return len(stack.recursion(depth, level - stack.PtrSize, base).growths)


register(Exercise(
    id="5.4",
    question=("`schedstack` recursing to depth **1,000** (each level takes the same bytes of stack as at depth "
              "300, in the section *A real stack, growing*): how many times has the goroutine's stack moved by "
              "then?"),
    kind=Number(),
    solve=lambda: _stack_moves_real(1000),
    model=lambda: _stack_moves_model(1000),
    source="runtime",
    hint="Bytes in use at depth 1,000 are about 1,000 levels; the stack doubles from 2 KiB each time it moves.",
    wrong_hints={
        6: "That is the count at depth 300. Each doubling holds twice as many levels as the one before.",
        7: "Check the last doubling: how many levels fit in 256 KiB, minus the guard?",
        9: "One too many: how many levels fit in 512 KiB?",
        3: "The stack doubles each time it moves, starting from 2 KiB: count the doublings up to the bytes in use.",
    },
))

register(Exercise(
    id="5.5",
    question=("A transfer: P1's ring holds **nine** goroutines and its `runnext` one more. P2, then P3, each steal "
              "from P1 once, both in the **last** pass of `stealWork`, and P1 runs nothing in between. How many "
              "goroutines does P1 still hold afterwards, in its ring and `runnext` together?"),
    kind=Number(),
    solve=lambda: _steal_left(),
    source="model",
    transfer=True,
    hint="Read runqgrab (runqput and runqsteal): how much of the ring a thief takes, and when it looks at runnext.",
    wrong_hints={
        2: "Does a thief look at runnext while the ring still holds goroutines?",
        4: "How does runqgrab round the half it takes?",
        1: "What does the second thief find in the ring, and how much of it does it take?",
        5: "There are two thieves, one after the other.",
    },
))


def _steal_left() -> int:
    from ..sched import proc, runq

    victim = proc.p(1)
    victim.runq.extend(range(9))
    victim.runnext = "next"
    for thief in (proc.p(2), proc.p(3)):
        runq.runqsteal(thief, victim, True)
    return len(victim.runq) + (victim.runnext is not None)


def _slice_with_slack(slack_ns: int) -> float:
    from .. import sched

    r = sched.simulate("timeslice", gomaxprocs=1, goroutines=2, duration="500ms",
                       costs=sched.Costs(timerslack=slack_ns))
    return float(statistics.median(r.timeslices(skip_ns=100_000_000))) / 1e9


register(Exercise(
    id="5.6",
    question=("A transfer: Linux lets a process set its timer slack (`prctl(PR_SET_TIMERSLACK)`). If every sleep "
              "lasted exactly what it asked for plus **1 ms**, how long would a CPU-bound goroutine's time slice "
              "be at GOMAXPROCS=1 once sysmon has backed off to its 10 ms sleeps (two goroutines, loops that "
              "call functions)?"),
    kind=Number("s", tolerance=0.0002),
    solve=lambda: _slice_with_slack(1_000_000),
    source="model",
    transfer=True,
    hint="A slice is a number of sysmon sleeps (Why a time slice is 20 ms): how long is one now?",
    wrong_hints={
        "11ms": "One sleep sees the new schedtick, another finds it 10 ms old.",
        "20ms": "What does one of sysmon's 10 ms sleeps last with this slack?",
        "21ms": "Count the sleeps in a slice, and what each one lasts now (Why a time slice is 20 ms).",
        "10ms": "forcePreemptNS is 10 ms, but the tick is first seen one sleep after it moves.",
    },
))


def _container_gomaxprocs(cpus: int, quota_us: int, period_us: int) -> int:
    """What the runtime's own defaultGOMAXPROCS(cpus) answers inside a real cgroup with this quota
    (cgroupprobe -rule, gosim/toolchain/cgroup.py); Skipped without root or a writable cgroup CPU controller."""
    from . import Skipped
    from ..toolchain import Toolchain
    from ..toolchain import cgroup as cg

    reason = cg.available()
    if reason:
        raise Skipped(reason)
    tc = Toolchain.installed()
    binary = tc.build("cgroupprobe", ldflags="-checklinkname=0")
    run = cg.run(binary, ["-d", "0", "-rule", str(cpus)], quota_us=quota_us, period_us=period_us)
    return cg.parse_probe(run.run.stdout).rule[cpus]


def _container_model(cpus: int, quota_us: int, period_us: int) -> int:
    from ..sched import cgroup

    return cgroup.default_gomaxprocs(cpus, quota_us, period_us)


register(Exercise(
    id="5.20",
    question=("A transfer: a container on a **16-CPU** machine gets a CPU quota of **900 ms per 250 ms period** "
              "(`cpu.max` says `900000 250000`), and the program sets neither `$GOMAXPROCS` nor `GODEBUG`. "
              "What GOMAXPROCS does today's runtime (Go 1.25 or later) give it at start-up?"),
    kind=Number(),
    solve=lambda: _container_gomaxprocs(16, 900_000, 250_000),
    model=lambda: _container_model(16, 900_000, 250_000),
    source="runtime",
    transfer=True,
    hint="Containers: the limit is quota/period; read adjustCgroupGOMAXPROCS for how it becomes a count of Ps.",
    wrong_hints={
        16: "That is what the runtime gave before Go 1.25 (and gives with GODEBUG=containermaxprocs=0): today "
            "the cgroup's limit counts.",
        3: "quota/period is 3.6 here: which way does adjustCgroupGOMAXPROCS round it?",
        9: "The period is 250 ms, not 100 ms.",
        2: "The floor of 2 applies only to limits below 2 CPUs.",
    },
))


def _quota_stall_ms(cpus: int, quota_cpus: float) -> float:
    """The throttling model's stall per period for CPU-bound goroutines at the rule's GOMAXPROCS."""
    from ..sched import cgroup

    period = 100_000
    procs = cgroup.default_gomaxprocs(cpus, quota_cpus * period, period)
    return cgroup.throttle(quota_cpus * period, period, threads=procs, cpus=cpus).stall_ms / 1e3


register(Exercise(
    id="5.21",
    question=("Predict, then look at the CPU-quota panel below. A Go program whose goroutines are all CPU-bound "
              "(more of them than Ps) runs in a container with a quota of **1.5 CPUs** (150 ms per 100 ms "
              "period) on an **8-CPU** machine, GOMAXPROCS left to the runtime. For how long in each period does "
              "none of its threads run?"),
    kind=Number("s", tolerance=0.0005),
    solve=lambda: _quota_stall_ms(8, 1.5),
    source="model",
    hint="First the rule (which GOMAXPROCS does 1.5 CPUs give?), then the quota: how soon do that many busy "
         "threads use 150 ms of CPU?",
    wrong_hints={
        "0ms": "Does GOMAXPROCS end up at or below the quota here? Apply the rule's rounding first.",
        "50ms": "That is 1 CPU of quota shared by 2 threads: the quota here is 1.5 CPUs.",
        "75ms": "75 ms is how long the threads run, not how long they wait.",
        "81.25ms": "GOMAXPROCS is not 8: the rule lowers it to the quota, rounded up.",
    },
))


def _blocked_threads_real(g: int) -> int:
    from ..toolchain import Toolchain
    from ..toolchain import syscalls

    tc = Toolchain.installed()
    run = tc.run(tc.build("schedsys"), ["-w", "block", "-g", str(g), "-d", "100ms"], env={"GOMAXPROCS": "2"})
    return syscalls.parse_output(run.stdout)["threads"]


def _blocked_threads_model(g: int) -> int:
    from ..sched import workloads

    return workloads.blocked_process(g, 2).sched.mcount


register(Exercise(
    id="5.7",
    question=("`schedsys -w block -g 12` at **GOMAXPROCS=2**: twelve goroutines each enter a nanosleep(2) system "
              "call of one second; main sleeps 100 ms, wakes, and reads how many OS threads the process has "
              "(`Threads:` in `/proc/self/status`). What does it read?"),
    kind=Number(),
    solve=lambda: _blocked_threads_real(12),
    model=lambda: _blocked_threads_model(12),
    source="runtime",
    hint="Each goroutine in a system call keeps its thread. Who else has a thread: the monitor, and whoever "
         "runs main when it wakes? (System calls, end to end)",
    wrong_hints={
        2: "GOMAXPROCS bounds the threads running Go code, not the threads blocked in the kernel.",
        12: "The twelve blocked threads are not all: sysmon has one of its own, and main must run somewhere.",
        13: "Twelve blocked threads and sysmon's: and the thread that runs main when its timer fires?",
        14: "Threads are never given back: count every M started since the process began, not only the busy "
            "ones.",
    },
))


def _net_io_wait_model(c: int) -> int:
    from ..sched import workloads

    return workloads.network_process(c, 2).observed[0]["IO wait"]


register(Exercise(
    id="5.8",
    question=("A transfer: `schedsys -w net -c 50` at **GOMAXPROCS=2** (a loopback server with 50 connections, each "
              "client asking every 10 ms). In the model, halfway through the run, how many goroutines are parked "
              "in **IO wait**?"),
    kind=Number(),
    solve=lambda: _net_io_wait_model(50),
    source="model",
    transfer=True,
    hint="Which goroutines wait for data most of the time, and which one waits for a connection that never "
         "comes? (The netpoller)",
    wrong_hints={
        50: "The server's goroutines, yes: and the accept loop, waiting on the listener?",
        100: "A client waits for its answer only for a moment; between requests it sleeps.",
        101: "A client waits for its answer only for a moment; between requests it sleeps.",
        0: "A goroutine whose read finds no data parks in netpollblock, in IO wait.",
    },
))


def _locked_sleeps_real(runs: int = 3) -> int:
    """lockedpingpong at GOMAXPROCS=1: the locked round trip's voluntary context switches (getrusage), the
    fewest of ``runs`` runs rounded up to the whole number of threads that fall asleep per round trip when no
    sleep is saved. The fewest: other switches (a GC, another job) only add; 40 runs gave 1.50-1.92, and one run
    over 2 would have rounded up to 3."""
    import math

    from ..toolchain import Toolchain

    tc = Toolchain.installed()
    binary = tc.build("lockedpingpong")
    per_round = []
    for _ in range(runs):
        run = tc.run(binary, ["-n", "20000"], env={"GOMAXPROCS": "1"})
        per_round.append({f[0]: float(f[6]) for f in map(str.split, run.lines)}["locked"])
    return math.ceil(min(per_round))


register(Exercise(
    id="5.9",
    question=("`lockedpingpong` at **GOMAXPROCS=1**: two goroutines pass a token back and forth over unbuffered "
              "channels, and one of them has called `runtime.LockOSThread`. Per round trip (the token there and "
              "back), at most how many threads go to sleep (a voluntary context switch each)?"),
    kind=Number(),
    solve=_locked_sleeps_real,
    disagreement="gosim.sched has no locked threads; the answer comes from the real run (its voluntary context "
                 "switches per round trip, rounded up: a sleep is saved when the wake-up comes first)",
    source="runtime",
    hint="Follow one round trip through schedule: what does an M whose locked goroutine blocks do, and what does "
         "the M that finds the locked goroutine runnable do? (LockOSThread and timers)",
    wrong_hints={
        0: "With both goroutines free, yes: one thread switches goroutines. Can a locked goroutine's M run the "
           "other one?",
        1: "The locked M sleeps in stoplockedm when its goroutine blocks. And the M that hands it the P back "
           "in startlockedm?",
        4: "Count the hand-offs in one round trip: the token crosses from the free goroutine to the locked one "
           "once, and back once.",
    },
))


def _most_spinning_model(gomaxprocs: int) -> int:
    """The model's schedspin with 64 goroutines of 5 µs per tick: the most Ms spinning at once."""
    from ..checks.spinning import model_stats
    from ..sched import spinning

    return model_stats(spinning.spin_process(gomaxprocs, k=64, work=5_000, duration=200_000_000)).max_spinning


register(Exercise(
    id="5.10",
    question=("A transfer: `schedspin -k 64 -work 5us` at **GOMAXPROCS=6** in the model (every millisecond main "
              "starts 64 goroutines of 5 µs each, so all six Ps get busy and their Ms run out of work again and "
              "again). At most how many Ms are spinning at the same moment?"),
    kind=Number(),
    solve=lambda: _most_spinning_model(6),
    source="model",
    transfer=True,
    hint="Read findRunnable's condition before stealWork: which Ms may start spinning, given how many already "
         "spin and how many Ps are busy? (Spinning threads)",
    wrong_hints={
        6: "Every M that runs out of work spins? Read the condition in front of stealWork again.",
        1: "wakep starts one spinning M at a time, but an M that runs out of work may start spinning by itself.",
        4: "Count again: once half the busy Ps have a spinning M, may one more start?",
        5: "Count again: once half the busy Ps have a spinning M, may one more start?",
    },
))


def _starve_threshold(gomaxprocs: int) -> int:
    from ..widgets import sched_discover

    return sched_discover.starve_threshold(gomaxprocs)


register(Exercise(
    id="5.11",
    question=("Predict, then move the controls of the panel below. With `GODEBUG=asyncpreemptoff=1` at "
              "**GOMAXPROCS=4**, main starts N goroutines that spin in loops calling no function, sleeps 40 ms, "
              "then sets a flag that stops them. What is the smallest N for which main never runs again?"),
    kind=Number(),
    solve=lambda: _starve_threshold(4),
    source="model",
    hint="Who runs main's timer when it fires, and what does that thread need to hold? (asyncpreemptoff: a "
         "loop that cannot be stopped)",
    wrong_hints={
        1: "One spinner leaves three Ps with nothing to do: does one of them look at the timers?",
        3: "Three spinners take three Ps: is the fourth busy?",
        5: "Main needs no P while it sleeps: count what must be busy for nobody to run its timer.",
    },
))


SLICE_RANGES = ("about 20 ms, as without it", "between 10 and 20 ms", "about 10 ms", "about 1 ms")


def slice_range_of(median_ms: float) -> str:
    """Which of `SLICE_RANGES` a median slice (ms) is in (tests/test_sched_discover.py reads the recorded real
    runs' with it too)."""
    if median_ms >= 19.5:
        return SLICE_RANGES[0]
    if median_ms > 10.5:
        return SLICE_RANGES[1]
    return SLICE_RANGES[2] if median_ms > 5 else SLICE_RANGES[3]


def _slice_range(costs=None) -> str:
    import statistics

    from ..widgets import sched_discover

    return slice_range_of(statistics.median(sched_discover.spinner_slices_ms(
        sched_discover.slices_run(1, 2, "on", costs))))


register(Exercise(
    id="5.12",
    question=("Predict, then look at the panel below. At **GOMAXPROCS=1**, two CPU-bound goroutines (loops that "
              "call functions) share the P with a third that loops on 1 ms `nanosleep` system calls. Where is "
              "the median time slice of the two CPU-bound goroutines (the model, with its default sleeps)?"),
    kind=Choice(list(SLICE_RANGES)),
    solve=_slice_range,
    source="model",
    hint="What resets sysmon's sleep to 20 µs, and how soon after such a reset is a new slice's schedtick "
         "first seen? (Why a time slice is 20 ms, not 10, and when it is less)",
    wrong_hints={
        SLICE_RANGES[0]: "Without the nanosleep loop, yes. What does sysmon do when it takes a P from a "
                         "system call, and what happens to its sleep?",
        SLICE_RANGES[2]: "forcePreemptNS is 10 ms, but sysmon must first see a schedtick, then see it again "
                         "10 ms later.",
        SLICE_RANGES[3]: "The nanosleep lasts 1 ms, but the CPU-bound goroutines are preempted by sysmon, "
                         "not by the sleeper.",
    },
))


def _net_waker(connections: int, gomaxprocs: int) -> str:
    """Which of netpoll's callers made the most waiting goroutines runnable in the model's network run."""
    from ..widgets import sched_net

    made = sched_net.net_run(connections, gomaxprocs).made
    return max(made, key=made.get)


def _net_callers() -> tuple:
    from ..widgets import sched_net

    return sched_net.CALLERS


register(Exercise(
    id="5.13",
    question=("Predict, then move the controls of the panel below. `schedsys -w net -c 100` at **GOMAXPROCS=2** in "
              "the model, for 400 ms: 100 server goroutines each wait to read their connection, and each client "
              "writes a byte every 10 ms and reads the answer. A goroutine parked in IO wait becomes runnable "
              "only when a thread calls `netpoll`. Which of netpoll's three callers makes most of them runnable "
              "again?"),
    kind=Choice(list(_net_callers())),
    solve=lambda: _net_waker(100, 2),
    source="model",
    hint="Follow one request: which thread is running when the client's write makes the server's socket "
         "readable, and what does that thread look for once its client parks? (The netpoller, Read)",
    wrong_hints={
        _net_callers()[1]: "An M blocks in netpoll only once it has found nothing else to do. Is any M idle "
                           "at the moment a client's write makes its server's socket readable, and what does "
                           "the M that ran the client do next?",
        _net_callers()[2]: "sysmon polls only when nobody has polled for 10 ms (sched.lastpoll). With 100 "
                           "connections, are the Ps ever busy that long?",
    },
))
