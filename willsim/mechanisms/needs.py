"""Needs arise, progress and recede; residents die and are replaced by newcomers.

Every week each resident draws one uniform number per domain and one for mortality from the
``needs`` stream, whatever their state, so that policies never shift these numbers (common random
numbers). Onset rates are derived so that, without services, each age band's prevalence stays at
its target (the profile's prevalence): inflow = outflow, i.e. ``h = p (exit) / (1 - p)``.
Formal services act in :mod:`willsim.mechanisms.services`.

Mortality is the life table's, redistributed within each age band: a resident's weekly hazard is
the band's rate x ``w / mean(w in the band)``, with ``w = needs.care_mortality_multiplier ** level``
at home and ``w = residential.mortality_multiplier x needs.care_mortality_multiplier ** (level -
4)`` in residential care (``level`` at admission: :meth:`Residential.mortality_weight`); the mean
over the band's current residents during the burn-in, then frozen at its mean over the burn-in's
last year (see :meth:`NeedDynamics.hazard`). Care needs shift deaths onto the frail without
adding any: the status quo dies at the life table; a policy that lowers care levels lowers deaths.

NEET status: a new work/income need at 15-29 makes the person NEET with probability
``city.neet_rate / (share of 15-29 with a work need)``, so the NEET share stays at the city's
rate (a work need at 15-29 is also a working-poor job or a poor household).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, MAX_CARE_LEVEL, SERVED, WORK, Citizens, heat_exposed
from willsim.mechanisms.base import Mechanism, Read
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.params import AGE_BANDS, INCOME_BANDS
from willsim.population import (
    entry_band,
    isolation_prevalence,
    replace_residents,
    work_need_prevalence,
)
from willsim.rng import chance, float32_at_least
from willsim.scenario import Parameters

if TYPE_CHECKING:
    from willsim.model import WelfareModel


def stationary_onset(prevalence: np.ndarray, exit_rate: np.ndarray | float) -> np.ndarray:
    """Weekly onset probability that keeps ``prevalence`` steady given a weekly exit probability."""
    p = np.clip(prevalence, 0.0, 0.99)
    return np.clip(p * exit_rate / (1.0 - p), 0.0, 1.0)


def _stationary_solution(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The stationary distribution from its linear system; least squares when the chain is
    reducible (e.g. no onset tried by a bisection), so a solution always exists."""
    try:
        x = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        x = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.clip(x, 0.0, None)


def _chain_stationary(
    onset: float, up: np.ndarray, down: float, death: np.ndarray, newcomer: np.ndarray
) -> np.ndarray:
    """Stationary distribution over care states 0 (no need) .. 4 of one resident's row: death
    first (the row passes to a newcomer drawn from ``newcomer``), then onset (0 -> 1), one level
    up (``up[k]``) or down (``down``; 1 -> 0 ends the need)."""
    states = newcomer.size
    move = np.zeros((states, states))
    move[0, 1], move[0, 0] = onset, 1.0 - onset
    for k in range(1, states):
        rise = up[k - 1] if k < states - 1 else 0.0
        move[k, min(k + 1, states - 1)] += rise
        move[k, k - 1] += down
        move[k, k] += 1.0 - rise - down
    t = (1.0 - death)[:, None] * move + death[:, None] * newcomer[None, :]
    # left eigenvector for eigenvalue 1: solve pi (T - I) = 0 with sum(pi) = 1
    a = np.vstack([(t - np.eye(states)).T[:-1], np.ones(states)])
    b = np.zeros(states)
    b[-1] = 1.0
    return _stationary_solution(a, b)


CARE_CHAIN_KEYS: tuple[str, ...] = (
    "needs.care_prevalence_by_age",
    "needs.mortality_by_age",
    "needs.care_mortality_multiplier",
    "needs.care_progression",
    "needs.care_recovery",
    "needs.care_level_shares",
    "needs.care_level_hours",
    "needs.isolation_prevalence_by_age",
    "crises.care_by_level",
    "crises.met_multiplier",
    "crises.isolation_multiplier",
    "services.informal_hours",
    "services.family_available_alone",
    "city.living_alone_by_age",
)
"""The parameters :func:`stationary_care` reads."""


def stationary_care(params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Each age band's stationary care levels and the onset that keeps its prevalence.

    The weekly chain of one resident's care need: deaths at the band's life-table rate
    redistributed by ``care_mortality_multiplier ** level`` (a newcomer, who has just aged
    into the band, brings the stationary needs of the band below), onset at level 1,
    progression one level up (``needs.care_progression`` plus the crisis risk of an unmet need
    at that level, a crisis raising the level by one), recovery one level down. Services,
    isolation and residential care are left out (the burn-in settles what they change).
    Returns ``(bands, levels)`` shares of each level among residents with a care need, and the
    ``(bands,)`` weekly onset probability that holds the band's prevalence
    (``needs.care_prevalence_by_age``) at that stationary state.
    """
    prevalence = np.clip(params.array("needs.care_prevalence_by_age"), 0.0, 0.99)
    mortality = params.weekly("needs.mortality_by_age")
    mult = float(params["needs.care_mortality_multiplier"])
    progress = params.weekly("needs.care_progression")
    recover = params.weekly("needs.care_recovery")
    crisis = params.weekly("crises.care_by_level")
    levels = len(params["needs.care_level_shares"])
    # a crisis is less likely the more of the needed hours the family covers, more if isolated
    hours = params.array("needs.care_level_hours")[:levels]
    family = params.array("services.informal_hours")  # [living with others, alone]
    alone = params.array("city.living_alone_by_age")[:, None]
    kin = float(params["services.family_available_alone"])  # living alone without kin: none
    covered = (1 - alone) * np.minimum(1.0, family[0] / hours) + alone * kin * np.minimum(
        1.0, family[1] / hours
    )  # (bands, levels)
    met = float(params["crises.met_multiplier"])
    isolated = params.array("needs.isolation_prevalence_by_age")[:, None]
    iso = 1.0 + isolated * (float(params["crises.isolation_multiplier"]) - 1.0)
    risk = crisis[:levels] * (1.0 - (1.0 - met) * covered) * iso
    ups = np.minimum(progress + risk, 1.0 - recover)  # (bands, levels)
    weight = mult ** np.arange(levels + 1)
    shares = np.tile(_normalised(params["needs.care_level_shares"]), (prevalence.size, 1))
    onset = np.zeros(prevalence.size)
    for band, p in enumerate(prevalence):
        if p <= 0:
            continue
        s = shares[band]
        below = int(entry_band(np.array(band)))
        for _ in range(60):  # fixed point: the band's level shares set its deaths
            own = np.r_[1.0 - p, p * s]
            # a newcomer has just aged in: the band below's needs (its own for the first band)
            newcomer = (
                own
                if below == band
                else np.r_[1.0 - prevalence[below], prevalence[below] * shares[below]]
            )
            death = np.minimum(mortality[band] * weight / (own @ weight), 1.0)
            lo, hi = 0.0, 1.0
            up = ups[band]
            for _ in range(60):  # bisection on the onset for the target prevalence
                h = 0.5 * (lo + hi)
                pi = _chain_stationary(h, up, recover, death, newcomer)
                lo, hi = (h, hi) if pi[1:].sum() < p else (lo, h)
            h = h if h > 1e-12 else 0.0  # no exits at all: no onset
            pi = _chain_stationary(h, up, recover, death, newcomer)
            new = pi[1:] / pi[1:].sum()
            converged = np.abs(new - s).max() < 1e-7
            s = new
            if converged:
                break
        shares[band], onset[band] = s, h
    return shares, onset


def care_chain_windows(burn_in: int) -> tuple[range, ...]:
    """The burn-in weeks in which :class:`CareChainEstimate` measures the care chain, each
    window followed by a redraw: two years after the first year, and two more years ending three
    years before reported week 0 when the burn-in leaves two years between the windows (so the
    second measures the chain after the first redraw has settled its level mix and the
    composition of residents with a care need; one window left bands drifting by up to a fifth
    over the following years, 5,000 residents, seed 2)."""
    first = range(-burn_in + 52, -burn_in + 52 + 104)
    second = range(-260, -156)
    return (first, second) if second.start >= first.stop + 104 else (first,)


class CareChainEstimate:
    """The burn-in's measured weekly transitions of residents' care states, by age band: from
    level 0-4 at home to level 0-4, death or residential care; deaths in residential care.

    :meth:`NeedDynamics.redraw_care_levels` turns them into each band's stationary level shares
    and the onset that holds its prevalence under the status quo, formal care and admissions
    included (what :func:`stationary_care` leaves out), so the slow relaxation of the level mix
    and the prevalence (years) is skipped.
    """

    DEAD, RESIDENTIAL = 5, 6

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.counts = np.zeros((bands, MAX_CARE_LEVEL + 1, 7))
        self.rsa_weeks = np.zeros(bands)
        self.rsa_deaths = np.zeros(bands)
        self.rsa_home = np.zeros((bands, MAX_CARE_LEVEL + 1))  # discharges home, by level

    def before(self, c: Citizens) -> None:
        self._level = c.need_level[CARE].copy()
        self._person = c.person_id.copy()
        self._residential = c.residential.copy()
        self._band = c.age_band.copy()
        # each resident's row of ``counts`` (band, level) as a flat cell, to add the state to
        self._cell = (self._band.astype(np.int64) * (MAX_CARE_LEVEL + 1) + self._level) * 7

    def after(self, c: Citizens) -> None:
        died = c.person_id != self._person
        to = c.need_level[CARE].astype(np.int64)  # the state each resident moved to
        to[c.residential] = self.RESIDENTIAL
        to[died] = self.DEAD
        states = (MAX_CARE_LEVEL + 1) * 7
        in_rsa = np.flatnonzero(self._residential)  # few: residents at home are the rest
        cell = self._cell + to
        found = np.bincount(cell, minlength=self.bands * states)
        found -= np.bincount(cell[in_rsa], minlength=self.bands * states)
        self.counts += found.reshape(self.bands, MAX_CARE_LEVEL + 1, 7)
        band_rsa = self._band[in_rsa]
        self.rsa_weeks += np.bincount(band_rsa, minlength=self.bands)
        in_rsa_died = died[in_rsa]
        self.rsa_deaths += np.bincount(band_rsa[in_rsa_died], minlength=self.bands)
        home_again = in_rsa[~in_rsa_died & ~c.residential[in_rsa]]  # temporary stays ended
        cell = self._band[home_again].astype(np.int64) * (MAX_CARE_LEVEL + 1)
        cell += c.need_level[CARE][home_again]
        found = np.bincount(cell, minlength=self.rsa_home.size)
        self.rsa_home += found.reshape(self.rsa_home.shape)

    def stationary(
        self, prevalence: np.ndarray, start: np.ndarray, onset: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each band's stationary level shares of the measured chain and the weekly onset that
        holds the band's ``prevalence`` in it, residents of residential care counting as having
        a care need (``start`` and ``onset`` where a band has too few observations): newcomers
        bring the prevalence and level shares of the band below (solved first), a resident
        admitted to residential care comes back as a newcomer at death."""
        shares, onsets = start.copy(), onset.copy()
        k = MAX_CARE_LEVEL + 1
        for band in range(self.bands):
            rows = self.counts[band]
            seen = rows.sum(axis=1)
            if prevalence[band] <= 0 or (seen[1:] < 50).any():
                continue
            move = rows / seen[:, None]
            stay = 1.0 - move[0, self.DEAD] - move[0, self.RESIDENTIAL]
            weeks = self.rsa_weeks[band]
            rsa_exit = self.rsa_deaths[band] / weeks if weeks else 1.0
            rsa_home = self.rsa_home[band] / weeks if weeks else np.zeros(k)
            s, h = start[band], onset[band]
            below = int(entry_band(np.array(band)))
            for _ in range(50):
                # a newcomer has just aged in: the band below's needs (solved before this band)
                entrant = s if below == band else shares[below]
                newcomer = np.r_[1.0 - prevalence[below], prevalence[below] * entrant]
                lo, hi = 0.0, stay
                for _ in range(50):  # the onset that holds the prevalence
                    h = 0.5 * (lo + hi)
                    move[0, 0], move[0, 1] = stay - h, h
                    pi = self._solve(move, newcomer, rsa_exit, rsa_home)
                    # residents of residential care count as having a care need (the
                    # prevalence target's definition, care_need_share_65)
                    held = pi[1:].sum()
                    lo, hi = (h, hi) if held < prevalence[band] else (lo, h)
                at_home = pi[1:k].sum()
                if not at_home > 0:  # degenerate (a tiny sample): keep the analytic start
                    s, h = start[band], onset[band]
                    break
                new = pi[1:k] / at_home
                done = np.abs(new - s).max() < 1e-9
                s = new
                if done:
                    break
            shares[band], onsets[band] = s, h
        return shares, onsets

    def _solve(
        self, move: np.ndarray, newcomer: np.ndarray, rsa_exit: float, rsa_home: np.ndarray
    ) -> np.ndarray:
        """The stationary distribution over levels 0-4 at home and residential care; residents
        of residential care die (coming back as a newcomer) or go home at a level (``rsa_home``,
        the end of a temporary stay)."""
        k = MAX_CARE_LEVEL + 1
        t = np.zeros((k + 1, k + 1))
        t[:k, :k] = move[:, :k] + move[:, [self.DEAD]] * newcomer[None, :]
        t[:k, k] = move[:, self.RESIDENTIAL]
        t[k, :k] = rsa_exit * newcomer + rsa_home
        t[k, k] = 1.0 - rsa_exit - rsa_home.sum()
        a = np.vstack([(t - np.eye(k + 1)).T[:-1], np.ones(k + 1)])
        b = np.zeros(k + 1)
        b[-1] = 1.0
        return _stationary_solution(a, b)


def _normalised(shares) -> np.ndarray:
    arr = np.asarray(shares, dtype=float)
    return arr / arr.sum()


YOUTH_BAND = 1  # 15-29: the band whose work needs may be NEET status
FREEZE_WEEKS = 52  # the burn-in's last weeks whose mean mortality weights are kept


class NeedDynamics(Mechanism):
    """Mortality and replacement, onset of new needs, progression and recovery of existing ones."""

    name = "needs"
    label = ("needs", "bisogni")
    # population: the newcomers who replace the dead; care_levels: the burn-in's redraw of levels
    streams = ("needs", "population", "care_levels")
    levers = ("shock",)
    publishes = ("deaths",)
    reads = (
        Read("services.care_progression_factor", lag=1),
        Read("residential.mortality_weight", lag=None),
    )
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
        Indicator(
            "deaths_per_1000",
            "Deaths per 1,000",
            "Decessi ogni 1.000",
            "deaths/1,000 residents/year",
            "Deaths in a year per 1,000 residents (crude death rate, all ages), averaged over the "
            "reported years.",
            Ratio(P("needs.deaths"), P("citizens.n"), scale=52_000.0),
            description_it="Decessi in un anno ogni 1.000 residenti (tasso grezzo di mortalità), "
            "media degli anni riportati.",
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
            "needs: weekly mortality of the age band (life table), shifted within the band onto "
            "higher care levels and residential care",
            "bisogni: mortalità settimanale della fascia d'età (tavola di mortalità), spostata "
            "nella fascia verso i livelli di cura più alti e le RSA",
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
        self.rsa_mult = float(p["residential.mortality_multiplier"])
        # the onset that holds each band's prevalence at the stationary care levels, which are
        # also the levels residents and newcomers start with (population.initial_needs)
        self.care_levels, self.care_onset = stationary_care(p)
        self.care_levels = self.care_levels.copy()  # the burn-in may redraw them
        # isolation onset by age band and household (alone or not): a (bands, 2) table
        bands = np.repeat(np.arange(len(AGE_BANDS)), 2)
        alone = np.tile([False, True], len(AGE_BANDS))
        target = isolation_prevalence(p, bands, alone)
        self.iso_onset = stationary_onset(target, self.iso_recover).reshape(-1, 2)
        self.work_target, self.neet_given_need = work_need_cells(c)
        self.work_onset = stationary_onset(self.work_target, self.work_recover)
        self._work_onset32 = np.array(
            [float32_at_least(p) for p in self.work_onset.ravel().tolist()], dtype=np.float32
        )
        self.care_mult_pow = self.care_mult ** np.arange(MAX_CARE_LEVEL + 1)
        self.frozen_mean_w: np.ndarray | None = None  # the bands' mean weight, from week 0
        self._mean_w_sum = np.zeros(len(AGE_BANDS))
        self._mean_w_weeks = 0
        self.deaths = 0
        self.configure(model)

    def redraw_care_levels(self, model: WelfareModel, estimate: CareChainEstimate) -> None:
        """Burn-in: redraw the care levels of residents with a care need at home from each
        band's stationary levels under the measured status quo (and give newcomers the same),
        and set each band's onset to the one that holds its prevalence there, so the level mix
        and the prevalence start where the status quo keeps them: each band's share with a care
        need (residential care included) is reset to its prevalence, the onset holding it there
        (it relaxes over decades otherwise, from where the years before left it)."""
        c = model.citizens
        prevalence = model.params.array("needs.care_prevalence_by_age")
        self.care_levels, self.care_onset = estimate.stationary(
            prevalence, self.care_levels, self.care_onset
        )
        rng = model.streams["care_levels"]
        self._reset_prevalence(model, prevalence, rng)
        who = np.flatnonzero((c.need_level[CARE] > 0) & ~c.residential)
        u = rng.random(who.size)
        cumulative = np.cumsum(self.care_levels, axis=1)[c.age_band[who]]
        levels = 1 + (u[:, None] >= cumulative).sum(axis=1)
        c.need_level[CARE][who] = np.minimum(levels, MAX_CARE_LEVEL)

    def _reset_prevalence(
        self, model: WelfareModel, prevalence: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Set each band's number of residents with a care need or in residential care to its
        prevalence x its residents (rounded at random, unbiased): residents at home chosen at
        random gain a care need (level redrawn next) or lose theirs."""
        c = model.citizens
        held = (c.need_level[CARE] > 0) | c.residential
        bands = prevalence.size
        count = np.bincount(c.age_band, minlength=bands)
        has = np.bincount(c.age_band[held], minlength=bands)
        want = np.floor(prevalence * count + rng.random(bands)).astype(np.int64)
        gain: list[np.ndarray] = []
        lose: list[np.ndarray] = []
        for band in range(bands):
            gap = int(want[band] - has[band])
            if gap == 0:
                continue
            pool = np.flatnonzero(
                (c.age_band == band) & ~c.residential & ((c.need_level[CARE] > 0) == (gap < 0))
            )
            chosen = rng.choice(pool, size=min(abs(gap), pool.size), replace=False)
            (gain if gap > 0 else lose).append(chosen)
        if lose:
            model.close_needs(CARE, np.sort(np.concatenate(lose)), resolved=False)
        if gain:
            c.start_need(CARE, np.sort(np.concatenate(gain)), 1, model.week)

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

    def hazard(self, model: WelfareModel, week: int) -> np.ndarray:
        """Each resident's weekly probability of death: the age band's rate x ``w`` / the band's
        mean ``w``, ``w`` the care-level (or residential-care) weight.

        During the burn-in the band's mean is this week's; from reported week 0 it is frozen at
        its mean over the burn-in's last year (the status quo's stationary state), so the
        status quo dies at the life table while a policy that lowers care levels lowers deaths,
        and a change in one resident's care never moves another's hazard (common random
        numbers)."""
        band = model.citizens.age_band
        mean_w = self._mean_weight(model, week)
        return self.mortality[band] * self._weight(model) / mean_w[band]

    def _weight(self, model: WelfareModel, idx: np.ndarray | None = None) -> np.ndarray:
        """The mortality weight ``w`` of every resident, or of residents ``idx``: by care
        level at home, the residential mechanism's weight for those in care (or the flat
        ``rsa_mult`` without it)."""
        c = model.citizens
        level = c.need_level[CARE] if idx is None else c.need_level[CARE][idx]
        w: np.ndarray = self.care_mult_pow.take(level)  # a new array
        in_care = np.flatnonzero(c.residential if idx is None else c.residential[idx])
        if "residential" in model.mechanisms:
            rows = in_care if idx is None else idx[in_care]
            w[in_care] = model.residential.mortality_weight(rows)
        elif self.rsa_mult != 1.0:
            w[in_care] = self.rsa_mult
        return w

    def _mean_weight(self, model: WelfareModel, week: int) -> np.ndarray:
        """Each band's mean ``w`` for :meth:`hazard`: this week's during the burn-in (summed
        over its last year), frozen from reported week 0."""
        if self.frozen_mean_w is not None:
            return self.frozen_mean_w
        band, bands = model.citizens.age_band.astype(np.intp), self.mortality.size
        total = np.bincount(band, weights=self._weight(model), minlength=bands)
        count = np.bincount(band, minlength=bands)
        mean_w = np.divide(total, count, where=count > 0, out=np.ones(bands))
        if week >= -FREEZE_WEEKS:
            self._mean_w_sum += mean_w
            self._mean_w_weeks += 1
        if model.recording:  # reported week 0: freeze at the burn-in's last year
            self.frozen_mean_w = (
                self._mean_w_sum / self._mean_w_weeks if self._mean_w_weeks else mean_w
            )
            return self.frozen_mean_w
        return mean_w

    def _mortality(self, model: WelfareModel, u: np.ndarray, week: int) -> None:
        """Death at the age band's rate, redistributed within the band by care level (and
        residential care): weight ``w`` over the band's mean weight (:meth:`hazard`).

        Only residents whose draw falls under the largest hazard any band and weight can give
        can die; the hazard is computed for those (the same deaths as ``u < hazard``)."""
        c = model.citizens
        mean_w = self._mean_weight(model, week)
        rsa_max = (
            model.residential.mortality_weight_max()
            if "residential" in model.mechanisms
            else self.rsa_mult
        )
        w_max = max(self.care_mult_pow.max(), rsa_max)
        cand = _under(u, (self.mortality * w_max / mean_w).max())
        band = c.age_band[cand]
        hazard = self.mortality[band] * self._weight(model, cand) / mean_w[band]
        dead = cand[chance(u[cand], hazard)]
        self.deaths = dead.size
        if dead.size:
            model.close_all_needs(dead)
            model.forget(dead)
            replace_residents(
                c, model.params, dead, model.streams["population"], week, self.care_levels
            )

    def _care(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        """Onset at level 1; then each week up one level (the top of the draw) or down one
        (the bottom), slower progression when served."""
        c = model.citizens
        level = c.need_level[CARE]
        shock = self.pandemic != 1.0 or self.heat != 1.0
        p_max = self.care_onset.max()
        if shock:  # the largest onset a band can reach, computed as the residents' are
            p_max = p_max * self.pandemic * max(self.heat, 1.0)
        cand = _under(u, p_max)
        cand = cand[community[cand] & (level[cand] == 0)]
        onset_p = self.care_onset[c.age_band[cand]]
        if shock:
            onset_p = onset_p * self.pandemic * np.where(heat_exposed(c, cand), self.heat, 1.0)
        onset = cand[chance(u[cand], onset_p)]
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
        level = c.need_level[ISOLATION]
        cand = _under(u, self.iso_onset.max() * self.pandemic)
        cand = cand[community[cand] & (level[cand] == 0)]
        onset_p = self.iso_onset[c.age_band[cand], c.living_alone[cand].view(np.int8)]
        onset = cand[chance(u[cand], onset_p * self.pandemic)]
        recover = _under(u, self.iso_recover)
        model.close_needs(ISOLATION, recover[level[recover] > 0])
        c.start_need(ISOLATION, onset, 1, week)

    def _work(self, model: WelfareModel, u: np.ndarray, community: np.ndarray, week: int) -> None:
        c = model.citizens
        level = c.need_level[WORK]
        # onset: ``u < p`` of the resident's (age band, income band) cell, most residents being
        # under the largest p (the NEET cells'): every resident's p is looked up, in single
        # precision (the smallest float32 not below each p: the same booleans, as in ``chance``)
        cell = c.age_band * np.int8(self.work_onset.shape[1]) + c.income_band
        onset_p = self._work_onset32.take(cell)
        onset = np.flatnonzero((u < onset_p) & community & (level == 0))
        recover = _under(u, self.work_recover)
        model.resolve_work_needs(recover[level[recover] > 0])
        youth = onset[c.age_band[onset] == YOUTH_BAND]
        # u / onset probability is uniform given an onset: it decides NEET without a new draw
        band = c.income_band[youth]
        neet = youth[u[youth] < self.work_onset[YOUTH_BAND, band] * self.neet_given_need[band]]
        c.neet[neet] = True
        c.employed[neet] = False
        c.start_need(WORK, onset, 1, week)


def work_need_cells(citizens: Citizens) -> tuple[np.ndarray, np.ndarray]:
    """Each (age band, income band) cell's share with a work/income need at start (the onset's
    target, so new needs arise where the initial rule puts them: NEET, poor adults out of work,
    the working poor), and, by income band, the share of 15-29 work needs that are NEET."""
    shape = (len(AGE_BANDS), len(INCOME_BANDS))
    cell = np.ravel_multi_index((citizens.age_band, citizens.income_band), shape)
    work = work_need_prevalence(citizens)

    def per_cell(weights: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=shape[0] * shape[1]).reshape(shape)

    counts = per_cell(np.ones(cell.size))
    with_need = per_cell(work.astype(float))
    target = np.divide(with_need, counts, out=np.zeros(shape), where=counts > 0)
    youth_neet = per_cell((citizens.neet & work).astype(float))[YOUTH_BAND]
    youth_need = with_need[YOUTH_BAND]
    neet = np.divide(youth_neet, youth_need, out=np.zeros(shape[1]), where=youth_need > 0)
    return target, np.minimum(neet, 1.0)


def _under(u: np.ndarray, p_max: float) -> np.ndarray:
    """Positions (ascending) whose draw falls under ``p_max``: the only residents a probability
    of at most ``p_max`` can select, so the per-resident probability is needed for those only
    (``u < p`` is tested in double precision, as :func:`~willsim.rng.chance` does)."""
    return np.flatnonzero(chance(u, p_max))
