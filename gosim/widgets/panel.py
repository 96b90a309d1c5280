"""A panel: controls plus a figure drawn by a `gosim.viz` function. One implementation, two renderings.

* **live** (JupyterLab, a kernel runs): changing a control reruns the model and redraws the figure.
* **static** (the book's site, no kernel): every combination of the controls' values is drawn once, at build time,
  into a `Stack` of ``<img loading="lazy">`` tags whose images are files beside the page (`gosim.viz.site`), so the
  browser fetches only the frame a reader is shown; each control's ``index`` is ``jslink``-ed to the
  ``selected_index`` of the stacks at its level, so the browser flips frames with no kernel. Two or more controls
  nest: the first control picks a stack of stacks, the next picks within it. Each frame's ``alt`` text names its
  control values, so a check (and a screen reader) can tell which frame is shown.

A panel chooses its rendering when displayed: static when the environment variable ``GOSIM_STATIC_WIDGETS`` is
``1`` (``make book`` sets it), live otherwise. Both show the same frames for the same control values, made by the
same `Panel.frame`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Sequence

import ipywidgets as W
from matplotlib.figure import Figure

from ..viz import site
from ..viz.site import STATIC_ENV, static_mode
from ..viz.style import png

PANEL_CLASS = "gosim-panel"  # how the site check finds panels


@dataclass(frozen=True)
class Control:
    """One control: a name (the keyword the draw function takes), its values, and how to show them."""

    name: str
    values: Sequence[Any]
    label: str = ""
    default: Any = None
    labels: Sequence[str] | None = None  # how each value is shown; str(value) by default
    kind: str = "slider"  # "slider" or "buttons"

    def __post_init__(self):
        if not self.values:
            raise ValueError(f"control {self.name!r} needs at least one value")
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"control {self.name!r}: default {self.default!r} is not one of {list(self.values)}")

    def widget(self) -> W.Widget:
        """A selection widget whose ``index`` picks a value (what a jslink can follow without a kernel)."""
        options = list(zip(self.labels or [str(v) for v in self.values], range(len(self.values))))
        index = self.values.index(self.default) if self.default is not None else 0
        layout = W.Layout(width="auto" if self.kind == "buttons" else "95%")
        style = {"description_width": "initial"}
        if self.kind == "buttons":
            return W.ToggleButtons(options=options, index=index, description=self.label or self.name,
                                   style=style, layout=layout)
        return W.SelectionSlider(options=options, index=index, description=self.label or self.name,
                                 continuous_update=True, style=style, layout=layout)


@dataclass
class Panel:
    """Controls and a figure: ``draw(**values) -> Figure``; optionally a text ``caption(**values) -> str``
    (HTML) shown under the controls, which keeps long explanations out of the figure."""

    draw: Callable[..., Figure]
    controls: Sequence[Control]
    caption: Callable[..., str] | None = None
    dpi: int = 80
    _cache: Any = field(default=None, init=False, repr=False)
    _ahead: list = field(default_factory=list, init=False, repr=False)  # keys to draw ahead, nearest first
    _queued: set = field(default_factory=set, init=False, repr=False)
    _scheduled: bool = field(default=False, init=False, repr=False)

    def __post_init__(self):
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"control names must differ: {names}")
        self._cache = lru_cache(maxsize=256)(self._render)
        self._captions = lru_cache(maxsize=256)(self._caption)

    def _render(self, key: tuple) -> bytes:
        return png(self.draw(**dict(key)), dpi=self.dpi)

    def frame(self, **values: Any) -> bytes:
        """The PNG for one combination of control values (cached: a frame is drawn once)."""
        for control in self.controls:
            if values.get(control.name, control.values[0]) not in control.values:
                raise ValueError(f"{control.name} must be one of {list(control.values)}, "
                                 f"got {values.get(control.name)!r}")
        return self._cache(self._key(values))

    def _key(self, values: dict[str, Any]) -> tuple:
        return tuple((c.name, values.get(c.name, c.default if c.default is not None else c.values[0]))
                     for c in self.controls)

    def _warm(self, values: dict[str, Any]) -> None:
        """Queue the frames one move away (a step along each slider, any value of a row of buttons) to be drawn
        while the kernel is idle, so that the reader's next move finds its frame ready (a live redraw then costs
        the comm round trip, not the draw)."""
        for control in self.controls:
            i = list(control.values).index(values[control.name])
            # a slider moves a step at a time; a row of buttons can jump to any of its values
            near = (i + 1, i - 1) if control.kind == "slider" else \
                sorted(range(len(control.values)), key=lambda j: abs(j - i))
            for j in near:
                if 0 <= j < len(control.values) and j != i:
                    key = self._key({**values, control.name: control.values[j]})
                    if key not in self._queued:
                        self._queued.add(key)
                        self._ahead.append(key)
        self._schedule()

    def _schedule(self) -> None:
        """Draw the next frame ahead when the kernel is idle: one frame per turn of the kernel's event loop, so a
        reader's click waits at most one frame's draw, and nothing runs beside a cell or in another thread.
        Without a running event loop (a script, a test) nothing is drawn ahead."""
        if self._scheduled or not self._ahead:
            return
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._scheduled = True
        loop.call_later(0.02, self._draw_ahead)

    def _draw_ahead(self) -> None:
        self._scheduled = False
        if self._ahead:
            self._ready(self._ahead.pop(0))
        self._schedule()

    def text(self, **values: Any) -> str:
        """The caption for one combination of control values ("" without a caption function)."""
        return self._captions(self._key(values))

    def _caption(self, key: tuple) -> str:
        return self.caption(**dict(key)) if self.caption else ""

    def _ready(self, key: tuple) -> bytes:
        """Caption and frame for ``key``, both cached (what a warm-up draws ahead)."""
        self._captions(key)
        return self._cache(key)

    # --- live -----------------------------------------------------------------------------------------------

    def live(self) -> W.VBox:
        """Controls that rerun ``draw`` on each change, and the image they redraw."""
        widgets = [c.widget() for c in self.controls]
        image = W.Image(format="png", layout=W.Layout(width="100%", max_width="900px"))
        caption = W.HTML()

        def values() -> dict[str, Any]:
            return {c.name: c.values[w.index] for c, w in zip(self.controls, widgets)}

        def redraw(_change=None) -> None:
            start = time.perf_counter()
            caption.value = self.text(**values())
            image.value = self.frame(**values())
            box.last_redraw_seconds = time.perf_counter() - start

        def redraw_and_warm(change=None) -> None:
            redraw(change)
            self._warm(values())

        for w in widgets:
            w.observe(redraw_and_warm, names="index")
        from .lab import CellGuard  # JupyterLab only: the panel's clicks do not activate its cell (gosim.widgets.lab)

        box = W.VBox([*widgets, caption, image, CellGuard()] if self.caption else [*widgets, image, CellGuard()],
                     layout=W.Layout(width="100%"))
        box.add_class(PANEL_CLASS)
        box.controls = dict(zip((c.name for c in self.controls), widgets))
        box.image = image
        redraw_and_warm()
        # The first frames one move away are drawn now, inside the cell that shows the panel: drawn afterwards
        # on the event loop, a chapter's panels queue their first neighbours all at once after "Run all", and
        # the reader's first move lands on a draw in progress (measured: the first move per chapter took
        # 180-210 ms where later ones took ~90).
        while self._ahead:
            self._ready(self._ahead.pop(0))
        return box

    # --- static ---------------------------------------------------------------------------------------------

    def static(self) -> W.VBox:
        """Every frame drawn now, shown by controls jslink-ed to nested stacks: works with no kernel."""
        widgets = [c.widget() for c in self.controls]

        def build(level: int, fixed: dict[str, Any], leaf: Callable[[dict[str, Any]], W.Widget]) -> W.Widget:
            control, widget = self.controls[level], widgets[level]
            children = []
            for value in control.values:
                here = {**fixed, control.name: value}
                last = level + 1 == len(self.controls)
                children.append(leaf(here) if last else build(level + 1, here, leaf))
            stack = W.Stack(children, selected_index=widget.index, layout=W.Layout(width="100%"))
            W.jslink((widget, "index"), (stack, "selected_index"))
            return stack

        def image(values: dict[str, Any]) -> W.Widget:
            return W.HTML(site.img(self.frame(**values), self.alt(**values)),
                          layout=W.Layout(width="100%", max_width="900px"))

        def caption(values: dict[str, Any]) -> W.Widget:
            return W.HTML(self.text(**values))

        parts = [build(0, {}, caption)] if self.caption else []
        box = W.VBox([*widgets, *parts, build(0, {}, image)], layout=W.Layout(width="100%"))
        box.add_class(PANEL_CLASS)
        box.controls = dict(zip((c.name for c in self.controls), widgets))
        return box

    def alt(self, **values: Any) -> str:
        """The frame's alt text: each control's label and the value shown (``GOGC=50, workload=steady``)."""
        parts = []
        for name, value in self._key(values):
            control = next(c for c in self.controls if c.name == name)
            shown = control.labels[list(control.values).index(value)] if control.labels else str(value)
            parts.append(f"{control.label or control.name}={shown}")
        return ", ".join(parts)

    def frames(self) -> int:
        """How many frames the static rendering draws."""
        count = 1
        for control in self.controls:
            count *= len(control.values)
        return count

    def grid(self) -> list[dict[str, Any]]:
        """Every combination of control values, in the order the static rendering draws them."""
        return [dict(zip((c.name for c in self.controls), combo))
                for combo in itertools.product(*(c.values for c in self.controls))]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.static() if static_mode() else self.live())


def static_alts(box: W.Widget) -> list[str]:
    """The ``alt`` text of every frame a static panel (`Panel.static`) holds, in the order the stacks hold them:
    what the site check reads to tell which frame is shown."""
    import re

    def html(w: W.Widget) -> list[str]:
        value = getattr(w, "value", "")
        return [value] if "<img" in str(value) else [t for c in getattr(w, "children", ()) for t in html(c)]

    return [re.search(r'alt="([^"]+)"', t)[1] for t in html(box)]
