"""Fidelity on programs nobody wrote by hand: random modules, generated from a seed, built and run.

Each program has a few packages with awkward paths (``-``, ``.``, ``_``, upper case, prefixes, nesting), random
imports between them (main imports them all, in a random order), files with awkward names, variables that depend
on each other directly, through functions, methods, closures, or not at all through an interface call, ``var a,
b = f()`` pairs, blank variables, and init functions. Every initializer and init prints its step, so the output
is the real order; the model must predict it (current against go1.27, go1.19 against Go 1.19 where installed).
The seeds are fixed, so the programs (and their cached builds) are the same on every run.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gosim.checks import inits as checks

from .test_inits_fidelity import GO119, go119, needs_go119

pytestmark = pytest.mark.slow

SEEDS = range(6)
SEGMENTS = ["a", "a-b", "a.b", "a_b", "ab", "B", "lib", "lib2", "li", "z"]
FILES = ["a.go", "B.go", "a-b.go", "a_b.go", "m.go", "z.go"]
MARK = "func mark(s string) int { println(s); return 0 }\n"


def generate(seed: int, root: Path) -> Path:
    """Write random module ``r<seed>`` under ``root`` and return its directory."""
    rng = random.Random(seed)
    module = f"r{seed}"
    paths = sorted(rng.sample(SEGMENTS, rng.randint(3, 6)))
    if rng.random() < 0.7:  # a nested package: p/q next to p
        paths.append(paths[0] + "/" + rng.choice(["x", "x.y", "sub"]))
    rng.shuffle(paths)
    root = root / module
    root.mkdir(parents=True)
    (root / "go.mod").write_text(f"module {module}\n\ngo 1.19\n")
    imports: dict[str, list[str]] = {}
    for i, path in enumerate(paths):  # a DAG: a package imports only packages listed before it
        imports[path] = rng.sample(paths[:i], rng.randint(0, min(2, i)))
    for i, path in enumerate(paths):
        write_package(rng, root / path, f"{module}/{path}", f"p{i}", imports[path], module)
    main_imports = rng.sample(paths, len(paths))
    write_package(rng, root, "main", "main", main_imports, module)
    return root


def write_package(rng: random.Random, directory: Path, path: str, name: str, imports: list[str],
                  module: str) -> None:
    """One package: variables whose dependencies form a random DAG (declared in random order and files),
    helpers that carry the dependencies, blank variables, ``var a, b = two(...)`` pairs, and init functions."""
    directory.mkdir(parents=True, exist_ok=True)
    files = sorted(rng.sample(FILES, rng.randint(1, 3)))
    names = [f"v{i}" for i in range(rng.randint(0, 7))]
    rank = {n: i for i, n in enumerate(names)}  # a variable depends only on lower ranks: no cycles
    decls: dict[str, list[str]] = {f: [] for f in files}
    helpers: list[str] = []
    interface: list[str] = []  # methods called through I

    def uses(owner: str, candidates: list[str]) -> str:
        terms = []
        for k, dep in enumerate(rng.sample(candidates, min(len(candidates), rng.randint(0, 2)))):
            how, fn = rng.choice(["direct", "func", "method", "closure", "interface"]), f"{owner}_{k}"
            if how == "direct":
                terms.append(dep)
            elif how == "func":
                helpers.append(f"func {fn}() int {{ return {dep} }}")
                terms.append(f"{fn}()")
            elif how == "method":
                helpers.append(f"func (T) {fn}() int {{ return {dep} }}")
                terms.append(f"T{{}}.{fn}()")
            elif how == "closure":
                terms.append(f"func() int {{ return {dep} }}()")
            else:  # no dependency for the compiler: the value read may still be zero
                helpers.append(f"func (T) {fn.upper()}() int {{ return {dep} }}")
                interface.append(fn.upper())
                terms.append(f"I(T{{}}).{fn.upper()}()")
        return " + ".join(terms) or "0"

    declared: set[str] = set()
    for n in rng.sample(names, len(names)):
        if n in declared:
            continue
        declared.add(n)
        deps = uses(n, [m for m in names if rank[m] < rank[n]])
        later = [m for m in names if m not in declared and rank[m] > rank[n]]
        if later and rng.random() < 0.25:  # one initializer for two names; both depend on what n depends on
            partner = rng.choice(later)
            declared.add(partner)
            decl = f'var {n}, {partner} = two("var {path} {n}", "var {path} {partner}", {deps})'
        else:
            decl = f'var {n} = mark("var {path} {n}") + {deps}'
        decls[rng.choice(files)].append(decl)
    for k in range(rng.randint(0, 2)):
        decls[rng.choice(files)].append(f'var _ = mark("var {path} _") + {uses(f"blank{k}", names)}')
    for f in files:
        for _ in range(rng.randint(0, 2)):
            decls[f].insert(rng.randint(0, len(decls[f])), "INIT")
    for i, f in enumerate(files):
        lines = [f"package {name}", "", *(f'import _ "{module}/{imp}"' for imp in imports), ""]
        if i == 0:
            lines += [MARK.strip(), "func two(s, t string, _ int) (int, int) { println(s); println(t); return 0, 0 }",
                      "type T struct{}", f"type I interface{{ {'; '.join(m + '() int' for m in interface)} }}",
                      *helpers, *(["func main() {}"] if name == "main" else [])]
        for decl in decls[f]:
            if decl == "INIT":
                decl = f'func init() {{ println("init {path} {f}:{len(lines) + 1}") }}'
            lines.append(decl)
        (directory / f).write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_current(seed, tmp_path):
    directory = generate(seed, tmp_path)
    comparison = checks.compare_program(directory)
    assert comparison.equal, comparison.diff()


@needs_go119
@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_pre_121(seed, tmp_path):
    directory = generate(seed, tmp_path)
    comparison = checks.compare_program(directory, "go1.19", toolchain=go119())
    assert comparison.equal, comparison.diff()


def test_generation_is_deterministic(tmp_path):
    a, b = generate(3, tmp_path / "a"), generate(3, tmp_path / "b")
    files = lambda d: {p.relative_to(d): p.read_text() for p in d.rglob("*.go")}  # noqa: E731
    assert files(a) == files(b)
    assert GO119  # imported for the skip marker
