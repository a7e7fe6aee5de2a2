"""Policy types: what a ``[[policies]]`` entry of a scenario may switch on and which levers it sets.

A policy entry is data::

    [[policies]]
    type = "outreach"                      # a name from POLICY_TYPES
    start = 26                             # week it starts (default 0)
    stop = 156                             # week it stops (optional)
    when = "waiting_list > 400 for 4 weeks"  # or: start when a condition holds (optional)
    label = "Summer calls"                 # optional name shown in the policy log, or per
                                           # language: label.en = "..." / label.it = "..."
    [policies.set]                         # lever values while active (parameter keys)
    "outreach.hours_per_1000" = 3.0

While a policy is active its ``set`` values (validated by the parameter registry) replace the
scenario's; when it stops, the previous values come back. Every change is logged with its week
and reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from willsim.mechanisms.base import PolicyType
from willsim.params import PARAMETERS, ParameterError
from willsim.params.registry import unknown_key_message
from willsim.policies.conditions import Condition, parse_condition


class PolicyError(ValueError):
    """A policy entry is invalid; the message lists the valid choices."""


CORE_POLICY_TYPES: tuple[PolicyType, ...] = (
    PolicyType(
        "budget",
        ("municipality",),
        "Change the municipal social budget, and with it the service hours the "
        "municipality contracts with its providers.",
        "Modifica il bilancio sociale del comune e, con esso, le ore di servizio che il "
        "comune acquista dagli erogatori.",
    ),
    PolicyType(
        "pandemic",
        ("shock",),
        "A pandemic-like shock: provider capacity drops, needs spike, offices close.",
        "Uno shock pandemico: cala la capacità degli erogatori, crescono i bisogni, gli "
        "sportelli chiudono.",
        switch="shock.pandemic",
    ),
    PolicyType(
        "heatwave",
        ("shock",),
        "A summer heatwave: care needs and crisis risk rise among older people living alone.",
        "Un'ondata di calore estiva: crescono bisogni di cura e rischio di crisi "
        "tra gli anziani soli.",
        switch="shock.heatwave",
    ),
)
"""Policy types that belong to no one mechanism (the budget, shocks); each mechanism declares
its own (``policies`` in :mod:`willsim.mechanisms.base`)."""


class _PolicyTypes(Mapping[str, PolicyType]):
    """Every policy type by name: each phase's, in phase order, then the core ones."""

    def _all(self) -> dict[str, PolicyType]:
        from willsim.phases import policy_types

        return {p.name: p for p in (*policy_types(), *CORE_POLICY_TYPES)}

    def __getitem__(self, name: str) -> PolicyType:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


POLICY_TYPES: Mapping[str, PolicyType] = _PolicyTypes()
"""Every policy type, keyed by name (kept up to date when a mechanism is plugged in)."""

ENTRY_KEYS = {"type", "start", "stop", "when", "label", "set"}
LABEL_LANGUAGES = ("en", "it")


@dataclass(frozen=True)
class PolicySpec:
    """A validated policy entry. ``label`` (English) is its identity in logs and conditions;
    ``label_it`` is shown on Italian pages (empty: the English label)."""

    type: str
    label: str
    start: int | None
    stop: int | None
    when: Condition | None
    values: Mapping[str, Any] = field(default_factory=dict)
    label_it: str = ""

    def __post_init__(self) -> None:
        if not self.label_it:
            object.__setattr__(self, "label_it", self.label)

    def label_in(self, language: str) -> str:
        """The label in ``language`` ("it": Italian, otherwise English)."""
        return self.label_it if language == "it" else self.label

    def to_dict(self) -> dict[str, Any]:
        label: str | dict[str, str] = self.label
        if self.label_it != self.label:
            label = {"en": self.label, "it": self.label_it}
        out: dict[str, Any] = {"type": self.type, "label": label}
        if self.start is not None:
            out["start"] = self.start
        if self.stop is not None:
            out["stop"] = self.stop
        if self.when is not None:
            out["when"] = self.when.text
        out["set"] = dict(self.values)
        return out


def parse_policy(entry: Any, index: int = 0) -> PolicySpec:
    """Validate one ``[[policies]]`` entry."""
    where = f"policy {index + 1}"
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where}: expected a table with a 'type', got {entry!r}")
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise PolicyError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys: {', '.join(sorted(ENTRY_KEYS))}"
        )
    name = entry.get("type")
    if not isinstance(name, str) or name not in POLICY_TYPES:
        raise PolicyError(
            f"{where}: unknown policy type {name!r}; valid types: {', '.join(POLICY_TYPES)}"
        )
    kind = POLICY_TYPES[name]
    start, stop = (_week(entry.get(k), f"{where}.{k}") for k in ("start", "stop"))
    if start is not None and stop is not None and stop <= start:
        raise PolicyError(f"{where}: stop ({stop}) must be after start ({start})")
    when = entry.get("when")
    if when is not None and start is not None:
        raise PolicyError(
            f"{where}: give either 'start' (a week) or 'when' (a condition), not both"
        )
    condition = parse_condition(when, where) if when is not None else None
    raw = entry.get("set", {})
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: 'set' must be a table of parameter = value")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in PARAMETERS:
            raise PolicyError(f"{where}: {unknown_key_message(key, PARAMETERS)}")
        if PARAMETERS[key].group not in kind.groups:
            allowed = [k for k in PARAMETERS if PARAMETERS[k].group in kind.groups]
            raise PolicyError(
                f"{where}: a {name!r} policy cannot set {key!r}; it may set: {', '.join(allowed)}"
            )
        try:
            values[key] = PARAMETERS[key].validate(value)
        except ParameterError as exc:
            raise PolicyError(f"{where}: {exc}") from None
    if kind.switch:
        values.setdefault(kind.switch, True)
    label, label_it = parse_label(entry.get("label", name), where)
    if condition is None and start is None:
        start = 0  # no start and no condition: active from the first week
    return PolicySpec(name, label, start, stop, condition, values, label_it)


def parse_label(value: Any, where: str = "policy") -> tuple[str, str]:
    """A policy label as ``(english, italian)``: a string serves both languages; a table
    ``{en = "...", it = "..."}`` gives each (a missing ``it`` falls back to ``en``)."""
    if isinstance(value, str):
        return value, value
    valid = ", ".join(LABEL_LANGUAGES)
    if not isinstance(value, Mapping):
        raise PolicyError(
            f"{where}.label: expected text or a table with keys {valid} "
            f'(label.en = "...", label.it = "..."), got {value!r}'
        )
    unknown = sorted(map(str, set(value) - set(LABEL_LANGUAGES)))
    if unknown:
        raise PolicyError(
            f"{where}.label: unknown language key(s) "
            f"{', '.join(map(repr, unknown))}; valid keys: {valid}"
        )
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"{where}.label.{lang}: expected non-empty text, got {text!r}")
    if "en" not in value:
        raise PolicyError(
            f"{where}.label: the English label 'label.en' is required (valid keys: {valid})"
        )
    return value["en"], value.get("it", value["en"])


def _week(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyError(f"{where}: expected a week number (0 or more), got {value!r}")
    return value
