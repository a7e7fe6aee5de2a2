"""Transitions: ageing and rising digital skills move the population at the declared pace, from
their start week only, on their own random stream."""

from __future__ import annotations

import numpy as np
import pytest

from willsim import WelfareModel
from willsim.citizens import CARE
from willsim.collector import OVERALL_KEYS
from willsim.units import WEEKS_PER_YEAR

SMALL = {"city.population": 20_000, "run.mesa_citizens": False}
FLOW = [0.02, 0.015, 0.01]  # fast, so that two years move the shares well beyond noise


def _model(weeks: int, seed: int = 7, **params) -> WelfareModel:
    return WelfareModel("baseline", seed=seed, params={**SMALL, "run.weeks": weeks, **params})


def _band_counts(model: WelfareModel) -> np.ndarray:
    return np.bincount(model.citizens.age_band, minlength=6)


def test_ageing_raises_the_old_shares_at_the_declared_flows_and_conserves_residents():
    weeks = 2 * WEEKS_PER_YEAR
    model = _model(weeks, **{"transitions.ageing_from_week": 0, "transitions.ageing_flow": FLOW})
    n = model.citizens.n
    before = _band_counts(model)
    model.run()
    after = _band_counts(model)
    assert model.citizens.n == n and after.sum() == n  # nobody created or lost
    # the young bands keep their size: deaths are replaced within the band, nobody ages into them
    assert after[0] == before[0] and after[1] == before[1]
    years = weeks / WEEKS_PER_YEAR
    for k, flow in enumerate(FLOW):  # 65+, 75+, 85+
        rise = (after[3 + k :].sum() - before[3 + k :].sum()) / n
        assert rise == pytest.approx(flow * years, rel=0.03), k
    assert model.transitions.aged_total == pytest.approx(sum(FLOW) * years * n, rel=0.03)
    model.release()


def test_ageing_raises_care_need_prevalence():
    """Movers bring their old band's prevalence and relax towards the new band's. Since the
    burn-in holds each band's prevalence with the measured status-quo chain (formal care and
    residential care included) this takes years: after two years the rise was 4-11% of the
    equilibrium rise over seeds 7-9 (20,000 residents), within noise of the 10% bound; after
    four years 17-23%."""
    weeks = 4 * WEEKS_PER_YEAR
    still, ageing = (
        _model(weeks),
        _model(weeks, **{"transitions.ageing_from_week": 0, "transitions.ageing_flow": FLOW}),
    )
    still.run()
    ageing.run()

    def care_prevalence(m: WelfareModel) -> float:
        """As the target prevalence is defined (care_need_share_65): residents of residential
        care count as having a care need (their need level at home is 0)."""
        c = m.citizens
        return float(np.mean((c.need_level[CARE] > 0) | c.residential))

    # each mover's band has a higher target prevalence; needs arise over time, so after four
    # years the rise is clearly positive but below the rise at equilibrium
    target = np.asarray(still.params["needs.care_prevalence_by_age"])
    years = weeks / WEEKS_PER_YEAR
    equilibrium = sum(f * years * (target[3 + k] - target[2 + k]) for k, f in enumerate(FLOW))
    rise = care_prevalence(ageing) - care_prevalence(still)
    assert 0.1 * equilibrium < rise < equilibrium
    # and it shows in the indicators: more residents with a need in the second year
    second_year = slice(WEEKS_PER_YEAR, weeks)
    col = OVERALL_KEYS.index("people_with_need")
    assert (
        ageing.collector.overall[second_year, col].mean()
        > still.collector.overall[second_year, col].mean()
    )
    still.release()
    ageing.release()


def test_digital_skills_rise_at_about_the_declared_rate_and_the_young_faster():
    rate = 0.2
    model = _model(
        WEEKS_PER_YEAR, **{"transitions.digital_from_week": 0, "transitions.digital_rate": rate}
    )
    c = model.citizens
    without_before = ~c.digital.copy()
    bands = c.age_band.copy()
    model.run()
    gained = model.transitions.digital_total
    # over a year the pool of residents without skills gains them at the yearly rate
    assert gained / without_before.sum() == pytest.approx(rate, rel=0.1)
    newly = without_before & c.digital

    def share_gained(band: int) -> float:
        pool = without_before & (bands == band)
        return float(newly[pool].mean())

    young, middle, old = share_gained(1), share_gained(2), share_gained(5)
    assert young > middle > old
    weights = np.array([1.0, 1.0, 0.8, 0.5, 0.25, 0.1])  # the declared default pace by age
    assert old / young == pytest.approx(weights[5] / weights[1], abs=0.1)
    model.release()


def test_nothing_changes_before_the_start_week():
    start, weeks = 20, 30
    plain = _model(weeks)
    timed = _model(
        weeks,
        **{
            "transitions.ageing_from_week": start,
            "transitions.ageing_flow": FLOW,
            "transitions.digital_from_week": start,
            "transitions.digital_rate": 0.3,
        },
    )
    for _ in range(start):
        plain.step()
        timed.step()
    assert timed.transitions.rng is None  # its stream was never drawn from
    np.testing.assert_array_equal(plain.citizens.age_band, timed.citizens.age_band)
    np.testing.assert_array_equal(plain.citizens.digital, timed.citizens.digital)
    np.testing.assert_array_equal(plain.collector.overall[:start], timed.collector.overall[:start])
    plain.run()
    timed.run()
    assert timed.transitions.aged_total > 0 and timed.transitions.digital_total > 0
    assert (timed.citizens.age_band != plain.citizens.age_band).any()
    plain.release()
    timed.release()


def test_runs_without_transitions_are_bit_identical():
    """Declaring paces but never starting leaves every indicator bit-identical."""
    weeks = 26
    plain = _model(weeks)
    off = _model(weeks, **{"transitions.ageing_flow": FLOW, "transitions.digital_rate": 0.5})
    plain.run()
    off.run()
    assert off.transitions.rng is None
    np.testing.assert_array_equal(plain.collector.overall, off.collector.overall)
    np.testing.assert_array_equal(plain.collector.groups, off.collector.groups)
    plain.release()
    off.release()


@pytest.mark.parametrize("name", ["ageing-city", "digital-transition"])
def test_transition_scenarios_switch_their_transition_on(name):
    model = WelfareModel(name, params={**SMALL, "city.population": 5_000, "run.weeks": 10})
    model.run()
    t = model.transitions
    moved = t.aged_total if name == "ageing-city" else t.digital_total
    assert moved > 0
    model.release()
