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


def spawn_seeds(root_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds derived from one root seed (for replicates and sweeps)."""
    children = np.random.SeedSequence(int(root_seed)).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
