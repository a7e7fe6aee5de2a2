"""Proactive welfare: the outreach mechanism, its calibration to the trial (C1), and CRN."""

from __future__ import annotations

import numpy as np
import pytest
from crn import untouched_residents_agree

from willsim import WelfareModel
from willsim.citizens import CARE, LATENT, REFUSED, WORK
from willsim.results import summary
from willsim.validation.outreach_trial import PUBLISHED, run_trial

OUTREACH = {"outreach__enabled": True}
TOLERANCE = 0.25  # relative, on the ratios to control and on each arm's absolute enrolment
TRIAL_SEEDS = (11, 12, 13, 14, 15, 16, 17, 18)


@pytest.mark.slow
def test_trial_enrolment_matches_the_published_rct():
    """Control 6%, information 11%, information plus assistance 18% within nine months, and the
    ratios to control (1.83 and 3.0), each within 25%: arms pooled over eight seeds (about
    1,800 residents per arm; measured at calibration: 6.4%, 11.5% and 18.1%, seed SEs about
    0.8 points)."""
    results = [run_trial(seed=s, population=200_000) for s in TRIAL_SEEDS]
    size = {arm: sum(r.size[arm] for r in results) for arm in PUBLISHED}
    enrolled = {arm: sum(r.enrolment[arm] * r.size[arm] for r in results) for arm in PUBLISHED}
    rate = {arm: enrolled[arm] / size[arm] for arm in PUBLISHED}
    assert min(size.values()) > 1000
    for arm in PUBLISHED:
        assert rate[arm] == pytest.approx(PUBLISHED[arm], rel=TOLERANCE), (arm, rate)
    ratios = {arm: rate[arm] / rate["control"] for arm in PUBLISHED}
    published = {arm: PUBLISHED[arm] / PUBLISHED["control"] for arm in PUBLISHED}
    assert ratios["information"] == pytest.approx(published["information"], rel=TOLERANCE)
    assert ratios["assistance"] == pytest.approx(published["assistance"], rel=TOLERANCE)
    assert rate["control"] < rate["information"] < rate["assistance"]


def test_trial_arms_are_isolated_from_word_of_mouth():
    """Word of mouth never tells a shielded resident, however contagious it is."""
    model = WelfareModel(seed=2, run__weeks=1, city__population=5000, run__mesa_citizens=False)
    model.outreach.word_of_mouth = 1.0
    c, rng = model.citizens, model.streams["outreach"]
    c.aware[:] = False
    shielded = np.zeros(c.n, dtype=bool)
    shielded[np.arange(c.n) % 2 == 0] = True
    seeds = np.flatnonzero(~shielded)[:50]
    model.outreach.inform_effect = 1.0
    model.outreach.inform(model, seeds, rng, shielded=shielded)
    assert c.aware[seeds].all()
    assert not c.aware[shielded].any()
    assert c.aware.sum() > seeds.size  # the word spread among the others
    model.release()


def run(weeks=26, population=20_000, **overrides):
    model = WelfareModel(
        seed=3, run__weeks=weeks, city__population=population, run__mesa_citizens=False, **overrides
    )
    model.run()
    return model


def test_no_outreach_hours_means_no_proactive_takeups():
    model = run(**OUTREACH, outreach__hours_per_1000=0.0)
    s = summary(model)
    assert s["outreach_contacts"] == 0 and s["proactive_takeups"] == 0
    assert s["spending_outreach_eur"] == 0
    model.release()


def test_outreach_finds_needs_and_costs_money():
    off, on = run(), run(**OUTREACH)
    s_off, s_on = summary(off), summary(on)
    assert s_on["proactive_takeups"] > 0 and s_off["proactive_takeups"] == 0
    assert s_on["spending_outreach_eur"] > 0
    assert s_on["non_take_up_share"] < s_off["non_take_up_share"]
    off.release()
    on.release()


def test_risk_targeting_finds_more_needs_per_contact_than_random():
    found = {}
    for rule in ("random", "risk"):
        model = run(**OUTREACH, outreach__targeting=rule, outreach__take_charge=True)
        s = summary(model)
        found[rule] = s["proactive_takeups"] / s["outreach_contacts"]
        model.release()
    assert found["risk"] > found["random"]


def test_antennas_contact_only_ties_of_antennas():
    model = WelfareModel(
        seed=3, run__weeks=1, city__population=10_000, **OUTREACH, outreach__targeting="antennas"
    )
    model.step()
    c, out = model.citizens, model.outreach
    contacted = np.flatnonzero(out.last_contact == 0)
    near = set(np.concatenate([c.ties_of(a) for a in out.antennas]).tolist())
    assert contacted.size > 0 and set(contacted.tolist()) <= near
    model.release()


def test_antennas_report_exactly_their_ties_with_needs_without_help():
    """With certain noticing, the reports are the ties of antennas with a latent or refused need
    who were not contacted since it began (or are due again); with none, there are none."""
    model = WelfareModel(
        seed=4,
        run__weeks=3,
        city__population=5000,
        run__mesa_citizens=False,
        **OUTREACH,
        outreach__targeting="antennas",
        outreach__antenna_notice=[1.0, 1.0, 1.0],
    )
    model.step()
    model.step()
    c, out, week = model.citizens, model.outreach, model.week
    status = c.status[:, out.watched]
    unmet = (status == LATENT) | (status == REFUSED)
    old, new = out.watched[unmet.any(axis=0)][:2]
    out.last_contact[[old, new]] = week - 1  # both contacted last week ...
    c.need_since[:, old] = np.where(c.need_since[:, old] >= 0, week - 2, -1)  # needs seen then
    c.need_since[unmet[:, out.watched == new][:, 0], new] = week  # a need begun since: news
    expected = set()
    for i in np.concatenate([c.ties_of(a) for a in out.antennas]).tolist():
        last = out.last_contact[i]
        for d in range(c.need_level.shape[0]):
            without_help = c.status[d, i] in (LATENT, REFUSED)
            news = c.need_since[d, i] > last or week - last >= out.rescreen_after
            if without_help and news and not c.residential[i]:
                expected.add(i)
    reported = out.reports(model, week, model.streams["outreach"])
    assert reported.size == len(expected) > 0 and set(reported.tolist()) == expected
    assert new in expected and old not in expected
    out.unnoticed[:] = 1.0
    assert out.reports(model, week, model.streams["outreach"]).size == 0
    model.release()


def test_antennas_reach_residents_in_need_more_often_than_random_screening():
    """Share of contacts with a need without help (latent or refused) when contacted, on the same
    seeds: antennas report what they notice among their ties, random screening finds prevalence."""
    share = {}
    for rule in ("random", "antennas"):
        reached = contacted = 0
        for seed in (1, 2, 3):
            model = WelfareModel(
                seed=seed,
                run__weeks=26,
                city__population=10_000,
                run__mesa_citizens=False,
                **OUTREACH,
                outreach__targeting=rule,
                outreach__take_charge=False,
            )

            def count(model, phase, week):
                nonlocal reached, contacted
                if phase == "outreach":
                    who = np.flatnonzero(model.outreach.last_contact == week)
                    status = model.citizens.status[:, who]
                    reached += int(((status == LATENT) | (status == REFUSED)).any(axis=0).sum())
                    contacted += who.size

            model.observers.append(count)
            model.run()
            model.release()
        share[rule] = reached / contacted
    assert share["antennas"] > 1.25 * share["random"], share


def test_word_of_mouth_spreads_information_beyond_those_contacted(monkeypatch):
    # at the declared defaults, not the calibrated city (issue 12): the mechanism is tested where
    # it was designed; with the calibrated layer this premise failed in the fresh-clone CI
    monkeypatch.setattr("willsim.scenario.load_calibrated", lambda city: None)
    informed = {}
    for wom in (0.0, 0.3):
        model = run(weeks=4, **OUTREACH, outreach__word_of_mouth=wom)
        informed[wom] = summary(model)["informed_residents"]
        model.release()
    assert informed[0.3] > informed[0.0]


def test_outreach_does_not_shift_other_streams():
    """Common random numbers: needs and population are identical with outreach on or off."""
    off = WelfareModel(seed=5, run__weeks=8, city__population=8000, run__mesa_citizens=False)
    on = WelfareModel(
        seed=5, run__weeks=8, city__population=8000, run__mesa_citizens=False, **OUTREACH
    )
    for model in (off, on):
        model.step()
    np.testing.assert_array_equal(off.citizens.age_band, on.citizens.age_band)
    # the needs stream draws the same numbers whatever outreach does
    assert off.streams["needs"].bit_generator.state == on.streams["needs"].bit_generator.state
    assert (
        off.streams["helpseeking"].bit_generator.state
        == on.streams["helpseeking"].bit_generator.state
    )
    np.testing.assert_array_equal(off.citizens.need_level[WORK], on.citizens.need_level[WORK])
    np.testing.assert_array_equal(off.citizens.need_level[CARE], on.citizens.need_level[CARE])
    off.release()
    on.release()


def test_outreach_leaves_untouched_residents_as_they_were():
    """Common random numbers: residents outreach never contacts or informs, and who never deal
    with the office or services (shared queues), live the same weeks with it on or off."""
    off = WelfareModel(seed=6, run__weeks=26, city__population=10_000, run__mesa_citizens=False)
    on = WelfareModel(
        seed=6,
        run__weeks=26,
        city__population=10_000,
        run__mesa_citizens=False,
        **OUTREACH,
        outreach__hours_per_1000=8.0,
    )

    def touched_by(off, on):
        c, o = on.citizens, off.citizens
        return (on.outreach.last_contact >= 0) | (c.aware != o.aware) | (c.trust != o.trust)

    touched, same = untouched_residents_agree(off, on, touched_by, 26)
    assert touched.sum() > 500 and same.sum() > 0.3 * on.citizens.n
    off.release()
    on.release()


def test_assisted_requests_go_through_the_office():
    """Help with the application files a request at the office (pre-screened on the means
    test): the need queues, is assessed by a social worker and only then joins the list."""
    from willsim.citizens import QUEUED, WAITLIST

    model = WelfareModel(seed=4, run__weeks=10, city__population=10_000, run__mesa_citizens=False)
    model.step()
    c, out, office = model.citizens, model.outreach, model.office
    out.accept = 1.0
    # 60 residents: a shock the office absorbs within the 9 weeks checked below (200 filed 137
    # requests at once in a town of 10,000, more than the office, busier since poor adults in
    # work have income needs, clears in 9 weeks: 50% assessed; 60 filed 45, all assessed)
    latent = np.flatnonzero((c.status == LATENT).any(axis=0))[:60]
    before = c.status[:, latent].copy()
    out.taken_in_charge = 0
    out.assist(model, latent, model.week, model.streams["outreach"])
    eligible = (before == LATENT) & (c.isee[latent][None, :] <= office.isee_max[:, None])
    filed = c.status[:, latent] == QUEUED
    np.testing.assert_array_equal(filed, eligible)
    assert out.taken_in_charge == int(eligible.sum()) > 0
    assert (office.current[:, latent][filed] >= 0).all()  # an open request at the office
    # no assisted need skips the assessment (a resident may already wait in another domain)
    assert not (c.status[:, latent] == WAITLIST)[before == LATENT].any()
    d, p = np.nonzero(filed)
    model.step()
    assert office.this_week.arrivals >= filed.sum()
    for _ in range(8):
        model.step()
    assessed = c.status[d, latent[p]] != QUEUED
    assert assessed.mean() > 0.9  # assessed within weeks (or the need ended)
    model.release()
