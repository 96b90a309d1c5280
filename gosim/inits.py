"""Package initialization: in which order package-level variables get their values and ``init`` functions run.

Three rules of the toolchain, each computed here from a program graph (packages, their imports, variables and the
package-level names each initializer refers to, ``init`` functions):

1. **Packages** (cmd/link/internal/ld/inittask.go, Go 1.21 and later). The compiler gives each package with work
   to do, or with an import that has, an ``..inittask`` record and an edge to each such import
   (cmd/compile/internal/pkginit/init.go, MakeTask). The linker sorts the records topologically with Kahn's
   algorithm and a min-heap (``lexHeap``, ld/heap.go): at each step the *lexicographically first* ready package,
   comparing symbol names, ``objabi.PathToPrefix(path) + "..inittask"`` -- not bare import paths: ``a-b`` sorts
   before ``a`` and ``a.b`` (escaped ``a%2eb``) before both, where the spec's "sorted by import path" puts ``a``
   first. The model follows the linker. Records without functions are scheduled but not
   emitted. ``runtime.main`` runs the runtime's own closure first (``runtime_inittasks``), then the program's list,
   skipping what is done (runtime/proc.go, doInit1).
2. **Variables in a package** (go/types/initorder.go, the twin of cmd/compile/internal/types2/initorder.go): a
   dependency graph over constants and variables, functions and methods removed by joining their callers to their
   callees; then repeatedly the node with the highest priority: constants first, then the fewest outstanding
   dependencies, then source order (files in go-command order, i.e. sorted by name, then position). ``var a, b =
   f()`` is one initializer. A call through an interface is not a reference.
3. **init functions** run after the variables, in file order then source order (renamed ``init.0``, ``init.1``, ...
   by the compiler, after the synthetic ``init`` that assigns the variables).

Variant ``"go1.19"`` (alias ``"pre-1.21"``), checked against Debian's Go 1.19. It combines two rules that changed
in different releases:

* packages (Go 1.13 to 1.20): each record listed its imports in source order and ``runtime.doInit`` walked them depth
  first, each package once, ``runtime``'s first. Go 1.21 moved the order to the linker (the rule above).
* variables (Go 1.13 to 1.19): the compiler's own pass (cmd/compile/internal/pkginit/initorder.go, rule
  ``"pkginit"``), over *assignments*, not variables -- the earliest declared assignment whose variables are all
  assigned goes next, so ``var a, b = f()`` is done as a whole, where types2 waits for ``b``'s own turn. Constants
  are folded (they carry no dependency). A method of an instantiated generic type (``Box[int]{}.Get()``) is a
  dependency (``irefs``). Go 1.20's unified IR took types2's ``Info.InitOrder`` instead, and types2 drops that
  edge: the method it selects is a new ``*Func`` made for the instance (types2/named.go, expandMethod), and
  ``addDeclDep`` keeps only objects of its ``objMap`` (types2/check.go). So, by its sources (no Go 1.20 is run
  here), a Go 1.20 toolchain orders variables like today (but for the later constants-first fix,
  go.dev/issue/66575) and packages like Go 1.19; the model has no variant for it.

Left out: which initializers the compiler turns into static data (staticinit). A package's ``nfns`` (functions in
its inittask) comes with the graph from the compiled package; when it is not given, every initializer and every
non-empty ``init`` is assumed to need code. Packages that run no code (nfns 0) hold only static data, set before
the program starts: their steps are listed first. Cycles are errors here, as in the compiler. One case of staticinit
is modelled on its own: whether a map literal of constant entries is big enough to be moved to ``map.init.N``, which
the linker deletes with an unused map (`map_init_outlined`, Go 1.21 and later).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Iterable

from .history import Change

ORDERS = ("current", "go1.19")  # today's rules; Go 1.19's (doInit's package order, pkginit's variable order)
ORDER_ALIASES = {"pre-1.21": "go1.19"}  # the name it had: the variable rule it includes ended with Go 1.19
RULES = ("types2", "pkginit")  # variable order: go/types & types2 (Go 1.20+), Go 1.19's cmd/compile/internal/pkginit


# --- the program graph ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    """A package-level variable. ``refs``: the package-level names of its own package that its initializer
    mentions (a method as ``T.m``); ``lhs``: for ``var a, b = f()``, every name the one initializer assigns;
    ``irefs``: methods of instantiated generic types it selects (only rule ``"pkginit"`` counts them)."""

    name: str
    file: str
    line: int
    refs: tuple[str, ...] = ()
    init: bool = True  # has an initializer (``var x T`` has none)
    lhs: tuple[str, ...] = ()
    irefs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Func:
    """A function or method (``T.m``) and the package-level names its body mentions."""

    name: str
    refs: tuple[str, ...] = ()
    irefs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Const:
    """A constant whose expression mentions package-level names (``const n = len(table)``)."""

    name: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Init:
    """A ``func init()``: its file (base name) and the line of ``func init``."""

    file: str
    line: int
    empty: bool = False  # an empty body: the compiler drops it from the inittask


@dataclass(frozen=True)
class Package:
    """One package. ``imports`` in source order (first file first); ``files`` in go-command order (by name);
    ``vars``, ``consts`` and ``inits`` in declaration order. ``nfns``: functions in its inittask, when known.
    ``imported_in``: (file, import path) for every import declaration, in source order, when known: what lets
    `rename_file` move a file's imports with it."""

    path: str
    imports: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    vars: tuple[Var, ...] = ()
    inits: tuple[Init, ...] = ()
    funcs: tuple[Func, ...] = ()
    consts: tuple[Const, ...] = ()
    std: bool = False
    nfns: int | None = None
    imported_in: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Program:
    """Every package of a program, dependencies included. The main package's path is ``main``."""

    packages: tuple[Package, ...]
    module: str = "main"
    by_path: dict[str, Package] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_path = {p.path: p for p in self.packages}
        if len(by_path) != len(self.packages):
            raise ValueError("packages: two packages have the same path")
        if "main" not in by_path:
            raise ValueError("packages: no package 'main' (the main package's path is 'main')")
        for p in self.packages:
            for imp in p.imports:
                if imp not in by_path:
                    raise ValueError(f"packages: {p.path} imports {imp!r}, which is not in the program")
        object.__setattr__(self, "by_path", by_path)
        _topological(self)  # raises on an import cycle

    def __getitem__(self, path: str) -> Package:
        return self.by_path[path]

    def package(self, path: str, parameter: str = "package") -> Package:
        """The package ``path``; a ValueError naming ``parameter`` when there is none."""
        if path not in self.by_path:
            raise ValueError(f"{parameter}: {path!r} is not a package of the program")
        return self.by_path[path]

    @classmethod
    def from_data(cls, data: dict) -> Program:
        """From `gosim.toolchain.initgraph.program_graph`'s plain data."""
        return cls(tuple(_package_from_data(p) for p in data["packages"]), data.get("module", "main"))


def _package_from_data(p: dict) -> Package:
    return Package(
        path=p["path"], imports=tuple(p.get("imports", ())), files=tuple(p.get("files", ())),
        vars=tuple(Var(v["name"], v["file"], v["line"], tuple(v.get("refs") or ()), v.get("init", True),
                       tuple(v.get("lhs") or ()), tuple(v.get("irefs") or ())) for v in p.get("vars", ())),
        inits=tuple(Init(i["file"], i["line"], i.get("empty", False)) for i in p.get("inits", ())),
        funcs=tuple(Func(f["name"], tuple(f.get("refs") or ()), tuple(f.get("irefs") or ()))
                    for f in p.get("funcs", ())),
        consts=tuple(Const(c["name"], tuple(c.get("refs") or ())) for c in p.get("consts", ())),
        std=p.get("std", False), nfns=p.get("nfns"),
        imported_in=tuple((f, i) for f, i in p.get("imported_in") or ()),
    )


# --- the result ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """``var PKG NAME`` or ``init PKG FILE:LINE``."""

    kind: str  # "var" or "init"
    package: str
    name: str = ""
    file: str = ""
    line: int = 0
    std: bool = False

    def __str__(self) -> str:
        if self.kind == "var":
            return f"var {self.package} {self.name}"
        return f"init {self.package} {self.file}:{self.line}"


@dataclass(frozen=True)
class Pick:
    """One decision of the package scheduler: the package taken, and the ready ones it was chosen from (the
    linker's heap, sorted) -- or, pre-1.21, the chain of doInit calls that led to it."""

    package: str
    ready: tuple[str, ...]
    runs: bool  # it has functions to run (the linker emits it; doInit calls them)


@dataclass(frozen=True)
class Initialization:
    """The model's answer: packages in the order their steps happen, and the steps."""

    order: str
    packages: tuple[str, ...]  # static-only packages, then runtime_inittasks, then the program's own list
    static: tuple[str, ...]  # packages that run no code (nfns 0): only static data
    runtime_tasks: tuple[str, ...]  # what runtime.main runs first (doInit(runtime_inittasks))
    schedule: tuple[Pick, ...]  # how the program's list was made (after the runtime's)
    steps: tuple[Step, ...]

    def lines(self, std: bool = False) -> list[str]:
        """One line per step, as ``python -m gosim inits`` prints them (standard library only with ``std``)."""
        return [str(s) for s in self.steps if std or not s.std]


# --- rule 1: packages ----------------------------------------------------------------------------------------


def path_to_prefix(path: str) -> str:
    """cmd/internal/objabi.PathToPrefix: the package path as symbol names spell it. Bytes up to a space, ``%``,
    ``"``, bytes from 0x7F, and ``.`` after the last ``/`` become ``%xx``."""
    raw = path.encode()
    slash = raw.rfind(b"/")
    out = []
    for i, c in enumerate(raw):
        if c <= 0x20 or (c == ord(".") and i > slash) or c in b'%"' or c >= 0x7F:
            out.append(f"%{c:02x}")
        else:
            out.append(chr(c))
    return "".join(out)


def inittask_symbol(path: str) -> str:
    """The name the linker's heap compares: ``PathToPrefix(path) + "..inittask"``."""
    return path_to_prefix(path) + "..inittask"


def nfns(package: Package) -> int:
    """Functions in the package's inittask: the synthetic ``init`` (when a variable needs code) and each
    non-empty ``init``. Taken from the compiled package when the graph says; otherwise every initializer counts."""
    if package.nfns is not None:
        return package.nfns
    return int(any(v.init for v in package.vars)) + sum(not i.empty for i in package.inits)


def has_inittask(program: Program) -> dict[str, bool]:
    """Which packages get an inittask record: ``main`` and ``runtime`` always, others when they have functions
    to run or import a package that has a record (pkginit.MakeTask)."""
    has: dict[str, bool] = {}
    for p in _topological(program):
        has[p.path] = p.path in ("main", "runtime") or nfns(p) > 0 or any(has[i] for i in p.imports)
    return has


def task_imports(program: Program, path: str) -> tuple[str, ...]:
    """The R_INITORDER edges of a package: its imports that have an inittask, in source order."""
    has = has_inittask(program)
    return tuple(i for i in program.package(path, "path").imports if has[i])


def linker_schedule(program: Program, root: str = "main") -> tuple[Pick, ...]:
    """Models ld.(*Link).inittaskSym: Kahn's topological sort of the inittasks reachable from ``root``, taking at
    each step the ready package whose symbol name is lexicographically first (lexHeap). Every scheduled package
    is returned; the linker emits only those with functions (``runs``)."""
    program.package(root, "root")
    has = has_inittask(program)
    edges = {p.path: tuple(i for i in p.imports if has[i]) for p in program.packages if has[p.path]}
    reachable, todo = {root}, [root]
    while todo:
        for dep in edges[todo.pop()]:
            if dep not in reachable:
                reachable.add(dep)
                todo.append(dep)
    waiting = {p: len(set(edges[p])) for p in reachable}  # imports not yet scheduled
    importers: dict[str, list[str]] = {p: [] for p in reachable}
    for p in reachable:
        for dep in set(edges[p]):
            importers[dep].append(p)
    heap = [(inittask_symbol(p), p) for p in reachable if waiting[p] == 0]
    heapq.heapify(heap)
    picks = []
    while heap:
        ready = tuple(p for _, p in sorted(heap))
        _, pkg = heapq.heappop(heap)
        picks.append(Pick(pkg, ready, nfns(program[pkg]) > 0))
        for importer in importers[pkg]:
            waiting[importer] -= 1
            if waiting[importer] == 0:
                heapq.heappush(heap, (inittask_symbol(importer), importer))
    return tuple(picks)


def doinit_schedule(program: Program, root: str = "main", done: Iterable[str] = ()) -> tuple[Pick, ...]:
    """Models Go 1.13-1.20's runtime.doInit (Go 1.19's runtime/proc.go): initialise each import that has an
    inittask, in the order the record lists them (source order), depth first, then the package itself; each
    package once. ``ready`` is the chain of doInit calls that led to the package."""
    has = has_inittask(program)
    seen, picks = set(done), []

    def do_init(path: str, chain: tuple[str, ...]) -> None:
        seen.add(path)
        for dep in program[path].imports:
            if has[dep] and dep not in seen:
                do_init(dep, chain + (path,))
        picks.append(Pick(path, chain, nfns(program[path]) > 0))

    if root in program.by_path and root not in seen:
        do_init(root, ())
    return tuple(picks)


def canonical_order(order: str) -> str:
    """``order`` checked, with an alias (``"pre-1.21"``) replaced by its name (``"go1.19"``)."""
    order = ORDER_ALIASES.get(order, order)
    if order not in ORDERS:
        raise ValueError(f"order: {order!r} is not one of {', '.join(ORDERS)}")
    return order


def package_order(program: Program, order: str = "current") -> tuple[str, ...]:
    """The packages whose init functions run, in the order they run (runtime's own tasks first)."""
    result = initialize(program, order)
    return tuple(p for p in result.packages if p not in result.static)


# --- rule 2: variables ---------------------------------------------------------------------------------------


def variable_order(package: Package, rule: str = "types2") -> tuple[tuple[str, ...], ...]:
    """The package's initializers in the order they run, each as the names it assigns. Rule ``"types2"``: the
    installed compiler (types2.(*Checker).initOrder); ``"pkginit"``: Go 1.19's compiler. Raises ValueError on an
    initialization cycle (the compiler's "initialization cycle" error)."""
    if rule not in RULES:
        raise ValueError(f"rule: {rule!r} is not one of {', '.join(RULES)}")
    return _types2_order(package) if rule == "types2" else _pkginit_order(package)


def _types2_order(package: Package) -> tuple[tuple[str, ...], ...]:
    """Models types2.(*Checker).initOrder: one node per constant and variable (each name of ``var a, b = f()``
    is its own node), edges through functions joined; the queue takes constants first, then the fewest
    outstanding dependencies, then source order. ``var a, b = f()`` is emitted when its first name comes out."""
    nodes: list[Var | Const] = [*package.consts, *package.vars]
    index = {n.name: i for i, n in enumerate(nodes) if n.name != "_"}
    funcs = {f.name: _types2_refs(f) for f in package.funcs}
    succ = [_dependencies(_types2_refs(n), index, funcs) for n in nodes]
    pred: list[set[int]] = [set() for _ in nodes]
    for i, deps in enumerate(succ):
        for d in deps:
            pred[d].add(i)
    ndeps = [len(deps) for deps in succ]
    is_var = [int(isinstance(n, Var)) for n in nodes]  # 0 sorts first: constants before variables
    heap = [(is_var[i], ndeps[i], i) for i in range(len(nodes))]  # i is source order within each kind
    heapq.heapify(heap)
    done: set[int] = set()
    emitted: list[tuple[str, ...]] = []
    while heap:
        _, deps, i = heapq.heappop(heap)
        if i in done or deps != ndeps[i]:
            continue  # an outdated entry: the node was re-queued with fewer dependencies
        done.add(i)
        if deps > 0 and is_var[i]:
            raise ValueError(f"package {package.path}: initialization cycle involving {nodes[i].name}")
        for p in pred[i]:
            ndeps[p] -= 1
            heapq.heappush(heap, (is_var[p], ndeps[p], p))
        node = nodes[i]
        if isinstance(node, Var) and node.init:
            names = node.lhs or (node.name,)
            if not (node.lhs and names in emitted):  # var a, b = f(): one initializer, emitted once
                emitted.append(names)
    return tuple(emitted)


def _types2_refs(decl) -> tuple[str, ...]:
    """What a declaration depends on for types2: its references, without the methods of instantiated generic
    types it selects (``irefs``), an edge types2 drops."""
    return decl.refs


def _pkginit_order(package: Package) -> tuple[tuple[str, ...], ...]:
    """Models Go 1.19's cmd/compile/internal/pkginit.initOrder: one node per assignment (``var a, b = f()`` is
    one), waiting for the variables with initializers it mentions (through functions, methods of generic types
    included); the earliest declared ready assignment runs next."""
    assignments: list[tuple[str, ...]] = []
    refs: list[tuple[str, ...]] = []
    for v in package.vars:
        if v.init and not (v.lhs and v.lhs in assignments):
            assignments.append(v.lhs or (v.name,))
            refs.append(v.refs + v.irefs)
    defined_by = {name: i for i, names in enumerate(assignments) for name in names if name != "_"}
    index = {name: j for j, name in enumerate(defined_by)}
    names = list(defined_by)
    funcs = {f.name: f.refs + f.irefs for f in package.funcs}
    waiting = []
    blocking: list[list[int]] = [[] for _ in assignments]
    for i, r in enumerate(refs):
        deps = [names[j] for j in _dependencies(r, index, funcs)]
        waiting.append(len(deps))  # a and b of one assignment count twice, and are both released by it
        for name in deps:
            blocking[defined_by[name]].append(i)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    order: list[tuple[str, ...]] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(assignments[i])
        for j in blocking[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    if len(order) != len(assignments):
        stuck = next(a for a in assignments if a not in order)
        raise ValueError(f"package {package.path}: initialization cycle involving {', '.join(stuck)}")
    return tuple(order)


def _dependencies(refs: Iterable[str], index: dict[str, int], funcs: dict[str, tuple[str, ...]]) -> set[int]:
    """The constants and variables reached from ``refs`` directly or through functions (dependencyGraph removes
    function nodes by connecting what refers to a function with what the function refers to)."""
    found: set[int] = set()
    seen: set[str] = set()
    todo = list(refs)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in index:
            found.add(index[name])
        elif name in funcs:
            todo.extend(funcs[name])
    return found


# --- rule 3 and the whole program ----------------------------------------------------------------------------


def package_steps(package: Package, rule: str = "types2") -> list[Step]:
    """One package's steps: its variables in initialization order, then its init functions in file then source
    order. The main package is written ``main``."""
    std = package.std
    steps = [Step("var", package.path, name, std=std) for names in variable_order(package, rule) for name in names]
    files = {f: i for i, f in enumerate(package.files)}
    inits = sorted(package.inits, key=lambda i: files.get(i.file, len(files)))  # stable: source order in a file
    return steps + [Step("init", package.path, file=i.file, line=i.line, std=std) for i in inits]


def initialize(program: Program, order: str = "current") -> Initialization:
    """The whole program's initialization, as ``runtime.main`` performs it: packages with only static data,
    then the runtime's own tasks, then the program's, each package's variables then its init functions."""
    order = canonical_order(order)
    runs = {p.path: nfns(p) > 0 for p in program.packages}
    static = tuple(p.path for p in _topological(program, lexical=True) if not runs[p.path])
    if order == "current":
        runtime_picks = linker_schedule(program, "runtime") if "runtime" in program.by_path else ()
        picks = linker_schedule(program, "main")
    else:
        runtime_picks = doinit_schedule(program, "runtime")
        picks = doinit_schedule(program, "main", done=[p.package for p in runtime_picks])
    runtime_tasks = tuple(p.package for p in runtime_picks if p.runs)
    done = set(runtime_tasks)
    main_tasks = tuple(p.package for p in picks if p.runs and p.package not in done)
    packages = static + runtime_tasks + main_tasks
    rule = "types2" if order == "current" else "pkginit"
    steps = tuple(s for path in packages for s in package_steps(program[path], rule))
    return Initialization(order, packages, static, runtime_tasks, picks, steps)


def _topological(program: Program, lexical: bool = False) -> list[Package]:
    """Packages with every import before its importer (ties: import-path order with ``lexical``, else program
    order). Raises ValueError on an import cycle."""
    waiting = {p.path: len(set(p.imports)) for p in program.packages}
    importers: dict[str, list[str]] = {p.path: [] for p in program.packages}
    for p in program.packages:
        for imp in set(p.imports):
            importers[imp].append(p.path)
    position = {p.path: (inittask_symbol(p.path) if lexical else i) for i, p in enumerate(program.packages)}
    heap = [(position[p], p) for p, n in waiting.items() if n == 0]
    heapq.heapify(heap)
    result = []
    while heap:
        _, path = heapq.heappop(heap)
        result.append(program.by_path[path])
        for importer in importers[path]:
            waiting[importer] -= 1
            if waiting[importer] == 0:
                heapq.heappush(heap, (position[importer], importer))
    if len(result) != len(program.packages):
        stuck = sorted(p for p, n in waiting.items() if n > 0)
        raise ValueError(f"packages: import cycle among {', '.join(stuck)}")
    return result


# --- variants a chapter shows --------------------------------------------------------------------------------


def rename_file(program: Program, package: str, old: str, new: str) -> Program:
    """The program after renaming one file of a package (``test.go`` → ``a.go``): the go command passes files
    sorted by name, so declarations, init functions and (when the graph says which file declares them, see
    ``Package.imported_in``) imports move with their file."""
    p = program.package(package)
    if old not in p.files:
        raise ValueError(f"old: {old!r} is not a file of {package} ({', '.join(p.files)})")
    if new in p.files:
        raise ValueError(f"new: {new!r} is already a file of {package}")
    files = tuple(sorted((new if f == old else f for f in p.files), key=lambda f: f.encode()))
    rank = {f: i for i, f in enumerate(files)}
    moved = lambda f: new if f == old else f  # noqa: E731
    vars_ = sorted((replace(v, file=moved(v.file)) for v in p.vars), key=lambda v: rank[v.file])
    inits = sorted((replace(i, file=moved(i.file)) for i in p.inits), key=lambda i: rank[i.file])
    # an import added by add_import (file "") stays last
    imported_in = sorted(((moved(f), i) for f, i in p.imported_in), key=lambda fi: rank.get(fi[0], len(files)))
    imports = tuple(dict.fromkeys(i for _, i in imported_in)) if imported_in else p.imports
    return _with(program, replace(p, files=files, vars=tuple(vars_), inits=tuple(inits), imports=imports,
                                  imported_in=tuple(imported_in)))


def add_import(program: Program, importer: str, imported: str) -> Program:
    """The program after adding ``import _ "imported"`` after all of ``importer``'s imports (as a new file whose
    name sorts last would)."""
    p = program.package(importer, "importer")
    program.package(imported, "imported")
    if imported in p.imports:
        return program
    imported_in = p.imported_in + (("", imported),) if p.imported_in else ()
    return _with(program, replace(p, imports=p.imports + (imported,), imported_in=imported_in))


def import_graph(program: Program, std: bool = False) -> dict[str, tuple[str, ...]]:
    """Package → its direct imports, for drawing. Without ``std``: the program's own packages and the
    standard-library packages they import directly (drawn as leaves)."""
    if std:
        return {p.path: p.imports for p in program.packages}
    graph = {p.path: p.imports for p in program.packages if not p.std}
    for imports in list(graph.values()):
        for imp in imports:
            graph.setdefault(imp, ())
    return graph


def _with(program: Program, package: Package) -> Program:
    return Program(tuple(package if p.path == package.path else p for p in program.packages), program.module)


# --- one case of staticinit, modelled: large map literals (Go 1.21 and later) -----------------------------------

WRAP_GLOBAL_MAP_INIT_SIZE_THRESHOLD = 20  # staticinit.wrapGlobalMapInitSizeThreshold (cmd/compile, sched.go)


def map_literal_nodes(entries: int) -> int:
    """The nodes ``ir.Any`` visits in a map literal whose keys and values are constants: the literal itself, and
    for each entry its key-value node, the key and the value (``tryWrapGlobalInit`` counts them as ``rsiz``)."""
    if isinstance(entries, bool) or not isinstance(entries, int) or entries < 0:
        raise ValueError(f"entries: {entries!r} is not a count of map entries (an integer >= 0)")
    return 1 + 3 * entries


def map_init_outlined(entries: int) -> bool:
    """Whether the compiler moves ``var m = map[K]V{...}`` (``entries`` constant keys and values, no side effects)
    into a function ``map.init.N`` of its own, which the linker deletes with ``m`` when nothing uses ``m``
    (models staticinit.tryWrapGlobalInit; a key or value that is not a constant counts more nodes, which this
    does not model)."""
    return map_literal_nodes(entries) >= WRAP_GLOBAL_MAP_INIT_SIZE_THRESHOLD


# --- what changed since the seed's Go 1.10 (gosim.history) -----------------------------------------------------------

_CH = "2 Package initialization"

HISTORY = [
    Change(_CH, "init driver",
           "runtime.main calls main_init, the compiler-generated main.init: it calls each import's init "
           "(net/http.init, lib.init), then main.init.0, .1, .2, guarded by a main.initdone· flag",
           "runtime.main calls doInit(runtime_inittasks), then doInit over the linker's list (moduledata."
           "inittasks); doInit1 runs each package's record once (state 0 → 1 → 2)",
           "Go 1.13 (init tasks), Go 1.21 (the linker's list)",
           "Go 1.13: golang/go commit d949d0b9 (\"cmd/compile: reorganize init functions\", 2019), whose records "
           "and runtime.doInit Debian's Go 1.19 still has (shown in the chapter's History); Go 1.21: its release "
           "notes (\"Package initialization order is now specified more precisely\", golang/go#57411) and today's "
           "`inittasks`, cmd/link/internal/ld/inittask.go:40"),
    Change(_CH, "init record",
           "code: a PKG.init function and a PKG.initdone· byte per package",
           "data: PKG..inittask {state, nfns, fns}; the imports are R_INITORDER relocations only the linker "
           "reads (Go 1.13-1.20: {state, ndeps, nfns, deps, fns}, and doInit walked deps)",
           "Go 1.13, Go 1.21",
           "today's `initTask`, proc.go:8102 ({state, nfns}); Go 1.19's, with ndeps and deps, read from Debian's "
           "Go 1.19 binary by the chapter (inittask_records); Go 1.13: commit d949d0b9; Go 1.21: release notes"),
    Change(_CH, "package order",
           "depth first over each package's imports in source order (first file first), each package once",
           "the linker's topological sort that always takes the ready package whose symbol name "
           "(PathToPrefix(path) + \"..inittask\") sorts first: renaming a file or reordering imports no longer "
           "moves packages (the spec says \"sorted by import path\"; the symbol names put a-b and a.b before a)",
           "Go 1.21 (Go 1.13-1.20: doInit, depth first over each record's list)",
           "Go 1.21 release notes (golang/go#57411); `inittaskSym`, cmd/link/internal/ld/inittask.go:82; Debian's "
           "Go 1.19 ships test/fixedbugs/issue31636.dir/main.go, which pins the old order (golang/go#31636); "
           "both orders run in the chapter"),
    Change(_CH, "packages with nothing to run",
           "an init function only for a package with something to initialise, called by its importers' init",
           "no inittask (MakeTask), so nothing waits for it in the linker's sort: a package of static data does "
           "not hold back its importers; a record without functions is sorted but left out of the list",
           "Go 1.21 (the sort)",
           "`MakeTask`, cmd/compile/internal/pkginit/init.go:26, gives such a package no record; the sort that "
           "only sees records is Go 1.21's (`inittaskSym`, cmd/link/internal/ld/inittask.go:82; release notes); "
           "initstatic runs in a different order under Debian's Go 1.19"),
    Change(_CH, "variable order",
           "the compiler's own pass followed references depth first: the spec's own example (a = c + b; b = f(); "
           "c = f(); d = 3) ran d, c, b, a and printed 9 5 4 5 (golang/go#22326)",
           "the type checker's Info.InitOrder (types2): a variable waits for its dependencies; of those ready, "
           "constants first, then fewest outstanding dependencies, then declaration order (files sorted by "
           "name); a method of an instantiated generic type is no dependency "
           "(types2 drops the edge)", "Go 1.13 (CL 170062), Go 1.20 (types2 InitOrder)",
           "golang/go#22326 (a release blocker, fixed by CL 170062 for Go 1.13; go1.12.4 still printed 9 5 4 5, "
           "golang/go#31724), and Debian's Go 1.19 prints 9 4 5 5 for gosim/programs/initspec; Go 1.20 release "
           "notes (the compiler's unified IR front end) and today's `pkgInitOrder`, "
           "cmd/compile/internal/noder/writer.go:2983"),
    Change(_CH, "what needs code",
           "constants, addresses, closures without captures and composite literals of them laid out as data "
           "(gc/sinit.go); any call, inlined or not, was code",
           "also an inlined call whose body is one return of such an expression (errors.New(\"gone\") is data); "
           "a composite literal is split, each part that is itself static (a constant, an address, a nested literal) "
           "data, the rest code; a copy of a string, of another "
           "package's variable, or after an initializer that may change a package variable (a call left in the "
           "tree, an inlined body that assigns one, append/copy/clear) is code (Go 1.19 copied it as data)",
           "inlined calls: Go 1.20 (CL 450136; golang/go#58439 agreed to turn it off in Go 1.20's point "
           "releases and back on in Go 1.21), Go 1.21; the copies: after Go 1.19 (release not checked here)",
           "`staticAssignInlinedCall`, cmd/compile/internal/staticinit/sched.go:585 (golang/go#30820, "
           "golang/go#56894), and `seenMutation`, cmd/compile/internal/staticinit/sched.go:189 (golang/go#51913), "
           "are both absent from Debian's Go 1.19, where initdata's errGone is code and its after and later are "
           "data (the chapter builds it with both toolchains); no Go 1.20 is installed to check that release"),
    Change(_CH, "unused large maps",
           "every map literal made by init's code, and kept in the binary even if nothing used it",
           "a side-effect-free map literal of at least 20 nodes is moved to a function map.init.N; when nothing "
           "uses the variable, the linker drops both and init calls runtime.mapinitnoop instead",
           "Go 1.21",
           "Go 1.21 release notes (linker: dead global map variables with large initializers are deleted); "
           "`wrapGlobalMapInitSizeThreshold`, cmd/compile/internal/staticinit/sched.go:1102; no map.init in "
           "Debian's Go 1.19 source"),
    Change(_CH, "init functions", "renamed init.0, init.1, ... in file order then source order",
           "the same names and order, listed in the record after the synthetic init that sets the variables "
           "(when any variable needs code)", "unchanged"),
    Change(_CH, "seeing it", "gdb or objdump of main.init",
           "GODEBUG=inittrace=1 prints each package's init: start, clock time, heap bytes, allocations",
           "Go 1.16",
           "Go 1.16 release notes (runtime: GODEBUG=inittrace=1); today's `inittrace`, proc.go:8110"),
]
