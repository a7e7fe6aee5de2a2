"""NumPy's float32 uniform draws as 24-bit integers, for exact comparisons without floats.

``rng.random(size, dtype=np.float32)`` makes each number from one 32-bit half of the bit
generator's 64-bit words (low half first, an odd one kept for the next call) as
``(bits >> 8) * 2**-24``. :func:`draw_bits` returns those ``bits >> 8`` from the raw words and
leaves the generator in the same state, faster than NumPy's float draw. A float32 ``u = s * 2**-24``
satisfies ``u < t`` exactly when ``s < below(t)`` and ``u > t`` exactly when ``s > above(t)``;
:func:`as_float32` gives the numbers themselves for the few positions that need them.
"""

from __future__ import annotations

import sys

import numpy as np

SCALE = 16777216.0  # 2**24: the float32 draws are multiples of 1 / SCALE in [0, 1)
_STEP = np.float32(1.0 / SCALE)


def _take_raw(rng: np.random.Generator, size: int) -> tuple[int, int, np.ndarray]:
    """Advance ``rng`` exactly as ``rng.random(size, dtype=np.float32)`` would.

    Returns ``(buffered, first, words)``: whether a half word left from the last call is the
    first number (``first``, its 32 bits), and the new 64-bit raw words.
    """
    bitgen = rng.bit_generator
    state = bitgen.state
    buffered = min(int(state["has_uint32"]), size)
    first = int(state["uinteger"])
    fresh = size - buffered  # 32-bit values from new words
    words = bitgen.random_raw((fresh + 1) // 2)
    if size:
        state = bitgen.state
        state["has_uint32"] = fresh % 2  # an odd count leaves the last high half for later
        if words.size:
            state["uinteger"] = int(words[-1] >> np.uint64(32))
        bitgen.state = state
    return buffered, first, words


def draw_bits(rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
    """The int32 ``s`` with ``rng.random(shape, dtype=np.float32) == s * 2**-24``, same state."""
    size = int(np.prod(shape))
    buffered, first, words = _take_raw(rng, size)
    fresh = size - buffered
    if sys.byteorder == "little":
        halves = words.view(np.uint32)[:fresh]
    else:  # low half first, whatever the memory order
        halves = np.empty(2 * words.size, dtype=np.uint32)
        halves[0::2] = words & np.uint64(0xFFFFFFFF)
        halves[1::2] = words >> np.uint64(32)
        halves = halves[:fresh]
    if buffered:
        bits = np.empty(size, dtype=np.uint32)
        bits[0] = first
        bits[1:] = halves
    else:
        bits = halves
    np.right_shift(bits, np.uint32(8), out=bits)  # may shift ``words`` in place
    return bits.view(np.int32).reshape(shape)


class SparseFloat32Draws:
    """``rng.random(size, dtype=np.float32)``, read only at a few positions.

    Takes the raw words once (same generator state as the float draw) and converts only the
    positions asked for: less than half the cost when few positions are read.
    """

    def __init__(self, rng: np.random.Generator, size: int) -> None:
        self._buffered, self._first, self._words = _take_raw(rng, size)

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The float32 numbers at ``positions`` (indices into the flat draw)."""
        pos = np.asarray(positions, dtype=np.int64) - self._buffered
        if self._buffered:  # position 0 is the half word left from before
            bits = np.full(pos.shape, self._first, dtype=np.uint64)
            fresh = pos >= 0
            bits[fresh] = self._bits(pos[fresh])
        else:
            bits = self._bits(pos)
        return (bits >> np.uint64(8)).astype(np.float32) * _STEP

    def _bits(self, pos: np.ndarray) -> np.ndarray:
        word = self._words[pos >> 1]
        return np.where(pos & 1, word >> np.uint64(32), word & np.uint64(0xFFFFFFFF))


def _effective(t) -> np.ndarray:
    """``t`` as NumPy would compare it with a float32 array (a Python float becomes float32)."""
    dtype = np.result_type(np.float32, t)
    return np.asarray(t, dtype=dtype).astype(np.float64)


def below(t) -> np.ndarray:
    """int32 ``k`` with ``(s * 2**-24 < t) == (s < k)`` for the draws of :func:`draw_bits`."""
    x = _effective(t) * SCALE  # exact: a power of two
    k = np.ceil(np.clip(np.nan_to_num(x, nan=0.0), 0.0, SCALE))
    return k.astype(np.int32)


def above(t) -> np.ndarray:
    """int32 ``k`` with ``(s * 2**-24 > t) == (s > k)`` for the draws of :func:`draw_bits`."""
    x = _effective(t) * SCALE
    k = np.floor(np.clip(np.nan_to_num(x, nan=SCALE), -1.0, SCALE))
    return k.astype(np.int32)


def as_float32(s: np.ndarray) -> np.ndarray:
    """The float32 draws ``s * 2**-24`` themselves (exact)."""
    u = s.astype(np.float32)
    u *= _STEP
    return u
