"""Unmet needs escalate into crises with public costs.

A resident with a care need has a weekly risk of a crisis (a hospital admission) that rises with
the level of need, falls in proportion to the share of needed care hours received (from the
unmet risk at no help to ``crises.met_multiplier`` times it when fully covered) and is higher
when isolated. A crisis costs hospital
days, raises the care level by one, and makes the resident known to services (hospital discharge
links them to the social office). At the highest level a crisis may end in a referral to
residential care (the resident joins the RSA waiting list, :mod:`willsim.mechanisms.residential`).

Housing loss: an unmet work/income need of an adult who lives independently (aged 30-64, or
aged 15-29 or 65+ and living alone; never in residential care) ends in loss of housing with
weekly probability ``crises.work`` (its yearly form set to the executed evictions per resident,
``docs/ODD.md``, housing loss).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, MAX_CARE_LEVEL, WORK, Citizens, heat_exposed
from willsim.mechanisms.base import AddEvent, Mechanism, Read, SpendingItem
from willsim.outputs import Indicator, P, Ratio
from willsim.rng import chance

if TYPE_CHECKING:
    from willsim.model import WelfareModel


YOUTH_BAND, ADULT_BAND, OLD_BAND = 1, 2, 3  # 15-29, 30-64, 65-74 (and older)


def independent_adults(c: Citizens, idx: np.ndarray | None = None) -> np.ndarray:
    """(n,) bool (or of residents ``idx``): adults who live independently and can lose their
    home: aged 30-64, or aged 15-29 or 65+ and living alone; never children or residents of
    residential care (young people and older people living with their family do not hold the
    tenancy: named assumption)."""
    band = c.age_band if idx is None else c.age_band[idx]
    alone = c.living_alone if idx is None else c.living_alone[idx]
    residential = c.residential if idx is None else c.residential[idx]
    alone_outside = alone & ((band == YOUTH_BAND) | (band >= OLD_BAND))
    return ((band == ADULT_BAND) | alone_outside) & ~residential


class Crises(Mechanism):
    """Escalation of unmet needs into costly crisis events."""

    name = "crises"
    label = ("crises", "crisi")
    streams = ("crises",)
    levers = ("shock",)
    spending = (
        SpendingItem(
            "hospital",
            "Hospital spending",
            "Spesa ospedaliera",
            "Public cost of hospital days after crises (health service).",
            municipal=False,
            better=-1,
        ),
        SpendingItem(
            "housing",
            "Emergency housing spending",
            "Spesa per emergenza abitativa",
            "Public cost of emergency housing after income crises.",
            municipal=False,
            better=-1,
        ),
    )
    publishes = ("care_crisis", "work_crisis", "admitted", "housing_losses")
    reads = (
        Read("coverage.met"),
        Read("coverage.fraction"),
        Read("residential.apply", lag=None),
    )
    indicators = (
        Indicator(
            "housing_loss_per_1000",
            "Housing losses per 1,000",
            "Perdite della casa ogni 1.000",
            "events/1,000 residents/year",
            "Losses of housing (an unmet work/income need of an adult living independently) per "
            "1,000 residents per year, averaged over the reported weeks.",
            Ratio(P("crises.housing_losses"), P("citizens.n"), scale=52_000.0),
            better=-1,
            description_it="Perdite della casa (bisogno di lavoro o reddito scoperto di un adulto "
            "che vive in modo autonomo) ogni 1.000 residenti all'anno, media delle settimane.",
        ),
    )
    journey_need_rules: ClassVar[dict[str, str]] = {"need_progressed": "crisis_level"}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "crisis": ("Crisis: {value}", "Crisi: {value}"),
        "referred": ("Referred to residential care", "Inviato alla lista RSA"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "crisis_care": (
            "crises: risk by care level, lower the more care hours are covered, higher if isolated",
            "crisi: rischio per livello di cura, minore quanto più ore sono coperte, "
            "maggiore se isolato",
        ),
        "crisis_work": (
            "crises: an unmet work/income need of an adult living independently may end in "
            "loss of housing",
            "crisi: un bisogno di lavoro/reddito scoperto di un adulto che vive in modo autonomo "
            "può portare a perdere la casa",
        ),
        "crisis_level": (
            "crises: a crisis raises the care level by one",
            "crisi: una crisi alza di un livello il bisogno di cura",
        ),
        "discharge": (
            "crises: hospital discharge links the resident to services",
            "crisi: la dimissione ospedaliera mette in contatto con i servizi",
        ),
        "referral": (
            "crises: a crisis at the top care level may end in a referral to residential care",
            "crisi: una crisi al livello massimo può portare alla lista d'attesa per una RSA",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.care_risk = np.r_[0.0, p.weekly("crises.care_by_level")]
        self.met_mult = p["crises.met_multiplier"]
        self.iso_mult = p["crises.isolation_multiplier"]
        self.work_risk = p.weekly("crises.work")
        self.hospital_cost = p["crises.hospital_days"] * p["crises.hospital_day_cost"]
        self.residential_share = p["crises.residential_share"]
        self.housing_cost = p["crises.housing_cost"]
        n = model.citizens.n
        self.care_crisis = np.zeros(n, dtype=bool)
        self.work_crisis = np.zeros(n, dtype=bool)
        self.admitted = 0  # referrals to residential care this week
        self.housing_losses = 0
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        """Heatwaves raise the crisis risk of older people living alone."""
        p = model.params
        self.heat = p["shock.heat_crisis"] if p["shock.heatwave"] else 1.0

    def step(self, model: WelfareModel, week: int) -> None:
        c, met = model.citizens, model.coverage.met
        u = model.streams["crises"].random((2, c.n), dtype=np.float32)  # care, work
        level = c.need_level[CARE]
        at_risk = np.flatnonzero((level > 0) & ~c.residential)
        at_level = level[at_risk]
        # partial help is partial: risk falls from the unmet level to the met level in
        # proportion to the share of needed care hours the resident receives
        covered = model.coverage.fraction[at_risk]
        risk = self.care_risk[at_level] * (1.0 - (1.0 - self.met_mult) * covered)
        risk = risk * np.where(c.need_level[ISOLATION][at_risk] > 0, self.iso_mult, 1.0)
        if self.heat != 1.0:
            risk = risk * np.where(heat_exposed(c, at_risk), self.heat, 1.0)
        draw = u[0][at_risk]
        crisis = chance(draw, risk)
        self.care_crisis = np.zeros(c.n, dtype=bool)
        self.care_crisis[at_risk] = crisis
        hit, hit_risk, hit_level = at_risk[crisis], risk[crisis], at_level[crisis]
        top = hit_level >= MAX_CARE_LEVEL
        # u / risk is uniform given a crisis: it decides the referral without a new draw
        refer = hit[top][draw[crisis][top] / hit_risk[top] < self.residential_share]
        level[hit] = np.minimum(hit_level + 1, MAX_CARE_LEVEL)
        c.crises[hit] += 1
        c.aware[hit] = True
        self.admitted = refer.size
        model.residential.apply(model, refer, week)
        # housing: an unmet work need of an independent adult, at a flat weekly risk (so only
        # the few residents whose draw falls under it are looked at)
        drawn = np.flatnonzero(chance(u[1], self.work_risk))
        lost = drawn[
            (c.need_level[WORK][drawn] > 0) & ~met[WORK][drawn] & independent_adults(c, drawn)
        ]
        self.work_crisis = np.zeros(c.n, dtype=bool)
        self.work_crisis[lost] = True
        self.housing_losses = int(lost.size)
        c.crises[lost] += 1
        muni = model.municipality
        muni.pay("hospital", hit.size * self.hospital_cost)
        muni.pay("housing", self.housing_losses * self.housing_cost)

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Crises (hospital, loss of housing), discharge links and admissions."""
        from willsim.journal import Event

        name = self.name
        care, work = self.care_crisis[who], self.work_crisis[who]
        for p in np.flatnonzero(new["crises"] > old["crises"]):
            if care[p]:
                add(p, Event(week, name, int(who[p]), "crisis", 0, "hospital", "crisis_care"))
            if work[p]:
                add(p, Event(week, name, int(who[p]), "crisis", 2, "housing", "crisis_work"))
        for p in np.flatnonzero(new["aware"] & ~old["aware"]):
            add(p, Event(week, name, int(who[p]), "aware", rule="discharge"))
