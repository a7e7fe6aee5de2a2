"""Formal services: placing waiting-list cases with providers, paying for them, and their effects.

Each week, eligible people on the waiting list are placed, oldest first, with providers that
serve the domain and have spare hours (municipal service first, then Third Sector, then private
contractors, cheapest first within a kind), as long as the municipality can afford the weekly
cost for the rest of its budget year. Served people receive a fixed number of hours a week; the
provider's hidden quality scales the effect. When the budget cannot pay for every case in
service, the most recently placed cases are suspended back to the waiting list (rationing).
Provider load is always derived from the cases in service, never tracked separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, ISOLATION, LATENT, SERVED, WAITLIST, WORK
from willsim.mechanisms.base import Mechanism
from willsim.params import DOMAINS, PROVIDER_KINDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Services(Mechanism):
    """Allocation of cases to providers, delivery, payment and service effects."""

    name = "services"

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.hours = p.array("services.hours_per_case")
        self.max_weeks = p.weekly("services.max_duration")
        self.resolution = p.weekly("services.resolution")
        self.progress_mult = p["services.care_progression_multiplier"]
        providers = model.providers
        serves = np.array([pr.domains for pr in providers], dtype=bool)
        self.serves = serves.reshape(-1, len(DOMAINS))
        lines = np.maximum(self.serves.sum(axis=1, keepdims=True), 1)
        total = np.array([pr.capacity for pr in providers], dtype=float).reshape(-1, 1)
        self.full_capacity = total * self.serves / lines  # (P, D): hours/week per service line
        self.capacity = self.full_capacity.copy()
        self.unit_cost = np.array([pr.unit_cost for pr in providers], dtype=float)
        self.quality = np.array([pr.quality for pr in providers], dtype=float)
        kind_rank = np.array([PROVIDER_KINDS.index(pr.kind) for pr in providers])
        self.order = np.lexsort((self.unit_cost, kind_rank)) if providers else np.empty(0, int)
        self.service_start = np.full((len(DOMAINS), model.citizens.n), -1, dtype=np.int32)
        self.load = np.zeros_like(self.capacity)  # (P, D), derived from cases in service
        self.placed = np.zeros(len(DOMAINS), dtype=np.int64)
        self.suspended = 0
        self.resolved = np.zeros(len(DOMAINS), dtype=np.int64)
        self.neet_activated = 0
        self.cost_week = 0.0
        self._provider = model.citizens.provider  # (D, n), updated in place by the model
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        """A pandemic cuts providers' capacity: no new placements until load falls below it."""
        p = model.params
        factor = p["shock.pandemic_capacity"] if p["shock.pandemic"] else 1.0
        self.capacity = self.full_capacity * factor

    def quality_of(self, domain: int, who: np.ndarray) -> np.ndarray:
        """Quality of the provider serving residents ``who`` in ``domain`` (0 if none)."""
        prov = self._provider[domain, who]
        if self.quality.size == 0:
            return np.zeros(prov.shape)
        return np.where(prov >= 0, self.quality[np.maximum(prov, 0)], 0.0)

    def care_progression_factor(self, who: np.ndarray) -> np.ndarray:
        """Multiplier on care-need progression for served residents ``who``."""
        q = self.quality_of(CARE, who)
        return np.clip(1.0 - (1.0 - self.progress_mult) * q, 0.0, 1.0)

    def step(self, model: WelfareModel, week: int) -> None:
        self._place(model, week)
        self._pay(model, week)
        self._effects(model, week)
        self._sync_agents(model)

    def case_cost(self, domain: int, provider: np.ndarray) -> np.ndarray:
        """Weekly cost of cases in ``domain`` with the given providers."""
        return self.hours[domain] * self.unit_cost[provider]

    def served_providers(self, model: WelfareModel) -> list[np.ndarray]:
        """For each domain, the provider of every case in service."""
        c = model.citizens
        return [c.provider[d, np.flatnonzero(c.status[d] == SERVED)] for d in range(len(DOMAINS))]

    def committed_cost(self, provs: list[np.ndarray]) -> float:
        """Weekly cost of the cases in service (``provs`` from :meth:`served_providers`)."""
        return sum(float(self.case_cost(d, prov).sum()) for d, prov in enumerate(provs))

    def _derive_load(self, provs: list[np.ndarray]) -> None:
        for d, prov in enumerate(provs):
            self.load[:, d] = np.bincount(prov, minlength=len(self.load)) * self.hours[d]

    def _place(self, model: WelfareModel, week: int) -> None:
        c, muni = model.citizens, model.municipality
        provs = self.served_providers(model)
        self._derive_load(provs)
        committed = self.committed_cost(provs)
        weekly_allowance = muni.available_for_services(week) / muni.weeks_left_in_year(week)
        self.placed[:] = 0
        for d in range(len(DOMAINS)):
            waiting = np.flatnonzero(c.status[d] == WAITLIST)
            if waiting.size == 0:
                continue
            waiting = waiting[np.argsort(c.status_since[d, waiting], kind="stable")]
            start = 0
            for j in self.order:
                if start >= waiting.size:
                    break
                if not self.serves[j, d]:
                    continue
                cost = self.hours[d] * self.unit_cost[j]
                slots = int((self.capacity[j, d] - self.load[j, d] + 1e-9) // self.hours[d])
                budget_left = weekly_allowance - committed
                affordable = int(max(budget_left, 0.0) // cost) if cost > 0 else slots
                take = max(0, min(slots, affordable, waiting.size - start))
                if take == 0:
                    continue
                who = waiting[start:start + take]
                start += take
                c.status[d, who] = SERVED
                c.status_since[d, who] = week
                c.provider[d, who] = j
                first = who[c.first_help[d, who] < 0]
                c.first_help[d, first] = week
                self.service_start[d, who] = week
                self.load[j, d] += take * self.hours[d]
                committed += take * cost
                self.placed[d] += take

    def _pay(self, model: WelfareModel, week: int) -> None:
        """Pay this week's services; suspend the newest cases if the budget cannot cover them.

        The salaries of the rest of the year are set aside first: staff are never left unpaid
        so that services can continue.
        """
        muni = model.municipality
        self.suspended = 0
        provs = self.served_providers(model)
        cost = self.committed_cost(provs)
        available = muni.available_for_services(week)
        if cost > available + 1e-9:
            self._ration(model, cost - available)
            provs = self.served_providers(model)
            cost = self.committed_cost(provs)
        self.cost_week = muni.pay("services", cost)
        self._derive_load(provs)
        for d, prov in enumerate(provs):
            revenue = np.bincount(prov, weights=self.case_cost(d, prov), minlength=len(self.load))
            count = np.bincount(prov, minlength=len(self.load))
            for j, pr in enumerate(model.providers):
                pr.revenue += revenue[j]
                pr.hours_delivered += count[j] * self.hours[d]

    def _ration(self, model: WelfareModel, excess: float) -> None:
        """Suspend the most recently placed cases until their cost covers ``excess``."""
        c = model.citizens
        domain, who = np.nonzero(c.status == SERVED)
        cost = self.hours[domain] * self.unit_cost[c.provider[domain, who]]
        order = np.argsort(-self.service_start[domain, who], kind="stable")
        freed_before = np.cumsum(cost[order]) - cost[order]
        cut = order[freed_before < excess - 1e-9]
        c.status[domain[cut], who[cut]] = WAITLIST
        c.provider[domain[cut], who[cut]] = -1
        self.suspended = cut.size

    def _effects(self, model: WelfareModel, week: int) -> None:
        c = model.citizens
        u = model.streams["services"].random((len(DOMAINS), c.n), dtype=np.float32)
        self.resolved[:] = 0
        for d in range(len(DOMAINS)):
            served = np.flatnonzero(c.status[d] == SERVED)
            done = served[u[d, served] < self.resolution[d] * self.quality_of(d, served)]
            self.resolved[d] = done.size
            if d == CARE:
                model.lower_care_level(done)
            elif d == ISOLATION:
                model.close_needs(ISOLATION, done)
            elif d == WORK:
                self.neet_activated += int(np.count_nonzero(c.neet[done]))
                model.resolve_work_needs(done)
            served = np.flatnonzero(c.status[d] == SERVED)
            expired = served[week - self.service_start[d, served] >= self.max_weeks[d]]
            c.status[d, expired] = LATENT
            c.provider[d, expired] = -1
            c.status_since[d, expired] = week

    def _sync_agents(self, model: WelfareModel) -> None:
        self._derive_load(self.served_providers(model))
        for j, pr in enumerate(model.providers):
            pr.load = float(self.load[j].sum())
