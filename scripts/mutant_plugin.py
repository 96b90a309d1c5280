"""pytest plugin of the mutation suite (scripts/mutants.py): ``-p mutant_plugin`` with scripts/ on PYTHONPATH.

``GOSIM_MUTANT=<name>`` plants that mutant at ``pytest_configure``, before any test module is imported or run.
``GOSIM_MUTANT_REPORT=<file>`` receives, as JSON, one entry per test: its node id, ``passed``, ``failed`` or
``skipped``, the phase that failed and the exception's type name (``call.excinfo.type``), and where it was raised.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_results: list[dict] = []
_by_id: dict[str, dict] = {}


def pytest_configure(config: pytest.Config) -> None:
    name = os.environ.get("GOSIM_MUTANT")
    if name:
        from mutants import by_name, plant

        plant(by_name(name))  # for the whole session: never taken out


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    entry = _by_id.get(item.nodeid)
    if entry is None:
        entry = {"nodeid": item.nodeid, "outcome": "passed", "when": None, "exception": None, "where": ""}
        _by_id[item.nodeid] = entry
        _results.append(entry)
    if call.excinfo is None or entry["outcome"] != "passed":
        return
    skipped = call.excinfo.errisinstance(pytest.skip.Exception)
    entry["outcome"] = "skipped" if skipped else "failed"
    entry["when"] = call.when
    entry["exception"] = call.excinfo.type.__name__
    crash = call.excinfo.traceback[-1] if call.excinfo.traceback else None
    if crash is not None:
        entry["where"] = f"{crash.path}:{crash.lineno + 1}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    report = os.environ.get("GOSIM_MUTANT_REPORT")
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps(_results, indent=1))
