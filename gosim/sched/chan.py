"""Channels, as far as the scheduler sees them: who blocks, who is readied, in which order.

Mirrors runtime/chan.go's ``hchan`` (``dataqsiz``, ``qcount``, ``recvq``, ``sendq``, ``closed``), ``chansend``,
``chanrecv`` and ``closechan``: a send to a waiting receiver hands the value over directly and readies the
receiver; otherwise it fills the buffer or parks the sender on ``sendq``. A receive takes from a waiting sender
(for a full buffered channel: the buffer's head, and the sender's value moves into the buffer) or from the buffer,
or parks on ``recvq``. Closing readies every waiter. Readying goes through ``goready`` (``runqput(pp, gp, true)``
and ``wakep``) in `gosim.sched.proc`.

What it leaves out: the values themselves, ``select``, locks, sudog caching. Each function returns what the
scheduler must do; the caller parks or readies.
"""

from __future__ import annotations

from collections import deque


class hchan:
    """A channel: capacity ``dataqsiz``, ``qcount`` buffered values, FIFO queues of waiting Gs."""

    __slots__ = ("name", "dataqsiz", "qcount", "recvq", "sendq", "closed", "sends", "recvs")

    def __init__(self, dataqsiz: int = 0, name: str = "") -> None:
        if dataqsiz < 0:
            raise ValueError(f"channel capacity must be >= 0, got {dataqsiz}")
        self.name = name
        self.dataqsiz = dataqsiz
        self.qcount = 0
        self.recvq: deque = deque()
        self.sendq: deque = deque()
        self.closed = False
        self.sends = 0
        self.recvs = 0

    def __repr__(self) -> str:
        return f"hchan({self.name or '?'} {self.qcount}/{self.dataqsiz} recvq={len(self.recvq)} sendq={len(self.sendq)})"


def chansend(c: hchan, gp):
    """``chansend``: (blocks, G to ready). A send on a closed channel panics in Go; here it is an error."""
    if c.closed:
        raise RuntimeError(f"send on closed channel {c.name}")
    c.sends += 1
    if c.recvq:
        return False, c.recvq.popleft()  # send: direct hand-off to the waiting receiver
    if c.qcount < c.dataqsiz:
        c.qcount += 1
        return False, None
    c.sendq.append(gp)
    return True, None


def chanrecv(c: hchan, gp):
    """``chanrecv``: (blocks, G to ready, ok). ``ok`` is False for a receive from a closed, drained channel."""
    if c.sendq:
        c.recvs += 1
        # recv: unbuffered, take the sender's value; full buffer, take the head and move the sender's value in.
        return False, c.sendq.popleft(), True
    if c.qcount > 0:
        c.qcount -= 1
        c.recvs += 1
        return False, None, True
    if c.closed:
        return False, None, False
    c.recvq.append(gp)
    return True, None, True


def closechan(c: hchan) -> list:
    """``closechan``: mark closed and return every waiting receiver (they wake with ok = false)."""
    if c.closed:
        raise RuntimeError(f"close of closed channel {c.name}")
    c.closed = True
    if c.sendq:
        raise RuntimeError(f"close of channel {c.name} with blocked senders (they would panic)")
    waiters = list(c.recvq)
    c.recvq.clear()
    return waiters
