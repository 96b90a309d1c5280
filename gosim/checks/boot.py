"""Chapter 1's checks: the boot model beside gdb's view of the real runtime."""

from __future__ import annotations

from dataclasses import dataclass

from .. import boot as bootmodel


def state_from_gdb(snapshot: dict) -> bootmodel.State:
    """The runtime state gdb read (``allgs``, ``allp``, ``allm``) as the boot model's `State`."""
    gs = tuple(bootmodel.G(g["goid"], g["fn"], g["status"], g.get("waitreason")) for g in snapshot["gs"])
    ps = tuple(bootmodel.P(p["id"], p["status"], p["m"], p["runnext"], tuple(p["runq"])) for p in snapshot["ps"])
    ms = tuple(bootmodel.M(m["id"], "m0" if m["id"] == 0 else "sysmon" if m["mstartfn"] == "runtime.sysmon"
                           else "worker", m["p"], m["curg"], m["spinning"]) for m in snapshot["ms"])
    return bootmodel.State(gomaxprocs=snapshot["gomaxprocs"], ms=ms, ps=ps, gs=gs)


@dataclass(frozen=True)
class Row:
    quantity: str
    model: object
    real: object
    stable: bool  # the runtime gives the same value on every run
    why: str = ""
    gap: tuple[int, int] | None = None  # real − model that a simplification of the model explains (its box)

    @property
    def equal(self) -> bool:
        return self.model == self.real

    @property
    def verdict(self) -> str:
        """``equal``; ``model leaves out`` (the difference the model's simplification predicts, and no other);
        ``varies`` (a racy quantity that disagreed this time); or ``differs``: a failure."""
        if self.equal:
            return "equal"
        if self.gap is not None:
            low, high = self.gap
            ok = isinstance(self.model, int) and isinstance(self.real, int) and low <= self.real - self.model <= high
            return "model leaves out" if ok else "differs"
        return "differs" if self.stable else "varies"


def boot_state_rows(model: bootmodel.State, real: bootmodel.State, at: str) -> list[Row]:
    """The state the model predicts at a breakpoint beside what gdb read there.

    Stable on every run: GOMAXPROCS, the goroutines that exist (``len(allgs)``) and which functions they started
    in, in creation order (``allgs`` is append-only), and the idle Ps while m0 is still alone (at mstart). Not
    stable once other Ms run: idle Ps at main.main (a woken M may still hold a P while it spins). OS threads at
    main.main are a known gap: the model leaves out the hand-off of P0 while the main goroutine, locked to m0,
    blocks in gcenable (``stoplockedm`` → ``handoffp`` starts one more M), so the runtime has one more thread
    than the model; with idle Ps, ``wakep`` may start more spinning Ms than the model's one reused worker. The
    row accepts 1 to max(2, GOMAXPROCS) more real threads, nothing else.
    """
    alone = at in ("runtime.mstart", "runtime.mstart0", "runtime.mstart1", "runtime.schedule")
    main_g = lambda s: next((g for g in s.gs if g.goid == 1), None)  # noqa: E731
    return [
        Row("gomaxprocs", model.gomaxprocs, real.gomaxprocs, True),
        Row("goroutines", model.goroutines, real.goroutines, True),
        Row("goroutine start functions", tuple(g.fn for g in model.gs), tuple(g.fn for g in real.gs), True,
            "allgs order = creation order"),
        Row("main goroutine", main_g(model) and main_g(model).status, main_g(real) and main_g(real).status, True),
        Row("P0.runnext", model.ps[0].runnext if model.ps else None, real.ps[0].runnext if real.ps else None,
            alone, "" if alone else "goroutine ids come from per-P caches and other Ms may take runnext"),
        Row("idle Ps", model.idle_ps, real.idle_ps, alone or model.gomaxprocs == 1,
            "" if alone or model.gomaxprocs == 1 else "a spinning M may still hold a P"),
        Row("OS threads (Ms)", model.threads, real.threads, alone,
            "" if alone else "the model leaves out the M that handoffp starts while main is locked to m0 "
            "(+1), and the spinning Ms wakep starts, which the model reuses as one",
            gap=None if alone else (1, max(2, model.gomaxprocs))),
    ]


def boot_chain_rows(model: bootmodel.Boot, first_hits: list[str]) -> list[tuple[int, str, str | None, bool]]:
    """(position, the model's function, gdb's function at that position, equal) for the first-call order."""
    expected = model.first_calls()
    rows = []
    for i in range(max(len(expected), len(first_hits))):
        want = expected[i] if i < len(expected) else None
        got = first_hits[i] if i < len(first_hits) else None
        rows.append((i + 1, want, got, want == got))
    return rows


def callers(hits, function: str, thread: int = 1) -> list[str | None]:
    """Who called ``function`` on ``thread``, once per call: a stop in an ABI0 wrapper and the stop in the body
    right after it are one call, and its caller is the wrapper's caller."""
    result: list[str | None] = []
    previous = None
    for hit in hits:
        if hit.thread != thread:
            continue
        if hit.function == function:
            if previous is not None and previous.function == function and previous.wrapper:
                previous = hit
                continue
            caller = hit.caller_function or hit.caller
            result.append(caller.removesuffix(".abi0") if caller else None)
        previous = hit
    return result


SNAPSHOTS = ("runtime.mstart", "main.main")


def state_comparison(procs: int, trace=None) -> list[tuple]:
    """Rows ``(GOMAXPROCS, at, quantity, model, gdb, verdict, why)``: the boot model at ``procs`` beside the state
    gdb read at `SNAPSHOTS` (``trace`` from ``gdb_trace(..., snapshot_at=SNAPSHOTS)``). The verdict is ``equal``,
    ``differs`` (a failure), ``varies`` (a quantity that races between threads and disagrees this time) or
    ``model leaves out`` (the difference a simplification of the model predicts: see `Row.verdict`). Without a
    trace (no gdb) the gdb column is empty."""
    model = bootmodel.boot("current", procs)
    rows = []
    for at in SNAPSHOTS:
        predicted = model.state_at(at)
        real = state_from_gdb(trace.state_at(at)) if trace is not None else None
        for row in boot_state_rows(predicted, real or predicted, at):
            if real is None:
                rows.append((procs, at, row.quantity, row.model, None, "no gdb", row.why))
                continue
            rows.append((procs, at, row.quantity, row.model, row.real, row.verdict, row.why))
    return rows


HELPERS = ("runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge")
HANDOFF = ("runtime.stoplockedm", "runtime.startlockedm")
INIT_PINNED = HELPERS + HANDOFF + ("main.main",)


def helper_threads(trace) -> list[tuple[str, int, str]]:
    """Rows ``(function, thread, called from)`` for the first stop in each function of `INIT_PINNED` (a
    ``gdb_trace`` with breakpoints there): which OS thread ran the runtime's helper goroutines, and where m0 gave
    its P away (``stoplockedm``, thread 1) and another M gave it back (``startlockedm``)."""
    rows, seen = [], set()
    for hit in trace.hits:
        if hit.function in seen:
            continue
        seen.add(hit.function)
        rows.append((hit.function, hit.thread, hit.caller_function or hit.caller or ""))
    return rows
