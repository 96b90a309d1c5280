"""`gosim.sched.rng` against numpy itself: the pure-Python ``default_rng(seed).standard_exponential`` must give
numpy's floats, bit for bit, in numpy's order (the scheduler's pinned schedules depend on it).

Two kinds of checks, both judged by the installed numpy:
- streams: the first 200,000 draws for seeds 0..19 and a few big seeds, drawn in Sampler's blocks of 4096,
  with the slow paths (layer 0's tail, the wedge test, the restart) counted so that they are known to be hit;
- probes: numpy's PCG64 is put in a state whose next outputs are chosen, so that one draw lands exactly on
  each layer's ``ke`` boundary (accepted at ``ke - 1``, not at ``ke``), returns ``ri * we[idx]`` (the ``we``
  entry), and, for each layer's wedge, lands on either side of the uniform where the ``fe`` test flips. numpy
  decides; the computed tables only say where to look. Planted: ``ke`` floored at 2**53 instead of numpy's
  doubled 52-bit floor (``build_tables(53)``), which the probes and the streams must catch.
"""

from __future__ import annotations

import math

import pytest

from gosim.sched import rng

np = pytest.importorskip("numpy")

N = 200_000
BLOCK = 4096
BIG_SEEDS = [2**32, 2**64 + 1, 2**128 - 1, 12345678901234567890123456789]
M53 = (1 << 53) - 1
MULT_INV = pow(rng.PCG_MULT, -1, 1 << 128)


class Counting(rng.Exponential):
    """The pure stream, counting which slow path each draw took (a draw may take several: wedge, restart)."""

    __slots__ = ("tail", "wedge")

    def __init__(self, seed, tables=None):
        super().__init__(seed, tables)
        self.tail = self.wedge = 0

    def slow(self, idx, x):
        if idx == 0:
            self.tail += 1
        else:
            self.wedge += 1
        return super().slow(idx, x)


def numpy_stream(seed: int, n: int = N) -> list[float]:
    gen = np.random.default_rng(seed)
    out: list[float] = []
    while len(out) < n:
        out += gen.standard_exponential(BLOCK).tolist()
    return out[:n]


def pure_stream(e: rng.Exponential, n: int = N) -> list[float]:
    out: list[float] = []
    while len(out) < n:
        out += e.draws(BLOCK)
    return out[:n]


@pytest.mark.parametrize("seed", list(range(20)) + BIG_SEEDS)
def test_stream_equals_numpy(seed):
    e = Counting(seed)
    mine, theirs = pure_stream(e), numpy_stream(seed)
    bad = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
    assert bad is None, f"seed {seed}: draw {bad} is {mine[bad]!r}, numpy's {theirs[bad]!r}"
    # ~1.1% of draws leave the fast path; 1/256 of them are in layer 0, where 11.5% go to the tail
    assert e.tail > 20 and e.wedge > 1000, (e.tail, e.wedge)


def test_pcg64_seeding_equals_numpy():
    for seed in list(range(5)) + BIG_SEEDS:
        st = np.random.PCG64(seed).state["state"]
        # numpy's state is after seeding; ours too
        assert rng.pcg64_seed(seed) == (st["state"], st["inc"]), seed


def test_raw_outputs_equal_numpy():
    bg = np.random.PCG64(7)
    e = rng.Exponential(7)
    assert [e.next_uint64() for _ in range(1000)] == bg.random_raw(1000).tolist()


# --- probes: numpy's generator in a chosen state ---

def state_before(outputs: list[int]) -> tuple[int, int]:
    """A PCG64 (state, inc) whose next one or two ``next_uint64`` are ``outputs``: each post-step state S is
    chosen with ``rotr64(hi ^ lo, hi >> 58) == out`` (hi fixed, lo solved), then inc and the state before."""
    posts = []
    for j, out in enumerate(outputs):
        hi = (0x9E3779B97F4A7C15 * (j + 3)) & rng.MASK64
        rot = hi >> 58
        lo = hi ^ (((out << rot) | (out >> (64 - rot))) & rng.MASK64 if rot else out)
        posts.append((hi << 64) | lo)
    inc = 0x5851F42D4C957F2D14057B7EF767814F
    if len(posts) == 2:
        inc = (posts[1] - posts[0] * rng.PCG_MULT) & rng.MASK128
    return ((posts[0] - inc) * MULT_INV) & rng.MASK128, inc


def steps(s0: int, inc: int, end: int) -> int:
    used = 0
    while s0 != end:
        s0 = (s0 * rng.PCG_MULT + inc) & rng.MASK128
        used += 1
        assert used < 100
    return used


def numpy_draw(outputs: list[int]) -> tuple[float, int]:
    """numpy's ``standard_exponential()`` from the state that yields ``outputs``, and how many outputs it took."""
    s0, inc = state_before(outputs)
    bg = np.random.PCG64()
    bg.state = {"bit_generator": "PCG64", "state": {"state": s0, "inc": inc}, "has_uint32": 0, "uinteger": 0}
    x = np.random.Generator(bg).standard_exponential()
    return x, steps(s0, inc, bg.state["state"]["state"])


def pure_draw(outputs: list[int], tables) -> tuple[float, int]:
    """The same for `rng.Exponential` with ``tables``."""
    e = rng.Exponential(0, tables)
    s0, e.inc = state_before(outputs)
    e.state = s0
    x = e.draws(1)[0]
    return x, steps(s0, e.inc, e.state)


def output(idx: int, ri: int) -> int:
    return ((ri << 8) | idx) << 3


def agree(outs: list[int], tables, numpy_ok) -> bool:
    """numpy's draw from the state that yields ``outs`` is what ``numpy_ok`` expects, and the pure draw equals it."""
    got = numpy_draw(outs)
    return numpy_ok(got) and pure_draw(outs, tables) == got


def ke_probes(tables) -> list[tuple]:
    """Each layer at its ``ke`` boundary: numpy accepts ``ri = ke - 1`` in one output, returning
    ``ri * we[idx]``, and reads a second output at ``ri = ke``; the pure draw must do the same. Returns the
    probes where either differs."""
    ke, we, _ = tables
    bad = []
    for idx in range(256):
        if ke[idx] > 0 and not agree([output(idx, ke[idx] - 1)], tables,
                                     lambda got: got == ((ke[idx] - 1) * we[idx], 1)):
            bad.append((idx, "ke-1"))
        if not agree([output(idx, ke[idx]), 1 << 63], tables, lambda got: got[1] >= 2):
            bad.append((idx, "ke"))
    return bad


def test_ke_and_we_probe():
    assert ke_probes(rng.ziggurat_tables()) == []


def test_ke_probe_catches_the_2_53_floor():
    """Planted: ``ke`` floored at 2**53 (not numpy's 52-bit floor, doubled): off by one in about half the
    layers, which only a draw exactly on the boundary can see."""
    assert len(ke_probes(rng.build_tables(53))) > 100


def test_tail_probe():
    tables = rng.ziggurat_tables()
    for k in (0, 1, 12345, M53 // 3, M53 - 1):
        outs = [output(0, tables[0][0]), k << 11]
        got = numpy_draw(outs)
        assert got == (rng.R - math.log1p(-k / 2**53), 2) and pure_draw(outs, tables) == got, k


def fe_flips(tables) -> list[tuple]:
    """For each layer, the uniform ``k / 2**53`` at which the wedge test flips, for an ``x`` mid-wedge: at
    ``k`` numpy accepts (2 outputs, returns x), at ``k + 1`` (where the test's left side first equals
    ``exp(-x)``) it rejects and restarts (3 or more outputs); the pure draw must do the same at both. An
    ``fe[idx]`` one ulp off moves the flip by hundreds of ``k``. Returns the layers that disagree."""
    ke, we, fe = tables
    bad = []
    for idx in range(1, 256):
        ri = (ke[idx] + M53) // 2
        x = ri * we[idx]
        bound = math.exp(-x)
        assert fe[idx] < bound < fe[idx - 1], idx  # x is inside the wedge: U = 0 accepts, U -> 1 rejects
        lo, hi = 0, M53  # the largest k with (fe[idx-1] - fe[idx]) * k/2**53 + fe[idx] < exp(-x)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if (fe[idx - 1] - fe[idx]) * (mid * (1.0 / 9007199254740992.0)) + fe[idx] < bound:
                lo = mid
            else:
                hi = mid - 1
        if not agree([output(idx, ri), lo << 11], tables, lambda got: got == (x, 2)):
            bad.append((idx, "accept"))
        if lo < M53 and not agree([output(idx, ri), (lo + 1) << 11], tables, lambda got: got[1] >= 3):
            bad.append((idx, "reject"))
    return bad


def test_fe_probe():
    assert fe_flips(rng.ziggurat_tables()) == []


def test_fe_probe_catches_one_ulp():
    """Planted: one ``fe`` entry one ulp up (or down); its layer's flip moves and numpy says so (the next
    layer's may too: there it is the wedge's top, ``fe[idx - 1]``)."""
    ke, we, fe = rng.ziggurat_tables()
    for j, way in ((7, 1.0), (128, 0.0), (254, 1.0)):
        planted = list(fe)
        planted[j] = math.nextafter(fe[j], way)
        flagged = {b[0] for b in fe_flips((ke, we, planted))}
        assert j in flagged and flagged <= {j, j + 1}, (j, flagged)


def test_planted_we_changes_the_stream():
    """Planted: ``we`` one ulp up. The streams see it (``ke`` one off would not be seen by them: a draw lands
    exactly on ``ke`` with probability 2**-53, which is why the ``ke`` probe exists)."""
    ke, we, fe = rng.ziggurat_tables()
    e = rng.Exponential(0, (ke, [math.nextafter(w, 1.0) for w in we], fe))
    assert pure_stream(e, 50_000) != numpy_stream(0, 50_000)


def test_chunking_does_not_matter():
    e = rng.Exponential(3)
    got = e.draws(1) + e.draws(4095) + e.draws(10) + e.draws(5000)
    assert got == numpy_stream(3, 9106)
