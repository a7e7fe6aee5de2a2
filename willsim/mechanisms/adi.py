"""Integrated home care (ADI) from the health service: short episodes of nursing and therapy at
home for residents 65+ with a care need.

ADI is a provider of its own, paid by the health service (a spending item outside the municipal
budget), so the municipality's budget never rations it. Each week it starts the episodes that
make its yearly reach ``adi.users_share_65`` of residents 65+ (the expected number of starts,
rounded up or down at random). Who comes first: residents discharged from hospital after a care
crisis in the last ``adi.discharge_weeks`` weeks (protected discharge), then those without an
episode this year, then higher care levels, then at random. An episode lasts
``adi.episode_weeks`` and gives ``adi.hours_per_user`` hours spread evenly over it; its hours
count towards the resident's care coverage like any formal hours.

It also keeps who was reached by public long-term care in the last 52 weeks, for
``ltc_reach_65``: ADI and residential care, the services the source's 29.8% adds up (residential
6.3, semi-residential 0.6 and ADI 21.5 points of non-self-sufficient older people); municipal home
help (SAD) is a social service outside that count and is reported by ``sad_users_share_65``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, MAX_CARE_LEVEL
from willsim.mechanisms.base import Mechanism, Read, SpendingItem
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_BAND = 3  # age bands 65-74, 75-84, 85+
NEVER = np.iinfo(np.int32).min // 2


class Adi(Mechanism):
    """The health service's integrated home care: episodes for residents 65+ in need."""

    name = "adi"
    label = ("integrated home care", "assistenza domiciliare integrata")
    streams = ("adi",)
    levers = ("adi",)
    spending = (
        SpendingItem(
            "adi",
            "Integrated home care spending",
            "Spesa per l'ADI",
            "Public cost of integrated home care (ADI), paid by the health service.",
            municipal=False,
        ),
    )
    publishes = (
        "active",
        "new_users_65",
        "residents_65",
        "ltc_reached_65",
        "ltc_need_65",
    )
    reads = (Read("crises.care_crisis", lag=1),)
    care_hours_kind = "formal"
    indicators = (
        Indicator(
            "adi_users_share_65",
            "Integrated home care users, 65+",
            "Utenti ADI, 65+",
            "share",
            "Residents 65+ with at least one episode of integrated home care (ADI) in the "
            "(budget) year, as a share of residents 65+. Weekly values are the year's new users "
            "annualised, so their mean over whole years is the yearly share.",
            Ratio(P("adi.new_users_65"), P("adi.residents_65"), scale=float(WEEKS_PER_YEAR)),
            better=1,
            description_it="Residenti di 65 anni e più con almeno un episodio di assistenza "
            "domiciliare integrata (ADI) nell'anno (di bilancio), sul totale dei residenti di "
            "65 anni e più.",
        ),
        Indicator(
            "adi_in_care",
            "In integrated home care",
            "In ADI",
            "persons",
            "Residents in an episode of integrated home care this week.",
            Total(P("adi.active", "count")),
        ),
        Indicator(
            "ltc_reach_65",
            "Long-term care reach, 65+",
            "Copertura dell'assistenza continuativa, 65+",
            "share",
            "Among residents 65+ with a care need (non-self-sufficient, in the community or in "
            "residential care), the share who received a public long-term-care service in the "
            "last 52 weeks: integrated home care (ADI) or residential care (the services "
            "the source adds up; municipal home help is not among them).",
            Ratio(P("adi.ltc_reached_65"), P("adi.ltc_need_65")),
            better=1,
            description_it="Tra i residenti di 65 anni e più con un bisogno di cura (non "
            "autosufficienti, a casa o in struttura), la quota che ha ricevuto un servizio "
            "pubblico di assistenza continuativa nelle ultime 52 settimane: ADI o residenza "
            "(i servizi che la fonte somma; l'assistenza domiciliare comunale non è tra questi).",
        ),
    )

    def setup(self, model: WelfareModel) -> None:
        n = model.citizens.n
        # NEVER, not -1: weeks are negative during the burn-in (willsim.model)
        self.until = np.full(n, NEVER, dtype=np.int32)  # week the current episode ends
        self.year_counted = np.full(n, NEVER, dtype=np.int32)  # budget year of the last episode
        self.discharged = np.full(n, NEVER, dtype=np.int32)  # week of the last care crisis
        self.last_ltc = np.full(n, NEVER, dtype=np.int32)  # last week with public LTC
        self.active = np.zeros(n, dtype=bool)
        self.new_users_65 = 0
        self.residents_65 = 0.0
        self.ltc_reached_65 = 0.0
        self.ltc_need_65 = 0.0
        self._week = 0
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.enabled = bool(p["adi.enabled"])
        self.share = float(p["adi.users_share_65"])
        self.episode = max(round(p["adi.episode_weeks"]), 1)
        self.weekly_hours = p["adi.hours_per_user"] / self.episode
        self.discharge_weeks = float(p["adi.discharge_weeks"])
        self.hour_cost = p["adi.hour_cost"]

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        self.until[idx] = NEVER
        self.year_counted[idx] = NEVER
        self.discharged[idx] = NEVER
        self.last_ltc[idx] = NEVER
        self.active[idx] = False

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """A care need that ends ends its episode."""
        if domain == CARE:
            self.until[idx] = NEVER
            self.active[idx] = False

    def step(self, model: WelfareModel, week: int) -> None:
        c = model.citizens
        self._week = week
        self.discharged[model.crises.care_crisis] = week - 1  # last week's crises
        old = c.age_band >= OLD_BAND
        self.residents_65 = float(np.count_nonzero(old))
        self.new_users_65 = 0
        if self.enabled:
            self._start_episodes(model, week, old)
        self.active = self.until > week
        model.municipality.pay(
            "adi", float(np.count_nonzero(self.active)) * self.weekly_hours * self.hour_cost
        )
        reached = self.active | c.residential  # the source's LTC: ADI and residential care
        self.last_ltc[reached] = week
        need = old & ((c.need_level[CARE] > 0) | c.residential)
        self.ltc_need_65 = float(np.count_nonzero(need))
        recent = self.last_ltc > week - WEEKS_PER_YEAR
        self.ltc_reached_65 = float(np.count_nonzero(need & recent))

    def _start_episodes(self, model: WelfareModel, week: int, old: np.ndarray) -> None:
        """Start this week's episodes among residents 65+ with a care need, by priority."""
        c, rng = model.citizens, model.streams["adi"]
        expected = self.share * self.residents_65 / WEEKS_PER_YEAR
        starts = int(np.floor(expected + rng.random()))
        if starts <= 0:
            return
        cand = np.flatnonzero(
            old & (c.need_level[CARE] > 0) & ~c.residential & (self.until <= week)
        )
        if cand.size == 0:
            return
        year = week // WEEKS_PER_YEAR
        not_discharged = week - self.discharged[cand] > self.discharge_weeks
        repeat = self.year_counted[cand] == year
        level = c.need_level[CARE][cand]
        draw = rng.random(cand.size)
        # by priority: not recently discharged after, repeat users after, the highest level
        # first, then at random (np.lexsort((draw, -level, repeat, not_discharged))); the
        # first ``starts`` as a set: every group ahead, the lowest draws of the last one
        group = not_discharged.astype(np.int8) << 4
        group |= repeat.astype(np.int8) << 3
        group |= MAX_CARE_LEVEL - level
        chosen = cand[_first_by_group(group, draw, starts)]
        self.until[chosen] = week + self.episode
        new = chosen[self.year_counted[chosen] != year]
        self.year_counted[new] = year
        self.new_users_65 = int(new.size)

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """ADI hours a week of residents ``idx`` in an episode."""
        return np.where(self.until[idx] > self._week, self.weekly_hours, 0.0)

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled


def _first_by_group(group: np.ndarray, draw: np.ndarray, k: int) -> np.ndarray:
    """Positions of the first ``k`` in ``np.lexsort((draw, group))`` (ascending group, then
    draw, ties in position order), as a set: whole groups ahead, and the lowest draws of the
    group where ``k`` runs out (only that group is sorted)."""
    if k >= group.size:
        return np.arange(group.size)
    total = np.cumsum(np.bincount(group))
    last = int(np.searchsorted(total, k))  # the first group whose running total reaches k
    ahead = np.flatnonzero(group < last)
    tied = np.flatnonzero(group == last)
    return np.r_[ahead, tied[np.argsort(draw[tied], kind="stable")[: k - ahead.size]]]
