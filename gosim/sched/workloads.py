"""Workloads: what the simulated goroutines do, written as the Go programs they stand for.

A workload is a function ``(sched, goroutines, duration_ns, rng) -> main goroutine``; a goroutine is a Python
generator yielding the actions of `gosim.sched.proc` (``run``, ``spin``, ``go``, ``send``, ``recv``,
``syscall``, ``sleep``, ``stop``...). Every workload ends: main sleeps ``duration``, sets the stop flag, and
waits for every goroutine it started (a buffered ``done`` channel stands for a ``sync.WaitGroup``), so "every
goroutine finishes" is checkable - except when a call-free loop starves main (asynchronous preemption off).

``cpubound`` is the real program ``gosim/programs/cpubound`` (call-free loops); ``cpubound-calls`` is it with
``-calls``; ``timeslice`` is ``gosim/programs/timeslice`` (loops reading the clock: they call functions);
``empty`` is ``gosim/programs/schedspawn`` (goroutines that do nothing: what a goroutine's life costs, the
simulator's included - benchmarks/bench_sched.py).
Random work sizes come from ``rng`` (a seeded `Sampler`), so a workload is deterministic for a seed.
"""

from __future__ import annotations

import random
from itertools import islice
from typing import Callable, Iterator

from .chan import hchan
from .proc import close, go, gos, gosched, main_main, recv, recvn, run, send, sleep, spin, stop, syscall

US = 1_000
MS = 1_000_000

# Creating a goroutine and the loop around `go` cost the creator a little CPU (about 2 us per goroutine here: 3000 spinning goroutines take 4.5-10 ms to start);
# a creator pays it in batches of NEWPROC_BATCH goroutines, one compute segment each (cheaper to simulate).
NEWPROC_WORK = 2 * US
NEWPROC_BATCH = 16


def recvs(ch, k: int) -> Iterator:
    """``for range k { <-ch }``: ``k`` receives with nothing in between, as `recvn` actions (what ``k`` `recv`
    would do; values waiting in a buffer are taken at once instead of resuming the program for each)."""
    while k > 0:
        k -= yield recvn(ch, k)


def spawn(programs) -> Iterator:
    """``for ... { go f() }``: start each (program, name) with ``go``, computing NEWPROC_WORK per goroutine. The
    ``go`` statements of a batch come as one `gos` action (what a `go` each would do, cheaper to simulate)."""
    it = iter(programs)
    while True:
        batch = list(islice(it, NEWPROC_BATCH))
        if not batch:
            return
        yield gos(batch)
        yield run(len(batch) * NEWPROC_WORK)


class Sampler:
    """Random work sizes for a workload, deterministic for a seed: ``exp(mean)`` is exponentially distributed,
    at least 1 us. Draws come in blocks of 4096 from `gosim.sched.rng.Exponential`, the stream of
    ``numpy.random.default_rng(seed).standard_exponential`` (the same floats, in the same order) in pure
    Python, made at the first draw: no command imports numpy for it (0.10-0.12 s of a start-up), and its ~10 ms
    of table building is paid only by a workload that draws."""

    __slots__ = ("seed", "gen", "buf", "i", "random")

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.gen = None
        self.random = random.Random(seed)
        self.buf: list[float] = []
        self.i = 0

    def block(self) -> list[float]:
        """The next 4096 standard exponential draws."""
        if self.gen is None:
            from .rng import Exponential

            self.gen = Exponential(self.seed)
        return self.gen.draws(4096)

    def exp(self, mean_ns: float) -> int:
        i = self.i
        if i == len(self.buf):
            self.buf = self.block()
            i = 0
        self.i = i + 1
        w = int(self.buf[i] * mean_ns)
        return w if w > US else US

    def exps(self, mean_ns: float, k: int) -> list[int]:
        """``k`` draws of `exp` at once: the same numbers, in the same order, as ``k`` calls."""
        out: list[int] = []
        while k > 0:
            i = self.i
            if i == len(self.buf):
                self.buf = self.block()
                i = 0
            chunk = self.buf[i:i + k]
            self.i = i + len(chunk)
            k -= len(chunk)
            out += [w if w > US else US for w in [int(x * mean_ns) for x in chunk]]
        return out


def cpubound(s, n: int, duration: int, rng: Sampler, calls: bool = False) -> Iterator:
    """``n`` goroutines spin in loops until main, after sleeping ``duration``, stops them
    (``gosim/programs/cpubound``). ``calls=False``: call-free loops, only asynchronous preemption stops them."""
    done = hchan(n, "done")

    def worker() -> Iterator:
        yield spin(calls)
        yield send(done)

    yield from spawn((worker(), f"spin{i}") for i in range(n))
    yield sleep(duration)
    yield stop()
    yield from recvs(done, n)


def cpubound_calls(s, n: int, duration: int, rng: Sampler) -> Iterator:
    """`cpubound` with loops that call a function each iteration (cooperative preemption works)."""
    return cpubound(s, n, duration, rng, calls=True)


def timeslice_sys(s, n: int, duration: int, rng: Sampler) -> Iterator:
    """``gosim/programs/timeslice -sys 1``: ``n`` CPU-bound loops (with calls) and one goroutine looping on 1 ms
    nanosleep(2) system calls, each lasting what ``Costs.usleep(1000)`` says. Each time sysmon takes its P
    from the system call, sysmon's sleep goes back to 20 us."""
    done = hchan(n + 1, "done")
    nanosleep = s.costs.usleep(1000)

    def worker() -> Iterator:
        yield spin(True)
        yield send(done)

    def sleeper() -> Iterator:
        while not s.stopped:
            yield syscall(nanosleep)
        yield send(done)

    yield from spawn((worker(), f"spin{i}") for i in range(n))
    yield from spawn([(sleeper(), "nanosleep")])
    yield sleep(duration)
    yield stop()
    yield from recvs(done, n + 1)


def fanout(s, n: int, duration: int, rng: Sampler, mean_work: int = 100 * US) -> Iterator:
    """Fan-out/fan-in in rounds: main starts ``n`` workers (each computes ~``mean_work`` and sends its result),
    then receives ``n`` results; again until ``duration`` has passed."""
    while s.now < duration:
        results = hchan(n, "results")  # buffered: a worker sends and returns at once
        result = send(results)  # the same action for every worker (built once: a round has up to 100,000)

        def worker(work: int) -> Iterator:
            yield run(work)
            yield result

        yield from spawn((worker(work), f"worker{i}") for i, work in enumerate(rng.exps(mean_work, n)))
        yield from recvs(results, n)


def empty(s, n: int, duration: int, rng: Sampler) -> Iterator:
    """``gosim/programs/schedspawn``: main starts ``n`` goroutines that do nothing (``wg.Done()`` and return) and
    waits for them (``wg.Wait()``): a goroutine's whole life - created, scheduled, exited - and nothing else.
    ``duration`` is not used: main returns once the last goroutine is done. The WaitGroup is a counter and, for
    ``Wait``, a channel the last ``Done`` sends on (a ``Done`` itself never involves the scheduler)."""
    wg = [n]
    woken = hchan(1, "wg")

    def nothing() -> Iterator:
        wg[0] -= 1  # wg.Done()
        if wg[0] == 0:
            yield send(woken)  # the last one readies the waiter

    yield from spawn((nothing(), "") for _ in range(n))
    yield recv(woken)  # wg.Wait()


def prodcons(s, n: int, duration: int, rng: Sampler, capacity: int = 16, mean_work: int = 50 * US) -> Iterator:
    """Producer/consumer over a buffered channel: ``n/2`` producers (at least 1) compute then send, the other
    consumers receive then compute, until main stops the producers and closes the channel."""
    nprod = max(1, n // 2)
    ncons = max(1, n - nprod)
    items = hchan(capacity, "items")
    done = hchan(n + 1, "done")

    def producer() -> Iterator:
        while not s.stopped:
            yield run(rng.exp(mean_work))
            yield send(items)
        yield send(done)

    def consumer() -> Iterator:
        while (yield recv(items)):
            yield run(rng.exp(mean_work))
        yield send(done)

    yield from spawn((producer(), f"producer{i}") for i in range(nprod))
    yield from spawn((consumer(), f"consumer{i}") for i in range(ncons))
    yield sleep(duration)
    yield stop()
    yield from recvs(done, nprod)
    yield close(items)
    yield from recvs(done, ncons)


def syscalls(s, n: int, duration: int, rng: Sampler, mean_work: int = 50 * US,
             mean_syscall: int = 500 * US) -> Iterator:
    """Syscall-heavy: ``n`` goroutines alternate a little computing with blocking system calls - nanosleep(2),
    as in ``gosim/programs/schedwork -w syscall``, so each lasts its time plus the kernel's timer slack."""
    done = hchan(n, "done")
    slack = s.costs.timerslack

    def worker() -> Iterator:
        while not s.stopped:
            yield run(rng.exp(mean_work))
            yield syscall(rng.exp(mean_syscall) + slack)
        yield send(done)

    yield from spawn((worker(), f"sys{i}") for i in range(n))
    yield sleep(duration)
    yield stop()
    yield from recvs(done, n)


SECOND = 1_000_000_000


def blocked(s, n: int, duration: int, rng: Sampler, length: int = SECOND, maxthreads: int = 0) -> Iterator:
    """``gosim/programs/schedsys -w block``: ``n`` goroutines each enter one long system call (``length``, a
    nanosleep(2) of 1 s) and main sleeps ``duration`` (waking halfway to count the threads: ``s.observed``),
    then returns while they are still in it. Each goroutine in
    its system call holds its M; sysmon's retake hands its P to another M, so the process ends with about one
    thread per blocked goroutine. ``maxthreads`` > 0: ``debug.SetMaxThreads(maxthreads)`` first, and a process
    that needs more threads dies (`gosim.sched.proc.ThreadExhaustion`)."""
    if maxthreads:
        s.setMaxThreads(maxthreads)

    def sleeper() -> Iterator:
        yield syscall(length)

    yield from spawn((sleeper(), f"block{i}") for i in range(n))
    yield sleep(duration // 2)
    s.observed.append(s.sched.mcount)  # halfway: main wakes and counts the threads, as the real program does
    yield sleep(duration - duration // 2)


def blocked_process(n: int, gomaxprocs: int, duration: int = 100 * MS, maxthreads: int = 0, seed: int = 0,
                    until: int | None = None):
    """Simulate `blocked` as a whole process (``runtime.main`` first) and return the `Sched` at its exit, or at
    ``until`` ns if given (e.g. halfway through main's sleep); raises `gosim.sched.proc.ThreadExhaustion` as the
    runtime dies when ``maxthreads`` is too low."""
    from .proc import simulate_program

    rng = Sampler(seed)
    return simulate_program(lambda s: runtime_main(s, blocked(s, n, duration, rng, maxthreads=maxthreads)),
                            gomaxprocs, until=duration + SECOND if until is None else until, seed=seed)


NET_WORK = 5 * US  # what a read or write of one byte on a loopback connection costs its goroutine (assumed)
NET_EVERY = 10 * MS  # each client's period (schedsys -w net -every)


def network(s, n: int, duration: int, rng: Sampler, every: int = NET_EVERY) -> Iterator:
    """``gosim/programs/schedsys -w net -c n``: a loopback TCP server and ``n`` clients in one process. An accept loop
    waits on the listener (never ready again); per connection a server goroutine reads a byte (``netwait``),
    and writes it back (``netready`` of the client's end), and a client goroutine, every ``every``, writes a byte
    and reads the answer. Halfway, main records how many goroutines (not the runtime's, not main) are in each
    state (``s.observed``: one dict, as the real program's goroutine profile counts them)."""
    from .proc import netready, netwait, pollDesc

    listener = pollDesc("listener")

    def acceptor() -> Iterator:
        yield netwait(listener)

    def server(mine: pollDesc, theirs: pollDesc) -> Iterator:
        while True:
            yield netwait(mine)
            yield run(NET_WORK)
            yield netready(theirs)

    def client(i: int, mine: pollDesc, theirs: pollDesc) -> Iterator:
        yield sleep(max(1, every * i // n))  # spread over a period, as the real clients are
        while not s.stopped:
            yield run(NET_WORK)
            yield netready(theirs)
            yield netwait(mine)
            yield run(NET_WORK)
            yield sleep(every)

    yield go(acceptor(), "acceptor")
    conns = [(pollDesc(f"server{i}"), pollDesc(f"client{i}")) for i in range(n)]
    yield from spawn((server(sp, cp), f"server{i}") for i, (sp, cp) in enumerate(conns))
    yield from spawn((client(i, cp, sp), f"client{i}") for i, (sp, cp) in enumerate(conns))
    yield sleep(duration // 2)
    s.observed.append(goroutine_states(s))
    yield sleep(duration - duration // 2)
    yield stop()


def goroutine_states(s) -> dict[str, int]:
    """The program's goroutines by state, as a goroutine profile names them ("IO wait", "sleep", "runnable",
    "running", "syscall", "chan receive"...): the runtime's own goroutines and the calling one (main) left out."""
    from .proc import GSTATUS, _Gwaiting

    out: dict[str, int] = {}
    for gp in s.allgs:
        if gp is s.main or (gp.name or "").startswith(SYSTEM_PREFIX) or GSTATUS[gp.status] == "dead":
            continue
        state = gp.waitreason if gp.status == _Gwaiting else GSTATUS[gp.status]
        out[state] = out.get(state, 0) + 1
    return out


def network_process(n: int, gomaxprocs: int, duration: int = 400 * MS, seed: int = 0, costs=None):
    """Simulate `network` as a whole process; the `Sched` at its exit (``observed[0]``: the states halfway).
    ``costs``: a `gosim.sched.proc.Costs` other than the default."""
    from .proc import simulate_program

    rng = Sampler(seed)
    kw = {"costs": costs} if costs is not None else {}
    return simulate_program(lambda s: runtime_main(s, network(s, n, duration, rng)), gomaxprocs,
                            until=duration + SECOND, seed=seed, **kw)


def mix(s, n: int, duration: int, rng: Sampler) -> Iterator:
    """A mix: a quarter CPU-bound (1 ms chunks, with calls), a quarter syscall-heavy, a quarter producers and
    consumers, and a dispatcher fanning out short tasks to the last quarter's worth of goroutines."""
    q = max(1, n // 4)
    items = hchan(16, "items")
    done = hchan(n + 8, "done")

    def cpu() -> Iterator:
        while not s.stopped:
            yield run(MS)
        yield send(done)

    def sysw() -> Iterator:
        while not s.stopped:
            yield run(rng.exp(50 * US))
            yield syscall(rng.exp(300 * US))
        yield send(done)

    def producer() -> Iterator:
        while not s.stopped:
            yield run(rng.exp(30 * US))
            yield send(items)
        yield send(done)

    def consumer() -> Iterator:
        while (yield recv(items)):
            yield run(rng.exp(30 * US))
        yield send(done)

    def dispatcher() -> Iterator:
        while not s.stopped:
            results = hchan(q, "results")

            def task(work: int) -> Iterator:
                yield run(work)
                yield send(results)

            yield from spawn((task(rng.exp(20 * US)), "task") for _ in range(q))
            yield from recvs(results, q)
        yield send(done)

    groups = [(cpu, "cpu"), (sysw, "sys"), (producer, "producer")]
    yield from spawn((fn(), f"{name}{i}") for fn, name in groups for i in range(q))
    started = 3 * q
    ncons = max(1, q // 2)
    yield from spawn((consumer(), f"consumer{i}") for i in range(ncons))
    yield go(dispatcher(), "dispatcher")
    yield sleep(duration)
    yield stop()
    yield from recvs(done, started + 1)  # cpu, sys, producers, dispatcher
    yield close(items)
    yield from recvs(done, ncons)


PAIR_STEP = 2 * US  # the model's cost of one turn of the pair (real: a few hundred ns; only the pattern matters)
PAIR_RUNS = 40  # how many runs of each W are recorded


def schedpair(s, n: int, duration: int, rng: Sampler, ring: bool = True, runs: int = PAIR_RUNS) -> Iterator:
    """``gosim/programs/schedpair``: A and B take turns through unbuffered channels, each adding one to a counter;
    ``ring``: each also wakes C after its partner, so the partner is pushed from ``runnext`` to the local ring
    (``-via ring``), else it runs from ``runnext`` (``-via runnext``). ``n`` goroutines W loop on ``Gosched`` and
    record the counter's difference since their previous run (in ``s.observed``), ``runs`` times each. Meant for
    GOMAXPROCS=1; main returns while the pair and C are still blocked (so not every goroutine finishes)."""
    counter = [0]
    to_a, to_b, to_c = hchan(0, "toA"), hchan(0, "toB"), hchan(0, "toC")
    done = hchan(n, "done")

    def c() -> Iterator:
        while (yield recv(to_c)):
            pass

    def partner(inc: hchan, out: hchan) -> Iterator:
        while (yield recv(inc)) and not s.stopped:
            counter[0] += 1
            yield run(PAIR_STEP)
            if s.stopped:
                break
            yield send(out)
            if ring and not s.stopped:
                yield send(to_c)

    def w() -> Iterator:
        seen = []
        while len(seen) <= runs:
            seen.append(counter[0])
            yield run(US)
            yield gosched()
        s.observed.extend(b - a for a, b in zip(seen, seen[1:]))
        yield send(done)

    yield go(c(), "C")
    yield go(partner(to_a, to_b), "A")
    yield go(partner(to_b, to_a), "B")
    yield sleep(MS)  # every one of them waits in its receive
    yield from spawn((w(), f"W{i}") for i in range(n))
    yield send(to_a)
    yield from recvs(done, n)
    yield stop()  # main returns with the pair and C blocked, as the real program does


def schedpair_runnext(s, n: int, duration: int, rng: Sampler) -> Iterator:
    """``schedpair -via runnext``: the partner runs from ``runnext`` and inherits the time slice (4 W runs)."""
    return schedpair(s, n, duration, rng, ring=False, runs=4)


SLEEPGRAIN_US = (50, 300, 1300, 2000)  # the lengths (µs) of `schedsleep -timer` in chapter 5


def sleepgrain(s, lengths_us=SLEEPGRAIN_US, calls: int = 40) -> Iterator:
    """``gosim/programs/schedsleep -timer``: main alone calls ``time.Sleep(d)`` ``calls`` times for each length
    and times each call; ``s.observed`` gets {µs: [ns each call lasted, sorted]}."""
    took: dict[int, list[int]] = {}
    for us in lengths_us:
        if us <= 0:
            raise ValueError(f"lengths_us: {us} is not a positive number of µs")
        took[us] = []
        for _ in range(calls):
            t0 = s.now
            yield sleep(us * US)
            took[us].append(s.now - t0)
        took[us].sort()
    s.observed.append(took)


def sleepgrain_process(gomaxprocs: int = 2, lengths_us=SLEEPGRAIN_US, calls: int = 40,
                       seed: int = 0) -> dict[int, list[int]]:
    """Simulate `sleepgrain` as a whole process: {requested µs: [ns each sleep lasted, sorted]}."""
    from .proc import simulate_program

    if calls < 1:
        raise ValueError(f"calls: {calls} must be at least 1")
    until = SECOND + sum(lengths_us) * US * calls * 4
    s = simulate_program(lambda s: runtime_main(s, sleepgrain(s, lengths_us, calls)), gomaxprocs, until=until,
                         seed=seed)
    return s.observed[0]


# runtime.main before it starts the runtime's goroutines (schedinit's aftermath, init tasks): a few tens of us.
RUNTIME_INIT = 20 * US
SYSTEM_PREFIX = "runtime."


def runtime_main(s, user_main: Iterator) -> Iterator:
    """``runtime.main`` (proc.go): the runtime's own goroutines, then ``main.main``. ``forcegchelper`` (started by
    proc.go's ``init``), ``bgsweep`` and ``bgscavenge`` (``gcenable`` waits until both have started: two receives
    on a channel of capacity 2), the GOMAXPROCS updater and the finalizer goroutine park for good
    (``GODEBUG=scheddetail=1`` lists them as G2-G6); they are why the first SCHED line of a
    real program already shows a few schedticks. Their names start with ``runtime.``."""
    forever = hchan(0, "never")

    def parked(work: int = 2 * US, c: hchan | None = None) -> Iterator:
        yield run(work)
        if c is not None:
            yield send(c)
        yield recv(forever)

    yield run(RUNTIME_INIT)
    yield go(parked(), "runtime.forcegchelper")
    c = hchan(2, "gcenable")
    yield go(parked(c=c), "runtime.bgsweep")
    yield go(parked(c=c), "runtime.bgscavenge")
    yield recv(c)
    yield recv(c)
    yield go(parked(), "runtime.updateMaxProcsGoroutine")
    yield go(parked(), "runtime.runfinq")
    yield main_main(user_main)


WORKLOADS: dict[str, tuple[Callable, str]] = {
    "cpubound": (cpubound, "N goroutines in call-free loops (gosim/programs/cpubound)"),
    "cpubound-calls": (cpubound_calls, "N goroutines in loops that call a function (cpubound -calls)"),
    "timeslice": (cpubound_calls, "CPU-bound loops reading the clock (gosim/programs/timeslice)"),
    "timeslice-sys": (timeslice_sys, "timeslice -sys 1: N CPU-bound loops and one looping on 1 ms nanosleep"),
    "schedpair": (schedpair, "a pair handing over through the local ring, N goroutines in Gosched loops"),
    "schedpair-runnext": (schedpair_runnext, "the same pair handing over through runnext (inherits the slice)"),
    "fanout": (fanout, "rounds of fan-out to N workers and fan-in of their results"),
    "empty": (empty, "main starts N goroutines that do nothing and waits for them (gosim/programs/schedspawn)"),
    "prodcons": (prodcons, "N/2 producers and N/2 consumers over a buffered channel (cap 16)"),
    "syscall": (syscalls, "N goroutines alternating 50 us of work with ~500 us blocking syscalls"),
    "block": (blocked, "N goroutines each in one blocking 1 s syscall while main sleeps (schedsys -w block)"),
    "network": (network, "a loopback server and N clients, a request every 10 ms each (schedsys -w net)"),
    "mix": (mix, "CPU-bound, syscall-heavy, producer/consumer and fan-out goroutines together"),
}


def workload(name: str) -> Callable:
    """The workload function for ``name``; a ValueError lists the known ones."""
    try:
        return WORKLOADS[name][0]
    except KeyError:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {name!r}") from None
