"""What a live panel adds in JupyterLab: a `CellGuard`, an invisible widget that keeps the reader's clicks and key
presses on a panel's controls from reaching the notebook.

Why: JupyterLab makes a cell the active cell when a click or focus lands anywhere in it, and activating a cell in
a long notebook is slow. Profiled in Chromium on chapter 4 (143 code cells, JupyterLab 4.6): `Notebook`'s
``activeCellIndex`` setter calls ``_trimSelections``, which resets the cursor of every other code cell's editor
(``setCursorPosition``), and each CodeMirror update measures the page (forced layouts): 80-250 ms of long tasks,
growing with the chapter's code cells (about 1.7 ms per cell), paid on the first move of every panel. Moves within
the active cell took a median of about 60 ms. With the guard, ``mousedown``, ``focusin`` and ``keydown`` stop at
the panel's outer element, after the controls have handled them, so the cell around a panel does not become
active when the reader moves its controls (the reader can still click the cell's prompt or text to select it),
and JupyterLab's command-mode shortcuts (``d d`` deletes a cell) do not fire while a control has the focus.

Only live panels carry it; the static site has no notebook and no guard.
"""

from __future__ import annotations

import anywidget
import ipywidgets as W

# Listeners go on the panel (the guard's nearest `.gosim-panel` ancestor) in the bubbling phase: the controls
# inside have already handled the event, and JupyterLab's notebook, an ancestor, does not see it. The guard is
# rendered before it is attached to the page, so it looks for the panel on the next animation frames (for at
# most about 10 s, then gives up: a guard shown outside a panel does nothing).
_ESM = """
const TYPES = ["mousedown", "focusin", "keydown"];
function stop(event) { event.stopPropagation(); }
export default {
  render({ el }) {
    let panel = null, frame = 0, tries = 0;
    const attach = () => {
      panel = el.closest(".gosim-panel");
      if (panel) { for (const t of TYPES) panel.addEventListener(t, stop); return; }
      if (++tries < 600) frame = requestAnimationFrame(attach);
    };
    attach();
    return () => {
      cancelAnimationFrame(frame);
      if (panel) for (const t of TYPES) panel.removeEventListener(t, stop);
    };
  },
};
"""


class CellGuard(anywidget.AnyWidget):
    """Put one inside a panel's box (it takes no space): see the module's docstring."""

    _esm = _ESM

    def __init__(self, **kwargs):
        super().__init__(layout=W.Layout(display="none"), **kwargs)
