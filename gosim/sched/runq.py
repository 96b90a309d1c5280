"""Run queues: each P's local ring of 256 slots plus ``runnext``, the global queue, and the stealing order.

Mirrors runtime/proc.go: ``runqput`` (``next=True`` puts the G in ``runnext`` and kicks the old one to the tail),
``runqputslow`` (a full ring moves half of itself, 128 Gs, plus the new G to the global queue), ``runqget``
(``runnext`` first, with ``inheritTime``), ``runqputbatch``, ``runqgrab``/``runqsteal`` (the thief takes
``n - n/2`` from the victim's head, and the victim's ``runnext`` only when asked to, in the last stealing round),
``globrunqput``/``globrunqputhead``/``globrunqget`` and ``globrunqgetbatch`` (``min(n, size, size/gomaxprocs+1)``),
and ``randomOrder``, the coprime-stride permutation ``stealWork`` walks the Ps in.

What it leaves out: the lock-free protocol (head/tail CAS, load-acquire/store-release). The simulation runs one
thing at a time, so a ``collections.deque`` bounded at 256 is the ring; what a race could change (a steal
failing its CAS and retrying) does not happen here. The ``randomizeScheduler`` shuffles of race builds are left
out too. ``runqgrab``'s ``usleep(3)`` before taking a running P's ``runnext`` is in `gosim.sched.proc`, which
owns time.
"""

from __future__ import annotations

from collections import deque
from math import gcd

RUNQ_SIZE = 256  # len(p.runq), runtime2.go


def runqput(pp, gp, next: bool, sched) -> None:
    """``runqput``: ``next`` puts gp in ``pp.runnext`` (the old runnext goes to the tail); a full ring spills half
    of itself and gp to the global queue (``runqputslow``)."""
    if next:
        old = pp.runnext
        pp.runnext = gp
        if old is None:
            return
        gp = old
    q = pp.runq
    if len(q) < RUNQ_SIZE:
        q.append(gp)
        return
    runqputslow(pp, gp, sched)


def runqputslow(pp, gp, sched) -> None:
    """``runqputslow``: move the first half of the full ring (128 Gs) and gp, in that order, to the global queue."""
    q = pp.runq
    batch = [q.popleft() for _ in range(len(q) // 2)]
    batch.append(gp)
    sched.runq.extend(batch)  # globrunqputbatch
    sched.runqputslow += 1


def runqputbatch(pp, batch) -> None:
    """``runqputbatch``: append as many of ``batch`` as fit; the caller handles what is left."""
    q = pp.runq
    room = RUNQ_SIZE - len(q)
    q.extend(batch[:room])
    del batch[:room]


def runqget(pp):
    """``runqget``: (gp, inheritTime). ``runnext`` first: it inherits the current time slice."""
    gp = pp.runnext
    if gp is not None:
        pp.runnext = None
        return gp, True
    q = pp.runq
    if q:
        return q.popleft(), False
    return None, False


def runqempty(pp) -> bool:
    """``runqempty``: no G in the ring and none in ``runnext``."""
    return not pp.runq and pp.runnext is None


def runqgrab(victim, steal_runnext: bool) -> list:
    """``runqgrab``: take ``n - n/2`` Gs from the victim's head; with an empty ring and ``steal_runnext``, its
    ``runnext``."""
    q = victim.runq
    n = len(q)
    n -= n // 2
    if n == 0:
        if steal_runnext and victim.runnext is not None:
            gp = victim.runnext
            victim.runnext = None
            return [gp]
        return []
    return [q.popleft() for _ in range(n)]


def runqsteal(pp, victim, steal_runnext: bool):
    """``runqsteal``: grab half the victim's queue into ``pp``'s and return the last grabbed G to run it."""
    batch = runqgrab(victim, steal_runnext)
    if not batch:
        return None
    gp = batch.pop()
    if batch:
        pp.runq.extend(batch)
    return gp


def globrunqgetbatch(sched, n: int, gomaxprocs: int):
    """``globrunqgetbatch``: (first G, the rest) with ``n = min(n, size, size/gomaxprocs + 1)``."""
    q = sched.runq
    size = len(q)
    if size == 0:
        return None, []
    n = min(n, size, size // gomaxprocs + 1)
    gp = q.popleft()
    return gp, [q.popleft() for _ in range(n - 1)]


class randomOrder:
    """``randomOrder``: enumerate 0..count-1 as ``pos, pos+inc, pos+2inc, ...`` mod count with ``inc`` coprime to
    count, so every start value gives a permutation. ``start(i)``: pos = i % count, inc =
    coprimes[i / count % len(coprimes)]."""

    __slots__ = ("count", "coprimes")

    def __init__(self, count: int) -> None:
        self.reset(count)

    def reset(self, count: int) -> None:
        self.count = count
        self.coprimes = [i for i in range(1, count + 1) if gcd(i, count) == 1]

    def order(self, i: int) -> list[int]:
        """The positions ``stealOrder.start(i)`` enumerates, in order."""
        count, coprimes = self.count, self.coprimes
        pos = i % count
        inc = coprimes[i // count % len(coprimes)]
        out = []
        for _ in range(count):
            out.append(pos)
            pos = (pos + inc) % count
        return out


def new_runq() -> deque:
    """An empty local run queue (the 256-slot ring)."""
    return deque()
