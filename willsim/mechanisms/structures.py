"""Structures: day-centre places the municipality funds from the structures part of its budget.

Municipal social spending goes to services, structures and cash (CSV: municipal social spending
by type: services / structures / cash transfers | Italy | 2018: 38.7 / 35.0 / 26.5%). The
services part of each area is the services' line plan (``municipality.line_shares``); this
phase spends the structures part of the elderly area on day centres (semi-residential care):

* **Budget**: ``structures.care_share`` x ``municipality.plan_share`` x the annual budget / 52
  a week, so a budget policy moves it. It is a planned line like the services' lines: when
  other spending (staff, platforms, outreach) leaves the plan short of the lines' plans, it
  gets the same share of its plan as they do (``Municipality.planned_lines_factor``), set when
  a lever changes and at every budget review (``municipality.review_weeks``). The isolation
  and poverty areas' structures (shelters, night shelters) are not simulated: the model has no
  homeless state (housing loss is an event, :mod:`willsim.mechanisms.crises`).
* **Places**: the budget over the cost of a place-week (``structures.day_cost`` x
  ``structures.days_per_week``), a real number in a sampled city (the budget is already in
  simulated units); its whole places are ⌊places + u⌋, u uniform drawn once per run from the
  ``structures`` stream, so their expectation is exact at any sample size and they grow
  monotonically with the budget. The municipality pays for the whole places it funds, filled
  or not (item ``structures``, set aside like staff: an obligation services leave room for).
* **Users**: residents aged 65+ at home with a care need whom the social office has assessed
  as eligible for care (on the care waiting list or in home help). Users keep their place while
  they live at home with the care need (leaving the home-help list does not end it); free places
  go to the highest care level first, then the longest-standing need. When the places shrink
  (a budget cut), the newest users leave first.
* **Effect**: a place gives ``structures.care_hours`` formal care hours a week towards its
  user's care need (coverage: partial help is partial).
* **Counted**: every user once per budget year in ``beneficiaries_per_1000`` (each mechanism's
  ``new_service_users``).

Randomness comes only from the ``structures`` stream (one draw per run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, SERVED, WAITLIST
from willsim.mechanisms.base import AddEvent, Mechanism, SpendingItem
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_BAND = 3  # 65-74: day centres for older people take residents aged 65+


class Structures(Mechanism):
    """Day-centre places funded from the structures part of the elderly area's budget."""

    name = "structures"
    label = ("structures", "strutture")
    streams = ("structures",)
    levers = ("structures", "municipality")
    spending = (
        SpendingItem(
            "structures",
            "Structures spending (day centres)",
            "Spesa per strutture (centri diurni)",
            "Municipal spending on the day-centre places it funds (semi-residential care for "
            "older people).",
        ),
    )
    publishes = (
        "places",
        "whole_places",
        "user",
        "new_service_users",
        "residents_65",
        "care_need_65",
    )
    care_hours_kind = "formal"
    indicators = (
        Indicator(
            "day_centre_places",
            "Day-centre places",
            "Posti in centro diurno",
            "places",
            "Day-centre places the municipality funds from the structures part of the elderly "
            "area's budget (whole places in the city), mean over the reported weeks.",
            Total(P("structures.whole_places")),
            description_it="Posti in centro diurno finanziati dal comune con la parte del "
            "bilancio dell'area anziani destinata alle strutture, media delle settimane.",
        ),
        Indicator(
            "day_centre_users",
            "Day-centre users",
            "Utenti dei centri diurni",
            "persons",
            "Residents attending a municipal day centre, mean over the reported weeks.",
            Total(P("structures.user", "count")),
            better=1,
            description_it="Residenti che frequentano un centro diurno comunale, media delle "
            "settimane.",
        ),
        Indicator(
            "day_centre_share_care_65",
            "Day-centre users, share of 65+ in need",
            "Utenti dei centri diurni, quota dei 65+ con bisogno",
            "share",
            "Day-centre users as a share of residents 65+ with a care need living at home "
            "(compare: semi-residential care covers 0.6% of non-self-sufficient older people, "
            "CSV: non-self-sufficient elderly covered by public LTC services | Italy | 2021).",
            Ratio(P("structures.user", "count"), P("structures.care_need_65")),
            better=1,
            description_it="Utenti dei centri diurni sul totale dei residenti di 65+ anni con "
            "un bisogno di cura che vivono a casa.",
        ),
    )
    journey_fields: ClassVar[dict[str, float]] = {"day_centre": 0.0}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "day_centre": ("Started at a day centre", "Inizia a frequentare un centro diurno"),
        "day_centre_left": ("Left the day centre", "Lascia il centro diurno"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "day_centre": (
            "structures: a free day-centre place goes to an older resident assessed for care, "
            "highest care level first, then the longest-standing need",
            "strutture: un posto libero in centro diurno va a un anziano valutato per la cura, "
            "prima il livello di cura più alto, poi il bisogno più vecchio",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        n = model.citizens.n
        self.user = np.zeros(n, dtype=bool)
        self.since = np.full(n, -1, dtype=np.int32)  # week the place started
        self.year_counted = np.full(n, -1, dtype=np.int32)  # budget year last counted
        self.rounding = float(model.streams["structures"].random())  # once per run
        self.places = 0.0
        self.whole_places = 0
        self.plan_factor = 1.0  # share of its plan the line may spend (1 unless the plan binds)
        self.new_service_users = 0
        self.residents_65 = 0.0
        self.care_need_65 = 0.0
        self._ran = False
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.enabled = bool(p["structures.enabled"])
        self.share = float(p["structures.care_share"]) if self.enabled else 0.0
        self.plan_share = float(p["municipality.plan_share"])
        self.place_week = float(p["structures.day_cost"]) * float(p["structures.days_per_week"])
        self.hours = float(p["structures.care_hours"])
        self.review_weeks = max(round(p["municipality.review_weeks"]), 0)
        model.municipality.planned_lines["structures"] = self.share
        self._replan = True  # a lever changed (the budget, the share): places at once

    def planned_weekly(self, model: WelfareModel) -> float:
        """EUR a week the municipality plans for day-centre places (0 when switched off)."""
        budget = model.municipality.annual_budget
        return self.share * self.plan_share * budget / WEEKS_PER_YEAR

    def _plan_places(self, model: WelfareModel, week: int) -> None:
        """The places the line funds: its plan, times the share of their plans the planned
        lines may spend when the budget binds (the services' lines get the same share), over
        the cost of a place-week. Set when a lever changes and at every budget review."""
        review = self.review_weeks > 0 and week % self.review_weeks == 0
        if not (self._replan or review):
            return
        self._replan = False
        plan = self.planned_weekly(model)
        self.plan_factor = model.municipality.planned_lines_factor(self.plan_share)
        if plan > 0:
            plan *= self.plan_factor
        self.places = plan / self.place_week if self.place_week > 0 else 0.0
        self.whole_places = int(np.floor(self.places + self.rounding)) if plan > 0 else 0

    def step(self, model: WelfareModel, week: int) -> None:
        c, muni = model.citizens, model.municipality
        self._plan_places(model, week)
        old = c.age_band >= OLD_BAND
        at_home = old & ~c.residential & (c.need_level[CARE] > 0)
        self.residents_65 = float(np.count_nonzero(old))
        self.care_need_65 = float(np.count_nonzero(at_home))
        status = c.status[CARE]
        eligible = at_home & ((status == WAITLIST) | (status == SERVED))
        # a user keeps the place while at home with the care need (leaving the home-help list,
        # e.g. once the day centre and family cover the need, does not end it)
        self.user &= at_home
        self.since[~self.user] = -1
        users = np.flatnonzero(self.user)
        if users.size > self.whole_places:  # fewer places: the newest users leave first
            order = np.lexsort((-users, -self.since[users]))
            leave = users[order[: users.size - self.whole_places]]
            self.user[leave] = False
            self.since[leave] = -1
        free = self.whole_places - int(np.count_nonzero(self.user))
        if free > 0:
            pool = np.flatnonzero(eligible & ~self.user)
            if pool.size:
                # the highest care level first, then the longest-standing need
                keys = (pool, c.need_since[CARE][pool], -c.need_level[CARE][pool])
                chosen = pool[np.lexsort(keys)[:free]]
                self.user[chosen] = True
                self.since[chosen] = week
        self._count_users(week)
        cost = self.whole_places * self.place_week
        muni.fixed_costs["structures"] = cost  # an obligation: services leave room for it
        muni.pay("structures", cost)
        self._ran = self._ran or self.enabled

    def _count_users(self, week: int) -> None:
        """Users of the (budget) year: each person once, the first week they attend in it."""
        year = week // WEEKS_PER_YEAR
        users = np.flatnonzero(self.user)
        new = users[self.year_counted[users] != year]
        self.year_counted[new] = year
        self.new_service_users = int(new.size)

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Formal hours a week the day centre gives the care needs of ``idx`` (its users)."""
        return np.where(self.user[idx], self.hours, 0.0)

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Deaths: the place is freed; newcomers start afresh."""
        self.user[idx] = False
        self.since[idx] = -1
        self.year_counted[idx] = -1

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """A care need that ends (recovery, admission to residential care) frees the place."""
        if domain == CARE:
            self.user[idx] = False
            self.since[idx] = -1

    # --- journey -------------------------------------------------------------------------------

    @property
    def day_centre(self) -> np.ndarray:
        """Per resident, 1.0 while attending a day centre (the journal's field)."""
        return self.user.astype(float)

    def has_run(self) -> bool:
        return self._ran

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Starting and leaving a day centre."""
        from willsim.journal import Event

        for p in np.flatnonzero((old["day_centre"] == 0) & (new["day_centre"] > 0)):
            add(p, Event(week, self.name, int(who[p]), "day_centre", 0, rule="day_centre"))
        for p in np.flatnonzero((old["day_centre"] > 0) & (new["day_centre"] == 0)):
            add(p, Event(week, self.name, int(who[p]), "day_centre_left", 0, rule="day_centre"))
