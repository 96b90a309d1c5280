"""The mutation suite's definitions (scripts/mutants.py), checked without running it (`make mutants` does): enough
mutants for every model, each patching an attribute that exists, each changing the model's output on its witness
program (its probe), each naming witness tests that exist."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import mutants  # noqa: E402


def test_at_least_25_mutants_and_5_per_model():
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) >= 25 and len(set(names)) == len(names)
    per_model = Counter(m.model for m in mutants.MUTANTS)
    assert set(per_model) == set(mutants.MODELS)
    assert all(n >= 5 for n in per_model.values()), per_model


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_every_patch_target_exists(mutant):
    assert mutant.patches and mutant.rule and mutant.tests
    for patch in mutant.patches:
        owner, name = patch.owner()
        assert hasattr(owner, name), patch.target()
    for test in mutant.tests:
        path = test.split("::")[0]
        function = test.split("::")[1].split("[")[0]
        assert (ROOT / path).is_file(), test
        assert f"def {function}(" in (ROOT / path).read_text(), test


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_every_probe_differs_under_its_patch(mutant):
    changed, before, after = mutants.probe_changed(mutant)
    assert changed, f"{mutant.name}: the patch changed nothing the probe sees ({before!r})"
    assert mutant.probe() == before  # the patch was taken out again


def test_the_plugin_plants_and_the_model_is_clean_afterwards():
    from gosim.gc import mgcpacer

    m = mutants.by_name("gc-min-trigger-38")
    with mutants.planted(m):
        assert mgcpacer.minTriggerRatioNum == 38
    assert mgcpacer.minTriggerRatioNum == 45
