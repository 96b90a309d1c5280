"""What chapter 2 reads out of real binaries and real programs, checked against the model.

* the init task records (`inittask_records`) and the linker's list (`linked_order`) decoded from a binary: the
  list equals the model's linker schedule, and Go 1.19's records list their dependencies in source order;
* Go 1.19's own program graph (its standard library, its record layout): the model's go1.19 variant reproduces Go 1.19's
  whole ``GODEBUG=inittrace=1``;
* ``inittrace`` lines name packages as symbols spell them (``ps/a%2eb``): parsed back to import paths;
* the seed's words (``sum.init``, ...) predicted through `compare_printed`;
* which file declares each import (``imported_in``), read for every package of the corpus;
* the variants the chapter's panel offers, against real copies of the program changed that way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gosim import inits
from gosim import toolchain as tc
from gosim.checks import inits as checks
from gosim.toolchain.initgraph import imported_in, program_graph, records_list_deps
from gosim.toolchain.inittrace import (inittask_records, inittrace, linked_order, parse_inittrace,
                                       prefix_to_path)

from .test_inits_fidelity import CORPUS, DIRS, go119, needs_go119

pytestmark = pytest.mark.slow

SEED = tc.program_dir("seedinit")
LAB = tc.program_dir("initlab")


def test_the_linked_list_is_the_models_linker_schedule():
    binary = tc.build(SEED)
    program = inits.Program.from_data(program_graph(SEED))
    picks = inits.linker_schedule(program)
    assert linked_order(binary) == [p.package for p in picks if p.runs]
    assert len(picks) > len(linked_order(binary)) > 70  # records without functions are sorted, not listed


def test_the_records_hold_the_renamed_init_functions():
    records = inittask_records(tc.build(SEED))
    assert records["main"].fns == ("main.init.0", "main.init.1", "main.init.2")
    assert records["seedinit/lib"].fns == ("seedinit/lib.init.0",)
    assert records["main"].state == 0 and records["main"].deps is None
    assert all(r.fns for r in records.values())  # the linker dropped the empty ones
    assert not records_list_deps(tc.installed())


@needs_go119
def test_go_119s_records_list_their_imports_in_source_order():
    old = go119()
    assert records_list_deps(old)
    records = inittask_records(old.build(SEED), toolchain=old)
    assert records["main"].deps == ("net/http", "seedinit/lib")  # main.go's import, then test.go's
    assert records["main"].fns == ("main.init.0", "main.init.1", "main.init.2")
    lab = inittask_records(old.build(LAB), toolchain=old)
    assert lab["main"].deps == ("lab/zeta", "lab/alpha")
    with pytest.raises(tc.GoToolchainError, match="links no list of init tasks"):
        linked_order(old.build(SEED), toolchain=old)


@needs_go119
def test_the_pre_121_model_on_go_119s_graph_is_go_119s_inittrace():
    """Go 1.19's own standard library and record layout (24 + 8·ndeps + 8·nfns bytes): the whole program's
    package order, as Go 1.19's runtime printed it."""
    old = go119()
    graph = program_graph(SEED, toolchain=old)
    assert graph["toolchain"].startswith("go1.19")
    result = inits.initialize(inits.Program.from_data(graph), "go1.19")
    comparison = checks.compare_inittrace(result, inittrace(old.build(SEED), toolchain=old))
    assert len(comparison.real) > 60
    assert comparison.equal, comparison.diff()


def test_the_seeds_words_are_predicted():
    comparison = checks.compare_printed(SEED)
    assert comparison.model == ("sum.init", "main.init.2", "main.init.1", "test.init")
    assert comparison.equal, comparison.diff()


@needs_go119
def test_the_seeds_words_under_go_119():
    comparison = checks.compare_printed(SEED, "go1.19", toolchain=go119())
    assert comparison.equal, comparison.diff()


def test_every_package_of_the_corpus_knows_where_its_imports_are_declared():
    for directory in [*DIRS.values(), SEED, CORPUS / "stdmany"]:
        for p in program_graph(directory)["packages"]:
            if not p["std"] and p["imports"]:
                assert p["imported_in"], (directory.name, p["path"])
                assert list(dict.fromkeys(i for _, i in p["imported_in"])) == p["imports"]


def test_imported_in_reads_the_forms_go_allows(tmp_path):
    (tmp_path / "a.go").write_text('// import "nope"\npackage a; import _ "x/one"\n/* import "no" */\n'
                                   'import (\n\t"x/two" // two\n\tb "x/three"\n\t. `x/four`\n)\nfunc f() {}\n'
                                   'var s = "import \\"x/no\\""\n')
    (tmp_path / "b.go").write_text('package a\n\nimport alias "v/five"\nimport "x/two"\n\ntype T int\n')
    found = imported_in(tmp_path, ["a.go", "b.go"], {"v/five": "vendor/v/five"},
                        ["x/one", "x/two", "x/three", "x/four", "vendor/v/five"])
    assert found == [["a.go", "x/one"], ["a.go", "x/two"], ["a.go", "x/three"], ["a.go", "x/four"],
                     ["b.go", "vendor/v/five"], ["b.go", "x/two"]]
    assert imported_in(tmp_path, ["a.go", "b.go"], {}, ["x/one"]) == []  # disagrees with the helper: unknown


@pytest.mark.parametrize("rename", [None, ("main", "test.go", "a.go")])
@pytest.mark.parametrize("added", [None, ("lab/zeta", "lab/mid"), ("lab/mid", "lab/zeta")])
def test_write_variant_is_the_program_the_model_predicts(tmp_path, rename, added):
    """The model's variant (rename_file, add_import on the extracted graph) equals the graph extracted from the
    real changed copy, and the copy prints the predicted order."""
    predicted = inits.Program.from_data(program_graph(LAB))
    if rename:
        predicted = inits.rename_file(predicted, *rename)
    if added:
        predicted = inits.add_import(predicted, *added)
    copy = checks.write_variant(LAB, tmp_path / "initlab", "lab", rename=rename, added=added)
    extracted = inits.Program.from_data(program_graph(copy))
    for order in inits.ORDERS:
        assert inits.initialize(predicted, order).lines() == inits.initialize(extracted, order).lines()
    result = inits.initialize(predicted)
    assert checks.compare_variant(LAB, result, "lab", rename=rename, added=added).equal


def test_the_chapters_programs_are_in_the_corpus():
    for name in ["initlab", "initstatic", "initlex", "initpaths"]:
        assert name in DIRS and (tc.PROGRAMS / name / "go.mod").is_file()
    assert Path(DIRS["initlab"]) == LAB


def test_parse_inittrace_unescapes_package_paths():
    line = "init gopkg.in/yaml%2ev3 @1.2 ms, 0.010 ms clock, 64 bytes, 2 allocs"
    assert [r.package for r in parse_inittrace(line)] == ["gopkg.in/yaml.v3"]
    for path in ["gopkg.in/yaml.v3", "ps/a.b", "ps/a-b", "x/%y", "x/é", "example.com/v1.2/z"]:
        assert prefix_to_path(inits.path_to_prefix(path)) == path  # the inverse of the model's PathToPrefix
    with pytest.raises(ValueError, match="two hex digits"):
        prefix_to_path("a%2")


def test_inittrace_of_an_escaped_path_is_the_models_order():
    # initpaths imports ps/a.b: the runtime prints it as the symbol names spell it, ps/a%2eb
    binary = tc.build("initpaths")
    raw = tc.run(binary, godebug="inittrace=1").stderr
    assert "init ps/a%2eb @" in raw and "init ps/a.b @" not in raw
    trace = inittrace(binary)
    assert "ps/a.b" in [r.package for r in trace]
    result = inits.initialize(inits.Program.from_data(program_graph(tc.program_dir("initpaths"))))
    comparison = checks.compare_inittrace(result, trace)
    assert comparison.equal, comparison.diff()


# --- staticinit's large maps (the one case of staticinit the model has) ------------------------------------------


def test_map_threshold_is_the_compilers():
    """The model's threshold is the constant in the installed compiler's source."""
    sched = tc.source_file("cmd/compile/internal/staticinit/sched.go")
    line = str(sched.between(r"^const wrapGlobalMapInitSizeThreshold"))
    assert f"= {inits.WRAP_GLOBAL_MAP_INIT_SIZE_THRESHOLD}" in line, line


def test_unused_large_maps_are_deleted_as_the_model_says():
    """initmaps declares m1..m10 (m<k> with k constant entries), none used: the linker deletes exactly the maps
    the model says the compiler moved to map.init.N."""
    kept = {s.name for s in tc.nm(tc.build("initmaps"))}
    for k in range(1, 11):
        assert (f"main.m{k}" not in kept) == inits.map_init_outlined(k), k
    assert not any(".map.init." in name for name in kept)


def test_map_literal_nodes_rejects_a_bad_count():
    assert inits.map_literal_nodes(0) == 1 and inits.map_literal_nodes(2) == 7
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="entries"):
            inits.map_literal_nodes(bad)
