"""Fidelity: one deterministic allocation sequence in the real runtime (gosim/programs/allocseq) and in the model.

The /gc/heap/allocs-by-size histogram must be equal bucket by bucket (so must the tiny allocations and the bytes
allocated); the model may need more heap pages than the real run, but no more than the free slots the real heap held
before the sequence.
"""

from __future__ import annotations

import json

import pytest

from gosim import toolchain as tc
from gosim.checks import alloc as check

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def allocseq():
    return tc.build("allocseq")


@pytest.mark.parametrize("n, seed, profile", [(50_000, 7, "mixed"), (20_000, 11, "mixed"), (60_000, 3, "small")])
def test_histogram_equal_and_pages_within_bound(allocseq, n, seed, profile):
    run = tc.run(allocseq, check.allocseq_args(n, seed, profile), env={"GOMAXPROCS": "1"})
    real = json.loads(run.stdout)
    result = check.compare_allocseq(real, check.model_allocseq(n, seed, profile))
    assert result.histogram_equal, [b for b in result.buckets if not b.equal]
    assert len(result.buckets) == 68
    assert result.tiny_allocs[0] == result.tiny_allocs[1]
    assert result.allocs_objects[0] == result.allocs_objects[1]
    assert result.allocs_bytes[0] == result.allocs_bytes[1]
    assert result.heap_objects_bytes[0] == result.heap_objects_bytes[1]
    assert result.pages_within_tolerance, result.pages_in_use
    assert result.start_unused_pages is not None and result.start_unused_pages < 64
    assert 0 <= result.pages_in_use[0] - result.pages_in_use[1] <= result.start_unused_pages
    assert all(ok for *_, ok in result.rows())


def test_the_program_measures_nothing_but_the_sequence(allocseq):
    """With no allocations, the window between the two collections sees no allocation at all."""
    real = json.loads(tc.run(allocseq, check.allocseq_args(0, 1), env={"GOMAXPROCS": "1"}).stdout)
    assert not any(real["allocs_by_size"])
    assert real["delta"]["/gc/heap/allocs:objects"] == 0
