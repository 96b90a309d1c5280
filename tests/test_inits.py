"""The initialization-order model on hand-made program graphs (no toolchain)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosim import inits
from gosim.inits import Const, Func, Init, Package, Program, Var
from gosim.toolchain.inittrace import parse_inittrace


def program(*packages: Package) -> Program:
    return Program(tuple(packages))


def leaf(path: str, *imports: str, nfns: int | None = None) -> Package:
    """A package with one init function (so one function to run) unless ``nfns`` says otherwise."""
    return Package(path, imports, (f"{path.rsplit('/', 1)[-1]}.go",), inits=(Init(f"{path.rsplit('/', 1)[-1]}.go", 3),),
                   nfns=nfns)


def seed() -> Program:
    """The seed's program as the extraction sees it, without the standard library (net/http as a leaf)."""
    return program(
        leaf("net/http"),
        Package("seedinit/lib", (), ("sum.go",), inits=(Init("sum.go", 3),)),
        Package("main", ("net/http", "seedinit/lib"), ("main.go", "test.go"),
                inits=(Init("main.go", 11), Init("main.go", 19), Init("test.go", 7)),
                funcs=(Func("main", ("test",)), Func("test"))),
    )


# --- rule 1: the linker's comparison -------------------------------------------------------------------------


@pytest.mark.parametrize("path, prefix", [
    ("fmt", "fmt"),
    ("ps/a.b", "ps/a%2eb"),  # a dot in the last element is escaped
    ("example.com/x.y/v1", "example.com/x.y/v1"),  # ... only there
    ("gopkg.in/yaml.v3", "gopkg.in/yaml%2ev3"),
    ('a/b"c%d e', "a/b%22c%25d%20e"),
    ("a/é", "a/%c3%a9"),
])
def test_path_to_prefix_escapes_like_objabi(path, prefix):
    assert inits.path_to_prefix(path) == prefix


def test_symbol_names_do_not_sort_like_paths():
    paths = ["ps/B", "ps/a", "ps/a-b", "ps/a.b", "ps/a/b", "ps/a_b", "ps/ab"]
    assert sorted(paths) == paths
    by_symbol = sorted(paths, key=inits.inittask_symbol)
    assert by_symbol == ["ps/B", "ps/a.b", "ps/a-b", "ps/a", "ps/a/b", "ps/a_b", "ps/ab"]
    assert sorted(["pre/lib", "pre/lib-x", "pre/li"], key=inits.inittask_symbol) == ["pre/li", "pre/lib-x", "pre/lib"]


def test_linker_takes_the_first_ready_package_by_symbol_name():
    # the fact sheet's lexorder: main imports zeta first, alpha second; alpha imports mid
    prog = program(leaf("lexorder/zeta"), leaf("lexorder/mid"), leaf("lexorder/alpha", "lexorder/mid"),
                   leaf("main", "lexorder/zeta", "lexorder/alpha"))
    picks = inits.linker_schedule(prog)
    assert [p.package for p in picks] == ["lexorder/mid", "lexorder/alpha", "lexorder/zeta", "main"]
    assert picks[0].ready == ("lexorder/mid", "lexorder/zeta")
    assert inits.package_order(prog) == ("lexorder/mid", "lexorder/alpha", "lexorder/zeta", "main")
    assert inits.package_order(prog, "go1.19") == ("lexorder/zeta", "lexorder/mid", "lexorder/alpha", "main")


def test_diamond_current_and_pre_121():
    prog = program(leaf("dia/e"), leaf("dia/d", "dia/e"), leaf("dia/a", "dia/d"), leaf("dia/b", "dia/d"),
                   leaf("dia/c"), leaf("main", "dia/b", "dia/a", "dia/c"))
    assert inits.package_order(prog) == ("dia/c", "dia/e", "dia/d", "dia/a", "dia/b", "main")
    assert inits.package_order(prog, "go1.19") == ("dia/e", "dia/d", "dia/b", "dia/a", "dia/c", "main")


def test_a_package_with_nothing_to_do_has_no_inittask_and_no_edge():
    # z only has static data: a does not wait for it (the linker never sees z)
    z = Package("sl/z", (), ("z.go",), vars=(Var("Z", "z.go", 3),), nfns=0)
    prog = program(z, leaf("sl/a", "sl/z"), leaf("sl/m"), leaf("main", "sl/m", "sl/a", "sl/z"))
    assert inits.has_inittask(prog) == {"sl/z": False, "sl/a": True, "sl/m": True, "main": True}
    assert inits.task_imports(prog, "sl/a") == ()
    result = inits.initialize(prog)
    assert result.static == ("sl/z",)
    assert result.packages == ("sl/z", "sl/a", "sl/m", "main")
    # if z had an init function, a would wait for it and m would go first
    with_init = program(leaf("sl/z"), leaf("sl/a", "sl/z"), leaf("sl/m"), leaf("main", "sl/m", "sl/a", "sl/z"))
    assert inits.package_order(with_init) == ("sl/m", "sl/z", "sl/a", "main")


def test_a_task_without_functions_is_scheduled_but_not_run():
    # mid has no code of its own but imports a package that has: it gets a task (and orders its importers)
    prog = program(leaf("x/low"), leaf("x/mid", "x/low", nfns=0), leaf("x/a", "x/mid"), leaf("x/b"),
                   leaf("main", "x/a", "x/b"))
    assert inits.has_inittask(prog)["x/mid"]
    picks = inits.linker_schedule(prog)
    assert [(p.package, p.runs) for p in picks] == [("x/b", True), ("x/low", True), ("x/mid", False),
                                                    ("x/a", True), ("main", True)]
    assert inits.package_order(prog) == ("x/b", "x/low", "x/a", "main")


def test_runtime_closure_runs_first_and_is_skipped_later():
    prog = program(leaf("internal/bytealg"), leaf("runtime", "internal/bytealg"), leaf("errors", "runtime"),
                   leaf("aaa"), leaf("main", "aaa", "errors"))
    result = inits.initialize(prog)
    assert result.runtime_tasks == ("internal/bytealg", "runtime")
    assert result.packages == ("internal/bytealg", "runtime", "aaa", "errors", "main")
    assert [p.package for p in result.schedule][:2] == ["aaa", "internal/bytealg"]  # the linker's list has them


# --- rule 2: variables ---------------------------------------------------------------------------------------


def vars_only(*vs: Var, funcs=(), consts=()) -> Package:
    return Package("main", (), ("a.go", "b.go"), vars=vs, funcs=funcs, consts=consts)


def test_dependencies_first_then_declaration_order():
    pkg = vars_only(Var("a", "a.go", 1, ("c",)), Var("b", "b.go", 1, ("a",)), Var("d", "b.go", 2),
                    Var("c", "b.go", 3, ("e",)), Var("e", "b.go", 4))
    assert inits.variable_order(pkg) == (("d",), ("e",), ("c",), ("a",), ("b",))


def test_references_through_functions_methods_and_recursion():
    pkg = vars_only(Var("x", "a.go", 1, ("f",)), Var("w", "a.go", 2, ("h1",)), Var("y", "a.go", 3),
                    Var("z", "a.go", 4), Var("v", "a.go", 5),
                    funcs=(Func("f", ("g",)), Func("g", ("T.m",)), Func("T.m", ("y",)), Func("h1", ("h2", "z")),
                           Func("h2", ("h1",)), Func("unused", ("v",))))
    assert inits.variable_order(pkg) == (("y",), ("x",), ("z",), ("w",), ("v",))


def test_one_initializer_for_several_names_and_blanks():
    pkg = vars_only(Var("_", "a.go", 1), Var("x", "a.go", 2, ("y",)), Var("_", "a.go", 3, ("y",)),
                    Var("y", "a.go", 4), Var("_", "a.go", 5, lhs=("_", "z")), Var("z", "a.go", 5, lhs=("_", "z")),
                    Var("nothing", "a.go", 6, init=False))
    assert inits.variable_order(pkg) == (("_",), ("y",), ("x",), ("_",), ("_", "z"))
    steps = [str(s) for s in inits.package_steps(pkg)]
    assert steps == ["var main _", "var main y", "var main x", "var main _", "var main _", "var main z"]


def test_constants_go_first_and_release_what_waits_for_them():
    # var y = n; var x = [3]int{...}; const n = len(x): go/types pops the constant first (go.dev/issue/66575)
    pkg = vars_only(Var("y", "a.go", 1, ("n",)), Var("x", "a.go", 2), Var("w", "a.go", 5),
                    consts=(Const("n", ("x",)),))
    assert inits.variable_order(pkg) == (("y",), ("x",), ("w",))
    assert inits.variable_order(pkg, "pkginit") == (("y",), ("x",), ("w",))


def test_generic_methods_count_only_for_go_119():
    pkg = vars_only(Var("a1", "a.go", 1, irefs=("Box.Get",)), Var("b2", "a.go", 2),
                    funcs=(Func("Box.Get", ("b2",)),))
    assert inits.variable_order(pkg, "types2") == (("a1",), ("b2",))
    assert inits.variable_order(pkg, "pkginit") == (("b2",), ("a1",))


def test_go_119_finishes_a_pair_at_once_go_types_waits_for_its_second_name():
    # found by tests/test_inits_random.py (seed 0): v2 needs both names of "var v0, v1 = two()"
    pkg = vars_only(Var("v2", "a.go", 1, ("v0", "v1")), Var("v3", "a.go", 2, ("v0",), lhs=("v3", "v4")),
                    Var("v4", "a.go", 2, ("v0",), lhs=("v3", "v4")), Var("v0", "a.go", 3, lhs=("v0", "v1")),
                    Var("v1", "a.go", 3, lhs=("v0", "v1")))
    assert inits.variable_order(pkg, "types2") == (("v0", "v1"), ("v3", "v4"), ("v2",))
    assert inits.variable_order(pkg, "pkginit") == (("v0", "v1"), ("v2",), ("v3", "v4"))


def test_initialization_cycle_is_an_error():
    pkg = vars_only(Var("a", "a.go", 1, ("f",)), Var("b", "a.go", 2, ("a",)), funcs=(Func("f", ("b",)),))
    for rule in inits.RULES:
        with pytest.raises(ValueError, match="initialization cycle"):
            inits.variable_order(pkg, rule)


# --- rule 3, the steps, the variants ---------------------------------------------------------------------------


def test_seed_steps_and_renaming_test_go_to_a_go():
    result = inits.initialize(seed())
    assert result.lines() == ["init net/http http.go:3", "init seedinit/lib sum.go:3", "init main main.go:11",
                              "init main main.go:19", "init main test.go:7"]
    renamed = inits.rename_file(seed(), "main", "test.go", "a.go")
    assert renamed["main"].files == ("a.go", "main.go")
    assert inits.initialize(renamed).lines()[2:] == ["init main a.go:7", "init main main.go:11",
                                                     "init main main.go:19"]


def test_renaming_moves_variables_with_their_file():
    pkg = Package("main", (), ("a.go", "b.go"), vars=(Var("x", "a.go", 1), Var("y", "b.go", 1)))
    prog = program(pkg)
    assert inits.initialize(prog).lines() == ["var main x", "var main y"]
    assert inits.initialize(inits.rename_file(prog, "main", "b.go", "0.go")).lines() == ["var main y", "var main x"]


def test_adding_an_import_changes_the_order():
    prog = program(leaf("x/a"), leaf("x/b"), leaf("main", "x/a", "x/b"))
    assert inits.package_order(prog) == ("x/a", "x/b", "main")
    assert inits.package_order(inits.add_import(prog, "x/a", "x/b")) == ("x/b", "x/a", "main")


def test_renaming_moves_imports_with_their_file():
    """Before Go 1.21 the package order followed the import declarations, first file first: a renamed file takes
    its imports along (when the graph says which file declares them)."""
    main = Package("main", ("x/z", "x/a"), ("main.go", "test.go"), inits=(Init("main.go", 3),),
                   imported_in=(("main.go", "x/z"), ("test.go", "x/a")))
    prog = program(leaf("x/a"), leaf("x/z"), main)
    assert inits.package_order(prog, "go1.19")[-3:] == ("x/z", "x/a", "main")
    renamed = inits.rename_file(prog, "main", "test.go", "a.go")
    assert renamed["main"].imports == ("x/a", "x/z")
    assert renamed["main"].imported_in == (("a.go", "x/a"), ("main.go", "x/z"))
    assert inits.package_order(renamed, "go1.19")[-3:] == ("x/a", "x/z", "main")
    assert inits.package_order(renamed) == inits.package_order(prog) == ("x/a", "x/z", "main")
    # an import the same package declares in two files counts where it comes first
    both = replace(main, imports=("x/z", "x/a"), imported_in=(("main.go", "x/z"), ("test.go", "x/a"),
                                                              ("test.go", "x/z")))
    assert inits.rename_file(program(leaf("x/a"), leaf("x/z"), both), "main", "test.go", "a.go")["main"].imports \
        == ("x/a", "x/z")


def test_an_added_import_stays_last_through_a_rename():
    main = Package("main", ("x/z",), ("main.go", "test.go"), imported_in=(("test.go", "x/z"),))
    prog = inits.add_import(program(leaf("x/a"), leaf("x/z"), main), "main", "x/a")
    assert prog["main"].imports == ("x/z", "x/a")
    renamed = inits.rename_file(prog, "main", "test.go", "a.go")
    assert renamed["main"].imports == ("x/z", "x/a")
    # without imported_in (a hand-made graph) a rename leaves the imports as they were
    plain = inits.rename_file(program(leaf("x/a"), leaf("main", "x/a")), "main", "main.go", "b.go")
    assert plain["main"].imports == ("x/a",) and plain["main"].imported_in == ()


def test_history_rows_belong_to_chapter_2():
    assert len(inits.HISTORY) >= 5
    assert {row.chapter for row in inits.HISTORY} == {"2 Package initialization"}
    assert any("Go 1.21" in row.since for row in inits.HISTORY)


def test_std_steps_are_hidden_unless_asked():
    fmt = Package("fmt", ("errors",), ("print.go",), inits=(Init("print.go", 9),), std=True)
    prog = program(Package("errors", (), std=True), fmt, leaf("main", "fmt"))
    result = inits.initialize(prog)
    assert result.lines() == ["init main main.go:3"]
    assert result.lines(std=True) == ["init fmt print.go:9", "init main main.go:3"]
    assert inits.import_graph(prog) == {"main": ("fmt",), "fmt": ()}
    assert inits.import_graph(prog, std=True) == {"errors": (), "fmt": ("errors",), "main": ("fmt",)}


def test_bad_graphs_and_arguments_are_value_errors():
    with pytest.raises(ValueError, match="no package 'main'"):
        program(leaf("a"))
    with pytest.raises(ValueError, match="imports 'b', which is not in the program"):
        program(leaf("a", "b"), leaf("main", "a"))
    with pytest.raises(ValueError, match="import cycle among a, b"):
        program(leaf("a", "b"), leaf("b", "a"), leaf("main", "a"))
    with pytest.raises(ValueError, match="order: '1.10' is not one of current, go1.19"):
        inits.initialize(seed(), "1.10")
    # the old name of the Go 1.19 variant still works
    assert inits.initialize(seed(), "pre-1.21") == inits.initialize(seed(), "go1.19")
    with pytest.raises(ValueError, match="rule: 'gc' is not one of"):
        inits.variable_order(seed()["main"], "gc")
    with pytest.raises(ValueError, match="old: 'x.go' is not a file of main"):
        inits.rename_file(seed(), "main", "x.go", "y.go")
    with pytest.raises(ValueError, match="package: 'nope' is not a package of the program"):
        inits.rename_file(seed(), "nope", "x.go", "y.go")
    with pytest.raises(ValueError, match="imported: 'fmt' is not a package of the program"):
        inits.add_import(seed(), "main", "fmt")
    with pytest.raises(ValueError, match="root: 'x' is not a package"):
        inits.linker_schedule(seed(), "x")


def test_from_data_reads_the_extraction_format():
    data = {"module": "m", "packages": [
        {"path": "main", "imports": [], "files": ["a.go"], "nfns": 1, "std": False,
         "vars": [{"name": "a", "file": "a.go", "line": 3, "refs": ["f"], "init": True, "irefs": ["T.m"]}],
         "funcs": [{"name": "f", "refs": []}], "consts": [], "inits": [{"file": "a.go", "line": 5, "empty": False}]}]}
    prog = Program.from_data(data)
    assert prog.module == "m" and prog["main"].vars[0] == Var("a", "a.go", 3, ("f",), True, (), ("T.m",))
    assert inits.initialize(prog).lines() == ["var main a", "init main a.go:5"]


# --- property: the heap-based Kahn equals the spec's sentence ---------------------------------------------------


@st.composite
def dags(draw):
    names = draw(st.lists(st.text("ab-./_B%", min_size=1, max_size=4).map(lambda s: "p/" + s), min_size=1,
                          max_size=9, unique=True))
    packages = []
    for i, name in enumerate(names):
        imports = draw(st.lists(st.sampled_from(names[:i]), unique=True)) if i else []
        packages.append(leaf(name, *imports, nfns=draw(st.sampled_from([None, 0, 1]))))
    packages.append(leaf("main", *names))
    return Program(tuple(packages))


@settings(max_examples=100, deadline=None)
@given(dags())
def test_linker_order_is_the_first_initializable_package_in_symbol_order(prog):
    """The spec (Go 1.21): "repeatedly initialize the first package in the list sorted by import path [here: by
    symbol name] for which all imports are initialized" -- over the packages that have an inittask."""
    has = inits.has_inittask(prog)
    todo = sorted((p.path for p in prog.packages if has[p.path]), key=inits.inittask_symbol)
    done: list[str] = []
    while todo:
        first = next(p for p in todo if all(i in done for i in inits.task_imports(prog, p)))
        todo.remove(first)
        done.append(first)
    assert [p.package for p in inits.linker_schedule(prog)] == done
    for order in inits.ORDERS:
        seen: set[str] = set()
        for path in inits.package_order(prog, order):
            assert all(i in seen for i in prog[path].imports if i in inits.package_order(prog, order))
            seen.add(path)


# --- inittrace lines -------------------------------------------------------------------------------------------


def test_parse_inittrace():
    text = ("init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs\n"
            "sum.init\n"
            "init runtime @0.060 ms, 0.090 ms clock, 0 bytes, 0 allocs\n"
            "init net/http @1.2 ms, 0.14 ms clock, 21416 bytes, 220 allocs\n")
    rows = parse_inittrace(text)
    assert [r.package for r in rows] == ["internal/bytealg", "runtime", "net/http"]
    assert rows[2].start_ms == 1.2 and rows[2].clock_ms == 0.14 and rows[2].bytes == 21416 and rows[2].allocs == 220
