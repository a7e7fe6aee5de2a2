"""Each mechanism on small populations with controlled parameters.

Statistical checks state their tolerance; the seeds are fixed, so every test is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from willsim.citizens import CARE, ISOLATION, WORK, Status
from willsim.mechanisms.needs import stationary_onset
from willsim.params import AGE_BANDS, DOMAINS
from willsim.population import isolation_prevalence
from willsim.units import to_weekly

NO_CRISES: dict[str, object] = {"crises__care_by_level": [0.0] * 4, "crises__work": 0.0}
"""Overrides that switch crises off (a crisis also makes a resident aware of the services)."""

NO_SERVICES: dict[str, object] = {"providers__hours_per_1000": [0.0, 0.0, 0.0]}
"""Overrides that leave providers without capacity (nobody can be served)."""

OLD_BANDS = (3, 4, 5)  # 65-74, 75-84, 85+
ALL_85 = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]  # city.age_shares: everyone 85+
NO_MORTALITY = {"needs__mortality_by_age": [0.0] * 6}
NO_RECOVERY = {
    "needs__care_recovery": 0.0,
    "needs__isolation_recovery": 0.0,
    "needs__work_recovery": 0.0,
}
EASY_ASKING = {  # everyone aware, fully trusting, close to the desk, no stigma
    "helpseeking__awareness": 1.0,
    "helpseeking__trust_mean": 1.0,
    "helpseeking__trust_sd": 0.0,
    "helpseeking__stigma": [0.0, 0.0, 0.0],
    "helpseeking__distance_decay_km": 100.0,
    "helpseeking__frail_access": 1.0,
}
FAST_OFFICE = {"office__assessment_share": 1.0, "office__assessment_hours": 0.5}


def prevalence_by_band(model, domain: int) -> np.ndarray:
    """Share of each band with a need in ``domain``; residents of residential care count as
    having a care need (the prevalence target's definition: care_need_share_65)."""
    c = model.citizens
    has = c.need_level[domain] > 0
    if domain == CARE:
        has = has | c.residential
    counts = np.bincount(c.age_band, minlength=len(AGE_BANDS))
    with_need = np.bincount(c.age_band, weights=has, minlength=len(AGE_BANDS))
    return np.divide(with_need, counts, out=np.full(len(AGE_BANDS), np.nan), where=counts > 0)


def binomial_tolerance(p: float, n: int, sigmas: float = 4.0) -> float:
    return sigmas * np.sqrt(p * (1 - p) / n)


# --- needs ------------------------------------------------------------------------------------


def test_stationary_onset_balances_inflow_and_outflow():
    p = np.array([0.0, 0.05, 0.3, 0.638])
    exit_rate = np.array([0.01, 0.002, 0.004, 0.01])
    h = stationary_onset(p, exit_rate)
    np.testing.assert_allclose((1 - p) * h, p * exit_rate)  # inflow = outflow at prevalence p
    assert h[0] == 0.0
    np.testing.assert_allclose(stationary_onset(p, 0.0), 0.0)  # no exits: no onsets
    np.testing.assert_allclose(stationary_onset(np.array([0.5]), 0.01), [0.01])
    # prevalence is clipped to 0.99 and the probability to [0, 1]
    assert stationary_onset(np.array([1.0]), 0.001)[0] == pytest.approx(0.099)
    assert stationary_onset(np.array([0.999]), 0.5)[0] == 1.0


def test_no_mortality_no_recovery_keeps_care_prevalence_at_target(small_model):
    """No exits means no onsets: each band keeps its drawn prevalence, close to the target."""
    model = small_model(
        run__weeks=52,
        city__population=20_000,
        **NO_MORTALITY,
        **NO_RECOVERY,
        **NO_CRISES,
        **NO_SERVICES,
    )
    assert not model.needs.care_onset.any()
    target = model.params.array("needs.care_prevalence_by_age")
    start = prevalence_by_band(model, CARE)
    model.run()
    end = prevalence_by_band(model, CARE)
    np.testing.assert_array_equal(start, end)
    counts = np.bincount(model.citizens.age_band, minlength=len(AGE_BANDS))
    for band in OLD_BANDS:  # tolerance: 4 binomial standard errors of the initial draw
        tol = binomial_tolerance(target[band], counts[band])
        assert abs(end[band] - target[band]) <= tol, AGE_BANDS[band]
    assert not (model.citizens.need_since[CARE] > 0).any()


def test_onsets_balance_recovery_without_mortality(small_model):
    """With recovery but no deaths, onsets keep care and isolation prevalence near target.

    Tolerance: 0.03 on the mean of the last eight weeks (2,000-4,000 residents per band).
    """
    model = small_model(
        run__weeks=52,
        city__population=10_000,
        city__age_shares=[0.0, 0.0, 0.0, 0.4, 0.3, 0.3],
        needs__care_recovery=0.4,
        **NO_MORTALITY,
        **NO_CRISES,
        **NO_SERVICES,
    )
    c = model.citizens
    care_target = model.params.array("needs.care_prevalence_by_age")
    iso_target = np.array(
        [
            isolation_prevalence(
                model.params, c.age_band[c.age_band == b], c.living_alone[c.age_band == b]
            ).mean()
            for b in OLD_BANDS
        ]
    )
    care, iso = [], []
    for week in range(model.weeks):
        model.step()
        if week >= model.weeks - 8:
            care.append(prevalence_by_band(model, CARE)[list(OLD_BANDS)])
            iso.append(prevalence_by_band(model, ISOLATION)[list(OLD_BANDS)])
    assert model.needs.care_onset[list(OLD_BANDS)].min() > 0  # onsets do happen
    np.testing.assert_allclose(np.mean(care, axis=0), care_target[list(OLD_BANDS)], atol=0.03)
    np.testing.assert_allclose(np.mean(iso, axis=0), iso_target, atol=0.03)


PREVALENCE_DRIFT_BUG = (
    "BUG: willsim/mechanisms/needs.py NeedDynamics.setup counts deaths as exits from a need "
    "(care e = mortality x care multiplier + ..., isolation and work e = recovery + mortality), "
    "but population.replace_residents gives each newcomer needs drawn at the target prevalence, "
    "so deaths do not lower prevalence; onsets are too high and prevalence drifts above target "
    "(85+: isolation 0.32 -> 0.37, care 0.64 -> 0.74 within three years without services)"
)


def test_isolation_prevalence_stays_at_target_with_mortality(small_model):
    """Everyone 85+, no services, no crises: isolation stays within 0.025 of target (3 years)."""
    model = small_model(run__weeks=156, city__age_shares=ALL_85, **NO_CRISES, **NO_SERVICES)
    c = model.citizens
    target = isolation_prevalence(model.params, c.age_band, c.living_alone).mean()
    late = []
    for week in range(model.weeks):
        model.step()
        if week >= model.weeks - 26:
            late.append(np.mean(c.need_level[ISOLATION] > 0))
    assert np.mean(late) == pytest.approx(target, abs=0.025)


def test_care_prevalence_stays_at_target_with_mortality(small_model, monkeypatch):
    """Everyone 85+, no services, no crises: care need stays within 0.03 of target (3 years)."""
    # at the declared defaults, not the calibrated city (issue 12): the mechanism is tested where
    # it was designed; with the calibrated layer this premise failed in the fresh-clone CI
    monkeypatch.setattr("willsim.scenario.load_calibrated", lambda city: None)
    model = small_model(run__weeks=156, city__age_shares=ALL_85, **NO_CRISES, **NO_SERVICES)
    target = model.params.array("needs.care_prevalence_by_age")[5]
    late = []
    for week in range(model.weeks):
        model.step()
        if week >= model.weeks - 26:
            late.append(np.mean(model.citizens.need_level[CARE] > 0))
    assert np.mean(late) == pytest.approx(target, abs=0.03)


# --- help-seeking -----------------------------------------------------------------------------


def test_no_awareness_means_no_requests(small_model, series, phase_hook):
    """Nobody knows the services: no requests, every eligible need goes unasked.

    Crises are off because a crisis (hospital discharge) makes a resident known to services.
    """
    model = small_model(run__weeks=30, helpseeking__awareness=0.0, **NO_CRISES)
    requests = []
    phase_hook(
        model, "helpseeking", after=lambda m, w: requests.append(m.helpseeking.requests.sum())
    )
    model.run()
    assert not model.citizens.aware.any()
    assert sum(requests) == 0
    assert series(model, "arrivals_per_week").sum() == 0
    assert not model.citizens.requested.any()
    np.testing.assert_array_equal(series(model, "non_take_up_share"), 1.0)
    assert series(model, "coverage").max() == 0.0


def test_full_awareness_and_high_ask_rates_request_most_needs(small_model, series):
    model = small_model(
        run__weeks=16, helpseeking__ask_rate=[52.0, 52.0, 52.0], **EASY_ASKING, **FAST_OFFICE
    )
    model.run()
    ntu = series(model, "non_take_up_share")
    assert ntu[-1] < 0.10
    assert ntu[-1] < ntu[0]
    c = model.citizens
    eligible = (c.need_level > 0) & (c.isee[None, :] <= model.office.isee_max[:, None])
    assert c.requested[eligible].mean() > 0.9


def test_access_falls_with_distance(small_model):
    model = small_model(
        run__weeks=1, helpseeking__distance_decay_km=2.0, helpseeking__frail_access=1.0
    )
    c = model.citizens
    access = model.helpseeking.access(model, np.arange(c.n))
    np.testing.assert_allclose(access, np.exp(-c.distance_km / 2.0), rtol=1e-6)
    order = np.argsort(c.distance_km)
    assert (np.diff(access[order]) <= 1e-12).all()


def test_far_residents_ask_less(small_model, phase_hook):
    """Weekly asking among latent isolation needs, near vs far from the desk.

    With a 1 km decay, each group's observed requests match the documented rate
    ``1 - exp(-ask_rate/52 x (1 - stigma) x trust x exp(-distance / 1 km))`` within four Poisson
    standard errors, and the near group asks several times more often than the far group.
    """
    ask_rate, stigma = 26.0, 0.2
    model = small_model(
        run__weeks=12,
        city__population=20_000,
        helpseeking__awareness=1.0,
        helpseeking__trust_mean=0.8,
        helpseeking__trust_sd=0.0,
        helpseeking__distance_decay_km=1.0,
        helpseeking__ask_rate=[6.0, ask_rate, 3.0],
        helpseeking__stigma=[0.1, stigma, 0.3],
        **NO_CRISES,
    )
    c = model.citizens
    near = c.distance_km < np.quantile(c.distance_km, 0.25)
    far = c.distance_km > np.quantile(c.distance_km, 0.75)
    tally = {"near": [0.0, 0.0, 0], "far": [0.0, 0.0, 0]}  # expected, observed, exposed
    latent = {}

    def before(m, week):
        latent["mask"] = (c.status[ISOLATION] == Status.LATENT) & ~c.residential
        rate = ask_rate / 52 * (1 - stigma) * c.trust * np.exp(-c.distance_km / 1.0)
        latent["p"] = -np.expm1(-rate)

    def after(m, week):
        asked = latent["mask"] & (c.status[ISOLATION] == Status.QUEUED)
        for name, group in (("near", near), ("far", far)):
            sel = latent["mask"] & group
            tally[name][0] += latent["p"][sel].sum()
            tally[name][1] += asked[sel].sum()
            tally[name][2] += sel.sum()

    phase_hook(model, "helpseeking", before=before, after=after)
    model.run()
    for name, (expected, observed, exposed) in tally.items():
        assert exposed > 1000, name
        assert abs(observed - expected) <= 4 * np.sqrt(expected) + 2, (name, observed, expected)
    rate_near = tally["near"][1] / tally["near"][2]
    rate_far = tally["far"][1] / tally["far"][2]
    assert rate_near > 3 * rate_far


# --- office -----------------------------------------------------------------------------------


def test_exogenous_requests_switch_off_residents_requests(small_model, series, phase_hook):
    rate = 8.0
    model = small_model(run__weeks=40, office__exogenous_requests=rate, **FAST_OFFICE)
    assert not model.helpseeking.enabled
    statuses = set()
    phase_hook(
        model,
        "helpseeking",
        after=lambda m, w: statuses.update(np.unique(m.citizens.status).tolist()),
    )
    model.run()
    c = model.citizens
    assert not c.requested.any()
    assert Status.QUEUED not in statuses
    assert not np.isin(
        c.status, [Status.QUEUED, Status.WAITLIST, Status.SERVED, Status.REFUSED]
    ).any()
    assert model.helpseeking.requests.sum() == 0
    arrivals = series(model, "arrivals_per_week")
    # Poisson arrivals at the set rate: the 40-week mean within 4 standard errors
    assert arrivals.mean() == pytest.approx(rate, abs=4 * np.sqrt(rate / arrivals.size))
    assert series(model, "assessments_started").sum() > 0.9 * arrivals.sum()
    assert series(model, "waiting_list").max() == 0


# --- eligibility ------------------------------------------------------------------------------


def test_everyone_above_the_threshold_is_refused(small_model, series, phase_hook):
    model = small_model(run__weeks=30, eligibility__isee_max=[0.0, 0.0, 0.0], **FAST_OFFICE)
    seen = set()
    phase_hook(
        model, "office", after=lambda m, w: seen.update(np.unique(m.citizens.status).tolist())
    )
    model.run()
    assert Status.REFUSED in seen
    assert Status.WAITLIST not in seen and Status.SERVED not in seen
    assert (model.citizens.status == Status.REFUSED).sum() > 0
    assert series(model, "coverage").max() == 0
    assert series(model, "spending_services_eur").sum() == 0
    assert series(model, "first_helped").sum() == 0


def test_means_test_decides_by_isee(small_model):
    threshold = 15_000.0
    model = small_model(
        run__weeks=30,
        eligibility__isee_max=[threshold] * 3,
        **FAST_OFFICE,
        helpseeking__awareness=1.0,
    )
    model.run()
    c = model.citizens
    placed = (c.status == Status.WAITLIST) | (c.status == Status.SERVED)
    refused = c.status == Status.REFUSED
    isee = np.broadcast_to(c.isee, c.status.shape)
    assert placed.any() and refused.any()
    assert (isee[placed] <= threshold).all()
    assert (isee[refused] > threshold).all()


# --- services ---------------------------------------------------------------------------------


def test_no_capacity_means_nobody_served_and_the_waiting_list_grows(small_model, series):
    model = small_model(run__weeks=40, **NO_SERVICES, **FAST_OFFICE)
    model.run()
    assert not (model.citizens.status == Status.SERVED).any()
    assert series(model, "coverage").max() == 0
    assert series(model, "first_helped").sum() == 0
    assert series(model, "spending_services_eur").sum() == 0
    waiting = series(model, "waiting_list")
    assert waiting[-1] > waiting[4] > 0
    assert waiting[20:].mean() > waiting[:20].mean()


def test_a_city_without_providers_runs(small_model, series):
    model = small_model(run__weeks=5, providers__count=[0.0, 0.0, 0.0])
    model.run()
    assert not (model.citizens.status == Status.SERVED).any()
    assert series(model, "coverage").max() == 0


def test_served_isolation_needs_resolve_faster(small_model, phase_hook):
    """Weekly end of isolation needs: served vs not served at the start of the week.

    Served: spontaneous recovery plus the service effect (1/year at quality 1), about 4x the
    spontaneous rate alone; never served during the week: the spontaneous rate (within 35%).
    Deaths are off, so every ended need is a recovery.
    """
    model = small_model(
        run__weeks=52,
        **NO_MORTALITY,
        **NO_CRISES,
        **FAST_OFFICE,
        helpseeking__awareness=1.0,
        helpseeking__ask_rate=[6.0, 52.0, 3.0],
        providers__hours_per_1000=[50.0, 200.0, 50.0],
        municipality__budget_multiplier=10.0,
    )
    c = model.citizens
    counts = {"served": [0, 0], "unserved": [0, 0]}  # [weeks at risk, needs ended]
    state = {}

    def before(m, week):
        served = c.status[ISOLATION] == Status.SERVED
        state["served"] = served
        state["unserved"] = (c.need_level[ISOLATION] > 0) & ~served

    def after(m, week):
        ended = c.need_level[ISOLATION] == 0
        # not served at any time this week (not placed this week either)
        state["unserved"] &= m.services.service_start[ISOLATION] != week
        for name in counts:
            counts[name][0] += state[name].sum()
            counts[name][1] += (state[name] & ended).sum()

    phase_hook(model, "needs", before=before)
    phase_hook(model, "crises", after=after)
    model.run()
    assert counts["served"][0] > 500 and counts["unserved"][0] > 500
    served = counts["served"][1] / counts["served"][0]
    unserved = counts["unserved"][1] / counts["unserved"][0]
    spontaneous = to_weekly(model.params["needs.isolation_recovery"], "prob/year")
    assert unserved == pytest.approx(spontaneous, rel=0.35)
    assert served > 2.5 * unserved


# --- coverage ---------------------------------------------------------------------------------


def test_ample_family_care_meets_every_care_need(small_model, series, phase_hook):
    # every resident has kin and nobody buys private care (bought whether or not family helps)
    model = small_model(
        run__weeks=10,
        services__informal_hours=[168.0, 168.0],
        services__family_available_alone=1.0,
        services__private_uptake=[0.0] * 4,
    )
    checked = []

    def check(m, week):  # right after the coverage phase (crises may change needs later)
        c, cov = m.citizens, m.coverage
        care = (c.need_level[CARE] > 0) & ~c.residential
        assert care.sum() > 100
        np.testing.assert_array_equal(cov.met[CARE], care)
        assert cov.unmet_hours.sum() == 0
        assert not cov.private_spending.any()
        checked.append(week)

    family = []  # the social quota families pay for residential care, each week
    phase_hook(model, "coverage", after=check)
    phase_hook(
        model, "residential", after=lambda m, w: family.append(m.residential.family_residential)
    )
    model.run()
    assert checked == list(range(10))
    assert series(model, "unmet_care_hours").max() == 0
    assert sum(family) > 0
    assert series(model, "out_of_pocket_eur").sum() == pytest.approx(
        sum(family) * model.citizens.weight
    )


def test_without_family_private_or_formal_care_no_care_need_is_met(small_model, phase_hook):
    model = small_model(
        run__weeks=10,
        services__informal_hours=[0.0, 0.0],
        services__private_uptake=[0.0] * 4,
        adi__enabled=False,
        cash__enabled=False,  # a care contribution buys private hours
        structures__enabled=False,  # a day-centre place gives formal hours
        **NO_SERVICES,
    )
    level_hours = np.r_[0.0, model.params.array("needs.care_level_hours")]
    checked = []

    def check(m, week):
        c, cov = m.citizens, m.coverage
        assert not cov.met[CARE].any()
        np.testing.assert_allclose(cov.unmet_hours, level_hours[c.need_level[CARE]])
        assert cov.out_of_pocket == 0
        checked.append(week)

    phase_hook(model, "coverage", after=check)
    model.run()
    assert len(checked) == 10


# --- crises -----------------------------------------------------------------------------------


def test_zero_risk_means_no_crises(small_model, series):
    model = small_model(run__weeks=52, **NO_CRISES)
    model.run()
    assert series(model, "crises").sum() == 0
    assert not model.citizens.crises.any()
    assert series(model, "residential_admissions").sum() >= 0  # by assessed need only
    assert model.crises.admitted == 0  # no referral after a crisis
    for key in ("spending_hospital_eur", "spending_housing_eur"):
        assert series(model, key).sum() == 0, key


def test_isolation_multiplies_crisis_risk(small_model, phase_hook):
    """Observed care crises match the documented risk, separately for isolated and not.

    risk = care_by_level (weekly) x (1 - (1 - met_multiplier) x care coverage) x
    isolation_multiplier if isolated;
    each group's count is within four Poisson standard errors of the summed risk.
    """
    mult = 4.0
    model = small_model(
        run__weeks=52, city__population=20_000, crises__work=0.0, crises__isolation_multiplier=mult
    )
    p = model.params
    weekly = np.r_[0.0, to_weekly(p.array("crises.care_by_level"), "prob/year")]
    tally = {"isolated": [0.0, 0], "not isolated": [0.0, 0]}  # expected, observed
    state = {}

    def before(m, week):
        c = m.citizens
        isolated = c.need_level[ISOLATION] > 0
        covered = m.coverage.fraction  # partial help lowers the risk in proportion
        risk = weekly[c.need_level[CARE]] * (1.0 - (1.0 - p["crises.met_multiplier"]) * covered)
        risk = risk * np.where(isolated, mult, 1.0) * ~c.residential
        state["risk"], state["isolated"] = risk, isolated

    def after(m, week):
        crisis = m.crises.care_crisis
        for name, sel in (("isolated", state["isolated"]), ("not isolated", ~state["isolated"])):
            tally[name][0] += state["risk"][sel].sum()
            tally[name][1] += crisis[sel].sum()

    phase_hook(model, "crises", before=before, after=after)
    model.run()
    for name, (expected, observed) in tally.items():
        assert expected > 30, name
        assert abs(observed - expected) <= 4 * np.sqrt(expected) + 2, (name, observed, expected)


def test_isolation_multiplier_raises_crisis_counts(small_model, series):
    """Same seed, multiplier 1 vs 4: more crises (about 1.5x; at least 1.2x required)."""
    common = {"run__weeks": 52, "city__population": 20_000, "crises__work": 0.0}
    low = small_model(**common, crises__isolation_multiplier=1.0)
    high = small_model(**common, crises__isolation_multiplier=4.0)
    low.run()
    high.run()
    assert series(high, "crises").sum() > 1.2 * series(low, "crises").sum()


# --- sampled population -----------------------------------------------------------------------


def test_sampled_population_is_weighted(small_model, series):
    model = small_model(run__weeks=5, city__population=20_000, run__residents=2000)
    assert model.citizens.n == 2000
    assert model.citizens.weight == pytest.approx(10.0)
    assert model.population_mode == "sampled"
    model.run()
    assert series(model, "residents") == pytest.approx(20_000.0)
    c = model.citizens
    with_need = np.count_nonzero((c.need_level > 0).any(axis=0) & ~c.residential)
    assert series(model, "people_with_need")[-1] == pytest.approx(10.0 * with_need)
    # budget and provider capacity scale with the simulated residents
    assert model.municipality.annual_budget == pytest.approx(
        2000
        * model.params["city.social_spending_per_capita"]
        * model.params["city.modelled_spending_share"]
    )


def test_full_population_mode(small_model):
    model = small_model(run__weeks=1)
    assert model.citizens.n == 5000 and model.citizens.weight == 1.0
    assert model.population_mode == "full"


def test_sampled_population_keeps_the_city_staffing(small_model, series):
    full = small_model(run__weeks=4, city__population=20_000)
    sampled = small_model(run__weeks=4, city__population=20_000, run__residents=2000)
    full.run()
    sampled.run()
    assert series(full, "social_workers")[-1] == pytest.approx(4.0)
    assert series(sampled, "social_workers")[-1] == pytest.approx(4.0, rel=0.25)
    assert series(sampled, "spending_staff_eur").sum() == pytest.approx(
        series(full, "spending_staff_eur").sum(), rel=0.25
    )


def test_every_domain_has_needs_in_a_small_city(small_model):
    model = small_model(run__weeks=1)
    for d, name in enumerate(DOMAINS):
        assert (model.citizens.need_level[d] > 0).sum() > 20, name
    assert (model.citizens.need_level[WORK] > 0).sum() > 0


def test_small_towns_have_fewer_providers_with_room_for_a_case_on_every_line(small_model):
    from willsim.model import provider_counts

    declared, per_case = np.array([1.0, 6.0, 4.0]), np.array([1.5, 2.0, 3.0])
    hours = lambda n: np.array([5.0, 4.0, 2.0]) * n / 1000  # noqa: E731
    assert provider_counts(declared, hours(121_316), per_case, 1.0) == [1, 6, 4]  # as declared
    assert provider_counts(declared, hours(20_000), per_case, 1.0) == [1, 6, 4]
    assert provider_counts(declared, hours(5_000), per_case, 1.0) == [1, 3, 1]
    # never fewer than the kind's domain sets (Third Sector: two), none if none declared
    assert provider_counts(declared, hours(500), per_case, 1.0) == [1, 2, 1]
    assert provider_counts(np.array([1.0, 0.0, 4.0]), hours(5_000), per_case, 1.0)[1] == 0
    model = small_model(run__weeks=52)  # 5,000 residents
    c, served = model.citizens, np.zeros(3)
    for _ in range(52):
        model.step()
        served += (c.status == Status.SERVED).sum(axis=1)
    assert (served > 0).all()  # care, isolation and work cases are all served
    for d in range(3):
        lines = model.services.full_capacity[:, d][model.services.serves[:, d]]
        assert (lines >= model.services.hours[d]).all()
