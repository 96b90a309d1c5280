"""Sizes and durations in the runtime's own syntax, shared by every model and command.

Sizes follow ``parseByteCount`` (runtime/string.go), the syntax of GOMEMLIMIT: a non-negative integer, optionally
followed by ``B``, ``KiB``, ``MiB``, ``GiB`` or ``TiB``; a bare number is bytes. Durations follow Go's
``time.ParseDuration``: ``500ms``, ``2s``, ``1m30s``, ``250us``.
"""

from __future__ import annotations

import re

KiB, MiB, GiB, TiB = 1 << 10, 1 << 20, 1 << 30, 1 << 40
_SIZE = re.compile(r"^(\d+)(B|KiB|MiB|GiB|TiB)?$")
_POWERS = {None: 1, "B": 1, "KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB}
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_bytes(text: str | int, name: str = "size") -> int:
    """``"60MiB"`` → 62914560; ``"4096"`` → 4096. A ValueError names ``name`` and the accepted syntax."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"{name} must be a non-negative byte count, got {text}")
        return text
    match = _SIZE.match(str(text).strip())
    if not match:
        raise ValueError(f"{name} must be a byte count like 4096, 512KiB, 60MiB or 2GiB "
                         f"(the runtime's GOMEMLIMIT syntax), got {text!r}")
    value = int(match[1]) * _POWERS[match[2]]
    if value >= 1 << 63:
        raise ValueError(f"{name} must be below 8 EiB, got {text!r}")
    return value


def format_bytes(n: int) -> str:
    """The largest unit that divides ``n`` exactly (``62914560`` → ``60MiB``)."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        if n and n % _POWERS[unit] == 0:
            return f"{n // _POWERS[unit]}{unit}"
    return f"{n}B"


def parse_duration(text: str | float, name: str = "duration") -> float:
    """Go's duration syntax → seconds: ``"500ms"`` → 0.5, ``"1m30s"`` → 90.0. A bare ``0`` is allowed."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"{name} must not be negative, got {text}")
        return float(text)
    s = str(text).strip()
    if s == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _DURATION.finditer(s):
        if match.start() != pos:
            break
        total += float(match[1]) * _DURATION_UNITS[match[2]]
        pos = match.end()
    if pos != len(s) or not s:
        raise ValueError(f"{name} must be a Go duration like 500ms, 2s or 1m30s, got {text!r}")
    return total
