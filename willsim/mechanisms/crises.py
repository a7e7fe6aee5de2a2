"""Unmet needs escalate into crises with public costs.

A resident with a care need has a weekly risk of a crisis (a hospital admission) that rises with
the level of need, falls in proportion to the share of needed care hours received (from the
unmet risk at no help to ``crises.met_multiplier`` times it when fully covered) and is higher
when isolated. A crisis costs hospital
days, raises the care level by one, and makes the resident known to services (hospital discharge
links them to the social office). At the highest level a crisis may end in admission to
residential care. An unmet work/income need can end in loss of housing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, MAX_CARE_LEVEL, WORK, heat_exposed
from willsim.mechanisms.base import AddEvent, Mechanism, Read, SpendingItem
from willsim.outputs import Indicator, P, Total
from willsim.rng import chance

if TYPE_CHECKING:
    from willsim.model import WelfareModel


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
            "residential",
            "Residential care spending",
            "Spesa per RSA",
            "Public share of residential care after crises.",
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
    publishes = ("care_crisis", "work_crisis", "admitted", "family_residential")
    reads = (Read("coverage.met"), Read("coverage.fraction"))
    indicators = (
        Indicator(
            "residential_care",
            "In residential care",
            "In RSA",
            "persons",
            "Residents admitted to residential care.",
            Total(P("citizens.residential", "count")),
            summary="last",
        ),
    )
    journey_need_rules: ClassVar[dict[str, str]] = {
        "need_progressed": "crisis_level",
        "need_ended": "admission",
    }
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "crisis": ("Crisis: {value}", "Crisi: {value}"),
        "residential": ("Admitted to residential care", "Ricoverato in RSA"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "crisis_care": (
            "crises: risk by care level, lower the more care hours are covered, higher if isolated",
            "crisi: rischio per livello di cura, minore quanto più ore sono coperte, "
            "maggiore se isolato",
        ),
        "crisis_work": (
            "crises: an unmet work/income need may end in loss of housing",
            "crisi: un bisogno di lavoro/reddito scoperto può portare a perdere la casa",
        ),
        "crisis_level": (
            "crises: a crisis raises the care level by one",
            "crisi: una crisi alza di un livello il bisogno di cura",
        ),
        "discharge": (
            "crises: hospital discharge links the resident to services",
            "crisi: la dimissione ospedaliera mette in contatto con i servizi",
        ),
        "admission": (
            "crises: a crisis at the top care level may end in residential care",
            "crisi: una crisi al livello massimo può portare in RSA",
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
        self.residential_week = p.weekly("crises.residential_cost")
        self.public_share = p["crises.residential_public_share"]
        self.housing_cost = p["crises.housing_cost"]
        n = model.citizens.n
        self.care_crisis = np.zeros(n, dtype=bool)
        self.work_crisis = np.zeros(n, dtype=bool)
        self.admitted = 0
        self.family_residential = 0.0
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
        # u / risk is uniform given a crisis: it decides admission without a new draw
        admit = hit[top][draw[crisis][top] / hit_risk[top] < self.residential_share]
        level[hit] = np.minimum(hit_level + 1, MAX_CARE_LEVEL)
        c.crises[hit] += 1
        c.aware[hit] = True
        self.admitted = admit.size
        if admit.size:
            model.close_all_needs(admit)
            c.residential[admit] = True
        self.work_crisis = (c.need_level[WORK] > 0) & ~met[WORK] & chance(u[1], self.work_risk)
        c.crises[np.flatnonzero(self.work_crisis)] += 1
        muni = model.municipality
        muni.pay("hospital", hit.size * self.hospital_cost)
        residents = np.count_nonzero(c.residential)
        muni.pay("residential", residents * self.residential_week * self.public_share)
        self.family_residential = residents * self.residential_week * (1 - self.public_share)
        muni.pay("housing", np.count_nonzero(self.work_crisis) * self.housing_cost)

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
        for p in np.flatnonzero(~old["residential"] & new["residential"]):
            add(p, Event(week, name, int(who[p]), "residential", 0, rule="admission"))
        for p in np.flatnonzero(new["aware"] & ~old["aware"]):
            add(p, Event(week, name, int(who[p]), "aware", rule="discharge"))
