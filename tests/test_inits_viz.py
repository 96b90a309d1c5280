"""Chapter 2's figures and panel: every control value draws, the frames say what the model says, redraws are
cheap. Hand-made graphs (no toolchain) except where the chapter's own program is the point."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from gosim import inits
from gosim.inits import Init, Package, Program, Var
from gosim.toolchain.inittrace import parse_inittrace
from gosim.viz import inits as viz
from gosim.widgets import Panel
from gosim.widgets.inits import describe, init_order_panel, variant


def lab() -> Program:
    """initlab as the extraction sees it (without the runtime's packages)."""
    def leaf(path, *imports, line=7):
        name = path.rsplit("/", 1)[-1] + ".go"
        return Package(path, imports, (name,), vars=(Var(path[4].upper(), name, line - 2),),
                       inits=(Init(name, line),), imported_in=tuple((name, i) for i in imports))

    main = Package("main", ("lab/zeta", "lab/alpha"), ("main.go", "test.go"),
                   vars=(Var("total", "main.go", 11, ("count",)), Var("n", "main.go", 12), Var("t", "test.go", 5)),
                   inits=(Init("main.go", 16), Init("test.go", 7)),
                   funcs=(inits.Func("count", ("n",)),),
                   imported_in=(("main.go", "lab/zeta"), ("test.go", "lab/alpha")))
    return Program((leaf("lab/mid"), leaf("lab/alpha", "lab/mid", line=9), leaf("lab/zeta"), main))


RENAMES = [("main", "test.go", "a.go")]
IMPORTS = [("lab/zeta", "lab/mid"), ("lab/mid", "lab/zeta")]


@pytest.fixture(scope="module")
def panel() -> Panel:
    return init_order_panel(lab(), renames=RENAMES, imports=IMPORTS, name="initlab")


def test_the_panel_offers_every_combination(panel):
    assert panel.frames() == 2 * 3 * 2 == len(panel.results)
    assert [c.name for c in panel.controls] == ["file", "added", "order"]
    assert panel.controls[0].labels == ["as written", "test.go → a.go"]


def test_every_frame_draws_and_says_what_the_model_says(panel):
    for values in panel.grid():
        png = panel.frame(**values)
        assert png.startswith(b"\x89PNG") and len(png) > 5000
        program, result = panel.results[values["file"], values["added"], values["order"]]
        assert result == inits.initialize(variant(lab(), values["file"], values["added"]), values["order"])
        text = panel.text(**values)
        for step in viz.printed(result):
            assert str(step) in text
        order = [p for p in result.packages if p in viz.shown_packages(program)]
        assert " → ".join(f"<code>{p}</code>" for p in order) in text


def test_the_rule_and_the_rename_change_what_they_should(panel):
    order = lambda f, a, o: inits.package_order(panel.results[f, a, o][0], o)[-4:]  # noqa: E731
    assert order(None, None, "current") == ("lab/mid", "lab/alpha", "lab/zeta", "main")
    assert order(None, None, "go1.19") == ("lab/zeta", "lab/mid", "lab/alpha", "main")
    # renaming test.go to a.go moved packages before Go 1.21, not since
    assert order(RENAMES[0], None, "go1.19") == ("lab/mid", "lab/alpha", "lab/zeta", "main")
    assert order(RENAMES[0], None, "current") == order(None, None, "current")
    assert "moved" not in panel.text(file=None, added=None, order="current")
    assert "11 printed lines moved" in panel.text(file=RENAMES[0], added=IMPORTS[1], order="current")


def test_graph_layout_puts_importers_above_and_numbers_the_order():
    program = lab()
    graph = viz.shown_packages(program)
    depth = viz.layers(graph)
    assert depth["main"] == 0 and depth["lab/alpha"] == depth["lab/zeta"] == 1 and depth["lab/mid"] == 2
    where = viz.positions(graph)
    assert all(where[p][1] > where[i][1] for p, imports in graph.items() for i in imports)
    result = inits.initialize(program)
    # each number is the package's line in inittrace: after the runtime's own list
    first = len(result.runtime_tasks)  # none in this hand-made graph (no runtime package)
    assert viz.ran(result)[:first] == list(result.runtime_tasks)
    assert viz.numbered(program, result) == {"lab/mid": first + 1, "lab/alpha": first + 2,
                                             "lab/zeta": first + 3, "main": first + 4}
    assert set(viz.colours(program)) == set(graph)


def test_static_packages_and_std_leaves_are_drawn():
    tz = Package("st/tz", (), ("tz.go",), vars=(Var("Name", "tz.go", 3),), nfns=0)
    http = Package("net/http", ("errors",), ("http.go",), inits=(Init("http.go", 3),), std=True)
    errors = Package("errors", (), ("e.go",), inits=(Init("e.go", 3),), std=True)
    main = Package("main", ("st/tz", "net/http"), ("main.go",), inits=(Init("main.go", 3),))
    program = Program((tz, errors, http, main))
    result = inits.initialize(program)
    # tz: static data, no number; errors runs first but is not drawn (only what the program imports is)
    assert viz.ran(result) == ["errors", "net/http", "main"]
    assert viz.numbered(program, result) == {"net/http": 2, "main": 3}
    assert viz.std_below(program, "net/http") == 2
    for fig in (viz.draw_import_graph(program, result), viz.draw_schedule(program, result),
                viz.draw_order(program, result, added=("main", "st/tz"))):
        assert isinstance(fig, Figure)
    texts = [t.get_text() for t in viz.draw_import_graph(program, result).texts]
    assert "no inittask" in texts and "net/http\n(+1 it imports)" in texts


SAMPLE = """init internal/bytealg @0.009 ms, 0 ms clock, 0 bytes, 0 allocs
init runtime @0.056 ms, 0.070 ms clock, 0 bytes, 0 allocs
init errors @0.41 ms, 0.003 ms clock, 0 bytes, 0 allocs
sum.init
init seedinit/lib @0.62 ms, 0.011 ms clock, 0 bytes, 0 allocs
init net/http @1.2 ms, 0.052 ms clock, 11024 bytes, 70 allocs
init main @1.3 ms, 0.001 ms clock, 0 bytes, 0 allocs
"""


def test_the_inittrace_timeline_draws_what_the_runtime_printed():
    rows = parse_inittrace(SAMPLE)
    fig = viz.draw_inittrace(rows, highlight=("seedinit/lib", "main"), runtime_tasks=2)
    timeline, allocators = fig.axes
    labels = [t.get_text() for t in timeline.texts]
    assert any(label.startswith("4. seedinit/lib") for label in labels)
    assert "gcenable" in " ".join(labels)
    # the only package that allocated
    assert [t.get_text() for t in allocators.texts] == [" net/http  (70 allocs)"]


def test_captions_and_descriptions():
    assert describe(None, None) == "as written"
    assert describe(RENAMES[0], IMPORTS[0]) == "test.go renamed a.go, lab/zeta imports lab/mid"
    with pytest.raises(ValueError, match="default_order"):
        init_order_panel(lab(), default_order="1.10")
    with pytest.raises(ValueError, match="import cycle"):
        init_order_panel(lab(), imports=[("lab/mid", "main")])
