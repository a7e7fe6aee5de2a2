"""Who covers a care need: formal service, family and privately bought help.

A care need of ``h`` hours a week is met when formal hours, family hours (more for people living
with others than for people living alone) and hours bought privately (by families whose income
band makes it likely) reach ``services.care_met_share`` of ``h``. Private purchases are
out-of-pocket spending. Needs in the other domains are met only by a formal service (in this
engine; platforms and community help come with the policy mechanisms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, ISOLATION, SERVED, WORK
from willsim.mechanisms.base import Mechanism
from willsim.params import DOMAINS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Coverage(Mechanism):
    """Computes, each week, which needs are met and what families pay out of pocket."""

    name = "coverage"

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.level_hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.formal_hours = p["services.hours_per_case"][CARE]
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
        formal = model.marketplace.care_hours[idx]  # hours bought through the platform
        formal[c.status[CARE][idx] == SERVED] += self.formal_hours
        family = self.family_hours[c.living_alone[idx].astype(np.intp)]
        if model.community.enabled:  # peers and volunteers of the community platform
            family += model.community.care_hours[idx]
        target = self.met_share * need
        buys = formal + family < target
        buys &= ~c.residential[idx]
        buys &= c.private_propensity[idx] < self.uptake[c.income_band[idx]]
        private = np.where(buys, np.minimum(self.private_hours, need), 0.0)
        covered = formal + family + private
        met = self.met
        met[CARE] = False
        met[CARE][idx] = covered >= target
        np.equal(c.status[1:], SERVED, out=met[1:])
        met[WORK] |= model.marketplace.match_domain == WORK
        if model.community.enabled:
            met[ISOLATION] |= model.community.isolation_met
        self.unmet_hours = np.zeros(n)
        self.unmet_hours[idx] = np.maximum(need - covered, 0.0)
        # EUR this week, per resident: platform spending plus private help (x + 0.0 is x)
        self.private_spending = model.marketplace.family_spending.copy()
        self.private_spending[idx] += private * self.price
        self.out_of_pocket = float(self.private_spending.sum())
