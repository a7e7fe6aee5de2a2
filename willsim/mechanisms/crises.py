"""Unmet needs escalate into crises with public costs.

A resident with a care need has a weekly risk of a crisis (a hospital admission) that rises with
the level of need, is lower when the need is met and higher when isolated. A crisis costs hospital
days, raises the care level by one, and makes the resident known to services (hospital discharge
links them to the social office). At the highest level a crisis may end in admission to
residential care. An unmet work/income need can end in loss of housing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, ISOLATION, WORK
from willsim.mechanisms.base import Mechanism
from willsim.mechanisms.draws import as_float32, below, draw_bits
from willsim.mechanisms.needs import MAX_CARE_LEVEL, heat_exposed

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Crises(Mechanism):
    """Escalation of unmet needs into costly crisis events."""

    name = "crises"

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.care_risk = np.r_[0.0, p.weekly("crises.care_by_level")]
        self.met_mult = p["crises.met_multiplier"]
        self.iso_mult = p["crises.isolation_multiplier"]
        self.work_risk = p.weekly("crises.work")
        self.work_risk_k = below(self.work_risk)  # as NumPy compares it with a float32 draw
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
        # rng.random((2, n), dtype=np.float32) as 24-bit integers (see :mod:`draws`)
        u = draw_bits(model.streams["crises"], (2, c.n))
        level = c.need_level[CARE]
        at_risk = np.flatnonzero((level > 0) & ~c.residential)
        at_level = level[at_risk]
        risk = self.care_risk[at_level] * np.where(met[CARE][at_risk], self.met_mult, 1.0)
        risk = risk * np.where(c.need_level[ISOLATION][at_risk] > 0, self.iso_mult, 1.0)
        if self.heat != 1.0:
            risk = risk * np.where(heat_exposed(c, at_risk), self.heat, 1.0)
        draw = as_float32(u[0][at_risk])
        crisis = draw < risk
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
        self.work_crisis = (c.need_level[WORK] > 0) & ~met[WORK] & (u[1] < self.work_risk_k)
        c.crises[np.flatnonzero(self.work_crisis)] += 1
        muni = model.municipality
        muni.pay("hospital", hit.size * self.hospital_cost)
        residents = np.count_nonzero(c.residential)
        muni.pay("residential", residents * self.residential_week * self.public_share)
        self.family_residential = residents * self.residential_week * (1 - self.public_share)
        muni.pay("housing", np.count_nonzero(self.work_crisis) * self.housing_cost)
