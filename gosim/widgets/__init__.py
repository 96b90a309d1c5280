"""gosim.widgets: interactive panels (controls + a `gosim.viz` figure), live in JupyterLab and from precomputed
frames on the static site. See `gosim.widgets.panel`."""

from .alloc import growth_panel, heap_panel, waste_panel
from .boot import boot_panel
from .gc import barrier_panel, gogc_panel, pacer_panel, tricolor_panel
from .inits import init_order_panel
from .panel import STATIC_ENV, Control, Panel, static_mode
from .sched import sched_panel

__all__ = ["STATIC_ENV", "Control", "Panel", "barrier_panel", "boot_panel", "gogc_panel", "growth_panel",
           "heap_panel", "init_order_panel", "pacer_panel", "sched_panel", "static_mode", "tricolor_panel",
           "waste_panel"]
