"""A panel on the static site: frames are files beside the page, shown by lazy <img> tags whose alt text names
the control values (the contract make check-site relies on)."""

import re
from pathlib import Path

import ipywidgets as W
from matplotlib.figure import Figure

from gosim.viz import site, style
from gosim.widgets import Control, Panel


def _draw(n, colour):
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot(range(n), color=colour)
    fig.suptitle(f"{n} points")
    return fig


def _imgs(widget):
    if isinstance(widget, W.HTML) and "<img" in widget.value:
        return [widget.value]
    return [t for child in getattr(widget, "children", ()) for t in _imgs(child)]


def test_static_frames_are_files_beside_the_page(tmp_path, monkeypatch):
    (tmp_path / "_config.yml").write_text("title: t\n")
    page = tmp_path / "notebooks"
    page.mkdir()
    monkeypatch.chdir(page)
    monkeypatch.setenv(site.STATIC_ENV, "1")
    panel = Panel(_draw, [Control("n", [2, 3, 4], label="points"),
                          Control("colour", ["red", "blue"], labels=["R", "B"], kind="buttons")])
    box = panel.static()
    tags = _imgs(box)
    assert len(tags) == panel.frames() == 6
    srcs = [re.search(r'src="([^"]+)"', t)[1] for t in tags]
    alts = [re.search(r'alt="([^"]+)"', t)[1] for t in tags]
    assert len(set(srcs)) == 6, "each combination of values is its own image"
    assert alts[0] == "points=2, colour=R" and alts[-1] == "points=4, colour=B"
    for src, tag in zip(srcs, tags):
        assert src.startswith("../_static/gosim-frames/") and src.endswith(".webp")
        assert 'loading="lazy"' in tag
        assert (tmp_path / site.FOLDER / site.SUBDIR / Path(src).name).stat().st_size > 0
    # the same pixels as the live panel's PNG
    from io import BytesIO

    from PIL import Image

    first = Image.open(tmp_path / site.FOLDER / site.SUBDIR / Path(srcs[0]).name)
    live = Image.open(BytesIO(panel.frame(n=2, colour="red")))
    assert first.size == live.size and first.convert("RGBA").tobytes() == live.convert("RGBA").tobytes()


def test_static_figure_is_a_lazy_file(tmp_path, monkeypatch):
    (tmp_path / "_config.yml").write_text("title: t\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(site.STATIC_ENV, "1")
    shown = style.show(_draw(3, "red"))
    assert '<img src="_static/gosim-frames/' in shown.data and 'alt="3 points"' in shown.data
    monkeypatch.delenv(site.STATIC_ENV)
    assert type(style.show(_draw(3, "red"))).__name__ == "Image"  # JupyterLab: the PNG inline


def test_live_panel_draws_the_next_frames_ahead():
    import asyncio

    drawn = []

    def draw(n):
        drawn.append(n)
        return _draw(n, "red")

    panel = Panel(draw, [Control("n", [2, 3, 4, 5])])

    async def reader():
        box = panel.live()
        assert drawn == [2, 3]  # the shown frame and the one a move away, inside the cell that shows the panel
        await asyncio.sleep(0.2)
        assert drawn == [2, 3]  # nothing queued behind the cell
        box.controls["n"].index = 1  # the reader's step finds its frame ready: no second draw of 3
        assert drawn == [2, 3] and box.image.value == panel.frame(n=3)
        await asyncio.sleep(0.5)
        assert sorted(drawn) == [2, 3, 4]  # the next one drawn ahead when the kernel's loop is idle

    asyncio.run(reader())
    panel2 = Panel(draw, [Control("n", [6, 7, 8])])
    drawn.clear()
    box2 = panel2.live()  # no event loop (a script): the neighbour drawn in the cell, nothing left running
    assert drawn == [6, 7]
    box2.controls["n"].index = 1
    assert drawn == [6, 7]  # the move found its frame; without a loop nothing more is drawn ahead


def test_live_panel_carries_one_cell_guard_and_static_none():
    """A live panel holds one `CellGuard` (gosim.widgets.lab), whose script stops the events JupyterLab's notebook
    activates a cell on, at the panel's outer element (the class the guard looks for is the panel's own); the
    static rendering has none. make check-lab checks in the browser that moving a panel leaves the active cell."""
    from gosim.widgets.lab import CellGuard
    from gosim.widgets.panel import PANEL_CLASS

    def guards(w):
        return (isinstance(w, CellGuard)) + sum(guards(c) for c in getattr(w, "children", ()))

    panel = Panel(lambda n: _draw(n, "red"), [Control("n", [2, 3])])
    assert guards(panel.live()) == 1 and guards(panel.static()) == 0
    esm = CellGuard._esm
    assert f'closest(".{PANEL_CLASS}")' in esm
    assert all(f'"{t}"' in esm for t in ("mousedown", "focusin", "keydown")) and "stopPropagation" in esm
