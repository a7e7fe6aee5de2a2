"""The parameter registry: one declaration per parameter, and strict validation.

A :class:`Param` carries everything a user or a tool needs: type, default, unit, valid range or
choices, English and Italian labels, a description and a source: a row of the calibration table
(``CSV: <quantity> | <geography> | <year>``), a paper or statute, ``assumption: <Name>`` (a named
assumption of docs/ODD.md's Assumptions tables) or ``setting: ...`` (a user's choice that makes no
claim about the world); ``tests/test_sources.py`` checks every source. The CLI (``willsim
params``, ``--set``), the scenario loader, the app's controls and the experiment adapters all read
this registry; nothing else declares a default.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from willsim.params.priors import Prior
from willsim.units import UNITS


class ParameterError(ValueError):
    """A parameter key or value is invalid. The message names the problem and the valid choices."""


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter."""

    key: str
    default: Any
    unit: str
    description: str
    source: str = "assumption"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    length: int | None = None  # for vector parameters (lists of floats)
    nonzero_low: float | None = None  # 0 is allowed (it has its own meaning); otherwise >= this
    nonzero_low_why: str = ""  # why values between 0 and ``nonzero_low`` are refused
    label: str = ""
    label_it: str = ""
    description_it: str = ""
    prior: Prior | None = None
    """Plausible values if the parameter is an assumption worth calibrating (see priors.py)."""
    group: str = field(init=False)
    name: str = field(init=False)

    def __post_init__(self) -> None:
        group, _, name = self.key.partition(".")
        if not name:
            raise ValueError(f"parameter key {self.key!r} must be 'group.name'")
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "name", name)
        if self.unit not in UNITS:
            raise ValueError(f"{self.key}: unknown unit {self.unit!r}")
        if not self.label:
            object.__setattr__(self, "label", name.replace("_", " "))
        if not self.label_it:
            object.__setattr__(self, "label_it", self.label)
        if not self.description_it:
            object.__setattr__(self, "description_it", self.description)
        self.validate(self.default)  # a declaration whose default is invalid is a bug
        if self.prior is not None:
            self.prior.check(self)

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (``en`` or ``it``)."""
        return self.label_it if lang == "it" else self.label

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (``en`` or ``it``)."""
        return self.description_it if lang == "it" else self.description

    @property
    def type_name(self) -> str:
        """A short human name of the value type."""
        if self.length is not None:
            return f"list[{self.length} floats]"
        return type(self.default).__name__

    @property
    def range_text(self) -> str:
        """The valid range or choices, as shown to users."""
        if self.choices:
            return " | ".join(self.choices)
        if isinstance(self.default, bool):
            return "true | false"
        lo = "-inf" if self.low is None else format_number(self.low)
        hi = "inf" if self.high is None else format_number(self.high)
        if self.nonzero_low is not None:
            return f"0 | [{format_number(self.nonzero_low)}, {hi}]"
        return f"[{lo}, {hi}]"

    @property
    def prior_text(self) -> str:
        """The prior as shown to users, or an empty string if the parameter has none."""
        return "" if self.prior is None else self.prior.text(self)

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's type, or raise :class:`ParameterError`."""
        expected = type(self.default)
        if self.length is not None:
            if not isinstance(value, (list, tuple)) or len(value) != self.length:
                raise ParameterError(
                    f"{self.key}: expected a list of {self.length} numbers, got {value!r}"
                )
            out = [self._number(v, float, f"{self.key} item {i + 1}") for i, v in enumerate(value)]
            for i, v in enumerate(out):
                self._check_range(v, f"{self.key} item {i + 1}")
            return out
        if expected is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.lower() in ("true", "1", "yes")
            raise ParameterError(f"{self.key}: expected true or false, got {value!r}")
        if expected is str:
            if not isinstance(value, str):
                raise ParameterError(f"{self.key}: expected text, got {value!r}")
            if self.choices and value not in self.choices:
                raise ParameterError(
                    f"{self.key}: {value!r} is not a valid choice; "
                    f"valid choices: {', '.join(self.choices)}"
                )
            return value
        out = self._number(value, expected, self.key)
        self._check_range(out, self.key)
        return out

    def _number(self, value: Any, expected: type, name: str) -> Any:
        kind = "an integer" if expected is int else "a number"
        if isinstance(value, bool) or not isinstance(value, (str, numbers.Real)):
            raise ParameterError(f"{name}: expected {kind}, got {value!r}")
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ParameterError(f"{name}: expected {kind}, got {value!r}") from None
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ParameterError(
                f"{name}: {value} is not a finite number; expected {kind} in the valid "
                f"range {self.range_text} ({self.unit})"
            )
        if expected is int:
            if isinstance(value, int):
                return value
            if not value.is_integer():
                raise ParameterError(f"{name}: expected a whole number, got {value!r}")
            return int(value)
        return float(value)

    def _check_range(self, value: float, name: str) -> None:
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ParameterError(
                f"{name}: {format_number(value)} is out of range; valid range "
                f"{self.range_text} ({self.unit})"
            )
        if self.nonzero_low is not None and 0 < value < self.nonzero_low:
            why = f" {self.nonzero_low_why}" if self.nonzero_low_why else ""
            raise ParameterError(
                f"{name}: {format_number(value)} is too small; valid: {self.range_text} "
                f"({self.unit}).{why}"
            )


class Registry(Mapping[str, Param]):
    """An ordered, read-only collection of parameter declarations keyed by dotted key."""

    def __init__(self, params: Iterable[Param]):
        self._params: dict[str, Param] = {}
        for p in params:
            if p.key in self._params:
                raise ValueError(f"parameter {p.key!r} declared twice")
            self._params[p.key] = p

    def __getitem__(self, key: str) -> Param:
        try:
            return self._params[key]
        except KeyError:
            raise ParameterError(unknown_key_message(key, self._params)) from None

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def groups(self) -> list[str]:
        """Parameter groups in declaration order."""
        return list(dict.fromkeys(p.group for p in self._params.values()))

    def defaults(self) -> dict[str, Any]:
        """A fresh dict of every default value."""
        return {k: (list(p.default) if p.length else p.default) for k, p in self._params.items()}

    def validate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a mapping of dotted keys to values; unknown keys are errors."""
        return {key: self[key].validate(value) for key, value in values.items()}


def format_number(value: float) -> str:
    """A number as users read it: thousands separators, no exponent (``5,000,000``, ``0.0001``,
    ``9,223,372,036,854,775,807``)."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{Decimal(repr(abs(float(value)))):f}".partition(".")
    return f"{sign}{int(whole):,}.{fraction}"


def unknown_key_message(key: str, valid: Iterable[str]) -> str:
    """An error message for an unknown key, with close matches and the valid groups."""
    valid = list(valid)
    close = difflib.get_close_matches(key, valid, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    groups = sorted({k.partition(".")[0] for k in valid})
    return (
        f"unknown parameter {key!r}.{hint} Valid parameters are 'group.name' with group one of "
        f"{', '.join(groups)}; run `willsim params` to list all {len(valid)}."
    )
