"""Policies over time: start, stop or change levers at a week or when a condition holds.

Before each week's phases the schedule checks every policy. A policy starts at its ``start`` week
or in the first week its ``when`` condition holds (judged on the weeks already recorded), and
stops at its ``stop`` week, when the values it replaced come back. Policies are an overlay on the
model's own copy of the parameters: the scenario a model was built from never changes. Every change
is logged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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
    """Applies a scenario's policies to a model week by week, as an overlay.

    The schedule never touches the scenario: it changes the model's own parameters
    (``model.params``, a copy). While policies are active each of their levers takes the value of
    the most recently started active policy that sets it; when no active policy sets a lever any
    more, the value it had before the first of them started comes back.
    """

    def __init__(self, specs: list[PolicySpec]) -> None:
        self.specs = specs
        self.active = [False] * len(specs)
        self.finished = [False] * len(specs)
        self.order: list[int] = []  # active policies, in the order they started
        self.base: dict[str, Any] = {}  # values of levers under the overlay, before it applied
        self.log: list[PolicyEvent] = []

    def step(self, model: WelfareModel, week: int) -> None:
        """Start and stop the week's policies, then let the model re-read changed levers."""
        changed = False
        for i, spec in enumerate(self.specs):
            if self.finished[i]:
                continue
            if not self.active[i]:
                reason = self._trigger(model, spec, week)
                if reason:
                    for key in spec.values:
                        self.base.setdefault(key, model.params[key])
                    self.order.append(i)
                    self.active[i] = changed = True
                    self._record(week, spec, "start", reason, dict(spec.values))
            if self.active[i] and spec.stop is not None and week >= spec.stop:
                self.order.remove(i)
                self.active[i], self.finished[i], changed = False, True, True
                restored = {key: self.value(key) for key in spec.values}
                self._record(week, spec, "stop", f"week {spec.stop} reached", restored)
        if changed:
            self._apply(model)
            model.reconfigure()

    def value(self, key: str) -> Any:
        """The value of lever ``key`` under the active policies (its base value if none sets
        it)."""
        for i in reversed(self.order):
            if key in self.specs[i].values:
                return self.specs[i].values[key]
        return self.base[key]

    def _apply(self, model: WelfareModel) -> None:
        model.params.update({key: self.value(key) for key in self.base})
        held = {key for i in self.order for key in self.specs[i].values}
        self.base = {key: value for key, value in self.base.items() if key in held}

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

    def to_records(self) -> list[dict[str, Any]]:
        """The policy log as plain, JSON-serialisable records (for run manifests)."""
        return [{**asdict(e), "values": dict(e.values)} for e in self.log]

    def to_frame(self) -> pd.DataFrame:
        """The policy log as a DataFrame (one row per change); ``policy_it``: Italian label."""
        return pd.DataFrame(
            [{**e.__dict__, "policy_it": e.policy_it or e.policy} for e in self.log],
            columns=["week", "policy", "policy_it", "type", "action", "reason", "values"],
        )
