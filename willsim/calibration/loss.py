"""The calibration loss: standardised distances to the targets, capped, averaged by family.

For target j (in one city): z_j = (model mean - target value) / tolerance, so |z| <= 1 is "within
tolerance". Each z is scored with Huber's function (quadratic up to ``cap``, linear beyond), so one
target the model cannot reach does not swamp the rest:

    rho(z) = z^2                    if |z| <= cap
             2 cap |z| - cap^2      otherwise

The loss is the sum over families of the weighted mean of rho within the family:

    L = sum_f ( sum_{j in f} w_j rho(z_j) / sum_{j in f} w_j )

so a family with many targets (e.g. one per city) counts as much as a family with one. Only live
targets with role ``fit`` enter it. A model value that is not a number (an indicator undefined
for these parameters) scores as z = ``NAN_Z``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HUBER_CAP = 3.0
"""z beyond which the loss grows linearly: three tolerances away is a clear miss."""
NAN_Z = 10.0
"""The z charged for a model value that is not a number."""


def huber(z: float, cap: float = HUBER_CAP) -> float:
    """Huber's rho of a standardised distance: z^2 within ``cap``, linear beyond."""
    a = abs(z)
    return a * a if a <= cap else 2.0 * cap * a - cap * cap


@dataclass(frozen=True)
class TargetScore:
    """The model against one target in one city."""

    target: str
    city: str
    role: str
    family: str
    weight: float
    value: float
    tolerance: float
    mean: float
    sd: float
    n: int

    @property
    def z(self) -> float:
        if not math.isfinite(self.mean):
            return NAN_Z
        return (self.mean - self.value) / self.tolerance

    @property
    def rho(self) -> float:
        return huber(self.z)

    @property
    def passed(self) -> bool:
        return math.isfinite(self.mean) and abs(self.z) <= 1.0

    @property
    def key(self) -> str:
        """``target@city``: the column name suffix used in ensembles and trial records."""
        return f"{self.target}@{self.city}"


def family_losses(
    scores: Iterable[TargetScore], squared: bool = False, roles: Sequence[str] = ("fit",)
) -> dict[str, float]:
    """Each family's weighted mean of rho (or of z^2 if ``squared``) over ``roles``."""
    num: dict[str, float] = defaultdict(float)
    den: dict[str, float] = defaultdict(float)
    for s in scores:
        if s.role not in roles:
            continue
        num[s.family] += s.weight * (s.z * s.z if squared else s.rho)
        den[s.family] += s.weight
    return {f: num[f] / den[f] for f in num}


def total_loss(
    scores: Iterable[TargetScore], squared: bool = False, roles: Sequence[str] = ("fit",)
) -> float:
    """The loss: the sum over families of :func:`family_losses`."""
    return float(sum(family_losses(scores, squared, roles).values()))
