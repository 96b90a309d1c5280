"""Chapter 3's exercises: memory allocation (the tiny allocator's packing, escape analysis and the 64 KiB limit,
span tails of scan spans, per-P caches, growslice's round-up with a malloc header, findObject's division, slot
reuse after a sweep). Runtime answers come from ``gosim/programs/allocquiz``, ``gosim/programs/allocboundary`` and
``gosim/programs/allocspan`` run with GOMAXPROCS=1; the model's from `gosim.alloc`."""

from __future__ import annotations

from functools import cache

from . import Exercise, Number, register

# The five pointer-free objects allocquiz's tiny() allocates, in order (its t1..t5).
TINY_SEQUENCE = (1, 8, 3, 15, 4)
# The length of allocquiz's src slice of pointers.
APPEND_LEN = 70


@cache
def _allocquiz() -> dict[str, dict[str, str]]:
    """allocquiz's lines, ``what key=value ...`` → {what: {key: value}}."""
    from ..toolchain.go import Toolchain

    tc = Toolchain.installed()
    out = tc.run(tc.build("allocquiz"), env={"GOMAXPROCS": "1"}).stdout
    lines = {}
    for line in out.splitlines():
        what, *fields = line.split()
        lines[what] = dict(f.split("=", 1) for f in fields)
    return lines


def _tiny_run() -> int:
    return 16 * int(_allocquiz()["tiny"]["blocks"])


def _tiny_model() -> int:
    from ..alloc import Allocator

    a = Allocator(1, seed=1)
    addrs = [a.mallocgc(size, True) for size in TINY_SEQUENCE]
    return 16 * len({addr >> 4 for addr in addrs})


register(Exercise(
    id="3.1",
    question=("Right after a collection (which empties the P's tiny block), a goroutine with GOMAXPROCS=1 "
              "allocates five pointer-free objects that escape, one after another: `new([1]byte)`, "
              "`new(int64)`, `new([3]byte)`, `new([15]byte)`, `new([4]byte)`. How many bytes of 16-byte tiny "
              "blocks do the five take together (16 × the number of blocks)?"),
    kind=Number("B"),
    solve=_tiny_run,
    model=_tiny_model,
    source="runtime",
    hint=("Follow `c.tinyoffset` object by object: align the offset by the object's size, place the object if "
          "it fits in 16 bytes, else take a new block and keep whichever block has more room."),
    wrong_hints={
        64: ("That is what you get if every new block replaces the current one: look at which block the mcache "
             "keeps when it takes a new one (Tiny objects)."),
        32: "That packs the objects end to end; each is first aligned by its size (the 8-byte one to 8).",
        31: "That is the objects' own bytes; the question counts whole 16-byte blocks.",
        80: "One block per object: the tiny allocator packs an object into the current block when it fits.",
    },
))


def _escape_run() -> float:
    return float(_allocquiz()["escape"]["allocs"])


def _escape_model() -> int:
    """The compiler's own prediction: the heap decisions of `-gcflags=-m` inside f."""
    from ..toolchain.escape import escape_analysis
    from ..toolchain.go import program_dir

    lines = (program_dir("allocquiz") / "main.go").read_text().splitlines()
    first = next(i for i, line in enumerate(lines, 1) if line.startswith("func f("))
    last = next(i for i, line in enumerate(lines, 1) if i > first and line == "}")
    return sum(d.heap for d in escape_analysis("allocquiz").diagnostics if first < d.line < last)


register(Exercise(
    id="3.2",
    question=("How many heap allocations does one call of this function make (`testing.AllocsPerRun`)? It is "
              "not inlined (`//go:noinline`), and nothing it allocates leaves it.\n\n"
              "```go\nfunc f(n int) int {\n\ta := make([]byte, 64<<10)\n\tb := make([]byte, 64<<10+1)\n"
              "\tp := new(int)\n\ta[n], b[n], *p = 1, 2, n\n\treturn int(a[n]) + int(b[n]) + *p\n}\n```"),
    kind=Number(),
    solve=_escape_run,
    model=_escape_model,
    source="runtime",
    hint=("Ask of each of the three: does a pointer to it leave f, and is it too large for the stack "
          "(`MaxImplicitStackVarSize`)? `-gcflags=-m` says."),
    wrong_hints={
        0: ("Nothing escapes, but not everything may live on the stack: compare each size with "
            "`MaxImplicitStackVarSize` (64 KiB)."),
        2: "The limit is for implicit variables *over* 64 KiB: a make of exactly 64 KiB may stay on the stack.",
        3: "A `new(int)` whose pointer never leaves f does not escape: escape analysis keeps it in f's frame.",
    },
))


def _scan_slots_run() -> int:
    from ..toolchain.go import Toolchain
    from ..toolchain.procmem import parse_slot_run

    tc = Toolchain.installed()
    return parse_slot_run(tc.run(tc.build("allocboundary"), env={"GOMAXPROCS": "1"}).stdout)[48, True]


def _scan_slots_model() -> int:
    from ..alloc import sizeclasses as sc
    from ..alloc.mspan import nelems_for

    k = sc.size_to_class(48)
    return nelems_for(sc.makeSpanClass(k, False), sc.SizeClassToNPages()[k])


register(Exercise(
    id="3.3",
    question=("A program allocates many `[]*byte` of 6 elements (48 bytes, with pointers) and keeps them. How "
              "many of them does one span of their span class hold on this Go (the default Green Tea "
              "collector, linux/amd64)?"),
    kind=Number(),
    solve=_scan_slots_run,
    model=_scan_slots_model,
    source="runtime",
    hint=("Start from the span's bytes (its class's pages), take off what the runtime keeps at its end for a "
          "scan span of objects up to 512 bytes, and divide by the slot size."),
    wrong_hints={
        170: "That is the size-class table's count (8192 / 48): today's span keeps metadata at its end.",
        168: ("That is a noscan span (only Green Tea's 128 bytes of mark bits): a scan span of objects up to "
              "512 bytes also keeps its pointer bitmap there, one bit per 8-byte word."),
        166: "Slots are whole: round the division down, after taking off both tails.",
    },
))


def _free_slots_ratio() -> float:
    from ..alloc import views, workloads

    free = {p: views.fragmentation(workloads.run_mix("program", p, 1).allocator).free_slots for p in (1, 8)}
    return free[8] / free[1]


register(Exercise(
    id="3.4",
    question=("Predict, then look. In the heap panel below, a program's mix (seed 1, 8000 allocations, all kept "
              "alive) runs on GOMAXPROCS=1 and then on GOMAXPROCS=8: the same objects, spread over the Ps in "
              "bursts of 64, each burst on a P drawn at random from the seed. How "
              "many times as many bytes sit in free slots with 8 Ps as with 1? (A ratio; within 0.5.)"),
    kind=Number(tolerance=0.5),
    solve=_free_slots_ratio,
    source="model",
    hint=("Nothing is freed, so a span leaves a P's mcache only when full: each P is left with one partly "
          "filled span of every span class it used. The Ps draw bursts at random, so a rare class may reach "
          "only some of them: count how many (P, class) pairs that makes."),
    wrong_hints={
        1: "The objects are the same, but every P fills spans of its own.",
        8: ("Eight Ps, but not eight times: a class only some Ps used leaves fewer partly filled spans, and a "
            "partly filled span is half empty only on average."),
        0: "With nothing freed no span is empty, but the last span of each class on each P is partly filled.",
    },
))


def _append_cap_run() -> int:
    return int(_allocquiz()["append"]["cap"])


def _append_cap_model() -> int:
    from ..alloc import sizeclasses as sc

    return sc.roundupsize(APPEND_LEN * 8, False) // 8


register(Exercise(
    id="3.5",
    question=(f"`src` is a `[]*int` of {APPEND_LEN} elements. What is `cap(append([]*int(nil), src...))` on "
              "linux/amd64? (`append` to an empty slice asks `growslice` for exactly the elements it needs, "
              "then rounds the bytes up as `mallocgc` will.)"),
    kind=Number(),
    solve=_append_cap_run,
    model=_append_cap_model,
    source="runtime",
    transfer=True,
    hint=("`growslice` asks `roundupsize(bytes, noscan)` how many bytes the slot really gives, and divides by "
          "the element size."),
    wrong_hints={
        70: "growslice does not stop at the bytes asked for: it rounds them up to the slot (`roundupsize`).",
        72: ("That is the slot divided by 8: but a pointerful object over 512 bytes keeps an 8-byte malloc "
             "header in its slot, which is not the slice's."),
        140: "Doubling is for growing a slice that is full; appending to an empty slice asks for what it needs.",
        80: "The request plus its header still fits the class below that one.",
    },
))


# ---- from an address to its object; sweeping (gosim/programs/allocspan) -----------------------------------------

SPAN_OFFSET = 6143  # allocspan's probe: bytes past the start of the span of [3000]byte objects


def _span_probe_run() -> int:
    from ..toolchain.allocspan import run_allocspan

    return next(o.index for o in run_allocspan("addr").objects if o.what == f"span+{SPAN_OFFSET}")


def _span_probe_model() -> int:
    from ..alloc import arena
    from ..alloc import sizeclasses as sc

    k = sc.size_to_class(3000)
    span = arena.Span(0, sc.SizeClassToNPages()[k], sc.SizeClassToSize()[k], sc.makeSpanClass(k, True))
    return arena.lookup(SPAN_OFFSET, span).index


register(Exercise(
    id="3.6",
    question=(f"A program keeps `make([]byte, 3000)` slices. A pointer points {SPAN_OFFSET} bytes past the "
              "start of the span that holds them. Which object index does `findObject` give for it (the "
              "runtime's own `divMul` division)?"),
    kind=Number(),
    solve=_span_probe_run,
    model=_span_probe_model,
    source="runtime",
    transfer=True,
    hint=("Find the slot size first (the size class that holds 3000 bytes, not 3000), then do what "
          "`divideByElemSize` does: the offset times `divMul`, shifted right by 32."),
    wrong_hints={
        2: ("That divides by 3000, the slice's length: the slots are the size class's, and the magic division "
            "rounds down, like n / elemsize."),
        0: "The offset is past the first slot: compare it with the slot size.",
        3: "Object indices start at 0, at the span's start.",
    },
))


# The transfer case of exercise 3.7: the chapter's run allocates 65 objects between the drop and the collection.
SWEEP_BEFORE_EXERCISE = 50


def _sweep_reuse_run() -> int:
    from ..checks import alloc as check
    from ..toolchain.allocspan import run_allocspan

    real = check.real_sweep(run_allocspan("sweep", before=SWEEP_BEFORE_EXERCISE))
    return len(set(real.first[1::2]) & set(real.after))


def _sweep_reuse_model() -> int:
    from ..checks import alloc as check

    m = check.model_sweep(before=SWEEP_BEFORE_EXERCISE)
    return len(set(m.first[1::2]) & set(m.after))


register(Exercise(
    id="3.7",
    question=("With GOMAXPROCS=1 and the GC off (`debug.SetGCPercent(-1)`), a program allocates 240 "
              "`[640]byte` objects (12 fill a span), drops every odd one, allocates "
              f"{SWEEP_BEFORE_EXERCISE} more (not 65, as in the chapter's run), calls `runtime.GC()`, and "
              "allocates 120 more. How many of those 120 get the address of one of the 120 dropped objects?"),
    kind=Number(),
    solve=_sweep_reuse_run,
    model=_sweep_reuse_model,
    source="runtime",
    transfer=True,
    hint=("Follow the spans: which span does `mcentral.cacheSpan` hand out first after the collection, and "
          "how many free slots does it have that were never used?"),
    wrong_hints={
        120: ("Every new object would reuse a dropped slot only if no other free slot came first: look at the "
              "span the mcache held when the collection began."),
        0: "runtime.GC() sweeps every span before it returns, so the dropped slots are free again.",
        60: "A dropped object is free after the sweep, whether or not it was allocated before the GC.",
        113: (f"That is the chapter's run, with 65 objects before the collection; with {SWEEP_BEFORE_EXERCISE} the "
              "span the mcache holds is filled to another point."),
        10: "That counts the slots that were never used; the question asks for the others.",
    },
))
