"""One seed per run, split into named random streams.

Each mechanism draws only from the streams it declares (``streams`` in
:mod:`willsim.mechanisms.base`), each derived from the run seed and the stream's *name* (not its
position), so switching a mechanism on or off, or adding a new stream, never shifts the random
numbers another mechanism sees. This is what makes paired comparisons of policies meaningful
(common random numbers). The valid names are the model's own streams and the phases' declared
ones (:func:`willsim.phases.stream_names`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np


def __getattr__(name: str) -> tuple[str, ...]:
    if name == "STREAMS":  # every stream name, from the phases' declarations
        from willsim.phases import stream_names

        return stream_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def stream_key(name: str) -> int:
    """A stable integer derived from a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Independent, named ``numpy.random.Generator`` objects derived from one seed."""

    def __init__(self, seed: int, names: Iterable[str] | None = None):
        """``names``: the valid stream names (default: every stream the phases declare)."""
        if names is None:
            from willsim.phases import stream_names

            names = stream_names()
        self.seed = int(seed)
        self.names: tuple[str, ...] = tuple(names)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self.names:
            raise KeyError(
                f"unknown random stream {name!r}: a mechanism must declare it in its 'streams'; "
                f"valid streams: {', '.join(self.names)}"
            )
        gen = self._generators.get(name)
        if gen is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            gen = self._generators[name] = np.random.Generator(np.random.PCG64(seq))
        return gen


def chance(u: np.ndarray, p) -> np.ndarray:
    """Which uniform draws ``u`` (float32, as the mechanisms draw them) fall under probabilities
    ``p``: ``u < p``, always compared in double precision (NumPy would compare a float32 array
    with a plain Python number in single precision).

    One probability for float32 draws is compared as ``u < t`` in single precision, ``t`` the
    smallest float32 not below ``p`` (:func:`float32_at_least`): the same booleans (no float32
    lies in ``[p, t)``), without converting every draw to double (~30 times faster)."""
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 and isinstance(u, np.ndarray) and u.dtype == np.float32:
        return u < float32_at_least(float(p))
    return u < p


def float32_at_least(x: float) -> np.float32:
    """The smallest float32 ``t`` with ``t >= x`` (NaN for NaN): for every float32 ``u``,
    ``u < t`` exactly when ``u < x``."""
    with np.errstate(over="ignore"):
        t = np.float32(x)  # the nearest float32, which may lie below x
    if float(t) < x:  # compared in double precision
        t = np.nextafter(t, np.float32(np.inf))
    return t


class SparseDraws:
    """The uniform doubles ``rng.random(size)`` would draw, read at a few positions only.

    ``take(positions)`` (flat positions in ascending order, after those of any earlier call)
    returns the values that array would hold there; :meth:`close` leaves the generator in the
    state drawing the whole array leaves it in. So a mechanism that draws one number per
    resident a week (common random numbers) but reads only those of a handful of residents
    does not make the rest: PCG64 makes each double from one 64-bit output, and the outputs
    in between are skipped with ``bit_generator.advance`` (about 1 microsecond a read, where
    drawing costs about 3 ns a number). Where the positions of a call are dense, the block
    that spans them is drawn instead; another bit generator draws the whole array.
    """

    _DENSE = 256  # a read costs about as much as drawing this many numbers

    def __init__(self, rng: np.random.Generator, size: int) -> None:
        self.rng, self.size, self.at = rng, int(size), 0
        bitgen = rng.bit_generator
        self._skip = isinstance(bitgen, np.random.PCG64)
        self._all: np.ndarray | None = None if self._skip else rng.random(self.size)
        # advance() clears the buffered half of a 64-bit output that 32-bit draws keep
        self._buffer = bitgen.state if self._skip and bitgen.state["has_uint32"] else None

    def take(self, positions: np.ndarray) -> np.ndarray:
        """The draws at ``positions`` (ascending, none before the end of an earlier call)."""
        positions = np.asarray(positions, dtype=np.int64)
        if self._all is not None:
            return self._all[positions]
        if positions.size == 0:
            return np.empty(0)
        if positions[0] < self.at or positions[-1] >= self.size:
            raise ValueError("positions must ascend, past earlier reads and within the array")
        span = int(positions[-1]) + 1 - self.at
        if positions.size * self._DENSE >= span:  # dense: draw the block that spans them
            block = self.rng.random(span)
            self.at += span
            return block[positions - (self.at - span)]
        out = np.empty(positions.size)
        bitgen, rng = self._pcg64(), self.rng
        for k, p in enumerate(positions.tolist()):
            if p > self.at:
                bitgen.advance(p - self.at)
            out[k] = rng.random()
            self.at = p + 1
        return out

    def close(self) -> None:
        """Skip the draws after the last read: the generator is where the whole array leaves it."""
        if self._all is not None:
            return
        if self.at < self.size:
            self._pcg64().advance(self.size - self.at)
            self.at = self.size
        if self._buffer is not None:  # put back the buffered 32 bits advance() dropped
            state = dict(self.rng.bit_generator.state)
            state["has_uint32"], state["uinteger"] = 1, self._buffer["uinteger"]
            self.rng.bit_generator.state = state

    def _pcg64(self) -> np.random.PCG64:
        """The generator's PCG64 (the only bit generator whose draws are skipped)."""
        bitgen = self.rng.bit_generator
        if not isinstance(bitgen, np.random.PCG64):
            raise TypeError(f"draws can be skipped only on PCG64, not {type(bitgen).__name__}")
        return bitgen


def spawn_seeds(root_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds derived from one root seed (for replicates and sweeps)."""
    children = np.random.SeedSequence(int(root_seed)).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
