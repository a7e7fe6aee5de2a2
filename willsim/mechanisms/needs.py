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

from willsim.citizens import CARE, ISOLATION, SERVED, WORK
from willsim.mechanisms.base import Mechanism, Read
from willsim.mechanisms.draws import as_float32, below, draw_bits
from willsim.outputs import Indicator, P, Total
from willsim.params import AGE_BANDS
from willsim.population import isolation_prevalence, replace_residents, work_need_prevalence

if TYPE_CHECKING:
    from willsim.model import WelfareModel

MAX_CARE_LEVEL = 4
HEAT_AGE_BAND = 4  # 75-84 and 85+


def heat_exposed(citizens, idx: np.ndarray | None = None) -> np.ndarray:
    """Residents most exposed to heatwaves (75 and over, living alone): everyone, or ``idx``."""
    if idx is None:
        return (citizens.age_band >= HEAT_AGE_BAND) & citizens.living_alone
    return (citizens.age_band[idx] >= HEAT_AGE_BAND) & citizens.living_alone[idx]


def ceil32(x: np.ndarray) -> np.ndarray:
    """The smallest float32 at least ``x``: for a float32 ``u``, ``u < ceil32(x)`` is exactly
    ``u < x`` (compared in float64), without casting ``u`` to float64 (4x faster)."""
    x = np.asarray(x, dtype=float)
    out = x.astype(np.float32)
    low = out < x
    out[low] = np.nextafter(out[low], np.float32(np.inf))
    return out


def floor32(x: float) -> np.float32:
    """The largest float32 at most ``x``: for a float32 ``u``, ``u > floor32(x)`` is exactly
    ``u > x`` compared in float64."""
    out = np.float32(x)
    return np.nextafter(out, np.float32(-np.inf)) if out > x else out


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
    publishes = ("deaths", "refresh")
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
        self.iso_onset = self._isolation_onset(model, np.arange(c.n))
        work = work_need_prevalence(c)
        counts = np.bincount(c.age_band, minlength=len(AGE_BANDS))
        work_share = np.bincount(c.age_band, weights=work, minlength=len(AGE_BANDS))
        self.work_target = np.divide(
            work_share, counts, out=np.zeros(len(AGE_BANDS)), where=counts > 0
        )
        self.work_onset = stationary_onset(self.work_target, self.work_recover)
        # Per-resident tables by age band (newcomers keep the band of the resident they replace;
        # the ageing transition calls :meth:`refresh` for residents it moves up a band).
        self.mortality_of = self.mortality[c.age_band]
        self.care_mult_pow = self.care_mult ** np.arange(MAX_CARE_LEVEL + 1, dtype=np.int8)
        self.care_onset_of = self.care_onset[c.age_band]
        self.work_onset_of = self.work_onset[c.age_band]
        # Integer thresholds for the draws as 24-bit integers (see :mod:`draws`): ``s < k`` is
        # exactly the float32 ``u < ceil32(x)``, itself exactly ``u < x`` in float64. The
        # mortality bound is the hazard at the highest care level: only draws under it are
        # looked at.
        self.mortality_bound_k = below(ceil32(self.mortality_of * self.care_mult_pow.max()))
        self.care_onset_k = below(ceil32(self.care_onset_of))
        self.work_onset_k = below(ceil32(self.work_onset_of))
        self.iso_onset_k = below(ceil32(self.iso_onset))
        # the recovery probabilities compared as NumPy compares them with float32 draws
        self.iso_recover_k = below(self.iso_recover)
        self.work_recover_k = below(self.work_recover)
        self.deaths = 0
        self.configure(model)

    def refresh(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` changed age band: take their mortality and onset from the new one."""
        band = model.citizens.age_band[idx]
        self.mortality_of[idx] = self.mortality[band]
        self.care_onset_of[idx] = self.care_onset[band]
        self.work_onset_of[idx] = self.work_onset[band]
        self.iso_onset[idx] = self._isolation_onset(model, idx)
        self.mortality_bound_k[idx] = below(
            ceil32(self.mortality_of[idx] * self.care_mult_pow.max())
        )
        self.care_onset_k[idx] = below(ceil32(self.care_onset_of[idx]))
        self.work_onset_k[idx] = below(ceil32(self.work_onset_of[idx]))
        self.iso_onset_k[idx] = below(ceil32(self.iso_onset[idx]))

    def configure(self, model: WelfareModel) -> None:
        """Shocks that raise the onset of needs."""
        p = model.params
        self.pandemic = p["shock.pandemic_need"] if p["shock.pandemic"] else 1.0
        self.heat = p["shock.heat_need"] if p["shock.heatwave"] else 1.0

    def step(self, model: WelfareModel, week: int) -> None:
        c, rng = model.citizens, model.streams["needs"]
        u = draw_bits(rng, (4, c.n))  # rng.random((4, n), dtype=np.float32) as 24-bit integers
        self._mortality(model, u[3], week)
        community = ~c.residential
        self._care(model, u[CARE], community, week)
        self._isolation(model, u[ISOLATION], community, week)
        self._work(model, u[WORK], community, week)

    def _mortality(self, model: WelfareModel, u: np.ndarray, week: int) -> None:
        c = model.citizens
        # u < mortality x care multiplier ** level, looked at under the highest level's bound
        maybe = np.flatnonzero(u < self.mortality_bound_k)
        hazard = self.mortality_of[maybe] * self.care_mult_pow[c.need_level[CARE][maybe]]
        dead = maybe[as_float32(u[maybe]) < hazard]
        self.deaths = dead.size
        if dead.size:
            model.close_all_needs(dead)
            model.forget(dead)
            replace_residents(c, model.params, dead, model.streams["population"], week)
            self.iso_onset[dead] = self._isolation_onset(model, dead)
            self.iso_onset_k[dead] = below(ceil32(self.iso_onset[dead]))

    def _isolation_onset(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        c = model.citizens
        target = isolation_prevalence(model.params, c.age_band[idx], c.living_alone[idx])
        return stationary_onset(target, self.iso_recover)

    def _care(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        c = model.citizens
        level = c.need_level[CARE]
        if self.pandemic != 1.0 or self.heat != 1.0:
            onset_p = self.care_onset_of * self.pandemic * np.where(heat_exposed(c), self.heat, 1.0)
            under = u < below(onset_p)
        else:
            under = u < self.care_onset_k
        onset = np.flatnonzero(community & (level == 0) & under)
        has = np.flatnonzero(community & (level > 0))  # progression and recovery: these only
        draw = as_float32(u[has])
        can_rise = level[has] < MAX_CARE_LEVEL
        # compared with 1 - progression in float64 (a Python float would make NumPy round it
        # to float32), through the float32 just under it
        rises = can_rise & (draw > floor32(1.0 - self.care_progress))
        served = np.flatnonzero(c.status[CARE][has] == SERVED)  # positions in ``has``
        if served.size:
            factor = model.services.care_progression_factor(has[served])
            rises[served] = can_rise[served] & (draw[served] > 1.0 - self.care_progress * factor)
        down = has[draw < self.care_recover]
        level[has[rises]] += 1
        model.lower_care_level(down)
        c.start_need(CARE, onset, 1, week)

    def _isolation(
        self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int
    ) -> None:
        c = model.citizens
        has = c.need_level[ISOLATION] > 0
        under = u < (
            below(self.iso_onset * self.pandemic) if self.pandemic != 1.0 else self.iso_onset_k
        )
        onset = np.flatnonzero(community & ~has & under)
        model.close_needs(ISOLATION, np.flatnonzero(has & (u < self.iso_recover_k)))
        c.start_need(ISOLATION, onset, 1, week)

    def _work(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        c = model.citizens
        has = c.need_level[WORK] > 0
        onset = np.flatnonzero(community & ~has & (u < self.work_onset_k))
        model.resolve_work_needs(np.flatnonzero(has & (u < self.work_recover_k)))
        youth = onset[c.age_band[onset] == 1]
        c.neet[youth] = True
        c.employed[youth] = False
        c.start_need(WORK, onset, 1, week)
