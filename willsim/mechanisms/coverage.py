"""Who covers a need: the hours and services the other mechanisms give, family and private help.

A care need of ``h`` hours a week is met when the hours every mechanism gives towards it (their
declared ``care_hours_for``: formal services, platform hours, peers), family hours (more for
people living with others than for people living alone) and hours bought privately (by families
whose income band makes it likely) reach ``services.care_met_share`` of ``h``. Private purchases
are out-of-pocket spending. A need in another domain is met when a mechanism that declares it
meets that domain (``meets``: a formal service, a platform match, peers) meets it this week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE
from willsim.mechanisms.base import Mechanism
from willsim.outputs import Indicator, P, Total
from willsim.params import DOMAINS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Coverage(Mechanism):
    """Computes, each week, which needs are met and what families pay out of pocket."""

    name = "coverage"
    label = ("coverage", "copertura")
    publishes = ("met", "unmet_hours", "private_spending", "out_of_pocket")
    indicators = (
        Indicator(
            "unmet_care_hours",
            "Unmet care hours",
            "Ore di cura mancanti",
            "hours/week",
            "Hours of care needed but not covered by anyone.",
            Total(P("coverage.unmet_hours", "sum")),
            better=-1,
        ),
    )

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.level_hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.family_hours = p.array("services.informal_hours")  # [with others, alone]
        self.uptake = p.array("services.private_uptake")
        self.private_hours = p["services.private_hours"]
        self.price = p["services.private_price"]
        self.met_share = p["services.care_met_share"]
        n = model.citizens.n
        self.met = np.zeros((len(DOMAINS), n), dtype=bool)
        self.unmet_hours = np.zeros(n)
        self.private_spending = np.zeros(n)
        self.out_of_pocket = 0.0

    def step(self, model: WelfareModel, week: int) -> None:
        c, n = model.citizens, model.citizens.n
        level = c.need_level[CARE]
        idx = np.flatnonzero(level > 0)  # everyone else is trivially covered
        need = self.level_hours[level[idx]]
        formal = np.zeros(idx.size)  # services, platforms
        family = self.family_hours[c.living_alone[idx].astype(np.intp)]  # with peers
        for mech in model.mechanisms.values():
            if mech.care_hours_kind == "formal":
                formal += mech.care_hours_for(model, idx)
            elif mech.care_hours_kind == "informal":
                family += mech.care_hours_for(model, idx)
        target = self.met_share * need
        buys = formal + family < target
        buys &= ~c.residential[idx]
        buys &= c.private_propensity[idx] < self.uptake[c.income_band[idx]]
        private = np.where(buys, np.minimum(self.private_hours, need), 0.0)
        covered = formal + family + private
        met = self.met
        met[CARE] = False
        met[CARE][idx] = covered >= target
        met[1:] = False
        for mech in model.mechanisms.values():
            for domain in mech.meets:
                met[domain] |= mech.needs_met(model, domain)
        self.unmet_hours = np.zeros(n)
        self.unmet_hours[idx] = np.maximum(need - covered, 0.0)
        # EUR this week, per resident: what families paid through platforms plus private help
        self.private_spending = np.zeros(n)
        for mech in model.mechanisms.values():
            if "family_spending" in mech.publishes:
                self.private_spending += mech.published("family_spending")
        self.private_spending[idx] += private * self.price
        self.out_of_pocket = float(self.private_spending.sum())

    def idle(self, model: WelfareModel) -> bool:
        """It changes no resident's state, it only works out who is covered."""
        return True
