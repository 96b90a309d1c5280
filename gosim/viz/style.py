"""The book's one plot style: colours, fonts, and how a figure becomes PNG bytes.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies); every colour that carries
meaning is paired with a label or a line style, so a figure also reads in greyscale. Tri-colour marking uses
white, grey and black with outlines so that it prints. Figures are built with `figure()` (a bare matplotlib
`Figure` on the Agg canvas, no pyplot state), which keeps widget redraws fast and free of global side effects.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe-Ito
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
GREY, LIGHT, INK = "#999999", "#EEEEEE", "#222222"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)

# Tri-colour marking: the colours are the names.
WHITE_OBJ, GREY_OBJ, BLACK_OBJ = "#FFFFFF", "#A0A0A0", "#000000"

# Goroutine and P states, the same in every chapter.
G_STATUS = {"running": GREEN, "runnable": SKY, "waiting": LIGHT, "syscall": ORANGE, "dead": "#FFFFFF"}

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "legend.frameon": False,
}


def figure(width: float = 9.0, height: float = 4.5, layout: str | None = "constrained") -> Figure:
    """A new figure in the book's style (size in inches). Widget frames pass ``layout=None`` and place their
    axes themselves: constrained layout costs a second draw on every frame."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), dpi=RC["figure.dpi"], layout=layout)
        FigureCanvasAgg(fig)
    return fig


def styled(function):
    """Run a drawing function under the book's rc settings (fonts, grid, colour cycle)."""

    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    wrapper.__wrapped__ = function
    return wrapper


def png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (what a widget shows). zlib level 3: most of level 6's size at a third of the
    encoding time, which a widget redraw pays on every step."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def show(fig: Figure, dpi: int = 150):
    """The figure as an IPython image for a notebook: drawn at ``dpi`` (sharp on high-density screens), shown at
    90 pixels per inch of figure, so an 8-inch figure fills the page's ~720-pixel column and its 9-point text reads
    as about 11 pixels. A bare matplotlib `Figure` has no notebook display of its own without pyplot."""
    from IPython.display import HTML, Image

    from . import site

    width = round(fig.get_figwidth() * 90)
    if site.static_mode():  # on the site: a file beside the page, fetched when the reader scrolls to it
        return HTML(site.img(png(fig, dpi=dpi), _alt(fig), width=f"{width}px", max_width="100%"))
    return Image(png(fig, dpi=dpi), width=width)


def _alt(fig: Figure) -> str:
    """A figure's alt text: its title, else its axes' titles."""
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    titles = [t for t in (title, *(ax.get_title() for ax in fig.axes)) if t]
    return "; ".join(titles) or "figure"
