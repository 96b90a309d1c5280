"""Chapter 2's exercises: package initialization (Go 1.19's depth-first package order, the linker's sort of symbol
names with ``+`` and dots, the large-map threshold of staticinit, what inittrace counts, the spec's own example of
variable order, a package of static data that holds nothing back). Runtime answers come from the chapter's
programs in ``gosim/programs`` (``initlab``, ``initplus``, ``initmaps``, ``initalloc``, ``initspec``,
``initstatic``), built and run with the installed toolchain or Debian's Go 1.19; the model's from `gosim.inits`
(and chapter 3's size classes for the inittrace bytes)."""

from __future__ import annotations

from functools import cache

from . import Choice, Exercise, Number, Order, Skipped, register

GO119 = "/usr/lib/go-1.19"  # Debian's golang-1.19-go


def _toolchain():
    from ..toolchain.go import Toolchain

    return Toolchain.installed()


def _go119():
    from pathlib import Path

    from ..toolchain.go import Toolchain

    if not (Path(GO119) / "bin" / "go").is_file():
        raise Skipped("Go 1.19 is not installed (apt-get install golang-1.19-go)")
    return Toolchain.at(GO119)


@cache
def _graph(program: str):
    """The model's program graph of ``gosim/programs/<program>``, extracted with the installed toolchain."""
    from .. import inits
    from ..toolchain.go import program_dir
    from ..toolchain.initgraph import program_graph

    return inits.Program.from_data(program_graph(program_dir(program)))


def _printed_packages(program: str, toolchain) -> list[str]:
    """The packages of ``program``'s own module in the order their steps print (``var PKG NAME``/``init PKG ...``),
    from a real run."""
    from ..checks.inits import printed_steps
    from ..toolchain.go import program_dir

    out = toolchain.run(toolchain.build(program_dir(program))).stderr
    return list(dict.fromkeys(line.split()[1] for line in printed_steps(out)))


# --- 2.1: predict, then look at the panel --------------------------------------------------------------------------

LAB = ("lab/mid", "lab/alpha", "lab/zeta")


def _lab_go119_run() -> list[str]:
    return [p for p in _printed_packages("initlab", _go119()) if p in LAB]


def _lab_go119_model() -> list[str]:
    from .. import inits

    return [p for p in inits.package_order(_graph("initlab"), "go1.19") if p in LAB]


register(Exercise(
    id="2.1",
    question=("`initlab` as written: `main.go` imports `lab/zeta`, `test.go` imports `lab/alpha`, and `lab/alpha` "
              "imports `lab/mid`; none imports anything else. Built with **Go 1.19**, in which order do "
              "`lab/mid`, `lab/alpha` and `lab/zeta` run their init code? (Then set the panel below to Go 1.19.)"),
    kind=Order(),
    solve=_lab_go119_run,
    model=_lab_go119_model,
    source="runtime",
    needs=("go1.19",),
    hint=("Go 1.19's runtime.doInit walks main's record: each import in the order the record lists it (first "
          "file first), depth first, each package after its own imports."),
    wrong_hints={
        ("lab/mid", "lab/alpha", "lab/zeta"): (
            "That is today's order: the linker's sort of the ready packages, new in Go 1.21. Go 1.19 followed "
            "main's imports in the order its files declare them."),
        ("lab/alpha", "lab/mid", "lab/zeta"): "A package runs after the packages it imports: look at lab/alpha's.",
        ("lab/zeta", "lab/alpha", "lab/mid"): "A package runs after the packages it imports: look at lab/alpha's.",
        ("lab/mid", "lab/zeta", "lab/alpha"): (
            "Which of main's files comes first, and which import does it declare? doInit starts there."),
    },
))


# --- 2.2: import paths the text did not show ------------------------------------------------------------------------

PLUS = ("pp/x", "pp/x+y", "pp/x.z", "pp/x_y", "pp/x.y/z")


def _plus_run() -> list[str]:
    return [p for p in _printed_packages("initplus", _toolchain()) if p in PLUS]


def _plus_model() -> list[str]:
    from .. import inits

    return [p for p in inits.package_order(_graph("initplus")) if p in PLUS]


def _every_dot_escaped(path: str) -> str:
    return path.replace(".", "%2e") + "..inittask"


register(Exercise(
    id="2.2",
    question=("`gosim/programs/initplus` (module `pp`) has five packages that import nothing and each have an "
              "`init`: `pp/x`, `pp/x+y`, `pp/x.z`, `pp/x_y` and `pp/x.y/z` (a package `z` in a directory "
              "`x.y`). `main` imports them in the order `pp/x_y`, `pp/x.y/z`, `pp/x`, `pp/x.z`, `pp/x+y`. Built "
              "with today's toolchain, in which order do the five run?"),
    kind=Order(),
    solve=_plus_run,
    model=_plus_model,
    source="runtime",
    transfer=True,
    hint=("The linker pops the ready package whose `PathToPrefix(path) + \"..inittask\"` sorts first, byte by "
          "byte: write the five symbol names out and compare them."),
    wrong_hints={
        tuple(sorted(PLUS)): (
            "That is sorted by import path, the specification's words. The linker compares symbol names, with "
            "`..inittask` after each path and some bytes escaped (The linker sorts the records)."),
        tuple(sorted(PLUS, key=lambda p: p + "..inittask")): (
            "Close: that compares the symbol names, but without PathToPrefix's escape of a dot."),
        tuple(sorted(PLUS, key=_every_dot_escaped)): (
            "PathToPrefix escapes a dot only in the last element of a path: the dot of `x.y/z` stays a dot."),
        ("pp/x_y", "pp/x.y/z", "pp/x", "pp/x.z", "pp/x+y"): (
            "That is main's import order, which decided before Go 1.21. Today the linker sorts."),
    },
))


# --- 2.3: when an unused map leaves the binary -----------------------------------------------------------------------


def _maps_run() -> int:
    """The smallest k whose unused map m<k> the linker deleted (initmaps declares m1..m10, m<k> with k entries)."""
    from ..toolchain.binary import nm
    from ..toolchain.go import program_dir

    tc = _toolchain()
    kept = {s.name for s in nm(tc.build(program_dir("initmaps")), toolchain=tc)}
    gone = [k for k in range(1, 11) if f"main.m{k}" not in kept]
    if not gone:
        raise RuntimeError("initmaps: the linker kept every map")
    return min(gone)


def _maps_model() -> int:
    from .. import inits

    return min(k for k in range(1, 11) if inits.map_init_outlined(k))


register(Exercise(
    id="2.3",
    question=("A package `main` declares `var m = map[string]int{\"k0\": 0, \"k1\": 1, ...}` with *k* entries, "
              "all constant keys and values, and nothing ever uses `m`. Built with today's toolchain, what is the "
              "smallest *k* for which `go tool nm` no longer lists `main.m` (the linker deleted it)?"),
    kind=Number(),
    solve=_maps_run,
    model=_maps_model,
    source="runtime",
    transfer=True,
    hint=("The compiler moves a map literal into map.init.N, which the linker can delete, when its tree has at "
          "least `wrapGlobalMapInitSizeThreshold` nodes. Count the nodes of a literal with k constant entries."),
    wrong_hints={
        20: "The threshold counts nodes of the compiler's tree, not entries: how many nodes is one entry?",
        6: ("Count again: the literal itself is a node, and each entry is three (the key-value node, the key, the "
            "value), so six entries make 1 + 3·6 = 19 nodes, still below the threshold of 20."),
        10: "Each entry is more than two nodes: the key-value node holds the key and the value.",
        1: ("A small map is made by code in init and stays in the binary even when unused: only a literal large "
            "enough gets a map.init function the linker can drop."),
    },
))


# --- 2.4: what inittrace counts -----------------------------------------------------------------------------------------


def _alloc_run() -> int:
    from ..toolchain.go import program_dir
    from ..toolchain.inittrace import inittrace

    tc = _toolchain()
    rows = [r for r in inittrace(tc.build(program_dir("initalloc")), toolchain=tc) if r.package == "ia/buf"]
    return rows[0].bytes


def _alloc_model() -> int:
    from ..alloc.sizeclasses import roundupsize

    # buf's init: make([]byte, 33), no pointers; new([3]*int), 24 bytes of pointers
    return roundupsize(33, noscan=True) + roundupsize(24, noscan=False)


register(Exercise(
    id="2.4",
    question=("Package `ia/buf` (in `gosim/programs/initalloc`) has `var B []byte` and `var P *[3]*int`, and "
              "its only `init` runs `B = make([]byte, 33)` and `P = new([3]*int)` (on amd64: 33 bytes without "
              "pointers, then 24 bytes of pointers). Run with `GODEBUG=inittrace=1`, how many bytes does the "
              "line `init ia/buf` report?"),
    kind=Number("B"),
    solve=_alloc_run,
    model=_alloc_model,
    source="runtime",
    transfer=True,
    hint=("inittrace adds, for each allocation on the init goroutine, what mallocgc took for it: the request "
          "rounded up to its size class (chapter 3's table)."),
    wrong_hints={
        57: ("That is the bytes asked for. The trace adds what each allocation took: its size rounded up to its "
             "size class (`elemsize`, GODEBUG=inittrace=1)."),
        96: "The 24-byte object has a size class of its own: round each request up separately.",
        48: "Both allocations run on the init goroutine, and both are counted.",
        64: "Round each request to its own class (chapter 3's table), then add.",
    },
))


# --- 2.5: the specification's own example ----------------------------------------------------------------------------


def _spec_program() -> str:
    from ..toolchain.go import program_dir

    text = (program_dir("initspec") / "main.go").read_text()
    return text[text.index("package main"):].strip()


def _spec_run() -> list[str]:
    from ..toolchain.go import program_dir

    tc = _toolchain()
    return tc.run(tc.build(program_dir("initspec"))).stderr.split()


def _spec_model() -> list[str]:
    """The model's variable order for initspec's main, then the program's arithmetic in that order: d = 3, f()
    increments d and returns it, a = c + b."""
    from .. import inits

    order = [n for names in inits.variable_order(_graph("initspec")["main"]) for n in names]
    v = {"a": 0, "b": 0, "c": 0, "d": 0}
    for name in order:
        if name == "d":
            v["d"] = 3
        elif name in ("b", "c"):
            v["d"] += 1
            v[name] = v["d"]
        elif name == "a":
            v["a"] = v["c"] + v["b"]
    return [str(v[n]) for n in "abcd"]


register(Exercise(
    id="2.5",
    question=("The specification's own example of package initialization, as `gosim/programs/initspec`:\n\n"
              f"```go\n{_spec_program()}\n```\n\nWhat does it print today? Answer the four numbers in order, "
              "like `[1, 2, 3, 4]`."),
    kind=Order(),
    solve=_spec_run,
    model=_spec_model,
    source="runtime",
    hint=("A variable waits for the variables its initializer reaches, through functions too; of those that are "
          "ready, the one declared first goes next (Model: variables)."),
    wrong_hints={
        ("9", "5", "4", "5"): (
            "That is what the compiler printed before Go 1.13, when its pass followed references depth first "
            "(History, variable order): of b and c, both ready, which is declared first?"),
        ("0", "4", "5", "5"): "a is declared first, but it waits for b and c, which its initializer reads.",
        ("9", "4", "5", "3"): "d starts at 3, but each call of f increments it: what is d after both calls?",
    },
))


# --- 2.6: a package of static data holds nothing back ---------------------------------------------------------------


def _static_run() -> str:
    from ..checks.inits import printed_steps
    from ..toolchain.go import program_dir

    tc = _toolchain()
    out = tc.run(tc.build(program_dir("initstatic"))).stderr
    return next(line.split()[1] for line in printed_steps(out) if line.startswith("init "))


def _static_model() -> str:
    from .. import inits

    result = inits.initialize(_graph("initstatic"))
    return next(s.package for s in result.steps if s.kind == "init" and not s.std)


register(Exercise(
    id="2.6",
    question=("In `gosim/programs/initstatic`, `main` imports `st/log`, then `st/api`; `st/api` imports `st/tz`, "
              "whose only two variables are a string and an integer constant; `st/log` and `st/api` each have an "
              "`init`, `st/tz` has none. Built with today's toolchain, whose `init` runs first: `st/api`'s or "
              "`st/log`'s?"),
    kind=Choice(["st/api", "st/log"]),
    solve=_static_run,
    model=_static_model,
    source="runtime",
    hint="Which packages get a record, and which of them is ready first in the linker's sort?",
    wrong_hints={
        "st/log": ("That is Go 1.19's order (main's imports, first declared first), and the spec's sentence read "
                   "literally. Does `st/tz` get an inittask the linker must place first?"),
    },
))
