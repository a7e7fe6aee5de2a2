"""Conditions that trigger policies: ``"<indicator> <op> <number> [for <N> weeks]"``.

For example ``"waiting_list > 400 for 4 weeks"`` holds once the city-level indicator
``waiting_list`` has been above 400 in each of the last four recorded weeks.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np

OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_PATTERN = re.compile(
    r"^\s*(?P<key>[a-z_0-9]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>-?[0-9.eE+_-]+)"
    r"(\s+for\s+(?P<weeks>[0-9]+)\s+weeks?)?\s*$"
)


@dataclass(frozen=True)
class Condition:
    """A parsed trigger condition on a city-level indicator."""

    text: str
    indicator: str
    op: str
    threshold: float
    weeks: int = 1

    def holds(self, history: np.ndarray) -> bool:
        """Whether the condition held in each of the last ``weeks`` values of ``history``."""
        if history.size < self.weeks:
            return False
        recent = history[-self.weeks :]
        return bool(
            np.all(
                OPERATORS[self.op](
                    np.nan_to_num(recent, nan=-np.inf if self.op in (">", ">=") else np.inf),
                    self.threshold,
                )
            )
        )


def parse_condition(text: object, where: str = "condition") -> Condition:
    """Parse a condition, with an error naming the valid indicators and operators."""
    from willsim.indicators import INDICATORS
    from willsim.policies.registry import PolicyError

    if not isinstance(text, str):
        raise PolicyError(
            f"{where}: 'when' must be text such as 'waiting_list > 400 for 4 weeks', got {text!r}"
        )
    match = _PATTERN.match(text)
    if not match:
        raise PolicyError(
            f"{where}: cannot read condition {text!r}; write "
            "'<indicator> <op> <number> [for <N> weeks]' with op one of "
            f"{', '.join(OPERATORS)}"
        )
    key = match["key"]
    if key not in INDICATORS:
        raise PolicyError(
            f"{where}: unknown indicator {key!r} in condition; valid indicators: "
            f"{', '.join(INDICATORS)}"
        )
    try:
        threshold = float(match["value"])
    except ValueError:
        raise PolicyError(f"{where}: {match['value']!r} is not a number") from None
    if not np.isfinite(threshold):
        raise PolicyError(
            f"{where}: {match['value']!r} is not a finite number; write a threshold such as "
            "'waiting_list > 400 for 4 weeks'"
        )
    weeks = int(match["weeks"] or 1)
    if weeks < 1:
        raise PolicyError(f"{where}: 'for N weeks' needs N of at least 1")
    return Condition(text.strip(), key, match["op"], threshold, weeks)
