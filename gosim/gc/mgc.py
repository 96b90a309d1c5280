"""Tri-color marking and sweeping, one object at a time, with a mutator running in between.

Mirrors the phases of runtime/mgc.go's design comment: ``_GCoff`` → sweep termination (STW) → ``_GCmark``
(write barrier on, allocate black, root jobs for globals and each goroutine stack, then grey objects drained from
the work queue) → ``_GCmarktermination`` (STW) → ``_GCoff`` and sweep, which frees every white object. Colours:
white = mark bit clear; grey = marked and waiting in the work queue (``gcWork``, LIFO like a workbuf); black =
marked and scanned. ``shade`` and ``greyobject`` are the runtime's (mgcmark.go): set the mark bit, then queue the
object unless it is noscan (straight to black). ``gcmarknewobject``: objects allocated during the mark are black.

A seeded `Mutator` runs between the collector's steps: it allocates, loads pointers from the heap into its stack,
stores stack pointers into the heap and globals (through the write barrier, `gosim.gc.mbarrier`), and drops
pointers. At mark termination `lost_objects` compares the marks with what the program can actually reach: a
reachable white object is the *lost object* sweep would free under the program's feet. Each step can be recorded
as a `Frame` for the chapter's step-through.

The collector sees the heap only through the `HeapStore` protocol plus its roots (``globals``, ``stacks``), so the
same cycle runs on the self-contained `ObjectStore` (the chapter's small graphs) and on `gosim.alloc`'s spans
(`gosim.gc.allocheap`): there the mark bits are the spans' ``gcmarkBits``, allocation during the mark is black
because ``mallocgc`` says so (``gcmarknewobject``), and sweep hands the white objects' slots back to their spans.

What it leaves out: parallel mark workers and their per-P queues, assists and pacing (see `pacersim`), oblets,
finalizers, the tiny allocator, Green Tea's span queue (see `greentea`).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from .heap import HeapStore, ObjectStore, random_heap, reachable
from .mbarrier import Barrier, barrier, wbBuf

_GCoff, _GCmark, _GCmarktermination = 0, 1, 2
PHASES = {_GCoff: "_GCoff", _GCmark: "_GCmark", _GCmarktermination: "_GCmarktermination"}

WHITE, GREY, BLACK, FREE = "white", "grey", "black", "free"


@dataclass(frozen=True)
class Frame:
    """The heap after one step: each object's colour, the work queue, which stacks are scanned, what happened."""

    step: int
    phase: str
    actor: str  # "gc" or "g0", "g1", ...
    action: str
    colors: tuple[str, ...]
    queue: tuple[int, ...]
    stacks_scanned: tuple[bool, ...]
    edges: tuple[tuple[int, int], ...]
    roots: tuple[tuple[str, int], ...]  # ("globals[0]", obj), ("g1[2]", obj)
    objects: tuple[int, ...] = ()  # the object each entry of ``colors`` is about (0, 1, 2, ... for ObjectStore)

    def color(self, obj: int) -> str:
        return self.colors[self.objects.index(obj)] if self.objects else self.colors[obj]


class Collector:
    """One GC cycle over a `HeapStore` with roots (``globals``, ``stacks``)."""

    def __init__(self, heap: HeapStore, barrier_: Barrier | str = "hybrid") -> None:
        self.heap = heap
        self.ids: list[int] = list(heap.objects())  # what the frames show: the heap at the start, then new objects
        self.freed: set[int] = set()
        self.barrier = barrier(barrier_)
        self.gcphase = _GCoff
        self.queue: deque[int] = deque()
        self.scanned: set[int] = set()
        self.stack_scanned = [False] * len(heap.stacks)
        self.root_jobs: deque[tuple[str, int]] = deque()
        self.wbuf = wbBuf()
        self.allocated_black = 0
        self.shaded_by_barrier = 0
        self.last_shaded: list[int] = []  # what the barrier queued for the last pointer write
        self.rescued: list[int] = []  # white objects the STW stack re-scan (Dijkstra) found
        self.work = 0  # objects scanned

    @property
    def writeBarrier_enabled(self) -> bool:
        return self.gcphase in (_GCmark, _GCmarktermination)

    # --- marking -------------------------------------------------------------------------------------------------

    def shade(self, obj: int | None) -> None:
        """``shade``/``greyobject``: mark and queue a white object (noscan objects go straight to black)."""
        if obj is None or self.heap.is_marked(obj):
            return
        self.heap.set_marked(obj)
        if self.heap.is_scan(obj) and self.heap.fields(obj):
            self.queue.append(obj)
        else:
            self.scanned.add(obj)

    def gcStart(self) -> None:
        """Sweep termination and the switch to ``_GCmark``: write barrier on, root jobs queued."""
        if hasattr(self.heap, "gcstart"):
            self.heap.gcstart()
        self.gcphase = _GCmark
        self.root_jobs = deque([("globals", 0), *(("stack", g) for g in range(len(self.heap.stacks)))])
        if self.barrier.scan_stacks_at_start:  # a snapshot: every stack, world stopped
            for g in range(len(self.heap.stacks)):
                self.scan_stack(g)
            self.root_jobs = deque([("globals", 0)])

    def start_action(self) -> str:
        """What ``gcStart`` did, for a frame."""
        if self.barrier.scan_stacks_at_start:
            return "gcStart: write barrier on, every stack scanned (world stopped)"
        return "gcStart: write barrier on, roots queued"

    def scan_stack(self, g: int) -> None:
        """``scanstack``: shade every pointer in goroutine g's frames; the stack is black afterwards."""
        for obj in self.heap.stacks[g]:
            self.shade(obj)
        self.stack_scanned[g] = True

    def scanobject(self, obj: int) -> None:
        for target in self.heap.fields(obj):
            self.shade(target)
        self.scanned.add(obj)
        self.work += 1

    def step(self) -> str | None:
        """One unit of mark work (``gcDrain``): a root job first, else scan one grey object. None: no work."""
        if self.wbuf.entries:
            for obj in self.wbuf.drain():
                self.shade(obj)
            return "flush wbBuf"
        if self.root_jobs:
            kind, i = self.root_jobs.popleft()
            if kind == "globals":
                for obj in self.heap.globals:
                    self.shade(obj)
                return "scan globals"
            self.scan_stack(i)
            return f"scan stack of g{i}"
        if self.queue:
            obj = self.queue.pop()
            self.scanobject(obj)
            return f"scan object {obj}"
        return None

    def drain(self) -> None:
        while self.step() is not None:
            pass

    def mark_termination(self) -> None:
        """``gcMarkDone`` + ``gcMarkTermination``: flush the write-barrier buffer, (Dijkstra) re-scan stacks with
        the world stopped, drain, and switch to ``_GCmarktermination``. ``rescued``: what the re-scan shaded."""
        self.drain()
        if self.barrier.rescan_stacks:
            white = {o for st in self.heap.stacks for o in st if o is not None and not self.heap.is_marked(o)}
            for g in range(len(self.heap.stacks)):
                self.scan_stack(g)
            self.rescued = sorted(white)
            self.drain()
        self.gcphase = _GCmarktermination
        if hasattr(self.heap, "gcmarkdone"):
            self.heap.gcmarkdone()

    def sweep(self) -> list[int]:
        """``_GCoff`` and sweep: every white object is freed."""
        self.gcphase = _GCoff
        freed = self.heap.sweep()
        self.freed.update(freed)
        return freed

    # --- the mutator's side -------------------------------------------------------------------------------------

    def writePointer(self, g: int, holder: int | None, index: int, ptr: int | None) -> None:
        """``*slot = ptr`` in the heap (``holder``'s field) or in a global (``holder`` None), with the barrier."""
        old = self.heap.fields(holder)[index] if holder is not None else self.heap.globals[index]
        self.last_shaded = []
        if self.writeBarrier_enabled:
            ptrs = self.barrier.pointers_to_shade(old, ptr, not self.stack_scanned[g])
            self.last_shaded = ptrs
            self.shaded_by_barrier += len(ptrs)
            if self.wbuf.put(ptrs):
                for obj in self.wbuf.drain():
                    self.shade(obj)
        if holder is None:
            self.heap.globals[index] = ptr
        else:
            self.heap.set_field(holder, index, ptr)

    def newobject(self, size: int, nptr: int) -> int:
        """``mallocgc``: allocated black while marking (``gcmarknewobject``), white otherwise."""
        obj = self.heap.allocate(size, nptr)
        self.ids.append(obj)
        if self.gcphase != _GCoff:
            self.heap.set_marked(obj)
            self.scanned.add(obj)
            self.allocated_black += 1
        return obj

    # --- views ---------------------------------------------------------------------------------------------------

    def color(self, obj: int) -> str:
        if obj in self.freed:
            return FREE
        if not self.heap.is_marked(obj):
            return WHITE
        return BLACK if obj in self.scanned else GREY

    def frame(self, step: int, actor: str, action: str) -> Frame:
        h = self.heap
        edges = tuple((o, t) for o in self.ids if o not in self.freed for t in h.fields(o) if t is not None)
        roots = tuple((f"globals[{i}]", o) for i, o in enumerate(h.globals) if o is not None) + tuple(
            (f"g{g}[{i}]", o) for g, st in enumerate(h.stacks) for i, o in enumerate(st) if o is not None)
        ids = tuple(self.ids)
        return Frame(step, PHASES[self.gcphase], actor, action, tuple(self.color(o) for o in ids),
                     tuple(self.queue), tuple(self.stack_scanned), edges, roots,
                     () if ids == tuple(range(len(ids))) else ids)


def lost_objects(heap: HeapStore) -> list[int]:
    """The invariant check at mark termination: objects the program can reach that are still white."""
    return sorted(o for o in reachable(heap) if not heap.is_marked(o))


@dataclass
class Mutator:
    """Goroutines doing random pointer work, seeded. Each op is one of: alloc, load, store, clear, drop, global."""

    seed: int = 0
    weights: dict[str, float] = field(default_factory=lambda: dict(
        load=4, store=3, clear=2, drop=2, alloc=1, load_global=1, store_global=1))

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def op(self, c: Collector) -> str:
        """Perform one random valid operation; returns what it did."""
        h, rng = c.heap, self.rng
        g = rng.randrange(len(h.stacks))
        stack = h.stacks[g]
        if not stack:
            return "idle"
        kinds, weights = zip(*self.weights.items())
        kind = rng.choices(kinds, weights)[0]
        i = rng.randrange(len(stack))
        held = [j for j, o in enumerate(stack) if o is not None and h.fields(o)]
        if kind == "alloc":
            obj = c.newobject(rng.choice((16, 32, 48, 64)), rng.randint(1, 2))
            stack[i] = obj
            return f"g{g}: s{i} = new object {obj}"
        if kind == "drop":
            stack[i] = None
            return f"g{g}: s{i} = nil"
        if kind == "load_global" and h.globals:
            k = rng.randrange(len(h.globals))
            stack[i] = h.globals[k]
            return f"g{g}: s{i} = globals[{k}] {_to(stack[i])}"
        if kind == "store_global" and h.globals:
            k = rng.randrange(len(h.globals))
            old = h.globals[k]
            c.writePointer(g, None, k, stack[i])
            return f"g{g}: globals[{k}] = s{i} {_to(stack[i], old)}{_shades(c)}"
        if not held:
            return "idle"
        j = rng.choice(held)
        obj = stack[j]
        k = rng.randrange(len(h.fields(obj)))
        if kind == "load":
            stack[i] = h.fields(obj)[k]
            return f"g{g}: s{i} = {obj}.f{k} {_to(stack[i])}"
        old = h.fields(obj)[k]
        if kind == "store":
            c.writePointer(g, obj, k, stack[i])
            return f"g{g}: {obj}.f{k} = s{i} {_to(stack[i], old)}{_shades(c)}"
        c.writePointer(g, obj, k, None)
        return f"g{g}: {obj}.f{k} = nil {_to(None, old)}{_shades(c)}"


def _to(obj: int | None, old: int | None = None) -> str:
    """How an op names the pointer it moved: ``(→7)``, ``(nil)``, and what a write overwrote: ``(→7, was →3)``."""
    new = "nil" if obj is None else f"→{obj}"
    return f"({new}, was →{old})" if old is not None else f"({new})"


def _shades(c: Collector) -> str:
    """What the write barrier put in the wbBuf for the last write (the objects it will shade)."""
    return f" · barrier shades {', '.join(map(str, c.last_shaded))}" if c.last_shaded else ""


@dataclass(frozen=True)
class CycleResult:
    barrier: str
    seed: int
    objects: int  # objects in the heap when the cycle started
    allocated_black: int
    marked: int
    freed: tuple[int, ...]
    lost: tuple[int, ...]  # reachable but white at mark termination (freed by sweep: a dangling pointer)
    mutator_ops: int
    mark_steps: int
    barrier_shades: int
    wbuf_flushes: int
    frames: tuple[Frame, ...] = ()

    def summary(self) -> str:
        return (f"barrier={self.barrier} seed={self.seed} objects={self.objects} marked={self.marked} "
                f"allocated_black={self.allocated_black} freed={len(self.freed)} lost={len(self.lost)} "
                f"mutator_ops={self.mutator_ops} mark_steps={self.mark_steps} barrier_shades={self.barrier_shades}")


def run_cycle(heap: HeapStore | None = None, barrier_: str | Barrier = "hybrid", seed: int = 0, *,
              objects: int = 40, mutator_rate: float = 0.6, ops_before: int = 0, record: bool = False,
              max_steps: int = 100_000) -> CycleResult:
    """One GC cycle with a seeded mutator interleaved: before each mark step, the mutator runs one operation with
    probability ``mutator_rate`` (repeatedly). ``heap`` defaults to ``random_heap(objects, seed)``."""
    if heap is None:
        heap = random_heap(objects, seed)
    if not 0 <= mutator_rate < 1:
        raise ValueError(f"mutator_rate must be in [0, 1), got {mutator_rate}")
    c = Collector(heap, barrier_)
    mut = Mutator(seed)
    sched = random.Random(seed ^ 0x5EED)
    frames: list[Frame] = []
    n0 = len(heap.objects())
    for _ in range(ops_before):
        mut.op(c)
    c.gcStart()
    if record:
        frames.append(c.frame(0, "gc", c.start_action()))
    ops = steps = 0
    while steps < max_steps:
        while sched.random() < mutator_rate:
            action = mut.op(c)
            ops += 1
            if record:
                frames.append(c.frame(len(frames), action.split(":")[0], action))
        action = c.step()
        if action is None:
            break
        steps += 1
        if record:
            frames.append(c.frame(len(frames), "gc", action))
    return _finish(c, heap, barrier_name=c.barrier.name, seed=seed, n0=n0, ops=ops, steps=steps, frames=frames,
                   record=record)


def _finish(c: Collector, heap, *, barrier_name: str, seed: int, n0: int, ops: int, steps: int,
            frames: list[Frame], record: bool) -> CycleResult:
    """Mark termination (the lost-object check), then sweep; the cycle's result."""
    c.mark_termination()
    lost = lost_objects(heap)
    marked = sum(heap.is_marked(o) for o in heap.objects())
    if record:
        what = "mark termination" + (f" (stacks re-scanned: shaded {', '.join(map(str, c.rescued))})"
                                     if c.rescued else "")
        frames.append(c.frame(len(frames), "gc", f"{what}: lost {lost}" if lost else what))
    freed = c.sweep()
    if record:
        frames.append(c.frame(len(frames), "gc", f"sweep: freed {len(freed)}"))
    return CycleResult(barrier_name, seed, n0, c.allocated_black, marked, tuple(freed), tuple(lost), ops, steps,
                       c.shaded_by_barrier, c.wbuf.flushes, tuple(frames))


# --- scripted schedules: the barrier demo's three classic ways to lose an object ---------------------------------

SCHEDULES: dict[str, tuple[str, tuple]] = {
    "store into a black object": (
        "g0 copies 1.f0 (→2) into its stack, already scanned; stores it into object 0, already black; "
        "then deletes it from 1, still grey, and drops its own copy",
        (("gc", 5), ("load", 0, 0, 1, 0), ("store", 0, 0, 1, 0), ("clear", 0, 1, 0), ("drop", 0, 0),
         ("drain",))),
    "hide in a stack": (
        "g0 copies 1.f0 (→2) into its stack, already scanned, then deletes it from 1, still grey: the only "
        "pointer to 2 is in a black stack",
        (("gc", 5), ("load", 0, 0, 1, 0), ("clear", 0, 1, 0), ("drain",))),
    "from an unscanned stack": (
        "g1, whose stack is not scanned yet, allocates object 6 (black), stores into it the pointer to 5 it "
        "holds, then drops that pointer from its stack",
        (("gc", 2), ("alloc", 1, 1, 16, 1), ("store", 1, 6, 0, 0), ("drop", 1, 0), ("drain",))),
}


def mutator_op(c: Collector, op: tuple) -> str:
    """One scripted mutator operation: ``("load", g, slot, obj, field)``, ``("store", g, obj, field, slot)``,
    ``("clear", g, obj, field)``, ``("drop", g, slot)``, ``("alloc", g, slot, size, nptr)``; the same writes (and
    barriers) and the same descriptions as the random `Mutator`."""
    h = c.heap
    kind, g, *args = op
    stack = h.stacks[g]
    if kind == "load":
        i, obj, k = args
        stack[i] = h.fields(obj)[k]
        return f"g{g}: s{i} = {obj}.f{k} {_to(stack[i])}"
    if kind == "store":
        obj, k, i = args
        old = h.fields(obj)[k]
        c.writePointer(g, obj, k, stack[i])
        return f"g{g}: {obj}.f{k} = s{i} {_to(stack[i], old)}{_shades(c)}"
    if kind == "clear":
        obj, k = args
        old = h.fields(obj)[k]
        c.writePointer(g, obj, k, None)
        return f"g{g}: {obj}.f{k} = nil {_to(None, old)}{_shades(c)}"
    if kind == "drop":
        (i,) = args
        stack[i] = None
        return f"g{g}: s{i} = nil"
    if kind == "alloc":
        i, size, nptr = args
        stack[i] = c.newobject(size, nptr)
        return f"g{g}: s{i} = new object {stack[i]}"
    raise ValueError(f"unknown mutator op {op!r}")


def run_script(schedule: str | tuple, barrier_: str | Barrier = "hybrid", heap: HeapStore | None = None,
               record: bool = True) -> CycleResult:
    """One cycle over ``heap`` (default `barrier_heap`) with a scripted schedule (a name in `SCHEDULES` or the
    ops): ``("gc", n)`` runs n collector steps, ``("drain",)`` runs the collector until it has no work, anything
    else is a `mutator_op`."""
    from .heap import barrier_heap

    script = SCHEDULES[schedule][1] if isinstance(schedule, str) else schedule
    heap = heap if heap is not None else barrier_heap()
    c = Collector(heap, barrier_)
    frames: list[Frame] = []
    n0 = len(heap.objects())
    c.gcStart()
    if record:
        frames.append(c.frame(0, "gc", c.start_action()))
    ops = steps = 0
    for op in script:
        if op[0] in ("gc", "drain"):
            for _ in range(op[1] if op[0] == "gc" else 1 << 30):
                action = c.step()
                if action is None:
                    break
                steps += 1
                if record:
                    frames.append(c.frame(len(frames), "gc", action))
        else:
            action = mutator_op(c, op)
            ops += 1
            if record:
                frames.append(c.frame(len(frames), f"g{op[1]}", action))
    return _finish(c, heap, barrier_name=c.barrier.name, seed=0, n0=n0, ops=ops, steps=steps, frames=frames,
                   record=record)


def step_through(objects: int = 8, seed: int = 1, barrier_: str = "hybrid", mutator_rate: float = 0.0,
                 heap: HeapStore | None = None) -> tuple[Frame, ...]:
    """Frames of one small cycle for the chapter's tri-color step-through (no mutator by default), over ``heap``
    (e.g. `gosim.gc.heap.example_heap`) or a random heap of ``objects`` objects."""
    if heap is None:
        heap = random_heap(objects, seed, globals_=1, goroutines=1, slots=2, max_fields=2)
    return run_cycle(heap, barrier_, seed, mutator_rate=mutator_rate, record=True).frames


def find_loss(barrier_: str = "none", objects: int = 12, seeds=range(200), mutator_rate: float = 0.6
              ) -> CycleResult | None:
    """The first seed whose schedule loses an object under ``barrier_`` (for the barrier demo), or None."""
    for seed in seeds:
        r = run_cycle(None, barrier_, seed, objects=objects, mutator_rate=mutator_rate)
        if r.lost:
            return r
    return None


def compare_barriers(seed: int, objects: int = 10, mutator_rate: float = 0.75,
                     barriers=("none", "dijkstra", "yuasa", "hybrid")) -> dict[str, CycleResult]:
    """The same heap and mutator schedule (`random_heap(objects, seed)`, `Mutator(seed)`) under each barrier, with
    frames: the barrier demo. The mutator's operations are the same sequence under every barrier; how many of
    them fall inside the mark depends on how much work the barrier adds."""
    out = {}
    for b in barriers:
        r = run_cycle(None, b, seed, objects=objects, mutator_rate=mutator_rate, record=True)
        out[r.barrier] = r
    return out
