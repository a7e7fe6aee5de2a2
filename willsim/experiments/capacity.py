"""Capacity as a question: the service capacity that keeps a strategy's waiting list from
growing, and what it costs.

Proactive welfare (outreach) finds needs that then wait for a service: at the city's capacity
its effect on outcomes can vanish in the waiting list. So a demand-side strategy is shown twice,
at the city's capacity and with the capacity that keeps the list from growing.

**The lever.** Services are bought from the municipal budget and contracted hours follow it
(``municipality.capacity_follows_budget``): the search multiplies the budget by ``m`` with the
share passed on to hours set to 1 and the ceiling on extra hours raised to ``m``, so every
service line has ``m`` times its hours and the money to pay for them (assumed: providers can
hire the staff). What that capacity costs is what the runs spend, not the budget.

**The criterion** (``criterion``):

* ``reference`` (default): the strategy's waiting list, averaged over the last quarter of the
  run (at least 13 weeks) and over the seeds, is no longer than the reference strategy's at the
  city's capacity on the same seeds: the list does not grow *because of* the strategy;
* ``trend``: the strategy's own list does not grow over the second half of the run (the slope
  of a least-squares line, averaged over seeds, is not above zero).

**The method.** Bisection on ``m`` with common seeds (every evaluation runs the same seeds, so
the criterion changes smoothly with ``m``): ``m = 1`` is tried first; otherwise the bracket
doubles from 2 until the criterion holds (up to ``max_multiplier``), then is halved until it is
narrower than ``tolerance``. The answer is the upper end of the final bracket (the smallest
tried multiplier that meets the criterion). Each evaluation costs one run per seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from willsim.experiments import SpecError
from willsim.experiments.paired import Arm, collect_figures, run_arms
from willsim.scenario import Scenario, with_overrides

CRITERIA: tuple[str, ...] = ("reference", "trend")
LEVER = "municipality.budget_multiplier"
LEVER_KEYS = (
    "municipality.budget_multiplier",
    "municipality.capacity_follows_budget",
    "municipality.capacity_ceiling",
)
SERIES = "waiting_list"


@dataclass
class CapacitySearch:
    """What :func:`clearing_capacity` found for one strategy."""

    strategy: str
    criterion: str
    multiplier: float  # NaN when not found within ``max_multiplier``
    found: bool
    target: float  # the reference's list (criterion ``reference``), else 0 (a slope)
    evaluations: list[tuple[float, float]] = field(default_factory=list)  # (m, excess)
    seeds: list[int] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0
    max_multiplier: float = 8.0

    def overrides(self, scenario: Scenario) -> dict[str, Any]:
        """The overrides that give ``scenario`` this capacity."""
        return capacity_overrides(scenario, self.multiplier)

    def describe(self) -> str:
        if not self.found:
            return (
                f"{self.strategy}: no capacity up to x{self.max_multiplier:g} keeps the waiting "
                f"list from growing ({self.criterion} criterion; {self.runs} runs)"
            )
        if self.multiplier == 1.0:
            return (
                f"{self.strategy}: the city's capacity already keeps the waiting list from growing"
            )
        return (
            f"{self.strategy}: x{self.multiplier:.2f} the city's service hours (and the budget "
            f"to pay them) keep the waiting list from growing ({self.criterion} criterion; "
            f"bisection on {len(self.seeds)} common seeds, {self.runs} runs, "
            f"{self.seconds:.0f} s)"
        )


def capacity_overrides(scenario: Scenario, multiplier: float) -> dict[str, Any]:
    """Overrides giving ``scenario`` ``multiplier`` times its service hours and budget."""
    base = float(scenario.params[LEVER])
    ceiling = float(scenario.params["municipality.capacity_ceiling"])
    return {
        LEVER: base * multiplier,
        "municipality.capacity_follows_budget": 1.0,
        "municipality.capacity_ceiling": max(ceiling, base * multiplier, 1.0),
    }


def check_lever(scenario: Scenario) -> None:
    """Refuse a scenario whose policies set the capacity lever (they would undo it)."""
    for entry in scenario.policies:
        touched = set((entry.get("set") or {}).keys()) & set(LEVER_KEYS)
        if touched:
            raise SpecError(
                f"{scenario.name}: a policy sets {', '.join(sorted(touched))}, the lever the "
                "capacity search changes; search the capacity of a strategy without it"
            )


def _lists(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    engine: str,
    workers: int | None,
    cancel: Callable[[], bool] | None,
) -> list[np.ndarray]:
    """Weekly waiting lists (seeds x weeks) of each scenario on ``seeds``."""
    collect = partial(collect_figures, weekly=(SERIES,), groups=False)
    arms = [Arm(f"{i}", sc) for i, sc in enumerate(scenarios)]
    result = run_arms(arms, seeds, collect=collect, engine=engine, workers=workers, cancel=cancel)
    if result.failures:
        first = next(iter(result.failures.values())).splitlines()[0]
        raise SpecError(f"capacity search: {len(result.failures)} runs failed; the first: {first}")
    out = []
    for a in range(len(arms)):
        rows = []
        for p in range(len(seeds)):
            output = result.output(a, p)
            if output is None:
                raise SpecError("capacity search was cancelled")
            frame = output.rows
            week = frame[(frame["kind"] == "week") & (frame["indicator"] == SERIES)]
            rows.append(week.sort_values("week")["value"].to_numpy(dtype=float))
        out.append(np.vstack(rows))
    return out


def tail_mean(lists: np.ndarray) -> float:
    """Mean over seeds of the list over the last quarter of the run (at least 13 weeks)."""
    weeks = lists.shape[1]
    tail = min(weeks, max(13, weeks // 4))
    return float(np.nanmean(lists[:, -tail:]))


def trend(lists: np.ndarray) -> float:
    """Mean over seeds of the least-squares slope (persons a week) over the second half."""
    half = lists[:, lists.shape[1] // 2 :]
    x = np.arange(half.shape[1], dtype=float)
    if x.size < 2:
        return math.nan
    slopes = [np.polyfit(x, row, 1)[0] for row in half]
    return float(np.mean(slopes))


def clearing_capacity(
    strategy: Scenario,
    reference: Scenario,
    seeds: Sequence[int],
    criterion: str = "reference",
    max_multiplier: float = 8.0,
    tolerance: float = 0.1,
    engine: str = "serial",
    workers: int | None = None,
    cancel: Callable[[], bool] | None = None,
    label: str | None = None,
) -> CapacitySearch:
    """The smallest capacity multiplier (to ``tolerance``) at which ``strategy``'s waiting list
    does not grow (see the module docstring for the lever, criteria and method)."""
    if criterion not in CRITERIA:
        raise SpecError(f"unknown capacity criterion {criterion!r}; valid: {', '.join(CRITERIA)}")
    if not max_multiplier > 1 or not tolerance > 0:
        raise SpecError("the capacity search needs max_multiplier > 1 and tolerance > 0")
    check_lever(strategy)
    started = time.perf_counter()
    search = CapacitySearch(
        label or strategy.name,
        criterion,
        math.nan,
        False,
        0.0,
        seeds=[int(s) for s in seeds],
        max_multiplier=max_multiplier,
    )
    if criterion == "reference":
        (ref_lists,) = _lists([reference], seeds, engine, workers, cancel)
        search.runs += len(seeds)
        search.target = tail_mean(ref_lists)

    def excess(m: float) -> float:
        sc = with_overrides(strategy, capacity_overrides(strategy, m))
        (lists,) = _lists([sc], seeds, engine, workers, cancel)
        search.runs += len(seeds)
        value = tail_mean(lists) - search.target if criterion == "reference" else trend(lists)
        search.evaluations.append((m, value))
        return value

    def done() -> CapacitySearch:
        search.seconds = time.perf_counter() - started
        return search

    if excess(1.0) <= 0:
        search.multiplier, search.found = 1.0, True
        return done()
    lo, hi = 1.0, 2.0
    while excess(hi) > 0:
        lo, hi = hi, hi * 2
        if hi > max_multiplier:
            return done()
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        if excess(mid) <= 0:
            hi = mid
        else:
            lo = mid
    search.multiplier, search.found = hi, True
    return done()


def is_demand_side(scenario: Scenario) -> bool:
    """Whether a strategy raises demand for services by finding needs: outreach is on, from
    the start or through a policy."""
    if scenario.params.get("outreach.enabled"):
        return True
    return any(_turns_outreach_on(entry) for entry in scenario.policies)


def _turns_outreach_on(entry: dict[str, Any]) -> bool:
    """An outreach policy switches outreach on unless it sets the switch off (the app's week-0
    entry for a changed outreach setting keeps the switch as it was); another policy only by
    setting the switch on."""
    switch = (entry.get("set") or {}).get("outreach.enabled")
    if entry.get("type") == "outreach":
        return switch is None or bool(switch)
    return bool(switch)
