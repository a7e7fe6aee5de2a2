"""Residential care (RSA): a capped stock of places, its own waiting list, mortality and costs.

* **Places**: ``city.residential_places_65`` per resident aged 65+ (rounded to whole places in
  the simulated population), recomputed every week as the 65+ population changes. The stock
  starts full (the sourced beds are "practically all occupied"): residents aged 65+ with a care
  need, highest level first, then the oldest band, at random within them.
* **Admission**: residents aged 65+ living at home join the waiting list after a crisis at the
  highest care level that ends in a referral (:mod:`willsim.mechanisms.crises`, through
  :meth:`Residential.apply`), or by assessed need: at the highest care level, with weekly
  probability ``residential.apply_rate``. Whenever a place is free the list is served by care
  level (highest first), then by date of application. An admitted resident leaves the
  services' waiting lists and services (:meth:`Services.withdraw`) and their needs at home end
  (not as resolved): the RSA provides the care. The order of the list is the city's rule
  (``city.residential_admission_by_need``): by care level (highest first), then by date of
  application (Veneto's single regional ranking by need score), or by date alone (Lombardy, where
  families apply to each RSA's own list). A share ``residential.temporary_share`` of admissions
  are temporary stays (relief or post-acute) of ``residential.temporary_weeks`` weeks.
* **Leaving the list**: death, the end of the care need (recovery), or reneging with weekly
  probability ``residential.renege_rate`` (a private place, a live-in carer, the family).
* **Mortality** is in the needs phase (:mod:`willsim.mechanisms.needs`): an RSA resident weighs
  ``residential.mortality_multiplier`` x ``needs.care_mortality_multiplier ** (level - 4)`` in the
  age band's mortality (:meth:`Residential.mortality_weight`; ``level`` the care level at
  admission), renormalised so that the band's average stays at its life-table rate.
* **Leaving the RSA**: death, or the end of a temporary stay: the resident goes home with the
  care need they were admitted with (a new episode at that level). Admissions - deaths -
  discharges = the change of the stock, every week.
* **Cost**: the health quota (``residential.health_quota``, regional health service, not
  municipal) for every resident; the social quota (``residential.social_quota``) is paid by the
  family, except ``residential.fee_support_share`` of it for residents in the lowest income
  band, which the municipality pays (integrazione retta, municipal budget).

Randomness comes only from the ``residential`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, MAX_CARE_LEVEL
from willsim.mechanisms.base import AddEvent, Mechanism, Read, SpendingItem
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.params import AGE_BANDS
from willsim.rng import chance

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_BAND = 3  # 65-74: residential care is for residents aged 65+
OLDEST_BAND = AGE_BANDS.index("85+")
PERMANENT = np.iinfo(np.int32).max  # the end week of a permanent stay (left only by death)
POOREST = 0  # income band of the absolute poor: the municipality supports their fee


class Residential(Mechanism):
    """Residential care homes: places, waiting list, admissions, deaths and costs."""

    name = "residential"
    label = ("residential care", "residenzialità")
    streams = ("residential",)
    spending = (
        SpendingItem(
            "residential",
            "Residential care spending (health quota)",
            "Spesa per RSA (quota sanitaria)",
            "Health quota of every RSA place (regional health service).",
            municipal=False,
            better=-1,
        ),
        SpendingItem(
            "residential_fee",
            "RSA fee support",
            "Integrazione rette RSA",
            "The municipality's share of the social quota of poor RSA residents.",
            municipal=True,
            better=-1,
        ),
    )
    publishes = (
        "apply",
        "stock",
        "stock_65",
        "stock_85",
        "residents_65",
        "places",
        "admitted",
        "exits",
        "discharged",
        "waiting",
        "family_residential",
        "mortality_weight",
    )
    reads = (Read("services.withdraw", lag=None),)
    indicators = (
        Indicator(
            "residential_care",
            "In residential care",
            "In RSA",
            "persons",
            "Residents living in residential care (RSA), mean over the reported weeks.",
            Total(P("citizens.residential", "count")),
            summary="mean",
        ),
        Indicator(
            "residential_share_65",
            "In RSA, share of 65+",
            "In RSA, quota degli over 65",
            "share",
            "Residents aged 65+ living in residential care (RSA), as a share of residents 65+, "
            "mean over the reported weeks (a stock).",
            Ratio(P("residential.stock_65"), P("residential.residents_65")),
            description_it="Residenti di 65+ anni in RSA sul totale dei residenti di 65+ anni, "
            "media delle settimane riportate.",
        ),
        Indicator(
            "residential_share_85",
            "RSA residents aged 85+",
            "Ospiti RSA di 85+ anni",
            "share",
            "RSA residents aged 85+, as a share of RSA residents aged 65+, mean over the reported "
            "weeks (the age mix of the stock; no target: the calibration table has no row on "
            "it, docs/ODD.md 8.4).",
            Ratio(P("residential.stock_85"), P("residential.stock_65")),
            description_it="Ospiti di RSA di 85+ anni sul totale degli ospiti di 65+ anni, media "
            "delle settimane riportate (composizione per età; nessun obiettivo).",
        ),
        Indicator(
            "residential_admissions",
            "RSA admissions",
            "Ingressi in RSA",
            "persons/week",
            "Admissions to residential care.",
            Total(P("residential.admitted")),
            summary="sum",
        ),
        Indicator(
            "residential_stay_weeks",
            "Mean stay in RSA",
            "Permanenza media in RSA",
            "weeks",
            "Mean length of stay in residential care, from admission to death or discharge: the "
            "mean stock over the mean weekly admissions of the reported weeks (Little's law; "
            "equal to the mean completed stay of those admitted when the stock is stationary, "
            "temporary stays included).",
            Ratio(P("citizens.residential", "count"), P("residential.admitted")),
            summary="ratio:residential_care/residential_admissions",
        ),
        Indicator(
            "residential_discharges",
            "RSA discharges",
            "Dimissioni da RSA",
            "persons/week",
            "Residents leaving residential care alive at the end of a temporary stay.",
            Total(P("residential.discharged")),
            summary="sum",
        ),
        Indicator(
            "residential_waiting_list",
            "RSA waiting list",
            "Lista d'attesa RSA",
            "persons",
            "Residents waiting for a place in residential care, mean over the reported weeks.",
            Total(P("residential.waiting", "count")),
            better=-1,
        ),
    )
    journey_need_rules: ClassVar[dict[str, str]] = {"need_ended": "admission"}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "residential": ("Admitted to residential care", "Ricoverato in RSA"),
        "rsa_discharged": (
            "Back home at the end of a temporary RSA stay",
            "Rientro a casa alla fine di un ricovero temporaneo in RSA",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "admission": (
            "residential: a free place goes to the list's highest care level, then the longest "
            "wait (or the longest wait alone, by the city's rule)",
            "residenzialità: un posto libero va al livello di cura più alto in lista, poi "
            "all'attesa più lunga (o alla sola attesa più lunga, secondo la regola della città)",
        ),
        "rsa_discharge": (
            "residential: a temporary stay ends after residential.temporary_weeks",
            "residenzialità: un ricovero temporaneo finisce dopo residential.temporary_weeks",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        c = model.citizens
        self.waiting = np.zeros(c.n, dtype=bool)
        self.applied = np.zeros(c.n, dtype=np.int32)  # week of application
        self.level_in = np.zeros(c.n, dtype=np.int8)  # care level at admission (0: not in RSA)
        self.stay_end = np.full(c.n, PERMANENT, dtype=np.int32)  # a temporary stay's last week
        self.admitted = 0
        self.exits = 0  # deaths in the RSA this week
        self.discharged = 0  # temporary stays ended this week
        self._exits = 0
        self.family_residential = 0.0
        self.configure(model)
        self._count(model)
        self._initial_stock(model)
        self.admitted = 0  # the initial stock is not a week's admissions
        self._count(model)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.places_65 = float(p["city.residential_places_65"])
        self.apply_p = p.weekly("residential.apply_rate")
        self.renege_p = p.weekly("residential.renege_rate")
        self.health_week = p.weekly("residential.health_quota")
        self.social_week = p.weekly("residential.social_quota")
        self.support = float(p["residential.fee_support_share"])
        self.by_need = bool(p["city.residential_admission_by_need"])
        self.temporary_share = float(p["residential.temporary_share"])
        self.temporary_weeks = max(round(float(p["residential.temporary_weeks"])), 1)
        care_mult = float(p["needs.care_mortality_multiplier"])
        levels = np.arange(MAX_CARE_LEVEL + 1) - MAX_CARE_LEVEL
        self._weight = float(p["residential.mortality_multiplier"]) * care_mult**levels

    def mortality_weight(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Every resident's (or residents ``idx``'s) mortality weight if in residential care
        (read where ``citizens.residential``): ``residential.mortality_multiplier`` x
        ``needs.care_mortality_multiplier ** (level - 4)``, ``level`` the care level at admission
        (assumption *RSA mortality by need*: the gradient of care levels at home carries over)."""
        level = self.level_in if idx is None else self.level_in[idx]
        out: np.ndarray = self._weight.take(level)
        return out

    def mortality_weight_max(self) -> float:
        """The largest weight :meth:`mortality_weight` can give (any level at admission)."""
        return float(self._weight.max())

    def _count(self, model: WelfareModel) -> None:
        c = model.citizens
        old = c.age_band >= OLD_BAND
        self.residents_65 = int(np.count_nonzero(old))
        self.stock = int(np.count_nonzero(c.residential))
        self.stock_65 = int(np.count_nonzero(c.residential & old))
        self.stock_85 = int(np.count_nonzero(c.residential & (c.age_band == OLDEST_BAND)))
        self.places = round(self.places_65 * self.residents_65)

    def _initial_stock(self, model: WelfareModel) -> None:
        """Fill the places with residents 65+ with a care need: highest level first, then the
        oldest band, at random within them."""
        c, rng = model.citizens, model.streams["residential"]
        level = c.need_level[CARE]
        candidates = np.flatnonzero((c.age_band >= OLD_BAND) & (level > 0))
        keys = (rng.random(candidates.size), -c.age_band[candidates], -level[candidates])
        order = np.lexsort(keys)
        chosen = np.sort(candidates[order[: self.places]])
        self._admit(model, chosen, week=0, temporary=False)

    def apply(self, model: WelfareModel, idx: np.ndarray, week: int) -> None:
        """Residents ``idx`` are referred for a place (e.g. after a crisis): those aged 65+,
        at home and not yet waiting join the list."""
        c = model.citizens
        new = idx[(c.age_band[idx] >= OLD_BAND) & ~c.residential[idx] & ~self.waiting[idx]]
        self.waiting[new] = True
        self.applied[new] = week

    def step(self, model: WelfareModel, week: int) -> None:
        c, rng = model.citizens, model.streams["residential"]
        self.exits, self._exits = self._exits, 0  # this week's deaths (the needs phase)
        self._discharge(model, week)
        u = rng.random(c.n, dtype=np.float32)
        level = c.need_level[CARE]
        top = (level >= MAX_CARE_LEVEL) & (c.age_band >= OLD_BAND) & ~c.residential
        # waiting residents renege (the bottom of the draw); others at the top level apply
        waiting = np.flatnonzero(self.waiting)
        self.waiting[waiting[chance(u[waiting], self.renege_p)]] = False
        cand = np.flatnonzero(top & ~self.waiting)
        self.apply(model, cand[chance(1.0 - u[cand], self.apply_p)], week)
        self._count(model)
        free = self.places - self.stock
        self.admitted = 0
        if free > 0 and self.waiting.any():
            queue = np.flatnonzero(self.waiting)
            if self.by_need:  # a single ranking by need score (Veneto)
                order = np.lexsort((self.applied[queue], -level[queue]))
            else:  # each RSA's own list, by date of application (Lombardy)
                order = np.argsort(self.applied[queue], kind="stable")
            self._admit(model, queue[order[:free]], week)
            self._count(model)
        self._pay(model)

    def _admit(
        self, model: WelfareModel, idx: np.ndarray, week: int, *, temporary: bool = True
    ) -> None:
        """Admit ``idx``: a share of them (``temporary``) for a temporary stay."""
        c = model.citizens
        self.waiting[idx] = False
        if idx.size:
            self.level_in[idx] = np.maximum(c.need_level[CARE][idx], 1)
            self.stay_end[idx] = PERMANENT
            if temporary and self.temporary_share > 0:
                rng = model.streams["residential"]
                short = idx[rng.random(idx.size) < self.temporary_share]
                self.stay_end[short] = week + self.temporary_weeks
            model.services.withdraw(idx)  # they leave the services' lists (counted as leavers)
            model.close_all_needs(idx)
            c.residential[idx] = True
        self.admitted = int(idx.size)

    def _discharge(self, model: WelfareModel, week: int) -> None:
        """Temporary stays that end this week: the resident goes home with the care need they
        were admitted with (a new episode at that level)."""
        c = model.citizens
        home = np.flatnonzero(c.residential & (self.stay_end <= week))
        self.discharged = int(home.size)
        if home.size:
            c.residential[home] = False
            c.start_need(CARE, home, self.level_in[home], week)
            self.level_in[home] = 0
            self.stay_end[home] = PERMANENT

    def _pay(self, model: WelfareModel) -> None:
        c = model.citizens
        muni = model.municipality
        muni.pay("residential", self.stock * self.health_week)
        poor = int(np.count_nonzero(c.residential & (c.income_band == POOREST)))
        fee = poor * self.social_week * self.support
        muni.fixed_costs["residential_fee"] = fee  # an obligation: services leave room for it
        muni.pay("residential_fee", fee)
        paid = muni.week_spending["residential_fee"]
        self.family_residential = self.stock * self.social_week - paid

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """A care need that ends (recovery, admission) ends the wait for a place."""
        if domain == CARE:
            self.waiting[idx] = False

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Deaths: an RSA resident's place is freed, a wait ends."""
        self._exits += int(np.count_nonzero(model.citizens.residential[idx]))
        self.waiting[idx] = False
        self.level_in[idx] = 0
        self.stay_end[idx] = PERMANENT

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Admissions to residential care and discharges home."""
        from willsim.journal import Event

        for p in np.flatnonzero(~old["residential"] & new["residential"]):
            add(p, Event(week, self.name, int(who[p]), "residential", 0, rule="admission"))
        for p in np.flatnonzero(old["residential"] & ~new["residential"]):
            add(p, Event(week, self.name, int(who[p]), "rsa_discharged", 0, rule="rsa_discharge"))
