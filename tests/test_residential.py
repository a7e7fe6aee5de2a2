"""Mortality at the life table, residential care, NEET status and housing loss (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

from willsim.citizens import CARE
from willsim.mechanisms.crises import independent_adults
from willsim.mechanisms.needs import stationary_care
from willsim.model import WelfareModel
from willsim.population import exact_age_bands
from willsim.results import summary
from willsim.scenario import load_scenario


def _model(**params):
    return WelfareModel("baseline", seed=11, params={"run.residents": 6000, **params})


def test_each_band_dies_at_its_life_table_rate() -> None:
    """Care levels and residential care only redistribute deaths within a band: at the
    weights the normaliser was set from, expected deaths per week are the band rates times the
    band sizes, whatever the multipliers (no burn-in: frozen at week 0's distribution)."""
    for mult in (1.0, 2.5):
        model = _model(
            **{"run.weeks": 1, "run.burn_in_weeks": 0, "needs.care_mortality_multiplier": mult}
        )
        c, needs = model.citizens, model.needs
        hazard = needs.hazard(model, 0)
        bands = needs.mortality.size
        expected = np.bincount(c.age_band, weights=hazard, minlength=bands)
        life_table = needs.mortality * np.bincount(c.age_band, minlength=bands)
        np.testing.assert_allclose(expected, life_table, rtol=1e-9)


def test_from_week_0_a_resident_s_hazard_depends_only_on_their_own_state() -> None:
    model = _model(**{"run.weeks": 2, "run.burn_in_weeks": 60})
    before = model.needs.hazard(model, 0).copy()
    c = model.citizens
    home = np.flatnonzero((c.need_level[CARE] > 1) & ~c.residential)[:50]
    c.need_level[CARE][home] -= 1  # lower some residents' care levels
    after = model.needs.hazard(model, 0)
    others = np.setdiff1d(np.arange(c.n), home)
    np.testing.assert_array_equal(before[others], after[others])
    assert (after[home] < before[home]).all()


def test_deaths_per_1000_match_the_life_table_statistically() -> None:
    """Over 3 seeds x 2 years x 6,000 residents (about 400 deaths) the crude death rate is the
    age-weighted life table's within 4 standard errors (Poisson)."""
    deaths, expected = 0.0, 0.0
    for seed in (1, 2, 3):
        model = WelfareModel(
            "baseline", seed=seed, params={"run.residents": 6000, "run.weeks": 104}
        )
        rate = model.needs.mortality[model.citizens.age_band].sum()
        model.run()
        deaths += summary(model)["deaths"] / model.citizens.weight
        expected += rate * 104
        assert summary(model)["deaths_per_1000"] == pytest.approx(
            model.collector.overall[:, model.collector.index["deaths_per_1000"]].mean()
        )
    assert abs(deaths - expected) <= 4 * np.sqrt(expected)


def test_exact_age_bands_follow_the_shares() -> None:
    rng = np.random.default_rng(0)
    bands = exact_age_bands(1001, [0.5, 0.25, 0.25], rng)
    assert np.bincount(bands).tolist() in ([501, 250, 250], [500, 251, 250], [500, 250, 251])


def test_stationary_care_holds_prevalence_and_sums_to_one() -> None:
    params = load_scenario("baseline").params
    shares, onset = stationary_care(params)
    assert shares.shape == (6, 4)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (onset >= 0).all() and onset[-1] > onset[3]


def test_residential_starts_full_and_never_exceeds_its_places() -> None:
    model = _model(**{"run.weeks": 52, "run.burn_in_weeks": 0})
    rsa, c = model.residential, model.citizens
    old = c.age_band >= 3
    assert rsa.places == round(model.params["city.residential_places_65"] * old.sum())
    assert rsa.stock == rsa.places > 0
    while model.running:
        model.step()
        assert np.count_nonzero(c.residential) <= rsa.places
        assert not (c.residential & (c.age_band < 3)).any()
        assert not (c.need_level[:, c.residential] > 0).any()
    s = summary(model)
    assert s["residential_share_65"] == pytest.approx(
        model.params["city.residential_places_65"], rel=0.05
    )
    assert s["residential_admissions"] > 0 and s["residential_stay_weeks"] > 0


def test_the_rsa_list_admits_by_care_level_then_date_and_frees_places_by_death() -> None:
    model = _model(**{"run.weeks": 1, "run.burn_in_weeks": 0})
    rsa, c = model.residential, model.citizens
    home = np.flatnonzero((c.age_band >= 3) & ~c.residential & (c.need_level[CARE] > 0))[:3]
    c.need_level[CARE][home] = [2, 4, 4]
    rsa.apply(model, home[[0]], week=-5)  # level 2, applied first
    rsa.apply(model, home[[1]], week=-3)
    rsa.apply(model, home[[2]], week=-1)
    assert rsa.waiting[home].all()
    # free exactly one place: a resident of the RSA dies
    dead = np.flatnonzero(c.residential)[:1]
    model.forget(dead)
    c.residential[dead] = False
    rsa.renege_p = rsa.apply_p = 0.0
    rsa.step(model, 0)
    assert c.residential[home[1]] and not c.residential[home[[0, 2]]].any()
    assert rsa.waiting[home[[0, 2]]].all() and rsa.exits == 1


def test_cost_split_of_residential_care() -> None:
    model = _model(**{"run.weeks": 1})
    model.step()
    rsa, c, muni = model.residential, model.citizens, model.municipality
    poor = np.count_nonzero(c.residential & (c.income_band == 0))
    assert muni.week_spending["residential"] == pytest.approx(rsa.stock * rsa.health_week)
    assert muni.week_spending["residential_fee"] == pytest.approx(
        poor * rsa.social_week * rsa.support
    )
    assert rsa.family_residential == pytest.approx(
        rsa.stock * rsa.social_week - muni.week_spending["residential_fee"]
    )


def test_neet_share_does_not_drift() -> None:
    """NEET 15-29 stays at the city's rate over 5 reported years (3 seeds, 10,000 residents):
    the yearly means of the last year within 1.5 points of the city's rate (the audit: +3.4
    points in five years before)."""
    last = []
    for seed in (1, 2, 3):
        model = WelfareModel(
            "baseline", seed=seed, params={"run.residents": 10_000, "run.weeks": 260}
        )
        youth = model.citizens.age_band == 1
        shares = []
        while model.running:
            model.step()
            shares.append(np.count_nonzero(model.citizens.neet & youth) / youth.sum())
        last.append(np.mean(shares[-52:]))
        rate = model.params["city.neet_rate"]
    assert abs(np.mean(last) - rate) <= 0.015


def test_housing_loss_only_for_adults_living_independently() -> None:
    model = _model(**{"run.weeks": 30, "crises.work": 0.9})
    c = model.citizens
    lost = np.zeros(c.n, dtype=bool)
    while model.running:
        model.step()
        lost |= model.crises.work_crisis
        assert not (model.crises.work_crisis & ~independent_adults(c)).any()
    assert lost.any()
    assert not (lost & (c.age_band == 0)).any()
    assert not (lost & (c.age_band >= 3) & ~c.living_alone).any()
    assert summary(model)["housing_loss_per_1000"] > 0
