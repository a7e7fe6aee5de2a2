"""Weekly recording of indicators into preallocated arrays, overall and by citizen group.

Per-resident quantities are summed once a week over *cells* (the combination of every group
variable), in one ``bincount``; each group's totals are then marginals of the cells. Indicators
that are ratios are formed from these totals when results are built, so groups and the whole
city always agree. Nothing here keeps per-agent history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import Status
from willsim.indicators import GROUP_VARS, INDICATOR_LIST
from willsim.params import AGE_BANDS, INCOME_BANDS
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

# Per-resident quantities summed by group each week.
QUANTITIES: tuple[str, ...] = (
    "residents", "with_need", "unmet", "latent_needs", "eligible_needs", "eligible_unasked",
    "crises", "served", "wait_total", "assessments", "first_help_total", "first_helped",
    "out_of_pocket", "isolated",
)
Q = {name: k for k, name in enumerate(QUANTITIES)}
OVERALL_KEYS: tuple[str, ...] = tuple(i.key for i in INDICATOR_LIST)


def group_levels(model: WelfareModel) -> dict[str, list[str]]:
    """The levels of each group variable, as labels."""
    districts = int(model.params["city.districts"])
    return {
        "age_band": list(AGE_BANDS), "living_alone": ["no", "yes"], "income": list(INCOME_BANDS),
        "neet": ["no", "yes"], "digital": ["no", "yes"],
        "district": [str(d + 1) for d in range(districts)],
    }


class Collector:
    """Records every indicator each week; :mod:`willsim.results` turns the arrays into tables."""

    def __init__(self, model: WelfareModel, weeks: int) -> None:
        self.levels = group_levels(model)
        self.sizes = np.array([len(v) for v in self.levels.values()])
        self.n_cells = int(np.prod(self.sizes))
        # marginal maps: cell -> level index within the concatenated group levels
        offsets = np.r_[0, np.cumsum(self.sizes)[:-1]]
        cells = np.arange(self.n_cells)
        coords = np.array(np.unravel_index(cells, self.sizes))  # (vars, cells)
        self.cell_to_level = coords + offsets[:, None]
        self.n_levels = int(self.sizes.sum())
        self.overall = np.full((weeks, len(OVERALL_KEYS)), np.nan)
        self.groups = np.zeros((weeks, self.n_levels, len(QUANTITIES)))
        self.weeks_recorded = 0
        self.neet_activated = 0

    def cell_of(self, model: WelfareModel) -> np.ndarray:
        """Each resident's cell id (recomputed weekly: traits change on replacement)."""
        c = model.citizens
        parts = (c.age_band, c.living_alone, c.income_band, c.neet, c.digital, c.district)
        return np.ravel_multi_index([p.astype(np.intp) for p in parts], self.sizes)

    def collect(self, model: WelfareModel, week: int) -> None:
        c, weight = model.citizens, model.citizens.weight
        per = self._per_resident(model)
        cell = self.cell_of(model)
        flat = (np.arange(len(QUANTITIES))[:, None] * self.n_cells + cell[None, :]).ravel()
        by_cell = np.bincount(flat, weights=per.ravel(),
                              minlength=len(QUANTITIES) * self.n_cells)
        by_cell = by_cell.reshape(len(QUANTITIES), self.n_cells)
        levels = np.zeros((self.n_levels, len(QUANTITIES)))
        for var in range(self.cell_to_level.shape[0]):
            np.add.at(levels, self.cell_to_level[var], by_cell.T)
        self.groups[week] = levels
        totals = by_cell.sum(axis=1)
        self.overall[week] = self._overall(model, totals, weight)
        self.weeks_recorded = week + 1

    def _per_resident(self, model: WelfareModel) -> np.ndarray:
        c, office = model.citizens, model.office
        per = np.zeros((len(QUANTITIES), c.n))
        community = ~c.residential
        has = c.need_level > 0
        met = model.coverage.met
        per[Q["residents"]] = 1.0
        per[Q["with_need"]] = community & has.any(axis=0)
        per[Q["unmet"]] = community & (has & ~met).any(axis=0)
        latent = (c.status == Status.LATENT) & ~c.requested
        per[Q["latent_needs"]] = latent.sum(axis=0)
        eligible = has & (c.isee[None, :] <= office.isee_max[:, None]) & community[None, :]
        per[Q["eligible_needs"]] = eligible.sum(axis=0)
        per[Q["eligible_unasked"]] = (eligible & ~c.requested).sum(axis=0)
        per[Q["crises"]] = model.crises.care_crisis.astype(float) + model.crises.work_crisis
        per[Q["served"]] = (c.status == Status.SERVED).any(axis=0)
        who, waits = office.started_residents()
        np.add.at(per[Q["wait_total"]], who, waits)
        np.add.at(per[Q["assessments"]], who, 1.0)
        first = c.first_help == model.week
        onset_wait = np.where(first, model.week - c.need_since, 0).sum(axis=0)
        per[Q["first_help_total"]] = onset_wait
        per[Q["first_helped"]] = first.sum(axis=0)
        cov = model.coverage
        per[Q["out_of_pocket"]] = np.where(cov.private_buyers, cov.price * np.minimum(
            cov.private_hours, cov.level_hours[c.need_level[0]]), 0.0)
        per[Q["isolated"]] = community & (c.need_level[1] > 0)
        return per

    def _overall(self, model: WelfareModel, t: np.ndarray, w: float) -> np.ndarray:
        office, queue_week, muni = model.office, model.office.week, model.municipality
        spend = muni.week_spending
        residents = t[Q["residents"]]
        values = {
            "residents": residents * w,
            "people_with_need": t[Q["with_need"]] * w,
            "unmet_need_share": _ratio(t[Q["unmet"]], t[Q["with_need"]]),
            "people_with_unmet_need": t[Q["unmet"]] * w,
            "unmet_care_hours": float(model.coverage.unmet_hours.sum()) * w,
            "latent_needs": t[Q["latent_needs"]] * w,
            "non_take_up_share": _ratio(t[Q["eligible_unasked"]], t[Q["eligible_needs"]]),
            "crises": t[Q["crises"]] * w,
            "crises_per_1000": _ratio(t[Q["crises"]] * WEEKS_PER_YEAR * 1000, residents),
            "arrivals_per_week": queue_week.arrivals * w,
            "mean_queue_length": queue_week.queue_time_integral * w,
            "assessments_started": len(queue_week.started_items) * w,
            "mean_wait_weeks": (float(np.mean(queue_week.started_waits))
                                if len(queue_week.started_waits) else np.nan),
            "wait_total_weeks": float(np.sum(queue_week.started_waits)) * w,
            "waiting_list": float(np.count_nonzero(model.citizens.status == Status.WAITLIST)) * w,
            "time_to_first_help_weeks": _ratio(t[Q["first_help_total"]], t[Q["first_helped"]]),
            "first_help_total_weeks": t[Q["first_help_total"]] * w,
            "first_helped": t[Q["first_helped"]] * w,
            "coverage": _ratio(t[Q["served"]], t[Q["with_need"]]),
            "social_workers": office.servers * w,
            "office_utilisation": _ratio(queue_week.busy_time, office.servers),
            "provider_utilisation": _ratio(model.services.load.sum(),
                                           model.services.capacity.sum()),
            "spending_staff_eur": spend["staff"] * w,
            "spending_services_eur": spend["services"] * w,
            "spending_hospital_eur": spend["hospital"] * w,
            "spending_residential_eur": spend["residential"] * w,
            "spending_housing_eur": spend["housing"] * w,
            "public_spending_eur": sum(spend.values()) * w,
            "out_of_pocket_eur": (t[Q["out_of_pocket"]] + model.crises.family_residential) * w,
            "budget_remaining_eur": muni.remaining * w,
            "isolated_share": _ratio(t[Q["isolated"]], residents),
            "residential_care": float(np.count_nonzero(model.citizens.residential)) * w,
            "deaths": model.needs.deaths * w,
            "neet_activated": model.services.neet_activated * w,
        }
        return np.array([values[k] for k in OVERALL_KEYS], dtype=float)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")
