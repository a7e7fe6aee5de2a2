"""Policies over time: start, stop or change levers at a week or when a condition holds.

Before each week's phases the schedule checks every policy. A policy starts at its ``start`` week
or in the first week its ``when`` condition holds (judged on the weeks already recorded), and
stops at its ``stop`` week, when the values it replaced come back. Every change is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from willsim.collector import OVERALL_KEYS
from willsim.policies.registry import PolicySpec

if TYPE_CHECKING:
    from willsim.model import WelfareModel

_INDEX = {key: k for k, key in enumerate(OVERALL_KEYS)}


@dataclass(frozen=True)
class PolicyEvent:
    """One change of policy: when, which, what and why."""

    week: int
    policy: str
    type: str
    action: str  # "start" or "stop"
    reason: str
    values: dict[str, Any]
    policy_it: str = ""  # the policy's Italian label (empty: same as ``policy``)


class PolicySchedule:
    """Applies a scenario's policies to a model week by week."""

    def __init__(self, specs: list[PolicySpec]) -> None:
        self.specs = specs
        self.active = [False] * len(specs)
        self.finished = [False] * len(specs)
        self.saved: list[dict[str, Any]] = [{} for _ in specs]
        self.log: list[PolicyEvent] = []

    def step(self, model: WelfareModel, week: int) -> None:
        changed = False
        for i, spec in enumerate(self.specs):
            if self.finished[i]:
                continue
            if not self.active[i]:
                reason = self._trigger(model, spec, week)
                if reason:
                    self.saved[i] = {k: model.params[k] for k in spec.values}
                    model.params.update(spec.values)
                    self.active[i] = changed = True
                    self._record(week, spec, "start", reason, dict(spec.values))
            if self.active[i] and spec.stop is not None and week >= spec.stop:
                model.params.update(self.saved[i])
                self.active[i], self.finished[i], changed = False, True, True
                self._record(week, spec, "stop", f"week {spec.stop} reached", self.saved[i])
        if changed:
            model.reconfigure()

    def _trigger(self, model: WelfareModel, spec: PolicySpec, week: int) -> str | None:
        if spec.when is None:
            return f"week {spec.start} reached" if week >= (spec.start or 0) else None
        history = model.collector.overall[:week, _INDEX[spec.when.indicator]]
        if spec.when.holds(history):
            return f"condition '{spec.when.text}' held"
        return None

    def _record(
        self, week: int, spec: PolicySpec, action: str, reason: str, values: dict[str, Any]
    ) -> None:
        self.log.append(
            PolicyEvent(week, spec.label, spec.type, action, reason, values, spec.label_it)
        )

    def to_frame(self) -> pd.DataFrame:
        """The policy log as a DataFrame (one row per change); ``policy_it``: Italian label."""
        return pd.DataFrame(
            [{**e.__dict__, "policy_it": e.policy_it or e.policy} for e in self.log],
            columns=["week", "policy", "policy_it", "type", "action", "reason", "values"],
        )
