"""Images on the static site as files beside the pages, fetched only when a reader reaches them.

While ``make book`` executes a chapter (``GOSIM_STATIC_WIDGETS=1``), a figure or a panel frame is not embedded in
the page as base64: `publish` writes it once, named by its content, into ``_frames_static/gosim-frames/`` at the
book's root (which ``_config.yml`` lists in ``html_static_path``, so Sphinx copies it to ``_static/``), and the
page gets an ``<img loading="lazy">`` pointing at it with a path relative to the page, so the site still works
from ``file://`` with no network. A chapter page then downloads only the images on its first screen; the rest
come as the reader scrolls or moves a control.

Frames are lossless WebP (a quarter to a half of the PNG's bytes for these flat-coloured plots, exactly the same
pixels).
"""

from __future__ import annotations

import hashlib
import html
import io
import os
from pathlib import Path

STATIC_ENV = "GOSIM_STATIC_WIDGETS"
FOLDER = "_frames_static"  # at the book's root; listed in _config.yml's html_static_path
SUBDIR = "gosim-frames"  # what lands in _build/html/_static/


def static_mode() -> bool:
    """True while the book is being built for the static site."""
    return os.environ.get(STATIC_ENV) == "1"


def book_root(start: Path | None = None) -> Path:
    """The folder holding ``_config.yml``: the site's root, the page's folder or above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file():
            return folder
    raise RuntimeError(f"no _config.yml in {here} or above it: not building the book")


def webp(png: bytes) -> bytes:
    """PNG bytes as lossless WebP (the same pixels)."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, format="WEBP", lossless=True, method=2)
    return out.getvalue()


def publish(data: bytes, suffix: str = ".webp") -> str:
    """Write ``data`` into the site's static images (once per content) and return its URL relative to the page
    being executed (the kernel runs in the page's folder)."""
    root = book_root()
    name = hashlib.sha256(data).hexdigest()[:20] + suffix
    folder = root / FOLDER / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        target.write_bytes(data)
    up = os.path.relpath(root, Path.cwd().resolve())
    return "/".join(p for p in (up if up != "." else "", "_static", SUBDIR, name) if p)


def img(png: bytes, alt: str, *, width: str = "100%", max_width: str = "900px", lazy: bool = True) -> str:
    """An ``<img>`` tag for the site, its image published as WebP beside the page."""
    from PIL import Image

    w, h = Image.open(io.BytesIO(png)).size
    url = publish(webp(png))
    loading = ' loading="lazy"' if lazy else ""
    return (f'<img src="{html.escape(url)}" alt="{html.escape(alt)}" width="{w}" height="{h}"{loading} '
            f'decoding="async" style="width:{width};max-width:{max_width};height:auto">')
