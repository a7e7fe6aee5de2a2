"""Municipal cash contributions (contributi economici): care and poverty contributions granted at
assessment and paid out of the municipal budget.

Italian municipalities spend about a quarter of their social budget as cash transfers (26.5%,
39.6% in the poverty area). Two contributions are modelled, one per area the model covers:

* **care** (elderly area): a resident 65+ whose care request the office has just found eligible
  (or whom outreach has taken in charge) and whose ISEE is at most ``cash.care_isee_max``
  receives a care contribution with probability ``cash.care_grant_share``;
* **poverty** (poverty and adult hardship): likewise for a work/income need, with
  ``cash.work_isee_max`` and ``cash.work_grant_share``.

A grant is decided once, in the week the need is newly assessed eligible (it joins the waiting
list or goes straight into service), at most once per domain and (budget) year per resident. It
lasts ``cash.<domain>_weeks`` weeks and ends early with the need, a death or an admission to
residential care. Its weekly amount is such that a user costs ``cash.<domain>_eur_year`` per
(budget) year in which they are counted (a grant of D weeks touches 1 + (D - 1)/52 budget years
on average): the sourced spending per yearly user.

The budget binds: each domain's grants may commit at most ``cash.<domain>_budget_share`` of the
annual budget a week (over 52), and all grants together at most what the municipality's plan
leaves once staff, services and its other items are set aside (``municipality.plan_share`` of the
budget, as the services' capacity reviews plan theirs); when there is less room than candidates,
the lowest ISEE come first (the municipality's ranking). The contributions are paid every week
as the municipal spending item ``cash`` (in ``municipal_spending_per_resident``); if what is
left of the year's budget, once the staff of the remaining weeks is set aside, cannot pay them,
the newest grants end (as services suspend their newest cases). The services' capacity reviews
see this spending among the other municipal items (``Municipality.services_allowance``), so
services and cash share the budget without overspending it.

Effects: a care contribution buys private care hours at ``services.private_price``; they count
towards the resident's care coverage (published per resident as ``care_eur_week``, and as care
hours through the coverage contract). A poverty contribution meets the household's income need
while it is paid when it is large enough, decided once per grant with probability
``cash.work_protection``: that need then counts as met, so it cannot end in housing loss
(:mod:`willsim.mechanisms.crises`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, SERVED, WAITLIST, WORK
from willsim.mechanisms.base import AddEvent, Mechanism, SpendingItem
from willsim.outputs import Indicator, P, Q, Ratio, Total
from willsim.rng import SparseDraws
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_BAND = 3  # age bands 65-74, 75-84, 85+
NEVER = np.iinfo(np.int32).min // 2
CASH_DOMAINS = (CARE, WORK)  # row k of the mechanism's (2, n) arrays is domain CASH_DOMAINS[k]
_KEYS = ("care", "work")


def weekly_amount(eur_year: float, weeks: float) -> float:
    """EUR a week such that a grant of ``weeks`` weeks costs ``eur_year`` per budget year in which
    its user is counted: it touches ``1 + (weeks - 1) / 52`` budget years on average."""
    return eur_year * (1.0 + (weeks - 1.0) / WEEKS_PER_YEAR) / weeks


def _users_indicator(key: str, k: int | None, name: str, name_it: str, who: str) -> Indicator:
    num = P("cash.new_users") if k is None else P("cash.new_users_by_domain", index=k)
    return Indicator(
        key,
        name,
        name_it,
        "persons/1,000 residents/year",
        f"Residents who received a municipal cash contribution ({who}) at some time in the "
        "(budget) year, per 1,000 residents: yearly users. Weekly values are the year's new "
        "users annualised, so their mean over whole years is the yearly count.",
        Ratio(num, Q("residents"), scale=1000.0 * WEEKS_PER_YEAR),
        description_it=f"Residenti che hanno ricevuto un contributo economico comunale ({who}) "
        "in qualche momento dell'anno (di bilancio), ogni 1.000 residenti: utenti nell'anno.",
    )


class Cash(Mechanism):
    """Care and poverty contributions: granted at assessment, means-tested, budget-capped."""

    name = "cash"
    label = ("cash contributions", "contributi economici")
    streams = ("cash",)
    levers = ("cash",)
    spending = (
        SpendingItem(
            "cash",
            "Cash contributions spending",
            "Spesa per contributi economici",
            "Municipal spending on cash contributions (care and poverty contributions).",
        ),
    )
    publishes = (
        "active",
        "care_eur_week",
        "new_users",
        "new_users_by_domain",
        "recipients",
        "paid_week",
    )
    care_hours_kind = "formal"
    meets = (WORK,)
    indicators = (
        _users_indicator(
            "cash_users_per_1000",
            None,
            "Cash contribution users per 1,000",
            "Utenti di contributi economici ogni 1.000",
            "care or poverty; once per area",
        ),
        _users_indicator(
            "cash_users_care_per_1000",
            0,
            "Care contribution users per 1,000",
            "Utenti di contributi di cura ogni 1.000",
            "care contribution, residents 65+",
        ),
        _users_indicator(
            "cash_users_work_per_1000",
            1,
            "Poverty contribution users per 1,000",
            "Utenti di contributi per la povertà ogni 1.000",
            "poverty contribution",
        ),
        Indicator(
            "cash_recipients",
            "Receiving a cash contribution",
            "Con un contributo economico",
            "persons",
            "Residents receiving a care or poverty contribution this week.",
            Total(P("cash.recipients", "count")),
        ),
    )
    journey_fields: ClassVar[dict[str, float]] = {"cash_care": 0.0, "cash_work": 0.0}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "cash_granted": ("Cash contribution granted ({domain})", "Contributo concesso ({domain})"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "cash_grant": (
            "cash: assessed eligible, under the contribution's ISEE threshold, within its budget",
            "contributi: valutato idoneo, sotto la soglia ISEE del contributo, nel suo bilancio",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        n = model.citizens.n
        k = len(CASH_DOMAINS)
        self.until = np.full((k, n), NEVER, dtype=np.int32)  # week each grant ends
        self.year_counted = np.full((k, n), NEVER, dtype=np.int32)  # budget year of a grant
        self.protects = np.zeros(n, dtype=bool)  # the poverty grant meets the income need
        self.helped = np.zeros((k, n), dtype=bool)  # a grant in the current need episode
        # status at the end of last week, to tell a new eligibility decision from a resumed case
        self.last_status = model.citizens.status[list(CASH_DOMAINS)].copy()
        self.active = np.zeros((k, n), dtype=bool)
        self._care_weekly = 0.0  # EUR a week of a care grant, as of the last step
        self.new_users = 0
        self.new_users_by_domain = np.zeros(k)
        self.paid_week = 0.0
        self._week = 0
        self._ran = False
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.enabled = bool(p["cash.enabled"])
        self.weeks = np.array([max(round(p[f"cash.{d}_weeks"]), 1) for d in _KEYS])
        self.weekly = np.array(
            [
                weekly_amount(p[f"cash.{d}_eur_year"], w)
                for d, w in zip(_KEYS, self.weeks, strict=True)
            ]
        )
        self.isee_max = np.array([p[f"cash.{d}_isee_max"] for d in _KEYS])
        self.grant_share = np.array([p[f"cash.{d}_grant_share"] for d in _KEYS])
        self.budget_share = np.array([p[f"cash.{d}_budget_share"] for d in _KEYS])
        self.protection = float(p["cash.work_protection"])
        self.plan_share = float(p["municipality.plan_share"])
        self.price = float(p["services.private_price"])

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        self.until[:, idx] = NEVER
        self.year_counted[:, idx] = NEVER
        self.protects[idx] = False
        self.helped[:, idx] = False
        self.active[:, idx] = False
        self.last_status[:, idx] = 0

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """A need that ends ends its contribution (and the episode it helped)."""
        if domain in CASH_DOMAINS:
            k = CASH_DOMAINS.index(domain)
            self.until[k, idx] = NEVER
            self.active[k, idx] = False
            self.helped[k, idx] = False

    def step(self, model: WelfareModel, week: int) -> None:
        c = model.citizens
        self._week = week
        self._ran = True
        self.new_users = 0
        self.new_users_by_domain = np.zeros(len(CASH_DOMAINS))
        in_care = np.flatnonzero(c.residential)
        self.until[CASH_DOMAINS.index(CARE)][in_care] = NEVER  # residential care covers
        if self.enabled:
            self._grant(model, week)
        self.active = self.until > week
        self._pay(model, week)  # rationing ends grants in both until and active
        self._care_weekly = self.weekly[CASH_DOMAINS.index(CARE)]

    def end_week(self, model: WelfareModel, week: int) -> None:
        self.last_status = model.citizens.status[list(CASH_DOMAINS)].copy()

    def _candidates(self, model: WelfareModel, k: int, week: int, year: int) -> np.ndarray:
        """Residents (ascending) newly assessed eligible in domain ``CASH_DOMAINS[k]`` this week
        who may receive its contribution, before the grant draw: on the waiting list or in
        service since this week but not last week, under the ISEE threshold, without a grant
        running or one this year, at home (and 65+ for care)."""
        c, domain = model.citizens, CASH_DOMAINS[k]
        status = c.status[domain]
        listed = np.flatnonzero(status >= WAITLIST)  # waiting, served or refused: few
        st = status[listed]
        cand = listed[(st <= SERVED) & (c.status_since[domain][listed] >= week)]
        last = self.last_status[k][cand]
        cand = cand[(last != WAITLIST) & (last != SERVED)]
        keep = (c.isee[cand] <= self.isee_max[k]) & (self.until[k][cand] <= week)
        keep &= (self.year_counted[k][cand] != year) & ~c.residential[cand]
        if domain == CARE:
            keep &= c.age_band[cand] >= OLD_BAND
        return cand[keep]

    def _grant(self, model: WelfareModel, week: int) -> None:
        """Grant this week's contributions to the newly eligible, within each domain's budget.

        Three draws a resident a week (grant, budget tie-break, protection), as
        ``rng.random((3, n))``, read only for the few candidates (:class:`~willsim.rng.
        SparseDraws`): the grant draw of every candidate of either domain first, then the
        tie-breaks and protections of those it selects."""
        c, muni = model.citizens, model.municipality
        n = c.n
        draws = SparseDraws(model.streams["cash"], 3 * n)
        year = week // WEEKS_PER_YEAR
        # what the plan leaves for cash once staff, services and the other municipal items are
        # set aside (as the services' capacity reviews compute theirs), less what grants commit
        planned = muni.services_allowance(self.plan_share, ("cash",))
        running = self._active_counts(week)
        planned -= float(running @ self.weekly)
        cands = [self._candidates(model, k, week, year) for k in range(len(CASH_DOMAINS))]
        either = np.union1d(*cands)
        grant_u = draws.take(either)
        selected = [
            cand[grant_u[np.searchsorted(either, cand)] < self.grant_share[k]]
            for k, cand in enumerate(cands)
        ]
        chosen = np.union1d(*selected)
        tie_u = draws.take(n + chosen)
        work = selected[CASH_DOMAINS.index(WORK)]
        protect_u = draws.take(2 * n + work)
        draws.close()
        for k, domain in enumerate(CASH_DOMAINS):
            idx = selected[k]
            if idx.size == 0:
                continue
            allot = self.budget_share[k] * muni.annual_budget / WEEKS_PER_YEAR
            committed = running[k] * self.weekly[k]
            free = min(allot - committed, planned)
            room = int(max(free, 0.0) // self.weekly[k]) if self.weekly[k] > 0 else 0
            if room < idx.size:  # the lowest ISEE first, ties at random
                ties = tie_u[np.searchsorted(chosen, idx)]
                idx = idx[np.lexsort((ties, c.isee[idx]))[:room]]
            self.until[k, idx] = week + self.weeks[k]
            self.year_counted[k, idx] = year
            self.helped[k, idx] = True
            if domain == WORK:
                self.protects[idx] = protect_u[np.searchsorted(work, idx)] < self.protection
            self.new_users_by_domain[k] = idx.size
            planned -= idx.size * self.weekly[k]
        self.new_users = int(self.new_users_by_domain.sum())

    def _active_counts(self, week: int) -> np.ndarray:
        """Grants running this week, by domain (int64)."""
        return np.array([np.count_nonzero(row > week) for row in self.until], dtype=np.int64)

    def _pay(self, model: WelfareModel, week: int) -> None:
        """Pay the active grants; end the newest if the year's budget cannot pay them."""
        muni = model.municipality
        counts = np.array([np.count_nonzero(row) for row in self.active], dtype=np.int64)
        cost = float(counts @ self.weekly)
        available = muni.available_for_services(week)
        if cost > available + 1e-9:
            self._ration(cost - available, week)
            cost = float(self.active.sum(axis=1) @ self.weekly)
        self.paid_week = muni.pay("cash", cost)

    def _ration(self, excess: float, week: int) -> None:
        """End the most recently granted contributions until their cost covers ``excess``."""
        k, who = np.nonzero(self.active)
        start = self.until[k, who] - self.weeks[k]
        order = np.argsort(-start, kind="stable")
        saved = np.cumsum(self.weekly[k[order]])
        n_cut = int(np.searchsorted(saved, excess - 1e-9) + 1)
        cut = order[:n_cut]
        self.until[k[cut], who[cut]] = week
        self.active[k[cut], who[cut]] = False

    @property
    def care_eur_week(self) -> np.ndarray:
        """(n,) EUR a week of care contribution per resident this week."""
        out: np.ndarray = np.where(self.active[CASH_DOMAINS.index(CARE)], self._care_weekly, 0.0)
        return out

    @property
    def recipients(self) -> np.ndarray:
        """(n,) bool: residents receiving a contribution this week (either domain)."""
        out: np.ndarray = np.any(self.active, axis=0)
        return out

    # --- coverage ------------------------------------------------------------------------------

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Private care hours a week the care contribution buys for residents ``idx``."""
        if self.price <= 0:
            return np.zeros(idx.size)
        active = self.active[CASH_DOMAINS.index(CARE)][idx]
        return np.where(active, self._care_weekly, 0.0) / self.price

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        """Income needs met by a poverty contribution large enough for the household."""
        return self.active[CASH_DOMAINS.index(WORK)] & self.protects

    def has_helped(self, model: WelfareModel, domain: int, idx: np.ndarray) -> np.ndarray | None:
        if domain not in CASH_DOMAINS:
            return None
        return self.helped[CASH_DOMAINS.index(domain), idx]

    # --- journey -------------------------------------------------------------------------------

    def has_run(self) -> bool:
        return self._ran

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled

    @property
    def cash_care(self) -> np.ndarray:
        """EUR a week of care contribution per resident (the journal's view)."""
        return self.care_eur_week

    @property
    def cash_work(self) -> np.ndarray:
        """EUR a week of poverty contribution per resident (the journal's view)."""
        k = CASH_DOMAINS.index(WORK)
        return np.where(self.active[k], self.weekly[k], 0.0)

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Contributions granted to followed residents this week."""
        from willsim.journal import Event

        for field, domain in (("cash_care", CARE), ("cash_work", WORK)):
            for p in np.flatnonzero((new[field] > 0) & (old[field] <= 0)):
                add(
                    p,
                    Event(
                        week,
                        self.name,
                        int(who[p]),
                        "cash_granted",
                        domain,
                        float(new[field][p]),
                        "cash_grant",
                    ),
                )
