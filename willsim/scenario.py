"""Scenario loading: layered, strictly validated data files with a record of who set what.

Layers, lowest first: package defaults, the city profile, the scenarios a scenario ``extends``
(base first), the scenario itself, then overrides (command line, app, Python keyword arguments).
:attr:`Scenario.provenance` records the layer that set each value.

A scenario file (TOML or YAML, no code)::

    [scenario]
    name = "baseline"
    city = "bergamo"              # a profile in scenarios/cities/, or a path
    extends = "other-scenario"    # optional
    description.en = "..."
    description.it = "..."

    [params]
    "office.assessment_hours" = 5.0     # dotted keys, or nested tables [params.office]

A city profile (``scenarios/cities/NAME.toml``) has ``[city]`` (``name``, ``label``, ``region``),
``[params]`` (mostly ``city.*``) and ``[sources]`` (the source of each value it sets).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from willsim.params import PARAMETERS, ParameterError
from willsim.params.registry import unknown_key_message
from willsim.units import to_weekly

PACKAGE_ROOT = Path(__file__).resolve().parent
SCENARIO_DIR = Path(os.environ.get("WILLSIM_SCENARIOS", PACKAGE_ROOT.parent / "scenarios"))
CITY_DIR = SCENARIO_DIR / "cities"
SWEEP_DIR = SCENARIO_DIR / "sweeps"  # sweep specs (willsim.experiments.design), not scenarios
DEFAULT_SCENARIO = "baseline"
DEFAULT_CITY = "bergamo"
SUFFIXES = (".toml", ".yaml", ".yml")

SCENARIO_KEYS = {"scenario", "params", "policies"}
SCENARIO_META_KEYS = {"name", "title", "city", "extends", "description", "tags"}
CITY_KEYS = {"city", "params", "sources"}
CITY_META_KEYS = {"name", "label", "region", "note"}


class ScenarioError(ValueError):
    """A scenario or city file is missing, malformed or invalid; the message says how to fix it."""


class Parameters(dict):
    """Resolved parameter values keyed by dotted key, with unit-aware accessors."""

    def weekly(self, key: str):
        """The value of ``key`` converted to one week (see :mod:`willsim.units`)."""
        value = self[key]
        converted = to_weekly(value, PARAMETERS[key].unit)
        return np.asarray(converted, dtype=float) if isinstance(value, list) else converted

    def array(self, key: str) -> np.ndarray:
        """A vector parameter as a float array."""
        return np.asarray(self[key], dtype=float)


@dataclass
class Scenario:
    """A fully resolved scenario: parameter values, their provenance and the policies."""

    name: str
    city: str
    params: Parameters
    provenance: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    city_label: str = ""
    city_sources: dict[str, str] = field(default_factory=dict)
    policies: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None

    @property
    def hash(self) -> str:
        """A short stable hash of everything that determines a run except the seed."""
        params = {k: v for k, v in self.params.items() if k != "run.seed"}
        blob = json.dumps(
            {"params": params, "policies": self.policies}, sort_keys=True, default=str
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable form (for manifests and reproduction)."""
        return {
            "name": self.name,
            "city": self.city,
            "city_label": self.city_label,
            "description": self.description,
            "path": self.path,
            "hash": self.hash,
            "params": dict(self.params),
            "provenance": self.provenance,
            "policies": self.policies,
        }

    def to_toml(self) -> str:
        """A standalone scenario file that reproduces this scenario exactly."""
        lines = ["[scenario]", f"name = {json.dumps(self.name)}", f"city = {json.dumps(self.city)}"]
        lines += [f"description.{k} = {json.dumps(v)}" for k, v in self.description.items()]
        lines += ["", "[params]"]
        for key, value in self.params.items():
            if self.provenance.get(key) != "default":
                lines.append(f'"{key}" = {json.dumps(value)}')
        for policy in self.policies:
            lines += ["", "[[policies]]"]
            for k, v in policy.items():
                if isinstance(v, dict) and k != "set":  # a per-language label: label.en, label.it
                    lines += [f"{k}.{sub} = {json.dumps(text)}" for sub, text in v.items()]
                elif k != "set":
                    lines.append(f"{k} = {json.dumps(v)}")
            lines += ["[policies.set]"]
            lines += [f'"{k}" = {json.dumps(v)}' for k, v in policy.get("set", {}).items()]
        return "\n".join(lines) + "\n"


def available_scenarios() -> list[str]:
    """Names of the bundled scenarios (relative to ``scenarios/``, without suffix)."""
    names = []
    for path in sorted(SCENARIO_DIR.rglob("*")):
        if path.suffix in SUFFIXES and not {CITY_DIR, SWEEP_DIR} & set(path.parents):
            names.append(path.relative_to(SCENARIO_DIR).with_suffix("").as_posix())
    return names


def available_cities() -> list[str]:
    """Names of the bundled city profiles."""
    return sorted(p.stem for p in CITY_DIR.glob("*") if p.suffix in SUFFIXES)


def read_data_file(path: Path) -> dict[str, Any]:
    """Parse a TOML or YAML file into a dict, with clear errors."""
    if not path.is_file():
        raise ScenarioError(f"file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise ScenarioError(f"{path}: unknown file type {path.suffix!r}; use .toml or .yaml")
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: invalid TOML: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a table of sections at the top, got {data!r}")
    return data


def flatten_params(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested ``{group: {name: v}}`` tables into dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def resolve_file(ref: str | os.PathLike, directory: Path, kind: str, names: list[str]) -> Path:
    """Find a bundled name or a path; raise with the valid names if neither exists."""
    path = Path(ref)
    if path.suffix in SUFFIXES:
        if path.is_file():
            return path
        raise ScenarioError(f"{kind} file not found: {path}")
    for suffix in SUFFIXES:
        candidate = directory / f"{ref}{suffix}"
        if candidate.is_file():
            return candidate
    raise ScenarioError(
        f"unknown {kind} {str(ref)!r}; valid {kind}s: {', '.join(names)} (or a .toml/.yaml path)"
    )


def _check_keys(found, allowed: set[str], where: str) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys: {', '.join(sorted(allowed))}"
        )


def _section(data: Mapping[str, Any], name: str, where: str, default: Any) -> Any:
    value = data.get(name, default)
    if not isinstance(value, type(default)):
        kind = "a table" if isinstance(default, dict) else "a list"
        raise ScenarioError(f"{where}: [{name}] must be {kind}, got {value!r}")
    return value


def _validated(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    try:
        return PARAMETERS.validate(values)
    except ParameterError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def load_city(ref: str | os.PathLike) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """Load a city profile; return its name, label, parameter values and sources."""
    path = resolve_file(ref, CITY_DIR, "city", available_cities())
    data = read_data_file(path)
    _check_keys(data, CITY_KEYS, str(path))
    meta = _section(data, "city", str(path), {})
    _check_keys(meta, CITY_META_KEYS, f"{path} [city]")
    values = _validated(flatten_params(_section(data, "params", str(path), {})), str(path))
    sources = {str(k): str(v) for k, v in _section(data, "sources", str(path), {}).items()}
    _check_keys(sources, set(values), f"{path} [sources]")
    name = str(meta.get("name", path.stem))
    return name, str(meta.get("label", name.title())), values, sources


def load_scenario(
    ref: str | os.PathLike | None = DEFAULT_SCENARIO,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Load and resolve a scenario by bundled name or path, applying ``overrides`` last."""
    chain = _extends_chain(ref if ref is not None else DEFAULT_SCENARIO)
    top_path, top = chain[-1]
    meta = top.get("scenario", {})
    city_ref = next(
        (d["scenario"]["city"] for _, d in reversed(chain) if "city" in d.get("scenario", {})),
        DEFAULT_CITY,
    )
    if not isinstance(city_ref, str):
        raise ScenarioError(f"{top_path}: scenario.city must be a name or path, got {city_ref!r}")
    city_path = Path(city_ref)
    if city_path.suffix in SUFFIXES and not city_path.is_absolute():
        city_ref = str(top_path.parent / city_path)
    city_name, city_label, city_values, city_sources = load_city(city_ref)

    params = Parameters(PARAMETERS.defaults())
    provenance = dict.fromkeys(params, "default")
    layers: list[tuple[str, Mapping[str, Any]]] = [(f"city:{city_name}", city_values)]
    policies: list[dict[str, Any]] = []
    for path, data in chain:
        name = data.get("scenario", {}).get("name", path.stem)
        values = _validated(flatten_params(data.get("params", {})), str(path))
        layers.append((f"scenario:{name}", values))
        policies.extend(data.get("policies", []))
    if overrides:
        layers.append(("override", _validated(dict(overrides), "override")))
    for layer, values in layers:
        params.update(values)
        provenance.update(dict.fromkeys(values, layer))
    check_consistency(params, str(top_path))
    policies = validate_policies(policies, str(top_path))
    description = meta.get("description", {})
    if isinstance(description, str):
        description = {"en": description}
    return Scenario(
        name=str(meta.get("name", top_path.stem)),
        city=city_name,
        city_label=city_label,
        params=params,
        provenance=provenance,
        description=dict(description),
        city_sources=city_sources,
        policies=policies,
        path=str(top_path),
    )


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with ``overrides`` applied as the top layer."""
    if not overrides:
        return scenario
    values = _validated(dict(overrides), "override")
    params = Parameters({**scenario.params, **values})
    check_consistency(params, "override")
    return replace(
        scenario,
        params=params,
        provenance={**scenario.provenance, **dict.fromkeys(values, "override")},
    )


def _extends_chain(ref: str | os.PathLike) -> list[tuple[Path, dict[str, Any]]]:
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: set[Path] = set()
    while ref is not None:
        path = resolve_file(ref, SCENARIO_DIR, "scenario", available_scenarios()).resolve()
        if path in seen:
            raise ScenarioError(f"{path}: 'extends' forms a cycle")
        seen.add(path)
        data = read_data_file(path)
        _check_keys(data, SCENARIO_KEYS, str(path))
        meta = _section(data, "scenario", str(path), {})
        _check_keys(meta, SCENARIO_META_KEYS, f"{path} [scenario]")
        _section(data, "params", str(path), {})
        _section(data, "policies", str(path), [])
        chain.insert(0, (path, data))
        ref = meta.get("extends")
        if ref is not None and Path(str(ref)).suffix in SUFFIXES:
            ref = str(path.parent / str(ref))
    return chain


def check_consistency(params: Mapping[str, Any], where: str) -> None:
    """Cross-parameter checks that a single range cannot express."""
    for key in ("city.age_shares", "needs.care_level_shares"):
        total = sum(params[key])
        if abs(total - 1.0) > 0.01:
            raise ScenarioError(f"{where}: {key} must sum to 1 (got {total:.3f})")
    edges = params["city.isee_band_edges"]
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise ScenarioError(f"{where}: city.isee_band_edges must increase (got {edges})")


def validate_policies(entries: list[Any], where: str) -> list[dict[str, Any]]:
    """Validate ``[[policies]]`` entries; return their normalised form."""
    from willsim.policies import PolicyError, parse_policy

    try:
        return [parse_policy(entry, i).to_dict() for i, entry in enumerate(entries)]
    except PolicyError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a command-line ``dotted.key=value`` (value in TOML syntax, or bare text)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set expects dotted.key=value, got {text!r}")
    if key not in PARAMETERS:
        raise ScenarioError(unknown_key_message(key, PARAMETERS))
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key, value
