"""Which parameters are drawn as sliders, their slider ranges, and defaults derived from the city.

:data:`HEADLINE` names, in this one place, the headline levers of each parameter group: the
policy levers and assumptions people reach for first. They are drawn as sliders over the
registry's range (units and bounds from :data:`willsim.params.PARAMETERS`); every other
parameter is typed into a field. A group may have none (the run's settings, list-valued
groups). Only bounded single numbers whose range a slider can cover are allowed (checked by
``tests/app/test_levers.py``).

:func:`derived_value` gives the value the model uses for a parameter whose declared default
means "derived from the city" (``office.social_workers = 0``), so a field shows the number of
social workers, not 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from willsim.params import PARAMETERS

HEADLINE: dict[str, tuple[str, ...]] = {
    "city": ("city.absolute_poverty_rate", "city.neet_rate"),
    "network": ("network.mean_ties",),
    "needs": ("needs.care_progression", "needs.care_recovery"),
    "helpseeking": ("helpseeking.awareness", "helpseeking.trust_mean"),
    "office": ("office.hours_per_week", "office.assessment_share"),
    "services": ("services.care_met_share", "services.care_progression_multiplier"),
    "providers": ("providers.quality_sd",),
    "crises": ("crises.met_multiplier", "crises.residential_share"),
    "municipality": ("municipality.budget_multiplier", "municipality.capacity_follows_budget"),
    "outreach": ("outreach.accept", "outreach.word_of_mouth", "outreach.inform_effect"),
    "shock": ("shock.pandemic_capacity", "shock.pandemic_office_access"),
    "marketplace": ("marketplace.subsidy", "marketplace.fee", "marketplace.initial_share"),
    "governance": ("governance.co_capacity_gain", "governance.outcome_base_share"),
    "community": ("community.interest", "community.volunteer_active_share"),
    "transitions": ("transitions.digital_rate",),
    "qol": ("qol.isolation_penalty", "qol.crisis_penalty"),
}
"""Per parameter group, the headline levers drawn as sliders (in this order, first in the
group's panel)."""

SLIDERS: frozenset[str] = frozenset(k for keys in HEADLINE.values() for k in keys)
MAX_SLIDER_SPAN = 100.0
"""The widest registry range a slider covers (wider ranges are typed)."""


def slider_range(key: str) -> tuple[float, float, float] | None:
    """``(low, high, step)`` of the slider of ``key``, if it is a headline lever: whole numbers
    in units, others in about a hundredth of the span rounded to 1, 2 or 5 times a power of ten
    (0.01 for a share, 0.5 for 0-50)."""
    p = PARAMETERS[key]
    if key not in SLIDERS or p.low is None or p.high is None or p.length is not None:
        return None
    span = float(p.high) - float(p.low)
    if isinstance(p.default, int) and not isinstance(p.default, bool):
        return float(p.low), float(p.high), 1.0
    return float(p.low), float(p.high), nice_step(span / 100)


def nice_step(rough: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above ``rough``."""
    if rough <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    for factor in (5, 2, 1):
        if factor * power <= rough * (1 + 1e-9):
            return round(factor * power, 12)
    return power


def derived_value(key: str, params: Mapping[str, Any]) -> float | None:
    """The value the model uses for ``key`` when its setting means "derived from the city"
    (``office.social_workers = 0``: the city's population over its residents per social
    worker), else None."""
    if key == "office.social_workers" and int(params.get(key, 0)) == 0:
        from willsim.workshop.strategy import base_social_workers

        return float(base_social_workers(params))
    return None
