"""Calibration targets as data: one entry per sourced figure the model should reproduce.

The targets file (``scenarios/calibration/targets.toml``) holds one ``[[target]]`` table per
target. Each names the rows of ``shared/data/calibration.csv`` it comes from (``quantity |
geography | year``, with the row's URL copied so that a run never needs the shared folder), the
estimand (an indicator of :mod:`willsim.indicators`, optionally one group of a by-group
indicator: ``isolated_share[age_band=85+]``) with its definition, the value and its unit, a
tolerance with its basis, the cities it applies to, its role (``fit``: enters the loss;
``holdout``: evaluated, never fitted; ``check``: reported, never fitted, for near-inputs), a
family (targets of one family share one term of the loss) and a weight.

A target whose estimand the model does not publish yet is kept and reported as "not yet
modelled": the table can be written before the model, and each target becomes live when its
indicator appears in the registry.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from willsim.indicators import GROUP_VARS, INDICATORS
from willsim.params import AGE_BANDS
from willsim.scenario import PACKAGE_ROOT, SCENARIO_DIR, ScenarioError, available_cities

TARGETS_FILE = SCENARIO_DIR / "calibration" / "targets.toml"
ROLES: tuple[str, ...] = ("fit", "holdout", "check")
ALL_CITIES = "*"
LIVE = "live"
NOT_MODELLED = "not yet modelled"

_TARGET_KEYS = {
    "id",
    "estimand",
    "definition",
    "value",
    "unit",
    "se",
    "denominator",
    "tolerance",
    "tolerance_basis",
    "cities",
    "role",
    "family",
    "weight",
    "derivation",
    "note",
    "source",
}
_REQUIRED = (
    "id",
    "estimand",
    "definition",
    "value",
    "unit",
    "tolerance",
    "tolerance_basis",
    "cities",
    "role",
    "family",
    "source",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ESTIMAND = re.compile(r"^(?P<key>[a-z][a-z0-9_]*)(\[(?P<var>[a-z_]+)=(?P<level>[^\]]+)\])?$")


class TargetsError(ScenarioError):
    """The targets file is missing or malformed; the message lists every problem found."""


@dataclass(frozen=True)
class Source:
    """One row of the calibration table: ``quantity | geography | year`` and its URL."""

    row: str
    url: str


@dataclass(frozen=True)
class Estimand:
    """What the model must publish: an indicator, or one group of a by-group indicator."""

    key: str
    group_var: str | None = None
    group: str | None = None

    @classmethod
    def parse(cls, text: str) -> Estimand:
        m = _ESTIMAND.match(text.strip())
        if not m:
            raise ValueError(
                f"estimand {text!r} is not an indicator key (e.g. deaths_per_1000) or a group "
                f"of one (e.g. isolated_share[age_band=85+])"
            )
        return cls(m["key"], m["var"], m["level"])

    @property
    def name(self) -> str:
        return self.key if self.group_var is None else f"{self.key}[{self.group_var}={self.group}]"

    def status(self) -> str:
        """``live`` if the model publishes this estimand, else why not."""
        ind = INDICATORS.get(self.key)
        if ind is None:
            return NOT_MODELLED
        if self.group_var is not None and not ind.by_group:
            return f"{NOT_MODELLED} (the model reports {self.key} for the city only)"
        return LIVE


@dataclass(frozen=True)
class Target:
    """One calibration target (see the module docstring and docs/calibration.md)."""

    id: str
    estimand: Estimand
    definition: str
    value: float
    unit: str
    tolerance: float
    tolerance_basis: str
    cities: tuple[str, ...]
    role: str
    family: str
    sources: tuple[Source, ...]
    weight: float = 1.0
    se: float | None = None
    denominator: str | None = None
    derivation: str | None = None
    note: str | None = None

    def applies_to(self, city: str) -> bool:
        return ALL_CITIES in self.cities or city in self.cities

    @property
    def status(self) -> str:
        """``live``, ``not yet modelled`` or ``unit mismatch (...)``."""
        status = self.estimand.status()
        if status == LIVE and INDICATORS[self.estimand.key].unit != self.unit:
            return f"unit mismatch (the model publishes {INDICATORS[self.estimand.key].unit!r})"
        return status

    @property
    def live(self) -> bool:
        return self.status == LIVE

    @property
    def source_text(self) -> str:
        return "; ".join(f"CSV: {s.row}" for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["estimand"] = self.estimand.name
        return out


@dataclass
class TargetSet:
    """The targets of one file, validated, with the file's content hash."""

    path: Path
    targets: list[Target]
    csv_path: Path | None = None
    """The calibration table the rows were checked against, or None if it was not found."""
    by_id: dict[str, Target] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.targets}

    @property
    def hash(self) -> str:
        """A hash of every target's content (not of the file's layout or comments)."""
        blob = json.dumps([t.to_dict() for t in self.targets], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def for_city(self, city: str, roles: Iterable[str] = ROLES) -> list[Target]:
        roles = tuple(roles)
        return [t for t in self.targets if t.applies_to(city) and t.role in roles]

    def cities(self) -> list[str]:
        """Every city at least one target applies to (all bundled cities for a ``*``)."""
        return [c for c in available_cities() if any(t.applies_to(c) for t in self.targets)]

    def unit_mismatches(self) -> list[Target]:
        return [t for t in self.targets if t.status.startswith("unit mismatch")]


def find_calibration_csv() -> Path | None:
    """``shared/data/calibration.csv`` beside a parent of the package, or ``$WILLSIM_CSV``."""
    env = os.environ.get("WILLSIM_CALIBRATION_CSV")
    if env:
        return Path(env) if Path(env).is_file() else None
    for parent in PACKAGE_ROOT.parents:
        candidate = parent / "shared" / "data" / "calibration.csv"
        if candidate.is_file():
            return candidate
    return None


def read_csv_rows(path: Path) -> dict[str, dict[str, str]]:
    """Rows of the calibration table keyed by ``quantity | geography | year``."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {f"{r['quantity']} | {r['geography']} | {r['year']}": r for r in csv.DictReader(fh)}


def load_targets(
    path: str | os.PathLike | None = None, csv_path: str | os.PathLike | None = None
) -> TargetSet:
    """Load and validate a targets file (default: the bundled one).

    Rows are checked against the calibration table when it is found (``csv_path``, or
    :func:`find_calibration_csv`). Every problem is collected and raised together as one
    :class:`TargetsError`.
    """
    path = Path(path) if path is not None else TARGETS_FILE
    if not path.is_file():
        raise TargetsError(f"targets file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - {"file", "target"})
    problems: list[str] = []
    if unknown:
        problems.append(f"unknown section(s) {', '.join(unknown)}; valid: [file], [[target]]")
    entries = data.get("target", [])
    if not isinstance(entries, list) or not entries:
        raise TargetsError(f"{path}: no [[target]] entries")
    csv_file = Path(csv_path) if csv_path is not None else find_calibration_csv()
    rows = read_csv_rows(csv_file) if csv_file is not None and csv_file.is_file() else None
    cities = set(available_cities())
    targets: list[Target] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"target {i + 1}"
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            where = f"target {entry['id']!r}"
        try:
            target = _parse_target(entry, cities, rows)
        except ValueError as exc:
            problems.extend(f"{where}: {msg}" for msg in str(exc).split("\n"))
            continue
        if target.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(target.id)
        targets.append(target)
    if problems:
        raise TargetsError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return TargetSet(path, targets, csv_file if rows is not None else None)


def _parse_target(
    entry: Any, cities: set[str], rows: Mapping[str, Mapping[str, str]] | None
) -> Target:
    """One validated target; raises ValueError with one problem per line."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"expected a table, got {entry!r}")
    problems: list[str] = []
    unknown = sorted(set(entry) - _TARGET_KEYS)
    if unknown:
        valid = ", ".join(sorted(_TARGET_KEYS))
        problems.append(f"unknown field(s) {', '.join(unknown)}; valid fields: {valid}")
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if problems:
        raise ValueError("\n".join(problems))

    def text(name: str, optional: bool = False) -> str | None:
        value = entry.get(name)
        if value is None and optional:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and optional:
            return str(value)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} must be non-empty text, got {value!r}")
            return ""
        return value.strip()

    def number(name: str, positive: bool, optional: bool = False) -> float | None:
        value = entry.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{name} must be a number, got {value!r}")
            return math.nan
        value = float(value)
        if not math.isfinite(value) or (positive and value <= 0):
            problems.append(f"{name} must be a finite{' positive' if positive else ''} number")
        return value

    target_id = text("id") or ""
    if target_id and not _ID.match(target_id):
        problems.append(f"id {target_id!r} must be lower-case letters, digits and hyphens")
    estimand = None
    raw_estimand = text("estimand") or ""
    if raw_estimand:
        try:
            estimand = Estimand.parse(raw_estimand)
        except ValueError as exc:
            problems.append(str(exc))
    if estimand is not None and estimand.group_var is not None:
        if estimand.group_var not in GROUP_VARS:
            problems.append(
                f"unknown group variable {estimand.group_var!r}; valid: {', '.join(GROUP_VARS)}"
            )
        elif estimand.group_var == "age_band" and estimand.group not in AGE_BANDS:
            problems.append(f"unknown age band {estimand.group!r}; valid: {', '.join(AGE_BANDS)}")
    role = text("role") or ""
    if role and role not in ROLES:
        problems.append(f"role {role!r} is not one of {', '.join(ROLES)}")
    raw_cities = entry.get("cities")
    if not isinstance(raw_cities, list) or not raw_cities:
        problems.append(f"cities must be a non-empty list of city names or '*', got {raw_cities!r}")
        raw_cities = []
    bad = [c for c in raw_cities if c != ALL_CITIES and c not in cities]
    if bad:
        problems.append(
            f"unknown city {', '.join(map(repr, bad))}; valid: '*' (all) or "
            f"{', '.join(sorted(cities))}"
        )
    sources = _sources(entry.get("source"), problems)
    value = number("value", positive=False)
    tolerance = number("tolerance", positive=True)
    weight = number("weight", positive=True, optional=True)
    se = number("se", positive=True, optional=True)
    target = Target(
        id=target_id,
        estimand=estimand or Estimand("unknown"),
        definition=text("definition") or "",
        value=value if value is not None else math.nan,
        unit=text("unit") or "",
        tolerance=tolerance if tolerance is not None else math.nan,
        tolerance_basis=text("tolerance_basis") or "",
        cities=tuple(str(c) for c in raw_cities),
        role=role,
        family=text("family") or "",
        sources=tuple(sources),
        weight=1.0 if weight is None else weight,
        se=se,
        denominator=text("denominator", optional=True),
        derivation=text("derivation", optional=True),
        note=text("note", optional=True),
    )
    if rows is not None and not problems:
        problems.extend(_check_rows(target, rows))
    if problems:
        raise ValueError("\n".join(problems))
    return target


def _sources(raw: Any, problems: list[str]) -> list[Source]:
    if not isinstance(raw, list) or not raw:
        problems.append("needs at least one [[target.source]] with row and url")
        return []
    out = []
    for k, src in enumerate(raw):
        if (
            not isinstance(src, Mapping)
            or set(src) != {"row", "url"}
            or not all(isinstance(src[f], str) and src[f].strip() for f in ("row", "url"))
        ):
            problems.append(f"source {k + 1} must have exactly row and url (text), got {src!r}")
            continue
        if src["row"].count(" | ") != 2:
            problems.append(
                f"source {k + 1}: row {src['row']!r} is not 'quantity | geography | year'"
            )
        out.append(Source(src["row"].strip(), src["url"].strip()))
    return out


def _check_rows(target: Target, rows: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Each source row exists with the URL given; a value quoted without derivation matches."""
    problems = []
    for src in target.sources:
        row = rows.get(src.row)
        if row is None:
            close = [k for k in rows if k.split(" | ")[0] == src.row.split(" | ")[0]]
            hint = f"; rows with that quantity: {'; '.join(close)}" if close else ""
            problems.append(f"row {src.row!r} is not in the calibration table{hint}")
            continue
        if row["source_url"].strip() != src.url:
            problems.append(f"row {src.row!r}: url differs from the table's {row['source_url']!r}")
    if target.derivation is None and len(target.sources) == 1 and not problems:
        row = rows[target.sources[0].row]
        try:
            quoted = float(row["value"])
        except ValueError:
            return [f"the row's value {row['value']!r} is not one number: give a derivation"]
        if row["unit"].startswith("%") and target.unit == "share":
            quoted /= 100.0
        if not math.isclose(quoted, target.value, rel_tol=1e-6, abs_tol=1e-12):
            problems.append(
                f"value {target.value:g} differs from the row's {quoted:g} ({row['unit']}); "
                f"give a derivation if it is computed from the row"
            )
    elif target.derivation is None and len(target.sources) > 1:
        problems.append("a value built from several rows needs a derivation")
    return problems
