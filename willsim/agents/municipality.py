"""The Municipality agent: an annual budget it cannot exceed, staff, and the spending ledger.

It also plans what its services may cost: :meth:`Municipality.services_allowance` is the weekly
amount left for an item once staff, platforms, outreach and other municipal items are set aside.
The planned lines (the services' lines, which buy extra capacity when waiting lists grow, and
the day centres' places) share what the plan leaves them in proportion to their plans
(:meth:`Municipality.planned_lines_factor`); cash contributions take what is left after them
(the budget binds, as the sourced spending per resident says).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from willsim.agents.base import WillsimAgent
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.mechanisms.base import SpendingItem
    from willsim.model import WelfareModel


class Municipality(WillsimAgent):
    """Holds the modelled social budget for the year and pays staff and services out of it.

    The ledger has one line per spending item the mechanisms declare (``items``): municipal
    items come out of the budget, capped by what is left of it; the others (hospital days,
    the public share of residential care, emergency housing) are paid by the health service and
    other public budgets, and are reported but never rationed.
    """

    def __init__(
        self,
        model: WelfareModel,
        base_budget: float,
        multiplier: float = 1.0,
        items: Sequence[SpendingItem] = (),
    ) -> None:
        super().__init__(model)
        self.items: tuple[str, ...] = tuple(item.key for item in items)
        self.municipal_items = frozenset(item.key for item in items if item.municipal)
        self.base_budget = float(base_budget)  # EUR per year, in simulated units, before policy
        self.multiplier = float(multiplier)
        self.annual_budget = self.base_budget * multiplier
        self.remaining = self.annual_budget
        self.week_spending = dict.fromkeys(self.items, 0.0)
        self.total_spending = dict.fromkeys(self.items, 0.0)
        self.fixed_costs: dict[str, float] = {}  # weekly bills set aside first (staff, outreach)
        # planned lines: item -> its share of the planned budget (services' lines, day centres)
        self.planned_lines: dict[str, float] = {}
        self.first_week = -int(getattr(model, "burn_in", 0))  # the budget year starts here
        self.recent_weekly = dict.fromkeys(self.items, 0.0)  # smoothed spending by item
        self._smoothing = 1.0 / 13.0  # weight of the latest week (a quarter's memory)

    def start_week(self, week: int) -> None:
        """Reset the weekly ledger; a new budget year starts every 52 weeks (counted from
        reported week 0, the burn-in's weeks included)."""
        if week % WEEKS_PER_YEAR == 0 and week > self.first_week:
            self.remaining = self.annual_budget
        if week > self.first_week:
            a = self._smoothing
            for item, spent in self.week_spending.items():
                self.recent_weekly[item] += a * (spent - self.recent_weekly[item])
        self.week_spending = dict.fromkeys(self.items, 0.0)

    def weeks_left_in_year(self, week: int) -> int:
        return WEEKS_PER_YEAR - week % WEEKS_PER_YEAR

    def available_for_services(self, week: int) -> float:
        """What remains this year once the staff bill of the remaining weeks is set aside."""
        reserve = sum(self.fixed_costs.values()) * (self.weeks_left_in_year(week) - 1)
        return max(self.remaining - reserve, 0.0)

    def services_allowance(self, plan_share: float, services: tuple[str, ...]) -> float:
        """EUR a week the municipality plans to spend on the items ``services`` in a steady
        year: ``plan_share`` of the annual budget, less the staff and other fixed bills and the
        recent weekly spending on every other municipal item, over 52 weeks (never below 0)."""
        others = sum(  # in the items' declared order: a set's order changes with the process
            max(self.recent_weekly[item], self.fixed_costs.get(item, 0.0))
            for item in self.items
            if item in self.municipal_items and item not in services
        )
        others += sum(v for k, v in self.fixed_costs.items() if k not in self.municipal_items)
        return max(plan_share * self.annual_budget / WEEKS_PER_YEAR - others, 0.0)

    def planned_lines_factor(self, plan_share: float) -> float:
        """Share of its plan each planned line may spend this week: 1 while ``plan_share`` of
        the annual budget, less every other municipal item (:meth:`services_allowance`), has
        room for all the lines' plans (``planned_lines`` x the planned budget / 52); less, and
        the same for every line, when it has not (other spending has grown: platforms,
        outreach, staff). No line has first claim on what the plan leaves."""
        shares = sum(self.planned_lines.values())
        total = shares * plan_share * self.annual_budget / WEEKS_PER_YEAR
        if total <= 0.0:
            return 1.0
        allowance = self.services_allowance(plan_share, tuple(self.planned_lines))
        return min(allowance / total, 1.0)

    def set_budget_multiplier(self, multiplier: float, week: int) -> None:
        """A budget policy: the annual budget changes, and so does what is left of this year."""
        new = self.base_budget * multiplier
        share_left = self.weeks_left_in_year(week) / WEEKS_PER_YEAR
        self.remaining = max(self.remaining + (new - self.annual_budget) * share_left, 0.0)
        self.annual_budget = new
        self.multiplier = float(multiplier)

    def contracted_capacity_factor(self, share: float, ceiling: float) -> float:
        """Contracted provider hours the budget buys, relative to the calibrated hours.

        Services are bought out of the social budget, so a budget change passes ``share`` of
        itself on to the hours: ``1 + share x (multiplier - 1)``, never below zero on a cut
        and at most ``ceiling`` on an increase, since providers must hire staff first.
        Exactly 1 at the calibrated budget (multiplier 1).
        """
        factor = 1.0 + share * (self.multiplier - 1.0)
        return min(factor, max(ceiling, 1.0)) if factor > 1.0 else max(factor, 0.0)

    def pay(self, item: str, amount: float) -> float:
        """Pay ``amount``; municipal items are capped by what remains. Returns what was paid."""
        if item not in self.week_spending:
            raise KeyError(
                f"unknown spending item {item!r}: a mechanism must declare it in its "
                f"'spending'; items: {', '.join(self.items)}"
            )
        if item in self.municipal_items:
            amount = min(amount, self.remaining)
            self.remaining -= amount
        self.week_spending[item] += amount
        self.total_spending[item] += amount
        return amount
