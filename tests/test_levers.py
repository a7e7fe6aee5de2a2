"""Every policy lever moves at least one indicator in the expected direction.

One declarative table, :data:`LEVERS`: for each lever a low and a high value, the indicator it
should move and the sign of the move, the scenario it runs in and the extra overrides that make
the lever matter (a marketplace lever needs the platform switched on, an outcome-contract price
needs the contracts). Low and high run on the same seeds (common random numbers), so the paired
difference of the end-of-run summaries is the lever's effect, not noise; where noise remains,
several seeds are pooled and the mean difference must clear a margin.

:data:`EXCLUDED` names, with the reason, every parameter of a lever group that is not a policy
lever, and :data:`NON_LEVER_GROUPS` every registry group that holds no levers at all; a meta-test
fails, naming it, on any new parameter that is in none of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from willsim import PARAMETERS, WelfareModel
from willsim.indicators import INDICATORS
from willsim.results import summary
from willsim.scenario import load_scenario

LEVER_GROUPS = (
    "outreach",
    "marketplace",
    "community",
    "governance",
    "municipality",
    "office",
    "eligibility",
    "helpseeking",
    "shock",
    "transitions",
    "adi",
    "cash",
    "structures",
)
"""Registry groups whose every parameter is a lever (tested) or listed in :data:`EXCLUDED`."""

CITY_LEVERS = ("city.residents_per_social_worker", "city.social_spending_per_capita")
"""Levers of the ``city`` group (staffing ratio and budget level); the rest describe the city."""

NON_LEVER_GROUPS: dict[str, str] = {
    "run": "run control (seed, length, sample size), not policy",
    "city": "the city's demography and economy (its two policy levers are in CITY_LEVERS)",
    "network": "structure of the social network, a calibration of the synthetic population",
    "needs": "epidemiology of needs (prevalence, progression, mortality): calibration",
    "services": "the existing service offer's technology (hours, effects, private care): "
    "calibration of the engine",
    "providers": "the existing providers' capacity, cost and quality: calibration",
    "crises": "risk and unit costs of crises: calibration",
    "residential": "residential care's demand, mortality and fees: the status quo's description "
    "(places per 65+ are a city parameter); calibration",
    "qol": "display-only weights of the quality-of-life index; they change no behaviour",
    "economics": "display-only valuation of outcomes in the social-return ratio; no behaviour",
}

EXCLUDED: dict[str, str] = {
    "office.exogenous_requests": "validation device (office_mmc): replaces residents' requests "
    "with a Poisson stream to test the queue; not a policy",
    "helpseeking.trust_sd": "spread of trust around its mean (heterogeneity of the population): "
    "a calibration constant with no expected direction",
    "community.tie_weight": "splits the network effect between ties and district; with seed "
    "participants drawn at random both shares have the same mean, so "
    "there is no expected direction (a behavioural calibration)",
}

SMALL = {"city.population": 5000, "run.weeks": 52, "run.mesa_citizens": False}


@dataclass(frozen=True)
class Lever:
    """One controlled experiment: ``key`` from ``low`` to ``high`` moves ``indicator`` by
    ``sign`` (+1 up, -1 down), in ``scenario`` with the overrides ``given``.

    The mean paired difference over ``seeds`` must exceed ``margin`` times the larger of the
    two mean levels, in the expected direction.
    """

    key: str
    low: Any
    high: Any
    indicator: str
    sign: int
    given: Mapping[str, Any] = field(default_factory=dict)
    scenario: str = "baseline"
    seeds: tuple[int, ...] = (1,)
    margin: float = 0.0
    why: str = ""  # the set-up, when the lever needs one
    tag: str = ""  # distinguishes several rows of one key
    known_issue: str = ""  # a lever that misbehaves: strict xfail, so a fix is noticed

    @property
    def id(self) -> str:
        return f"{self.key}[{self.tag}]" if self.tag else self.key


OUT = {"outreach.enabled": True}
MKT = {"marketplace.enabled": True, "marketplace.provider_hours": 12.0}
"""The platform on, with 60 hours a week per provider in the 5,000-resident town: several
8-hour matches each, as in the default city (3 hours per 1,000 residents leave room for one)."""
COM = {"community.enabled": True}
CO = {"governance.co_programming": True}
OC = {"governance.outcome_contracts": True}
SVC = {"providers.hours_per_1000": [5.0, 16.0, 8.0]}
"""Contracted providers with room for several isolation and work cases in a 5,000-resident town
(at the default 4 and 2 hours per 1,000 the town keeps three Third Sector organisations and one
private provider, each with room for about one case per line)."""
SCARCE = {"providers.hours_per_1000": [3.0, 6.0, 2.0]}
"""Contracted capacity that binds (11 hours per 1,000 against the calibrated 16.7, with the Third
Sector over half of them): about 10 people wait for a slot in the 5,000-resident town, so more
Third Sector capacity places more of them. With the calibrated hours the list is near empty and
co-programming's +20% Third Sector hours moved coverage by +0.0016 (SE 0.0010, seeds 1-6;
seed 1 -0.0009)."""
PAN = {"shock.pandemic": True}
HEAT = {"shock.heatwave": True}
LONG = {"run.weeks": 104}
PEERS_SCARCE = {
    **COM,
    "community.interest": 0.5,
    "community.base_join": 2.0,
    "community.volunteers_per_1000": 5.0,
}
"""Many participants and few volunteers: peer-help capacity binds."""
PEERS_PLENTY = {
    **COM,
    "community.interest": 0.5,
    "community.base_join": 2.0,
    "community.volunteers_per_1000": 500.0,
}
"""Many participants and volunteers: what peers may take on binds, not their hours."""
BUDGET_BINDS = {"providers.hours_per_1000": [50.0, 40.0, 20.0]}
"""Ten times the providers' hours: the budget, not capacity, limits placements."""
DIGITAL_ONLY = {**MKT, "marketplace.access": "digital"}
QUALITY_SPREAD = {**MKT, "providers.quality_sd": 0.8, "marketplace.provider_hours": 40.0}
"""Providers differ widely in quality and have spare hours, so users' choice matters."""

NO_CASH = {"cash.enabled": False}
"""Cash contributions off, for rows whose premise is about another channel: a care contribution
covers some older people in need (who then neither join a platform nor wait as long), and cash
takes part of the budget the services' expansion would use (issue 12: these rows lost their
effect when cash arrived: reputation -1.2% against a 2% margin, beneficiaries +0.4 with a longer
lag, platform users -2.4 with the old's skills)."""

AGEING_WHY = (
    "ten times the default flows, so two years of ageing show: more residents in residential "
    "care (+1.1, +1.3, +2.8 places, seeds 1-3, 5,000 residents). Not people with a need: poor "
    "adults turning 65 leave the income-need cells by design (ODD 7.1), which offsets the rise "
    "of care needs over two years (-1.4, seed 1); the rise of care-need prevalence itself is "
    "tested in tests/test_transitions.py"
)

LEVERS: list[Lever] = [
    # --- proactive welfare ----------------------------------------------------------------------
    Lever("outreach.enabled", False, True, "non_take_up_share", -1),
    Lever("outreach.hours_per_1000", 1.0, 8.0, "proactive_takeups", +1, OUT),
    Lever("outreach.hours_per_contact", 0.5, 2.0, "outreach_contacts", -1, OUT),
    Lever("outreach.hour_cost", 15.0, 40.0, "spending_outreach_eur", +1, OUT),
    Lever("outreach.targeting", "random", "risk", "proactive_takeups", +1, OUT, tag="risk"),
    Lever(
        "outreach.targeting",
        "random",
        "antennas",
        "proactive_takeups",
        +1,
        {**OUT, "city.population": 20000},
        seeds=(1, 2, 3),
        tag="antennas",
        why="antennas report the needs they notice among their ties, screened first; at "
        "20,000 residents, as in a 5,000-resident town the gain (+1.4 take-ups over 10 "
        "seeds) is within the noise",
    ),
    Lever("outreach.take_charge", False, True, "non_take_up_share", -1, OUT),
    Lever("outreach.accept", 0.1, 0.8, "proactive_takeups", +1, OUT),
    Lever("outreach.inform_effect", 0.2, 0.9, "informed_residents", +1, OUT),
    Lever("outreach.trust_gain", 0.0, 0.2, "trust", +1, OUT),
    Lever("outreach.word_of_mouth", 0.0, 0.3, "informed_residents", +1, OUT),
    Lever(
        "outreach.rescreen_after",
        4.0,
        104.0,
        "informed_residents",
        +1,
        OUT,
        why="rescreening the same high-risk residents often reaches fewer new ones",
    ),
    Lever(
        "outreach.antenna_share",
        0.005,
        0.1,
        "outreach_contacts",
        +1,
        {**OUT, "outreach.targeting": "antennas"},
        why="few antennas: few residents to point to, and they are rescreened only yearly",
    ),
    Lever(
        "outreach.antenna_notice",
        [0.0, 0.0, 0.0],
        [0.3, 0.3, 0.05],
        "proactive_takeups",
        +1,
        {**OUT, "outreach.targeting": "antennas"},
        seeds=(1, 2, 3),
        why="antennas that notice nothing point to their ties at random",
    ),
    # --- marketplace ----------------------------------------------------------------------------
    Lever("marketplace.enabled", False, True, "unmet_care_hours", -1, seeds=(1, 2)),
    Lever("marketplace.providers", 2, 40, "platform_matches", +1, MKT),
    Lever("marketplace.initial_share", 0.1, 0.9, "platform_providers", +1, MKT),
    Lever(
        "marketplace.provider_hours",
        1.0,
        8.0,
        "platform_matches",
        +1,
        {"marketplace.enabled": True},
    ),
    Lever(
        "marketplace.price",
        10.0,
        30.0,
        "platform_matches",
        -1,
        MKT,
        why="with the default 3 hours per 1,000 residents a provider in a small town sells "
        "one match and a higher price keeps it above break-even: MKT gives room",
    ),
    Lever("marketplace.aggregation_discount", 0.0, 0.5, "platform_price", -1, MKT),
    Lever("marketplace.aggregation_volume", 5.0, 200.0, "platform_price", +1, MKT),
    Lever("marketplace.fee", 0.0, 0.4, "provider_revenue_eur", -1, MKT),
    Lever("marketplace.operating_cost", 100.0, 5000.0, "spending_marketplace_eur", +1, MKT),
    Lever(
        "marketplace.subsidy",
        0.0,
        1.0,
        "platform_requests",
        +1,
        MKT,
        why="the voucher makes the price affordable to more families, who post requests",
    ),
    Lever(
        "marketplace.max_price",
        [3.0, 5.0, 8.0, 15.0],
        [20.0, 30.0, 40.0, 60.0],
        "platform_requests",
        +1,
        MKT,
    ),
    Lever(
        "marketplace.reputation",
        "ratings",
        "accreditation",
        "spending_marketplace_eur",
        +1,
        {**MKT, "marketplace.subsidy": 0.0},
        why="without vouchers the platform's public cost is its running cost, which "
        "accreditation raises by its fee per provider",
    ),
    Lever("marketplace.accreditation_cost", 0.0, 10000.0, "spending_marketplace_eur", +1, MKT),
    Lever(
        "marketplace.rating_noise",
        0.0,
        2.0,
        "platform_reputation",
        -1,
        {**QUALITY_SPREAD, "marketplace.reputation": "ratings"},
        seeds=tuple(range(1, 9)),
        margin=0.02,
        why="exact ratings steer users away from poor providers, who fall below break-even "
        "and leave; noisy ratings keep them on the platform. Eight seeds: a seed's difference "
        "has sd 0.1 around a mean of -0.07 (seeds 1-8: -0.069 before the planned lines shared "
        "the budget, -0.069 after), so three seeds passed the 2% margin by luck or not at all "
        "(-0.044 before, -0.007 after)",
    ),
    Lever("marketplace.access", "multichannel", "digital", "platform_users", -1, MKT),
    Lever("marketplace.assisted_access", 0.0, 1.0, "platform_users", +1, MKT),
    Lever("marketplace.user_join", 0.01, 0.3, "platform_users", +1, MKT),
    Lever(
        "marketplace.user_leave",
        0.01,
        0.8,
        "platform_requests",
        -1,
        {**MKT, "marketplace.provider_hours": 3.0},
        why="only unmatched users leave: capacity must be scarce; the users who stay are the "
        "ones who post again",
    ),
    Lever("marketplace.hours_per_match", 4.0, 16.0, "platform_matches", -1, MKT),
    Lever("marketplace.match_weeks", 8.0, 52.0, "platform_matches", -1, MKT),
    Lever(
        "marketplace.distance_weight",
        0.0,
        5.0,
        "platform_reputation",
        -1,
        {**QUALITY_SPREAD, **LONG, **NO_CASH, "city.population": 20000},
        seeds=(1, 2, 3),
        margin=0.02,
        why="weighing distance over reputation keeps poor nearby providers in business (at "
        "20,000 residents: in a 5,000-resident town the effect is within the noise)",
    ),
    Lever(
        "marketplace.matching",
        "pooled",
        "district",
        "platform_matches",
        -1,
        MKT,
        why="separate district queues leave capacity idle in one district while requests "
        "wait in another (match_time_weeks counts only the matched, so it falls)",
    ),
    Lever("marketplace.min_revenue", 0.0, 2000.0, "platform_providers", -1, MKT),
    Lever(
        "marketplace.provider_entry",
        0.0,
        0.5,
        "platform_providers",
        +1,
        {**MKT, "marketplace.initial_share": 0.1},
    ),
    # --- community platform ---------------------------------------------------------------------
    Lever("community.enabled", False, True, "isolated_share", -1, seeds=(1, 2)),
    Lever("community.channel", "both", "digital", "community_participants", -1, COM, tag="digital"),
    Lever("community.channel", "physical", "both", "spending_community_eur", +1, COM, tag="both"),
    Lever("community.interest", 0.05, 0.5, "community_participants", +1, COM),
    Lever("community.seed_share", 0.001, 0.1, "community_participants", +1, COM),
    Lever("community.base_join", 0.0, 2.0, "community_participants", +1, COM),
    Lever("community.aware_join", 0.0, 10.0, "community_participants", +1, COM),
    Lever("community.isolated_join", 1.0, 10.0, "isolated_share", -1, COM, seeds=(1, 2)),
    Lever("community.network_effect", 0.0, 30.0, "community_participants", +1, COM),
    Lever("community.leave_rate", 0.5, 10.0, "community_participants", -1, COM),
    Lever("community.leave_floor", 0.0, 5.0, "community_participants", -1, COM),
    Lever("community.critical_mass", 0.001, 0.2, "community_participants", -1, COM),
    Lever("community.ties_per_year", 0.0, 20.0, "isolated_share", -1, COM, seeds=(1, 2)),
    Lever(
        "community.tie_decay",
        0.0,
        1.0,
        "isolated_share",
        +1,
        {**COM, "community.ties_per_year": 20.0, "community.tie_recovery": 0.5, **LONG},
        seeds=(1, 2, 3),
        why="ties must be many and matter for their decay to show",
    ),
    Lever("community.tie_recovery", 0.0, 1.0, "isolated_share", -1, COM),
    Lever("community.participant_recovery", 0.0, 1.0, "isolated_share", -1, COM),
    Lever("community.volunteers_per_1000", 0.0, 200.0, "peer_help_hours", +1, COM),
    Lever("community.volunteer_active_share", 0.01, 0.5, "community_volunteers", +1, COM),
    Lever(
        "community.volunteer_hours",
        0.5,
        10.0,
        "peer_help_hours",
        +1,
        PEERS_SCARCE,
        why="by default volunteers' hours exceed the light needs of participants",
    ),
    Lever("community.volunteer_decline", 0.0, 0.5, "community_volunteers", -1, {**COM, **LONG}),
    Lever("community.helper_conversion", 0.0, 1.0, "community_helpers", +1, COM),
    Lever(
        "community.helper_hours",
        0.0,
        5.0,
        "peer_help_hours",
        +1,
        {**PEERS_SCARCE, "community.helper_conversion": 1.0},
        why="helpers' hours count only where volunteers' hours run out",
    ),
    Lever("community.isolation_hours", 0.5, 4.0, "peer_help_hours", +1, COM),
    Lever(
        "community.max_care_level",
        0.0,
        2.0,
        "peer_help_hours",
        +1,
        PEERS_PLENTY,
        why="light care gaps are few among the default participants",
    ),
    Lever("community.max_peer_hours", 1.0, 20.0, "peer_help_hours", +1, PEERS_PLENTY),
    Lever(
        "community.cost_physical",
        10.0,
        200.0,
        "spending_community_eur",
        +1,
        {**COM, "community.channel": "physical"},
    ),
    Lever(
        "community.cost_digital",
        1.0,
        100.0,
        "spending_community_eur",
        +1,
        {**COM, "community.channel": "digital"},
    ),
    # --- governance -----------------------------------------------------------------------------
    Lever(
        "governance.co_programming",
        False,
        True,
        "coverage",
        +1,
        SCARCE,
        seeds=(1, 2, 3),
        why="extra Third Sector hours raise coverage only where people wait for a slot: "
        "+0.0053 (SE 0.0010, seeds 1-4, all positive) with SCARCE",
    ),
    Lever("governance.co_capacity_gain", 0.0, 1.0, "coverage", +1, CO),
    Lever("governance.co_fit_gain", 0.0, 1.0, "needs_resolved", +1, CO, seeds=(1, 2)),
    Lever(
        "governance.co_staff_share",
        0.0,
        0.5,
        "mean_wait_weeks",
        +1,
        {**CO, "office.social_workers": 4},
        why="the town's one social worker cannot lose half a server (rounded back to 1)",
    ),
    Lever("governance.outcome_contracts", False, True, "needs_resolved", +1, SVC, seeds=(1, 2, 3)),
    Lever("governance.outcome_base_share", 0.3, 1.0, "spending_services_eur", +1, {**OC, **SVC}),
    Lever("governance.outcome_price", 100.0, 3000.0, "spending_outcomes_eur", +1, {**OC, **SVC}),
    Lever(
        "governance.outcome_threshold",
        0.0,
        0.05,
        "spending_outcomes_eur",
        -1,
        {**OC, **SVC},
        seeds=(1, 2),
    ),
    Lever("governance.outcome_effort", 0.0, 1.0, "needs_resolved", +1, {**OC, **SVC}),
    Lever(
        "governance.case_mix_adjusted",
        False,
        True,
        "placed_care_level",
        +1,
        {**OC, "providers.hours_per_1000": [2.0, 30.0, 15.0]},
        seeds=(1, 2, 3),
        margin=0.01,
        why="contractors (who cream-skim) must hold most care places, not the municipality",
    ),
    # --- the municipality: budget, staff, means test, information ------------------------------
    Lever(
        "municipality.budget_multiplier",
        0.3,
        1.0,
        "coverage",
        +1,
        BUDGET_BINDS,
        why="ten times the hours, so the money itself binds, not only the hours it buys",
    ),
    Lever(
        "municipality.budget_multiplier",
        0.5,
        1.0,
        "coverage",
        +1,
        tag="hours",
        why="at default capacity the budget is not spent; a cut works through the contracted "
        "hours it buys",
    ),
    Lever(
        "municipality.capacity_follows_budget",
        0.0,
        1.0,
        "coverage",
        -1,
        {"municipality.budget_multiplier": 0.7, "municipality.review_weeks": 0},
        why="the lever sets the contracted hours only where the capacity reviews do not: with "
        "quarterly reviews the municipality buys hours within its budget either way and, under "
        "a cut, the budget binds before the hours (coverage identical at both values, seeds "
        "1-2; the old +0.0009 of seed 1 came from the cohort of care cases all reaching the "
        "longest episode at week 0, removed by the burn-in's redraw of weeks in service); a "
        "30% cut, as at half the budget staff and the day centres' reserved places leave the "
        "services nothing at either value (coverage 0.0196 at both, seed 1)",
    ),
    Lever(
        "municipality.capacity_ceiling",
        1.0,
        2.0,
        "coverage",
        +1,
        {"municipality.budget_multiplier": 2.0},
    ),
    Lever("city.social_spending_per_capita", 60.0, 182.0, "coverage", +1, BUDGET_BINDS),
    # the municipality buys capacity as its waiting lists grow, within its budget
    Lever("municipality.review_weeks", 0.0, 13.0, "beneficiaries_per_1000", +1, LONG),
    # the health service's integrated home care (ADI)
    Lever("adi.enabled", False, True, "ltc_reach_65", +1, LONG),
    Lever("adi.users_share_65", 0.02, 0.1, "adi_users_share_65", +1, LONG),
    Lever(
        "adi.hours_per_user",
        15.0,
        500.0,
        "care_coverage",
        +1,
        LONG,
        seeds=(1, 2),
        why="an ADI episode is short and reaches about 7% of 65+ a year, so the sourced 15 "
        "hours a year move mean care coverage by less than the seed noise: from 5 to 50 hours "
        "the paired difference was -0.009, +0.004, +0.001 and +0.003 (seeds 1-4, after newcomers "
        "entered from the band below); 500 hours (about 10 a week) is an intensive ADI",
    ),
    Lever("adi.episode_weeks", 2.0, 10.0, "adi_in_care", +1, LONG),
    Lever("adi.hour_cost", 20.0, 60.0, "spending_adi_eur", +1, LONG),
    Lever(
        "adi.discharge_weeks",
        0.0,
        12.0,
        "adi_users_share_65",
        -1,
        LONG,
        why="more repeat episodes for the recently discharged leave fewer for new users",
    ),
    Lever(
        "municipality.expansion_lag",
        4.0,
        39.0,
        "beneficiaries_per_1000",
        -1,
        {**LONG, **NO_CASH, "run.burn_in_weeks": 0},
        why="the burn-in's capacity reviews leave the contracted hours at the expansion "
        "ceiling (x4 for care and isolation) by week 0, so there is nothing left to order and "
        "the lag cannot delay it (with the burn-in, defaults, seeds 1-6: -0.53, SE 0.60); "
        "without it the first orders arrive in week 17 or 52 (-8.7, SE 1.2, seeds 1-4)",
    ),
    # structures: day-centre places from the structures part of the elderly area's budget
    Lever("structures.enabled", False, True, "municipal_spending_per_resident", +1, LONG),
    Lever("structures.care_share", 0.05, 0.3, "day_centre_users", +1, LONG),
    Lever("structures.day_cost", 30.0, 90.0, "day_centre_places", -1, LONG),
    Lever("structures.days_per_week", 3.0, 7.0, "day_centre_places", -1, LONG),
    Lever(
        "structures.care_hours",
        0.0,
        40.0,
        "unmet_care_hours",
        -1,
        {**LONG, "city.population": 20_000},
        seeds=(1, 2),
        why="20,000 residents: the 5,000-resident town funds 4 places, whose hours are within "
        "the noise of the city's unmet care hours",
    ),
    # municipal cash contributions (care, poverty)
    Lever("cash.enabled", False, True, "municipal_spending_per_resident", +1, LONG),
    Lever("cash.care_grant_share", 0.05, 0.6, "cash_users_care_per_1000", +1, LONG),
    Lever("cash.work_grant_share", 0.15, 1.0, "cash_users_work_per_1000", +1, LONG),
    Lever("cash.care_eur_year", 1_000.0, 4_000.0, "spending_cash_eur", +1, LONG),
    Lever("cash.work_eur_year", 300.0, 1_500.0, "spending_cash_eur", +1, LONG),
    Lever("cash.care_weeks", 13.0, 52.0, "cash_recipients", +1, LONG),
    Lever("cash.work_weeks", 4.0, 52.0, "cash_recipients", +1, LONG),
    Lever("cash.care_isee_max", 5_000.0, 25_000.0, "cash_users_care_per_1000", +1, LONG),
    Lever("cash.work_isee_max", 3_000.0, 9_360.0, "cash_users_work_per_1000", +1, LONG),
    Lever(
        "cash.care_budget_share",
        0.002,
        0.126,
        "cash_users_care_per_1000",
        +1,
        LONG,
        why="a budget share below the demand caps the grants",
    ),
    Lever(
        "cash.work_budget_share",
        0.002,
        0.136,
        "cash_users_work_per_1000",
        +1,
        LONG,
        why="a budget share below the demand caps the grants",
    ),
    Lever("cash.work_protection", 0.0, 1.0, "unmet_share_work", -1, LONG),
    Lever("municipality.expansion_ceiling", 1.0, 4.0, "beneficiaries_per_1000", +1, LONG),
    Lever("municipality.plan_share", 0.3, 0.95, "beneficiaries_per_1000", +1, LONG),
    Lever(
        "municipality.line_shares",
        [0.02, 0.07, 0.087],
        [0.5, 0.07, 0.087],
        "sad_users_share_65",
        +1,
        LONG,
        why="the care line's plan buys home-help hours beyond the calibrated contract when its "
        "list wants them; a line does not spend another's plan",
    ),
    Lever("city.residents_per_social_worker", 2000.0, 10000.0, "mean_wait_weeks", +1),
    Lever("office.social_workers", 1, 4, "mean_wait_weeks", -1),
    Lever("office.hours_per_week", 18.0, 40.0, "mean_wait_weeks", -1),
    Lever("office.assessment_share", 0.3, 1.0, "mean_wait_weeks", -1),
    Lever("office.assessment_hours", 1.0, 6.0, "mean_wait_weeks", +1),
    Lever("office.salary", 30000.0, 60000.0, "spending_staff_eur", +1),
    Lever(
        "eligibility.isee_max", [10000.0, 1e9, 5000.0], [40000.0, 1e9, 20000.0], "waiting_list", +1
    ),
    Lever("helpseeking.awareness", 0.3, 0.95, "arrivals_per_week", +1),
    Lever("helpseeking.trust_mean", 0.3, 0.9, "arrivals_per_week", +1),
    Lever("helpseeking.ask_rate", [2.0, 0.5, 1.0], [12.0, 3.0, 6.0], "arrivals_per_week", +1),
    Lever("helpseeking.stigma", [0.0, 0.0, 0.0], [0.6, 0.6, 0.6], "arrivals_per_week", -1),
    Lever("helpseeking.distance_decay_km", 1.0, 20.0, "arrivals_per_week", +1),
    Lever("helpseeking.frail_access", 0.1, 1.0, "arrivals_per_week", +1),
    Lever("helpseeking.reapply_after", 4.0, 104.0, "arrivals_per_week", -1),
    # --- shocks and transitions -----------------------------------------------------------------
    Lever("shock.pandemic", False, True, "people_with_unmet_need", +1),
    Lever("shock.pandemic_capacity", 0.2, 1.0, "coverage", +1, PAN),
    Lever("shock.pandemic_need", 1.0, 3.0, "people_with_need", +1, PAN),
    Lever("shock.pandemic_office_access", 0.1, 1.0, "arrivals_per_week", +1, PAN),
    Lever("shock.heatwave", False, True, "crises", +1),
    Lever("shock.heat_need", 1.0, 5.0, "people_with_need", +1, HEAT),
    Lever("shock.heat_crisis", 1.0, 5.0, "crises", +1, HEAT),
    Lever(
        "transitions.ageing_from_week",
        -1,
        0,
        "residential_care",
        +1,
        {"transitions.ageing_flow": [0.02, 0.015, 0.01], **LONG},
        seeds=(1, 2, 3),
        why=AGEING_WHY,
    ),
    Lever(
        "transitions.ageing_flow",
        [0.0, 0.0, 0.0],
        [0.02, 0.015, 0.01],
        "residential_care",
        +1,
        {"transitions.ageing_from_week": 0, **LONG},
        seeds=(1, 2, 3),
        why=AGEING_WHY,
    ),
    Lever(
        "transitions.digital_from_week",
        -1,
        0,
        "platform_users",
        +1,
        {**DIGITAL_ONLY, "transitions.digital_rate": 0.5},
        why="a digital-only platform: new skills open it to more residents in need",
    ),
    Lever(
        "transitions.digital_rate",
        0.0,
        0.5,
        "platform_users",
        +1,
        {**DIGITAL_ONLY, "transitions.digital_from_week": 0},
    ),
    Lever(
        "transitions.digital_age_weights",
        [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        "platform_users",
        +1,
        {
            **DIGITAL_ONLY,
            **NO_CASH,
            "transitions.digital_from_week": 0,
            "transitions.digital_rate": 0.2,
        },
        seeds=(1, 2, 3),
        known_issue="no effect measurable at this size: mean paired difference over seeds 1-8 "
        "+0.25 (SE 3.1) platform users before the burn-in's redraw of weeks in service, -0.05 "
        "(SE 2.3) after; seeds 1-3 gave +5.0 before, -3.4 after (the row passed on noise)",
        why="skills gained by the old (who have most care needs) rather than the young bring "
        "more people in need to a digital-only platform; a slow rate so that neither "
        "group runs out of residents without skills",
    ),
]

_CACHE: dict[tuple[str, str, int], dict[str, float]] = {}


UNCALIBRATED = {
    "marketplace.rating_noise",
    "community.max_peer_hours",
}
"""Rows tested at the declared defaults, without the city's calibrated layer (issue 12): with
the calibrated Bergamo their effect vanished in the fresh-clone CI of 2026-12-07 (peer hours
82.85 at both caps, reputation +0.002) and their premises were not yet rebuilt for it; the
defaults are where the rows were designed. (municipality.expansion_lag, once here, is tested
calibrated without the burn-in: see its row.)"""


def end_of_run(
    scenario: str, params: Mapping[str, Any], seed: int, calibrated: bool = True
) -> dict[str, float]:
    """Summary of one small run (cached: low values and defaults recur across rows)."""
    key = (scenario, repr(sorted(params.items())), seed, calibrated)
    if key not in _CACHE:
        base = load_scenario(scenario, calibrated=calibrated)
        model = WelfareModel(base, seed=seed, params={**SMALL, **params})
        model.run()
        _CACHE[key] = summary(model)
        model.release()
    return _CACHE[key]


def paired(lever: Lever) -> tuple[float, float, float]:
    """Mean low level, mean high level and mean paired difference (high - low) over the seeds."""
    lows, highs = [], []
    for seed in lever.seeds:
        runs = [
            end_of_run(
                lever.scenario,
                {**lever.given, lever.key: value},
                seed,
                calibrated=lever.key not in UNCALIBRATED,
            )[lever.indicator]
            for value in (lever.low, lever.high)
        ]
        lows.append(runs[0])
        highs.append(runs[1])
    low, high = np.array(lows), np.array(highs)
    return float(low.mean()), float(high.mean()), float((high - low).mean())


def lever_keys() -> set[str]:
    """Every parameter that must be tested or excluded."""
    return {k for k, p in PARAMETERS.items() if p.group in LEVER_GROUPS} | set(CITY_LEVERS)


def test_every_lever_is_tested_or_excluded():
    tested = {lever.key for lever in LEVERS}
    missing = sorted(lever_keys() - tested - set(EXCLUDED))
    assert not missing, f"levers with no test in LEVERS and no reason in EXCLUDED: {missing}"
    both = sorted(tested & set(EXCLUDED))
    assert not both, f"levers both tested and excluded: {both}"
    unknown = sorted((tested | set(EXCLUDED)) - set(PARAMETERS))
    assert not unknown, f"unknown parameter keys in the lever table: {unknown}"
    groups = {p.group for p in PARAMETERS.values()}
    unclassified = sorted(groups - set(LEVER_GROUPS) - set(NON_LEVER_GROUPS))
    assert not unclassified, (
        f"registry groups neither in LEVER_GROUPS nor in NON_LEVER_GROUPS: {unclassified}"
    )


def test_the_table_is_well_formed():
    ids = [lever.id for lever in LEVERS]
    assert len(ids) == len(set(ids)), "duplicate rows: give them distinct tags"
    for lever in LEVERS:
        assert lever.indicator in INDICATORS, f"{lever.id}: unknown indicator {lever.indicator}"
        assert lever.sign in (-1, 1), f"{lever.id}: sign must be +1 or -1"
        assert lever.key not in lever.given, f"{lever.id}: the lever is also in 'given'"
        for value in (lever.low, lever.high):
            PARAMETERS[lever.key].validate(value)
        assert lever.low != lever.high, f"{lever.id}: low and high are the same"


def _case(lever: Lever) -> Any:
    marks = pytest.mark.xfail(strict=True, reason=lever.known_issue) if lever.known_issue else ()
    return pytest.param(lever, id=lever.id, marks=marks)


@pytest.mark.parametrize("lever", [_case(lever) for lever in LEVERS])
def test_lever_moves_its_indicator(lever: Lever):
    low, high, diff = paired(lever)
    word = "raise" if lever.sign > 0 else "lower"
    assert np.isfinite(diff), f"{lever.id}: {lever.indicator} is undefined (low {low}, high {high})"
    assert lever.sign * diff > lever.margin * max(abs(low), abs(high)), (
        f"{lever.id} from {lever.low} to {lever.high} should {word} {lever.indicator}: "
        f"{low:.4g} -> {high:.4g} (mean paired difference {diff:+.4g} over seeds "
        f"{lever.seeds}, margin {lever.margin:.0%})"
    )
