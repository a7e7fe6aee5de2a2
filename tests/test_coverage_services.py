"""Partial help, crisis risk by coverage, waiting lists, the budget, capacity under sampling, ADI.

Statistical checks state their tolerance; seeds are fixed, so every test is deterministic.
"""

from __future__ import annotations

import numpy as np

from willsim.citizens import CARE, SERVED
from willsim.units import to_weekly

NO_SERVICES: dict[str, object] = {"providers__hours_per_1000": [0.0, 0.0, 0.0]}


# --- coverage: partial help is partial ---------------------------------------------------------


def test_coverage_is_hours_received_over_hours_needed(small_model, phase_hook):
    """Family hours only (no private, no services): coverage = min(1, family / need)."""
    model = small_model(
        run__weeks=6,
        services__informal_hours=[12.0, 4.0],
        services__private_uptake=[0.0] * 4,
        **NO_SERVICES,
    )
    level_hours = np.r_[0.0, model.params.array("needs.care_level_hours")]
    checked = []

    def check(m, week):
        c, cov = m.citizens, m.coverage
        care = (c.need_level[CARE] > 0) & ~c.residential
        need = level_hours[c.need_level[CARE][care]]
        family = np.where(c.living_alone[care], 4.0, 12.0)
        np.testing.assert_allclose(cov.fraction[care], np.minimum(family / need, 1.0))
        np.testing.assert_allclose(cov.unmet_hours[care], np.maximum(need - family, 0.0))
        assert (cov.fraction[care] < 1).any() and (cov.fraction[care] == 1).any()
        checked.append(week)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert len(checked) == 6


def test_formal_hours_count_towards_a_care_need(small_model, phase_hook):
    """A served resident's formal hours raise their coverage by hours / need (the audit's D4:
    8 + 1.5 < 12.8 h meant formal care never counted)."""
    model = small_model(run__weeks=30, services__private_uptake=[0.0] * 4)
    level_hours = np.r_[0.0, model.params.array("needs.care_level_hours")]
    family_hours = model.params.array("services.informal_hours")
    formal = model.params.array("services.hours_per_case")[CARE]
    seen = []

    def check(m, week):
        c, cov = m.citizens, m.coverage
        served = np.flatnonzero((c.status[CARE] == SERVED) & ~c.residential)
        if served.size == 0:
            return
        need = level_hours[c.need_level[CARE][served]]
        family = family_hours[c.living_alone[served].astype(int)]
        received = family + formal + m.marketplace.care_hours[served]
        received += m.community.care_hours[served]
        np.testing.assert_allclose(cov.fraction[served], np.minimum(received / need, 1.0))
        seen.append(served.size)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert sum(seen) > 50


def test_crisis_risk_falls_in_proportion_to_coverage(small_model, phase_hook):
    """Observed care crises match risk = unmet risk x (1 - (1 - met_multiplier) x coverage):
    split by coverage (below or above one half), each within four Poisson standard errors."""
    model = small_model(
        run__weeks=52,
        city__population=20_000,
        crises__work=0.0,
        crises__met_multiplier=0.2,
        crises__isolation_multiplier=1.0,
    )
    p = model.params
    weekly = np.r_[0.0, to_weekly(p.array("crises.care_by_level"), "prob/year")]
    tally = {"low": [0.0, 0], "high": [0.0, 0]}
    state = {}

    def before(m, week):
        c = m.citizens
        cov = m.coverage.fraction
        risk = weekly[c.need_level[CARE]] * (1.0 - 0.8 * cov) * ~c.residential
        state["risk"], state["high"] = risk, cov >= 0.5

    def after(m, week):
        crisis = m.crises.care_crisis
        for name, sel in (("low", ~state["high"]), ("high", state["high"])):
            tally[name][0] += state["risk"][sel].sum()
            tally[name][1] += crisis[sel].sum()

    phase_hook(model, "crises", before=before, after=after)
    model.run()
    for name, (expected, observed) in tally.items():
        assert expected > 30, name
        assert abs(observed - expected) <= 4 * np.sqrt(expected) + 2, (name, observed, expected)


def test_more_formal_hours_raise_coverage(small_model, series):
    """Same seed, same cases: 8 formal hours a case instead of 1.5 (capacity and budget scaled
    alike) raise care coverage and lower unmet care hours."""
    common = {"run__weeks": 52, "city__population": 20_000, "municipality__budget_multiplier": 10}
    low = small_model(**common)
    high = small_model(
        **common,
        services__hours_per_case=[8.0, 2.0, 3.0],
        providers__hours_per_1000=[5.0 * 8 / 1.5, 4.0, 2.0],
    )
    low.run()
    high.run()
    assert series(high, "care_coverage").mean() > series(low, "care_coverage").mean()
    assert series(high, "unmet_care_hours").mean() < series(low, "unmet_care_hours").mean()


def test_domain_shares_and_headline_agree(small_model, series):
    model = small_model(run__weeks=8)
    model.run()
    for key in ("unmet_share_care", "unmet_share_isolation", "unmet_share_work"):
        s = series(model, key)
        assert np.all((s >= 0) & (s <= 1)), key
    assert np.all(series(model, "severe_unmet_share") <= 1)
    assert np.all(series(model, "family_only_share") <= 1)
