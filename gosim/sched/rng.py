"""``numpy.random.default_rng(seed).standard_exponential(k)`` in pure Python: the same floats, in the same order.

`gosim.sched.workloads.Sampler` draws its work sizes from this stream. It used numpy's generator; this module
gives the identical stream without ``import numpy`` (0.10-0.12 s of a ``python -m gosim sched`` start-up), so
that every pinned schedule stays what it was. What it reproduces, from numpy's sources (numpy 2.x, verified
draw for draw against the installed numpy by ``tests/test_sched_rng.py``):

- ``SeedSequence(seed)`` (``numpy/random/bit_generator.pyx``): the seed's little-endian 32-bit words are hashed
  into a pool of 4 words (``mix_entropy``: ``hashmix`` with the running multiplier ``INIT_A``/``MULT_A``, then
  every word mixed into every other with ``mix``), and ``generate_state(4, uint64)`` stretches the pool to 8
  words (``INIT_B``/``MULT_B``), read as 4 little-endian uint64s: state high, state low, increment high, low.
- ``PCG64`` (``numpy/random/src/pcg64/pcg64.h``): a 128-bit LCG, seeded as ``pcg_setseq_128_srandom_r`` does
  (state 0, inc = 2*initseq+1, step, state += initstate, step); each draw steps, then outputs XSL-RR
  (``rotr64(hi ^ lo, hi >> 58)``); ``next_double`` is ``(u >> 11) * 2**-53``.
- ``random_standard_exponential`` (``numpy/random/src/distributions/distributions.c``): the 256-level
  Marsaglia-Tsang ziggurat. From ``u >> 3``: the low 8 bits pick the layer ``idx``, the next 53 bits are ``ri``;
  ``x = ri * we[idx]`` is returned when ``ri < ke[idx]`` (98.9%); else layer 0 samples the tail
  ``r - log1p(-U)``, and any other layer returns ``x`` if it is under the curve (the wedge test with ``fe`` and
  ``exp(-x)``) or starts over with a fresh draw.

The tables ``ke``, ``we``, ``fe`` are not copied from numpy: they are built (at the first draw, ~10 ms) from the
ziggurat's definition, the tail start ``r`` (numpy's ``ziggurat_exp_r``) and the layer area
``v = (1 + r) exp(-r)`` (the base layer: the ``r`` by ``exp(-r)`` rectangle plus the tail beyond ``r``), in
30-digit decimal arithmetic, then rounded once: ``x_255 = r``, ``x_{i-1} = -ln(v / x_i + exp(-x_i))``,
``we[i] = x_i / 2**53``, ``fe[i] = exp(-x_i)``, ``we[0] = v exp(r) / 2**53`` (the base's virtual width),
``fe[0] = 1``, ``ke[i] = 2 floor(2**52 x_{i-1} / x_i)``, ``ke[0] = 2 floor(2**52 r exp(r) / v)``, ``ke[1] = 0``.
The ``ke`` of numpy are even: a 52-bit table (the ratio floored at 2**52 and doubled), not the ratio floored at
2**53, which is one higher in 131 of the 256 layers (only a draw exactly on a boundary shows it: the test puts
numpy's generator in states that make such draws, and sees the 2**53 rule fail).
"""

from __future__ import annotations

import math

MASK32 = 0xFFFFFFFF
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1

# SeedSequence's hash constants (numpy/random/bit_generator.pyx).
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
POOL_SIZE = 4

# PCG64's multiplier (PCG_DEFAULT_MULTIPLIER_128, numpy/random/src/pcg64/pcg64.h).
PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645

# The start of the exponential ziggurat's tail (numpy's ziggurat_exp_r), to 29 digits.
ZIGGURAT_EXP_R = "7.6971174701310497140446280481"
R = float(ZIGGURAT_EXP_R)
LEVELS = 256
# ke scale: numpy's ke are 2 * floor(2**52 * ratio); KE_BITS=53 (floor(2**53 * ratio)) is the plausible wrong rule.
KE_BITS = 52
SHIFT = [rot + 3 for rot in range(64)]  # the XSL-RR rotation, then numpy's ``>> 3``


def seed_words(seed: int) -> list[int]:
    """``_int_to_uint32_array``: a non-negative int as 32-bit words, lowest first (0 is one word)."""
    if seed < 0:
        raise ValueError("expected non-negative integer")
    words = []
    while True:
        words.append(seed & MASK32)
        seed >>= 32
        if not seed:
            return words


def seed_pool(seed: int) -> list[int]:
    """``SeedSequence(seed).pool``: ``mix_entropy`` of the seed's words into 4 words."""
    entropy = seed_words(seed)
    hc = INIT_A

    def hashmix(value: int) -> int:
        nonlocal hc
        value ^= hc
        hc = (hc * MULT_A) & MASK32
        value = (value * hc) & MASK32
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
        return result ^ (result >> 16)

    pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(POOL_SIZE, len(entropy)):
        for dst in range(POOL_SIZE):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    return pool


def generate_state(pool: list[int], n_words64: int) -> list[int]:
    """``SeedSequence.generate_state(n, np.uint64)``: 2n 32-bit words, paired little-endian."""
    hc = INIT_B
    words = []
    for i in range(2 * n_words64):
        v = pool[i % len(pool)] ^ hc
        hc = (hc * MULT_B) & MASK32
        v = (v * hc) & MASK32
        words.append(v ^ (v >> 16))
    return [words[2 * i] | (words[2 * i + 1] << 32) for i in range(n_words64)]


def pcg64_seed(seed: int) -> tuple[int, int]:
    """``PCG64(seed)``'s (state, increment): ``pcg64_set_seed`` then ``pcg_setseq_128_srandom_r``."""
    s_hi, s_lo, i_hi, i_lo = generate_state(seed_pool(seed), 4)
    initstate, initseq = (s_hi << 64) | s_lo, (i_hi << 64) | i_lo
    inc = ((initseq << 1) | 1) & MASK128
    state = inc  # 0 * mult + inc
    state = (state + initstate) & MASK128
    state = (state * PCG_MULT + inc) & MASK128
    return state, inc


def build_tables(ke_bits: int = KE_BITS) -> tuple[list[int], list[float], list[float]]:
    """``ke``, ``we``, ``fe`` of the 256-level exponential ziggurat, from ``r`` and ``v = (1+r) e^-r``."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 30
        r = Decimal(ZIGGURAT_EXP_R)
        v = (1 + r) * (-r).exp()
        x = [Decimal(0)] * LEVELS
        f = [Decimal(1)] * LEVELS  # f[i] = exp(-x[i])
        x[LEVELS - 1], f[LEVELS - 1] = r, (-r).exp()
        for i in range(LEVELS - 1, 1, -1):
            x[i - 1] = -(v / x[i] + f[i]).ln()
            f[i - 1] = (-x[i - 1]).exp()
        x[0] = v / f[LEVELS - 1]  # the base layer's virtual width: its area v at height e^-r
        m53 = Decimal(2) ** 53
        kscale, kmul = Decimal(2) ** ke_bits, 2 ** (53 - ke_bits)
        ke = [int(x[i - 1] / x[i] * kscale) * kmul for i in range(LEVELS)]
        ke[0], ke[1] = int(r / x[0] * kscale) * kmul, 0
        we = [float(xi / m53) for xi in x]
        fe = [float(fi) for fi in f]  # fe[0] = 1: the top of the ziggurat, x = 0
    return ke, we, fe


_TABLES: tuple[list[int], list[float], list[float]] | None = None


def ziggurat_tables() -> tuple[list[int], list[float], list[float]]:
    """`build_tables`, built once, at the first use."""
    global _TABLES
    if _TABLES is None:
        _TABLES = build_tables()
    return _TABLES


class Exponential:
    """``numpy.random.default_rng(seed).standard_exponential``: `draws` (k) returns the next k floats of the
    stream, the same as numpy's ``standard_exponential(k).tolist()`` calls in the same sizes would."""

    __slots__ = ("state", "inc", "ke", "we", "fe")

    def __init__(self, seed: int, tables: tuple[list[int], list[float], list[float]] | None = None) -> None:
        self.state, self.inc = pcg64_seed(seed)
        self.ke, self.we, self.fe = tables if tables is not None else ziggurat_tables()

    def next_uint64(self) -> int:
        s = self.state = (self.state * PCG_MULT + self.inc) & MASK128
        x = ((s >> 64) ^ s) & MASK64
        return ((x | (x << 64)) >> (s >> 122)) & MASK64

    def next_double(self) -> float:
        return (self.next_uint64() >> 11) * (1.0 / 9007199254740992.0)

    def slow(self, idx: int, x: float) -> float:
        """``standard_exponential_unlikely``: the tail (layer 0), the wedge test, or a fresh draw."""
        fe = self.fe
        while True:
            if idx == 0:
                return R - math.log1p(-self.next_double())
            if (fe[idx - 1] - fe[idx]) * self.next_double() + fe[idx] < math.exp(-x):
                return x
            ri = self.next_uint64() >> 3
            idx = ri & 0xFF
            ri >>= 8
            x = ri * self.we[idx]
            if ri < self.ke[idx]:
                return x

    def draws(self, k: int) -> list[float]:
        """The next ``k`` standard exponential draws. The loop is ``next_uint64`` and the fast path inlined:
        with ``y = u | u << 64`` (``u * (2**64 + 1)``), ``y >> rot`` is ``u`` rotated right by ``rot``, so one
        shift of ``y`` by ``rot + 3`` gives the layer (its low 8 bits) and ``ri`` (the 53 above)."""
        ke, we = self.ke, self.we
        s, inc = self.state, self.inc
        mult, m128, m64, m53, dup = PCG_MULT, MASK128, MASK64, (1 << 53) - 1, (1 << 64) + 1
        shift = SHIFT
        out: list[float] = []
        append = out.append
        for _ in range(k):
            s = (s * mult + inc) & m128
            t = ((((s >> 64) ^ s) & m64) * dup) >> shift[s >> 122]
            idx = t & 0xFF
            ri = (t >> 8) & m53
            if ri < ke[idx]:
                append(ri * we[idx])
            else:
                self.state = s
                append(self.slow(idx, ri * we[idx]))
                s = self.state
        self.state = s
        return out
