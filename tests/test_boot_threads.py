"""The boot model's threads at main.main, and which thread ran each runtime helper, against gdb runs.

The model (gosim.boot on gosim.sched, with m0 locked to the main goroutine during init) predicts one value; the
real runtime races, so each check takes the most common value of at least 7 gdb runs and asks it to be the
model's. What races is bounded too: one more thread than the model (an extra M), never fewer, never two more.

Two sources: the runs recorded by scripts/record_boot_threads.py (tests/data/boot/threads.json, no gdb needed),
and fresh gdb runs (recordable with GOSIM_RECORD like every real run: each run has its own key).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gosim import boot
from gosim import toolchain as tc
from gosim.checks import boot as boot_checks

from .conftest import needs_gdb

DATA = Path(__file__).parent / "data" / "boot" / "threads.json"
HELPERS = ("runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge")
MIN_RUNS = 7


def recorded(procs: int) -> list[dict]:
    if not DATA.exists():
        pytest.skip(f"{DATA} is missing: run scripts/record_boot_threads.py")
    runs = json.loads(DATA.read_text())[str(procs)]["runs"]
    assert len(runs) >= MIN_RUNS
    return runs


def mode(values) -> object:
    (value, n), *rest = Counter(values).most_common()
    assert not rest or rest[0][1] < n, f"no single most common value: {Counter(values)}"
    return value


def helper_threads(run_rows) -> tuple:
    first = {}
    for function, thread, _ in run_rows:
        first.setdefault(function, thread)
    return tuple(first.get(f) for f in HELPERS)


@pytest.mark.parametrize("procs", [1, 2])
def test_thread_count_is_the_most_common_gdb_count(procs):
    runs = recorded(procs)
    model = boot.boot("current", procs).threads_at("main.main")
    counts = [r["threads"] for r in runs]
    assert mode(counts) == model, (Counter(counts), model)
    # the race adds one thread (an extra M), never more, and never takes one away
    assert set(counts) <= {model, model + boot_checks.RACE_EXTRA_THREADS}, (Counter(counts), model)


@pytest.mark.parametrize("procs", [1, 2])
def test_ms_by_start_function_are_the_most_common_gdb_ones(procs):
    runs = recorded(procs)
    model = boot.boot("current", procs).state_at("main.main")
    want = tuple(m.mstartfn for m in model.ms)
    got = [tuple(m["mstartfn"] for m in r["ms"]) for r in runs]
    assert mode(got) == want, (Counter(got), want)


@pytest.mark.parametrize("procs", [1, 2])
def test_helpers_run_on_the_threads_the_model_names(procs):
    runs = recorded(procs)
    model = boot.boot("current", procs).helper_threads()
    want = tuple(model[f] for f in HELPERS)
    got = [helper_threads(r["helper_threads"]) for r in runs]
    assert mode(got) == want, (Counter(got), want)


@needs_gdb
@pytest.mark.gdb
@pytest.mark.parametrize("procs", [1, 2])
def test_live_gdb_runs_give_the_models_thread_count_most_often(hello, procs):
    model = boot.boot("current", procs)
    counts, helpers = [], []
    for run in range(MIN_RUNS):
        env = {"GOMAXPROCS": str(procs), "GOSIM_RUN": str(run)}  # one recording per run under GOSIM_RECORD
        trace = tc.gdb_trace(hello, boot_checks.SNAPSHOTS, env=env, snapshot_at=boot_checks.SNAPSHOTS)
        counts.append(len(trace.state_at("main.main")["ms"]))
        pinned = tc.gdb_trace(hello, boot_checks.INIT_PINNED, env=env)
        helpers.append(helper_threads(boot_checks.helper_threads(pinned)))
    want = model.threads_at("main.main")
    assert set(counts) <= {want, want + boot_checks.RACE_EXTRA_THREADS}, (counts, want)
    # a 7-run sample of a 60/40 race can come out the other way; the recorded runs above pin the mode, this
    # asks that the model's value is at least as common as the race's in fresh runs, or seen in at least 2
    assert counts.count(want) >= 2, (counts, want)
    want = tuple(model.helper_threads()[f] for f in HELPERS)
    seen = Counter(helpers)
    assert seen[want] == max(seen.values()), (seen, want)  # the most common (a tie allowed in 7 runs)
