"""Recorded real runs: when ``GOSIM_RECORD`` names a folder, every real run (`Toolchain.run`, `gdb_trace`) is
looked up there first, by what determines it (the binary's content, its arguments, the settings given), and
stored there after it ran. The mutation suite (``make mutants``) runs every check once against the real runtime
to record, then replays those same runs for each planted wrong rule, so a check that kills a mutant compares the
mutated model with exactly the run the unmutated model passed against, and the suite does not pay for the real
runs again. Unset (the default), nothing is recorded or replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

ENV = "GOSIM_RECORD"


def folder() -> Path | None:
    where = os.environ.get(ENV)
    return Path(where) if where else None


def _digest(binary: Path) -> str:
    h = hashlib.sha256()
    with open(binary, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def replay(kind: str, binary: str | os.PathLike, key: dict[str, Any], run: Callable[[], Any],
           encode: Callable[[Any], dict], decode: Callable[[dict], Any]) -> Any:
    """``run()``, or its recorded result when ``GOSIM_RECORD`` is set and the same run was recorded."""
    where = folder()
    if where is None:
        return run()
    ident = json.dumps({"kind": kind, "binary": _digest(Path(binary)), **key}, sort_keys=True, default=str)
    path = where / f"{kind}-{hashlib.sha256(ident.encode()).hexdigest()[:24]}.json"
    if path.is_file():
        return decode(json.loads(path.read_text()))
    result = run()
    where.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(encode(result)))
    tmp.replace(path)
    return result
