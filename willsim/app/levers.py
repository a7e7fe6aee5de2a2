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

:data:`POLICY_LEVERS` is the one rule that tells a policy lever (a municipality's decision) from an
assumption about the city; :func:`changes_as_scenario_parts` picks the levers changed in Explore or
Compare that start through a policy at reported week 0, and
:func:`willsim.policies.week0.week0_policies` (shared with the workshop) builds those policies,
labelled :data:`APP_POLICY_LABEL` (:func:`willsim.app.state.resolve`).
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


# --- policy levers: what a municipality decides, started at reported week 0 -----------------------

POLICY_LEVERS: tuple[str, ...] = (
    "office.social_workers",
    "eligibility.isee_max",
    "municipality.budget_multiplier",
    "outreach.enabled",
    "outreach.hours_per_1000",
    "outreach.targeting",
    "outreach.take_charge",
    "outreach.rescreen_after",
    "marketplace.enabled",
    "marketplace.subsidy",
    "marketplace.fee",
    "marketplace.reputation",
    "marketplace.access",
    "marketplace.matching",
    "governance.co_programming",
    "governance.outcome_contracts",
    "governance.case_mix_adjusted",
    "governance.outcome_base_share",
    "governance.outcome_price",
    "governance.outcome_threshold",
    "community.enabled",
    "community.channel",
)
"""The parameters the app treats as **policy levers**: what a municipality decides (its staff,
its budget and with it the service hours it contracts, the means test, outreach, the platforms
it runs and their terms, how it commissions providers). Every other parameter is an
**assumption** about the city or how people behave (awareness, trust, need progression, the
public's response to outreach, prices, the run's settings).

In the app a changed lever becomes a ``[[policies]]`` entry starting at reported week 0
(:func:`changes_as_scenario_parts`), so every strategy shares the status quo's burn-in and
replicates with the same seed are paired; an assumption stays an override, which shapes the
burn-in too (:func:`willsim.model.status_quo_params`).

Why a list here and not the registry: the policy registry says which parameter *groups* a
policy type may set (``PolicyType.groups``), and groups mix decisions with assumptions (the
``outreach`` group holds the hours the municipality buys and the share of residents who accept
help; ``helpseeking`` holds awareness, which an ``information`` policy may set but which the
model reads once, when it draws the population). So the list is the registry's settable keys
narrowed by hand, and ``tests/app/test_policy_levers.py`` keeps it consistent with the
registries: each key is one a policy may set, every platform and governance switch is in it,
every lever a policy starts is re-read when a policy changes it (``Mechanism.configure``), and
every ``setting:`` parameter a policy may set is either here or named there with the reason it
is not a lever."""

APP_POLICY_LABEL: dict[str, str] = {"en": "App: your changes", "it": "App: le tue modifiche"}
"""The label of the week-0 policy that carries the levers changed in the app."""


def is_policy_lever(key: str) -> bool:
    """Whether ``key`` is a policy lever (:data:`POLICY_LEVERS`), not an assumption."""
    return key in POLICY_LEVERS


def changes_as_scenario_parts(
    changes: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the app's changed parameters into ``(overrides, week0)``.

    ``week0``: the changed levers started by a policy at reported week 0. ``overrides``:
    assumptions, and the levers the model already keeps at the status quo's value in the burn-in
    when an override sets them (:func:`willsim.phases.strategy_keys`: the platform, outreach and
    governance switches, the budget multiplier); these stay overrides so that their behaviour
    and what reads them in a scenario's parameters (the capacity search, which refuses a policy
    that sets the budget; the check whether a strategy is demand-side) are as before.
    """
    from willsim.phases import strategy_keys

    started = strategy_keys()
    overrides = {k: v for k, v in changes.items() if not is_policy_lever(k) or k in started}
    week0 = {k: v for k, v in changes.items() if k not in overrides}
    return overrides, week0
