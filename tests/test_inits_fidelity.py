"""Fidelity: the predicted initialization order against real binaries.

Every program of tests/programs/inits prints ``var PKG NAME`` at each initializer and ``init PKG FILE:LINE`` in
each init function, so its output is the real order. The model (graph extracted from the source with the
installed toolchain) must print the same lines: with ``order="current"`` against go1.27 binaries, with
``order="go1.19"`` against Go 1.19 binaries where Debian's golang-1.19-go is installed. Beyond what the
programs print: the package order of whole programs (standard library included) against
``GODEBUG=inittrace=1``, and the variable order of every package against go/types' own Info.InitOrder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gosim import inits
from gosim import toolchain as tc
from gosim.checks import inits as checks
from gosim.toolchain.initgraph import program_graph
from gosim.toolchain.inittrace import inittrace

CORPUS = Path(__file__).parent / "programs" / "inits"
# the corpus, and the chapter's own programs shipped in gosim/programs (init*, except the seed's, which prints
# the seed's words, and two that print no steps: initdata shows staticinit in the binary, initregister an image
# format registered by a blank import, initspec the spec's example, initmaps which unused maps the linker
# deletes; the chapter and its exercises check them against the binary itself)
NO_STEPS = {"initdata", "initregister", "initspec", "initmaps"}
DIRS = {d.name: d for d in [*CORPUS.iterdir(), *tc.PROGRAMS.glob("init*")]
        if (d / "go.mod").is_file() and d.name not in NO_STEPS}
PROGRAMS = sorted(DIRS)
GO119 = Path("/usr/lib/go-1.19")
needs_go119 = pytest.mark.skipif(
    not (GO119 / "bin" / "go").is_file(),
    reason="Go 1.19 is not installed (apt-get install golang-1.19-go; make install does it as root): "
           "the go1.19 order is not checked against a real Go 1.19",
)
pytestmark = pytest.mark.slow


def go119() -> tc.Toolchain:
    return tc.Toolchain.at(GO119)


def test_the_corpus_covers_what_it_should():
    assert sum(d.parent == CORPUS for d in DIRS.values()) >= 15
    for name in ["crossfile", "funcbody", "methods", "closures", "interfaces", "blank", "manyinits", "filenames",
                 "initpaths", "prefixes", "dotted", "diamond", "deepchain", "staticleaf", "initlex"]:
        assert name in PROGRAMS


@pytest.mark.parametrize("name", PROGRAMS)
def test_every_init_line_names_its_own_position(name):
    """The programs print `init PKG FILE:LINE` from the line of `func init` itself (a check of the corpus, not
    of the model)."""
    for path in DIRS[name].rglob("*.go"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = re.search(r'println\("init \S+ (\S+):(\d+)"\)', line)
            if match:
                assert line.startswith("func init()"), (path, number)
                assert (match[1], int(match[2])) == (path.name, number), (path, number)


@pytest.mark.parametrize("name", PROGRAMS)
def test_current_order_is_the_real_order(name):
    comparison = checks.compare_program(DIRS[name])
    assert comparison.real, "the program printed no steps"
    assert comparison.equal, comparison.diff()


@needs_go119
@pytest.mark.parametrize("name", PROGRAMS)
def test_pre_121_order_is_go_119s_order(name):
    comparison = checks.compare_program(DIRS[name], "go1.19", toolchain=go119())
    assert comparison.toolchain.startswith("go1.19")
    assert comparison.equal, comparison.diff()


def test_the_two_orders_differ_where_the_corpus_says():
    """Not a tautology: on these programs the two rules give different orders (and each matched its toolchain)."""
    for name in ["initlex", "initpaths", "prefixes", "dotted", "diamond", "deepchain", "staticleaf", "stdwait",
                 "initgeneric"]:
        program = inits.Program.from_data(program_graph(DIRS[name]))
        assert inits.initialize(program).lines() != inits.initialize(program, "go1.19").lines(), name


# --- the seed -------------------------------------------------------------------------------------------------


SEED_OUTPUT = ["sum.init", "main.init.2", "main.init.1", "test.init", "6"]


def test_seed_prints_what_the_seed_printed():
    assert tc.run(tc.build("seedinit")).stderr.split() == SEED_OUTPUT


@needs_go119
def test_seed_prints_the_same_under_go_119():
    old = go119()
    assert old.run(old.build("seedinit")).stderr.split() == SEED_OUTPUT


def test_seed_steps_are_predicted():
    result = inits.initialize(inits.Program.from_data(program_graph(tc.program_dir("seedinit"))))
    assert result.lines() == ["init seedinit/lib sum.go:3", "init main main.go:11", "init main main.go:19",
                              "init main test.go:7"]


def test_renaming_test_go_to_a_go(tmp_path):
    """The chapter's variant: the model's rename_file on the seed's graph equals the graph of the renamed copy,
    and the real binary prints test.init before main's two."""
    copy = tmp_path / "seedinit"
    shutil.copytree(tc.program_dir("seedinit"), copy)
    (copy / "test.go").rename(copy / "a.go")
    assert tc.run(tc.build(copy)).stderr.split() == ["sum.init", "test.init", "main.init.2", "main.init.1", "6"]
    original = inits.Program.from_data(program_graph(tc.program_dir("seedinit")))
    predicted = inits.initialize(inits.rename_file(original, "main", "test.go", "a.go"))
    extracted = inits.initialize(inits.Program.from_data(program_graph(copy)))
    assert predicted.lines() == extracted.lines() == [
        "init seedinit/lib sum.go:3", "init main a.go:7", "init main main.go:11", "init main main.go:19"]


# --- whole programs, standard library included -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seedinit", "stdmany"])
def test_package_order_is_the_order_of_inittrace(name):
    directory = tc.program_dir(name) if name == "seedinit" else CORPUS / name
    result = inits.initialize(inits.Program.from_data(program_graph(directory)))
    trace = inittrace(tc.build(directory))
    comparison = checks.compare_inittrace(result, trace)
    assert len(comparison.real) > 70  # the standard library's packages with init work, and the program's
    assert comparison.equal, comparison.diff()
    assert trace[:3] and [row.package for row in trace[:3]] == list(result.runtime_tasks)


def test_variable_order_is_go_types_order_in_every_package():
    """go/types' Info.InitOrder (reported by the helper) for every package of two whole programs: the model's
    types2 rule reproduces it, standard library included."""
    checked = 0
    for directory in [tc.program_dir("seedinit"), CORPUS / "stdmany", *DIRS.values()]:
        graph = program_graph(directory)
        for data, package in zip(graph["packages"], inits.Program.from_data(graph).packages):
            assert [list(names) for names in inits.variable_order(package)] == data["initorder"], package.path
            checked += len(data["initorder"])
    assert checked > 1000


def test_which_packages_get_an_inittask_is_the_compilers_choice():
    """The model's MakeTask rule (main, runtime, functions to run, or an import with a task), from each package's
    nfns, against the compiled packages: an ..inittask symbol or none."""
    for directory in [tc.program_dir("seedinit"), CORPUS / "stdmany", CORPUS / "staticleaf"]:
        graph = program_graph(directory)
        has = inits.has_inittask(inits.Program.from_data(graph))
        assert {p["path"]: p["inittask"] for p in graph["packages"]} == has
        assert not all(has.values()) and sum(has.values()) > 2
