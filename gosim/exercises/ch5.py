"""Chapter 5's exercises: the scheduler (gosim.sched beside the real runtime)."""

from __future__ import annotations

import statistics
from collections import Counter

from . import Choice, Exercise, Number, register  # noqa: F401 (Choice: kinds at hand)


def _pair_steady(via: str, waiting: int) -> int:
    """The real schedpair at GOMAXPROCS=1: the pair's runs between two runs of one W, once steady (the most
    common difference after the first two)."""
    from ..checks import sched as checks
    from ..toolchain import Toolchain
    from ..toolchain import schedtrace as st

    tc = Toolchain.installed()
    run = tc.run(tc.build("schedpair"), ["-via", via, "-k", "20", "-w", str(waiting)], env={"GOMAXPROCS": "1"})
    seen, _ = st.parse_pair(run.stdout)
    per_w = len(seen) // waiting
    steady = [x for i in range(waiting) for x in checks.steady(seen[i * per_w:(i + 1) * per_w])]
    return Counter(steady).most_common(1)[0][0]


def _pair_model(waiting: int) -> int:
    from .. import sched
    from ..checks import sched as checks

    r = sched.simulate("schedpair", gomaxprocs=1, goroutines=waiting, duration="1ms", limit="5s")
    per_w = len(r.observed) // waiting
    steady = [x for i in range(waiting) for x in checks.steady(r.observed[i * per_w:(i + 1) * per_w])]
    return Counter(steady).most_common(1)[0][0]


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
