"""Common random numbers, checked resident by resident: turning a mechanism on must not change
what happens to the residents it never touches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from willsim import WelfareModel
from willsim.citizens import QUEUED, SERVED, WAITLIST

FATES = ("need_level", "crises", "residential")
"""Resident arrays that must agree between the two runs for untouched residents."""


def untouched_residents_agree(
    off: WelfareModel,
    on: WelfareModel,
    touched_by: Callable[[WelfareModel, WelfareModel], np.ndarray],
    weeks: int,
    fates: Sequence[str] = FATES,
) -> tuple[np.ndarray, np.ndarray]:
    """Step ``off`` and ``on`` together for ``weeks``; after every week assert that residents
    never touched by the mechanism (``touched_by(off, on)``, accumulated) and never in the
    office or services of either run (shared queues) have the same ``fates``.

    Returns the accumulated ``touched`` and ``same`` masks, for the caller's size checks.
    """
    n = on.citizens.n
    touched, formal = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    same = ~touched
    for _ in range(weeks):
        off.step()
        on.step()
        touched |= touched_by(off, on)
        for model in (off, on):
            formal |= np.isin(model.citizens.status, (QUEUED, WAITLIST, SERVED)).any(axis=0)
        same = ~touched & ~formal
        for name in fates:
            a, b = getattr(off.citizens, name), getattr(on.citizens, name)
            assert np.array_equal(a[..., same], b[..., same]), name
    return touched, same
