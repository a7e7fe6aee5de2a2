"""Needs arise, progress and recede; residents die and are replaced by newcomers.

Every week each resident draws one uniform number per domain and one for mortality from the
``needs`` stream, whatever their state, so that policies never shift these numbers (common random
numbers). Onset rates are derived so that, without services, each age band's prevalence stays at
its target (the profile's prevalence): inflow = outflow, i.e. ``h = p (exit) / (1 - p)``.
Formal services act in :mod:`willsim.mechanisms.services`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, MAX_CARE_LEVEL, SERVED, WORK, heat_exposed
from willsim.mechanisms.base import Mechanism, Read
from willsim.outputs import Indicator, P, Total
from willsim.params import AGE_BANDS
from willsim.population import isolation_prevalence, replace_residents, work_need_prevalence
from willsim.rng import chance

if TYPE_CHECKING:
    from willsim.model import WelfareModel


def stationary_onset(prevalence: np.ndarray, exit_rate: np.ndarray | float) -> np.ndarray:
    """Weekly onset probability that keeps ``prevalence`` steady given a weekly exit probability."""
    p = np.clip(prevalence, 0.0, 0.99)
    return np.clip(p * exit_rate / (1.0 - p), 0.0, 1.0)


class NeedDynamics(Mechanism):
    """Mortality and replacement, onset of new needs, progression and recovery of existing ones."""

    name = "needs"
    label = ("needs", "bisogni")
    streams = ("needs", "population")  # population: the newcomers who replace the dead
    levers = ("shock",)
    publishes = ("deaths",)
    reads = (Read("services.care_progression_factor", lag=1),)
    indicators = (
        Indicator(
            "deaths",
            "Deaths",
            "Decessi",
            "persons/week",
            "Deaths (replaced by newcomers).",
            Total(P("needs.deaths")),
            summary="sum",
        ),
    )
    journey_need_rules: ClassVar[dict[str, str]] = {
        "need_arose": "onset",
        "need_progressed": "progression",
        "need_receded": "recovery",
        "need_ended": "recovery",
    }
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "died": (
            "Died; a newcomer of the same age band takes their place",
            "Decede; subentra un nuovo residente della stessa fascia d'età",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "onset": (
            "needs: weekly onset probability of the age band, set to keep its prevalence",
            "bisogni: probabilità settimanale di insorgenza della fascia d'età, tarata sulla "
            "prevalenza",
        ),
        "newcomer": (
            "needs: initial needs of a newcomer",
            "bisogni: bisogni iniziali del nuovo residente",
        ),
        "progression": (
            "needs: a care need rises one level with probability "
            "needs.care_progression (slower when served)",
            "bisogni: il bisogno di cura sale di un livello con probabilità "
            "needs.care_progression (più lenta se servito)",
        ),
        "recovery": (
            "needs: spontaneous recovery (needs.*_recovery)",
            "bisogni: recupero spontaneo (needs.*_recovery)",
        ),
        "mortality": (
            "needs: weekly mortality of the age band, higher with a care need",
            "bisogni: mortalità settimanale della fascia d'età, più alta con bisogno di cura",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        p, c = model.params, model.citizens
        self.mortality = p.weekly("needs.mortality_by_age")
        self.care_mult = p["needs.care_mortality_multiplier"]
        self.care_progress = p.weekly("needs.care_progression")
        self.care_recover = p.weekly("needs.care_recovery")
        self.iso_recover = p.weekly("needs.isolation_recovery")
        self.work_recover = p.weekly("needs.work_recovery")
        level1 = p["needs.care_level_shares"][0] / sum(p["needs.care_level_shares"])
        # Newcomers replace the dead with needs at the target prevalence, so deaths remove needs
        # only through the extra mortality of people with a care need: p (1 - p) (m_need - m).
        shares = np.asarray(p["needs.care_level_shares"]) / sum(p["needs.care_level_shares"])
        extra = (shares * self.care_mult ** np.arange(1, shares.size + 1)).sum() - 1.0
        prevalence = p.array("needs.care_prevalence_by_age")
        self.care_onset = (
            stationary_onset(prevalence, self.care_recover * level1)
            + prevalence * self.mortality * extra
        )
        # isolation onset by age band and household (alone or not): a (bands, 2) table
        bands = np.repeat(np.arange(len(AGE_BANDS)), 2)
        alone = np.tile([False, True], len(AGE_BANDS))
        target = isolation_prevalence(p, bands, alone)
        self.iso_onset = stationary_onset(target, self.iso_recover).reshape(-1, 2)
        work = work_need_prevalence(c)
        counts = np.bincount(c.age_band, minlength=len(AGE_BANDS))
        work_share = np.bincount(c.age_band, weights=work, minlength=len(AGE_BANDS))
        self.work_target = np.divide(
            work_share, counts, out=np.zeros(len(AGE_BANDS)), where=counts > 0
        )
        self.work_onset = stationary_onset(self.work_target, self.work_recover)
        self.care_mult_pow = self.care_mult ** np.arange(MAX_CARE_LEVEL + 1)
        self.deaths = 0
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        """Shocks that raise the onset of needs."""
        p = model.params
        self.pandemic = p["shock.pandemic_need"] if p["shock.pandemic"] else 1.0
        self.heat = p["shock.heat_need"] if p["shock.heatwave"] else 1.0

    def step(self, model: WelfareModel, week: int) -> None:
        c, rng = model.citizens, model.streams["needs"]
        u = rng.random((4, c.n), dtype=np.float32)  # one draw per domain and for mortality
        self._mortality(model, u[3], week)
        community = ~c.residential
        self._care(model, u[CARE], community, week)
        self._isolation(model, u[ISOLATION], community, week)
        self._work(model, u[WORK], community, week)

    def _mortality(self, model: WelfareModel, u: np.ndarray, week: int) -> None:
        """Death at the age band's rate, times ``care_mult`` per level of care need."""
        c = model.citizens
        hazard = self.mortality[c.age_band] * self.care_mult_pow[c.need_level[CARE]]
        dead = np.flatnonzero(chance(u, hazard))
        self.deaths = dead.size
        if dead.size:
            model.close_all_needs(dead)
            model.forget(dead)
            replace_residents(c, model.params, dead, model.streams["population"], week)

    def _care(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        """Onset at level 1; then each week up one level (the top of the draw) or down one
        (the bottom), slower progression when served."""
        c = model.citizens
        level = c.need_level[CARE]
        onset_p = self.care_onset[c.age_band]
        if self.pandemic != 1.0 or self.heat != 1.0:
            onset_p = onset_p * self.pandemic * np.where(heat_exposed(c), self.heat, 1.0)
        onset = np.flatnonzero(community & (level == 0) & chance(u, onset_p))
        has = np.flatnonzero(community & (level > 0))  # progression and recovery: these only
        draw = u[has]
        progress = np.full(has.size, self.care_progress)
        served = np.flatnonzero(c.status[CARE][has] == SERVED)  # positions in ``has``
        if served.size:
            progress[served] *= model.services.care_progression_factor(has[served])
        rises = (level[has] < MAX_CARE_LEVEL) & chance(1.0 - draw, progress)
        down = has[chance(draw, self.care_recover)]
        level[has[rises]] += 1
        model.lower_care_level(down)
        c.start_need(CARE, onset, 1, week)

    def _isolation(
        self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int
    ) -> None:
        c = model.citizens
        has = c.need_level[ISOLATION] > 0
        onset_p = self.iso_onset[c.age_band, c.living_alone.view(np.int8)] * self.pandemic
        onset = np.flatnonzero(community & ~has & chance(u, onset_p))
        model.close_needs(ISOLATION, np.flatnonzero(has & chance(u, self.iso_recover)))
        c.start_need(ISOLATION, onset, 1, week)

    def _work(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        c = model.citizens
        has = c.need_level[WORK] > 0
        onset = np.flatnonzero(community & ~has & chance(u, self.work_onset[c.age_band]))
        model.resolve_work_needs(np.flatnonzero(has & chance(u, self.work_recover)))
        youth = onset[c.age_band[onset] == 1]
        c.neet[youth] = True
        c.employed[youth] = False
        c.start_need(WORK, onset, 1, week)
