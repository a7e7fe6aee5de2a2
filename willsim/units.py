"""Time-unit discipline: one step is one week, and every conversion happens here.

Each parameter declares a unit string (see :data:`UNITS`). The model never reads a
time-dependent value raw; it asks :func:`to_weekly`, which converts according to the unit's
kind:

* probabilities over a period (``"prob/year"``): ``1 - (1 - p) ** (1 / periods)``;
* rates of events (``"events/year"``): divided by the number of weeks;
* durations (``"days"``, ``"months"``, ``"years"``): expressed in weeks;
* money flows (``"EUR/month"``, ``"EUR/year"``, ``"EUR/day"``): expressed per week.

Values whose unit has no time component (shares, persons, EUR, EUR/hour, hours/week...) pass
through unchanged.
"""

from __future__ import annotations

import numpy as np

WEEKS_PER_YEAR = 52
"""Model weeks in a budget year. A year of 52 steps keeps annual budgets aligned to steps."""

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12.0

# unit -> (kind, weeks in one unit period)
UNITS: dict[str, tuple[str, float]] = {
    # probabilities of an event within a period
    "prob/week": ("prob", 1.0),
    "prob/month": ("prob", WEEKS_PER_MONTH),
    "prob/year": ("prob", float(WEEKS_PER_YEAR)),
    # expected number of events per period (Poisson rates)
    "events/week": ("rate", 1.0),
    "events/year": ("rate", float(WEEKS_PER_YEAR)),
    # durations
    "weeks": ("duration", 1.0),
    "days": ("duration", 1.0 / DAYS_PER_WEEK),
    "months": ("duration", WEEKS_PER_MONTH),
    "years": ("duration", float(WEEKS_PER_YEAR)),
    # money per period
    "EUR/week": ("money_rate", 1.0),
    "EUR/day": ("money_rate", 1.0 / DAYS_PER_WEEK),
    "EUR/month": ("money_rate", WEEKS_PER_MONTH),
    "EUR/year": ("money_rate", float(WEEKS_PER_YEAR)),
    "EUR/resident/year": ("money_rate", float(WEEKS_PER_YEAR)),
    # time-free units
    "share": ("plain", 1.0),
    "multiplier": ("plain", 1.0),
    "persons": ("plain", 1.0),
    "residents": ("plain", 1.0),
    "count": ("plain", 1.0),
    "EUR": ("plain", 1.0),
    "EUR/hour": ("plain", 1.0),
    "EUR/case": ("plain", 1.0),
    "hours": ("plain", 1.0),
    "hours/week": ("plain", 1.0),
    "km": ("plain", 1.0),
    "seed": ("plain", 1.0),
    "flag": ("plain", 1.0),
    "choice": ("plain", 1.0),
    "text": ("plain", 1.0),
    "score": ("plain", 1.0),
}


def kind_of(unit: str) -> str:
    """Return the kind of a unit (``prob``, ``rate``, ``duration``, ``money_rate``, ``plain``)."""
    try:
        return UNITS[unit][0]
    except KeyError:
        valid = ", ".join(sorted(UNITS))
        raise ValueError(f"unknown unit {unit!r}; valid units: {valid}") from None


def to_weekly(value, unit: str):
    """Convert ``value`` (a number or array) expressed in ``unit`` to its one-week equivalent.

    >>> round(to_weekly(0.52, "events/year"), 6)
    0.01
    >>> to_weekly(14, "days")
    2.0
    """
    kind, period = UNITS[unit] if unit in UNITS else (kind_of(unit), 1.0)
    if kind == "prob":
        p = np.clip(np.asarray(value, dtype=float), 0.0, 1.0)
        out = -np.expm1(np.log1p(-np.minimum(p, 1.0 - 1e-15)) / period)
        return float(out) if out.ndim == 0 else out
    if kind in ("rate", "money_rate"):
        return _scale(value, 1.0 / period)
    if kind == "duration":
        return _scale(value, period)
    return value


def _scale(value, factor: float):
    if isinstance(value, (list, tuple)):
        return np.asarray(value, dtype=float) * factor
    return value * factor


def weekly_probability(rate, unit: str = "events/week") -> np.ndarray:
    """Probability of at least one event in a week for a Poisson ``rate`` given in ``unit``
    (``events/week`` or ``events/year``): ``1 - exp(-rate per week)``.

    >>> float(weekly_probability(0.0))
    0.0
    >>> round(float(weekly_probability(52.0, "events/year")), 4)
    0.6321
    """
    kind, period = UNITS[unit] if unit in UNITS else (kind_of(unit), 1.0)
    if kind != "rate":
        raise ValueError(f"weekly_probability needs a rate (events/...), got unit {unit!r}")
    return -np.expm1(-np.asarray(rate, dtype=float) / period)
