"""One seed per run, split into named random streams.

Each mechanism draws only from its own stream, derived from the run seed and the stream's
*name* (not its position), so switching a mechanism on or off, or adding a new stream, never
shifts the random numbers another mechanism sees. This is what makes paired comparisons of
policies meaningful (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS: tuple[str, ...] = (
    "population",  # who lives in the city
    "network",  # who knows whom
    "needs",  # onset, progression, recovery, mortality
    "helpseeking",  # whether and when a need becomes a request
    "office",  # assessment times
    "exogenous",  # validation-mode arrivals
    "services",  # allocation and service effects
    "private",  # private purchases by families
    "crises",  # escalation into crises
    "providers",  # provider quality and location
    "outreach",  # proactive welfare (policy issue)
    "marketplace",  # marketplace platform (policy issue)
    "community",  # community platform (policy issue)
    "policy",  # policy rules with randomness
    "transitions",  # ageing and the spread of digital skills
)


def stream_key(name: str) -> int:
    """A stable integer derived from a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Independent, named ``numpy.random.Generator`` objects derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in STREAMS:
            raise KeyError(f"unknown random stream {name!r}; valid streams: {', '.join(STREAMS)}")
        gen = self._generators.get(name)
        if gen is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            gen = self._generators[name] = np.random.Generator(np.random.PCG64(seq))
        return gen


def spawn_seeds(root_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds derived from one root seed (for replicates and sweeps)."""
    children = np.random.SeedSequence(int(root_seed)).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
