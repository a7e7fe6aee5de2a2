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
    """A city whose list is a ranking by need score (Veneto's rule; the baseline is Bergamo,
    whose RSA keep their own lists by date, so the rule is set here)."""
    model = _model(
        **{"run.weeks": 1, "run.burn_in_weeks": 0, "city.residential_admission_by_need": True}
    )
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


def _one_free_place(model: WelfareModel, levels: list[int], weeks: list[int]) -> np.ndarray:
    """Three residents at home apply at ``weeks`` with care ``levels``; one RSA resident dies."""
    rsa, c = model.residential, model.citizens
    home = np.flatnonzero((c.age_band >= 3) & ~c.residential & (c.need_level[CARE] > 0))[:3]
    c.need_level[CARE][home] = levels
    for person, week in zip(home, weeks, strict=True):
        rsa.apply(model, np.array([person]), week=week)
    dead = np.flatnonzero(c.residential)[:1]
    model.forget(dead)
    c.residential[dead] = False
    rsa.renege_p = rsa.apply_p = 0.0
    return home


def test_a_list_by_date_admits_the_longest_wait_whatever_the_level() -> None:
    """Lombardy's rule (each RSA's own list): the earliest application gets the place."""
    model = _model(
        **{"run.weeks": 1, "run.burn_in_weeks": 0, "city.residential_admission_by_need": False}
    )
    c = model.citizens
    home = _one_free_place(model, [2, 4, 4], [-5, -3, -1])
    model.residential.step(model, 0)
    assert c.residential[home[0]] and not c.residential[home[1:]].any()
    assert model.residential.level_in[home[0]] == 2


def test_rsa_mortality_weight_falls_with_the_level_at_admission() -> None:
    """An RSA resident admitted at level 4 weighs residential.mortality_multiplier; each level
    lower divides it by needs.care_mortality_multiplier; residents at home are not read."""
    model = _model(
        **{
            "run.weeks": 1,
            "run.burn_in_weeks": 0,
            "needs.care_mortality_multiplier": 2.0,
            "residential.mortality_multiplier": 16.0,
            "city.residential_admission_by_need": False,
        }
    )
    rsa, c = model.residential, model.citizens
    home = _one_free_place(model, [2, 4, 4], [-5, -3, -1])
    rsa.step(model, 0)
    assert rsa.mortality_weight()[home[0]] == pytest.approx(16.0 / 4.0)
    inside = np.flatnonzero(c.residential & (rsa.level_in == 4))
    assert inside.size and np.allclose(rsa.mortality_weight()[inside], 16.0)
    hazard = model.needs.hazard(model, 0)
    same_band = inside[c.age_band[inside] == c.age_band[home[0]]]
    if same_band.size:
        assert hazard[home[0]] == pytest.approx(hazard[same_band[0]] / 4.0)


def test_a_temporary_stay_ends_at_home_with_the_need_it_came_with() -> None:
    weeks = 5
    model = _model(
        **{
            "run.weeks": 1,
            "run.burn_in_weeks": 0,
            "city.residential_admission_by_need": True,
            "residential.temporary_share": 1.0,
            "residential.temporary_weeks": weeks,
        }
    )
    rsa, c = model.residential, model.citizens
    home = _one_free_place(model, [3, 4, 2], [-5, -3, -1])
    rsa.step(model, 0)
    person = home[1]
    assert c.residential[person] and rsa.stay_end[person] == weeks
    assert (rsa.stay_end[c.residential & (rsa.stay_end != rsa.stay_end[person])] > 10**9).all()
    for week in range(1, weeks):
        rsa.step(model, week)
        assert c.residential[person]
    rsa.step(model, weeks)
    assert not c.residential[person] and rsa.discharged >= 1
    assert c.need_level[CARE][person] == 4 and rsa.level_in[person] == 0


def test_rsa_stock_is_conserved_admissions_minus_deaths_minus_discharges() -> None:
    """Every week: stock change = admissions - deaths in the RSA - discharges (a run with
    temporary stays, so all three flows occur); the stock never exceeds its places."""
    model = _model(
        **{
            "run.weeks": 104,
            "run.burn_in_weeks": 0,
            "residential.temporary_share": 0.5,
            "residential.temporary_weeks": 6,
        }
    )
    rsa, c = model.residential, model.citizens
    stock = int(np.count_nonzero(c.residential))
    flows = np.zeros(3)
    while model.running:
        model.step()
        now = int(np.count_nonzero(c.residential))
        assert now - stock == rsa.admitted - rsa.exits - rsa.discharged
        assert now <= rsa.places
        flows += (rsa.admitted, rsa.exits, rsa.discharged)
        stock = now
    assert (flows > 0).all()


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


@pytest.mark.slow
def test_padova_stay_reaches_its_target_with_temporary_stays_at_the_life_table() -> None:
    """Padova (calibrated layer), 10,000 residents, 2 seeds x 3 reported years, 60% of
    admissions temporary stays of 6 weeks (inside the prior 0-0.7): the mean stay (Little's
    law) within the target's 31.1 +/- 8 weeks, the RSA share of 65+ within its 1.79% +/- 0.8
    points, and deaths at the age-weighted life table within 4 Poisson standard errors (the
    discharges shift no deaths). Without temporary stays the stay was 66-68 weeks."""
    weeks = 156
    stay, share, deaths, expected = [], [], 0.0, 0.0
    for seed in (1, 2):
        scenario = load_scenario("baseline", city="padova")
        model = WelfareModel(
            scenario,
            seed=seed,
            params={
                "run.residents": 10_000,
                "run.weeks": weeks,
                "residential.temporary_share": 0.6,
                "residential.temporary_weeks": 6,
            },
        )
        rate = model.needs.mortality[model.citizens.age_band].sum()
        model.run()
        s = summary(model)
        stay.append(s["residential_stay_weeks"])
        share.append(s["residential_share_65"])
        assert s["residential_discharges"] > 0
        deaths += s["deaths"] / model.citizens.weight
        expected += rate * weeks
    assert abs(np.mean(stay) - 31.1) <= 8.0, stay
    assert abs(np.mean(share) - 0.0179) <= 0.008, share
    assert abs(deaths - expected) <= 4 * np.sqrt(expected), (deaths, expected)


def test_discharges_are_journal_events_that_match_the_model_count() -> None:
    """Every end of a temporary stay is an ``rsa_discharged`` event of the residential phase."""
    from willsim.journal import follow

    model = _model(
        **{
            "run.residents": 5000,  # a journal follows at most 5,000 residents
            "run.weeks": 30,
            "run.burn_in_weeks": 0,
            "residential.temporary_share": 0.8,
            "residential.temporary_weeks": 4,
        }
    )
    journal = follow(model, k=model.citizens.n)
    counted: list[int] = []

    def count(m: WelfareModel, phase: str, week: int) -> None:
        if phase == "residential":
            counted.append(m.residential.discharged)

    model.observers.append(count)
    model.run()
    events = [e for line in journal.events_by for e in line if e.kind == "rsa_discharged"]
    assert len(events) == sum(counted) > 0
    assert all(e.phase == "residential" and e.rule == "rsa_discharge" for e in events)
    assert events[0].text("it").startswith("Rientro a casa")


@pytest.mark.xfail(
    strict=True,
    reason="known artefact (docs/ODD.md 8.4, found at stop 22): RSA mortality scales with the "
    "age band's life-table rate, so residents admitted at 65-74 stay for years and those "
    "admitted at 85+ die within weeks; Padova's stock is 50-62% aged 65-74 and 6-10% aged 85+. "
    "Strict: the repair makes this test pass and must remove the mark.",
)
def test_residents_aged_85_plus_are_a_large_share_of_residential_care() -> None:
    """Residential care is mostly for the oldest: residents aged 85+ are more than 40% of the
    RSA stock aged 65+ (an expectation, not a sourced figure: the calibration table has no row
    on the age mix of RSA residents, so the 40% is a lower bound on a direction, not a
    target). Padova (calibrated layer), 20,000 residents, 2 seeds x one
    reported year; the model gives 0.06-0.10."""
    shares = []
    for seed in (1, 2):
        model = WelfareModel(
            load_scenario("baseline", city="padova"),
            seed=seed,
            params={"run.residents": 20_000, "run.weeks": 52, "run.mesa_citizens": False},
        )
        model.run()
        shares.append(summary(model)["residential_share_85"])
        model.release()
    assert np.mean(shares) > 0.4, shares
