"""gosim.widgets: interactive panels (controls + a `gosim.viz` figure), live in JupyterLab and from precomputed
frames on the static site. See `gosim.widgets.panel`."""

from .alloc import growth_panel, heap_panel, waste_panel
from .boot import boot_panel
from .inits import init_order_panel
from .panel import STATIC_ENV, Control, Panel, static_mode

__all__ = ["STATIC_ENV", "Control", "Panel", "boot_panel", "growth_panel", "heap_panel", "init_order_panel",
           "static_mode", "waste_panel"]
