"""Scenario loading: layered, strictly validated data files with a record of who set what.

Layers, lowest first: package defaults, the city profile, the city's calibrated values
(``scenarios/calibrated/CITY.toml``, written by ``willsim calibrate``; provenance
``calibrated:STUDY``), the scenarios a scenario ``extends`` (base first), the scenario itself, then
overrides (command line, app, Python keyword arguments). :attr:`Scenario.provenance` records the
layer that set each value.

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

A :class:`Scenario` is a value: nothing changes it once it is loaded (a model copies its
parameters; policies change the model's copy). :func:`load_scenario` also moves a scenario to
another city (``city=``), and :meth:`Scenario.from_mapping` builds one from a dict (an upload, a
workshop strategy) with the same checks as a file, so no caller writes temporary files.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tomllib
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from willsim.fileio import toml_dumps
from willsim.params import PARAMETERS, ParameterError
from willsim.params.registry import unknown_key_message
from willsim.units import to_weekly

PACKAGE_ROOT = Path(__file__).resolve().parent
SCENARIO_DIR = Path(os.environ.get("WILLSIM_SCENARIOS", PACKAGE_ROOT.parent / "scenarios"))
CITY_DIR = SCENARIO_DIR / "cities"
SWEEP_DIR = SCENARIO_DIR / "sweeps"  # sweep specs (willsim.experiments.design), not scenarios
CALIBRATED_DIR = SCENARIO_DIR / "calibrated"  # calibrated layers by city (willsim.calibration)
TARGETS_DIR = SCENARIO_DIR / "calibration"  # calibration targets, not scenarios
_NOT_SCENARIOS = {CITY_DIR, SWEEP_DIR, CALIBRATED_DIR, TARGETS_DIR}
DEFAULT_SCENARIO = "baseline"
DEFAULT_CITY = "bergamo"
SUFFIXES = (".toml", ".yaml", ".yml")

SCENARIO_KEYS = {"scenario", "params", "policies"}
SCENARIO_META_KEYS = {"name", "label", "title", "city", "extends", "description", "tags"}
CITY_KEYS = {"city", "params", "sources"}
CITY_META_KEYS = {"name", "label", "region", "note"}
CALIBRATED_KEYS = {"calibrated", "params"}


class ScenarioError(ValueError):
    """A scenario or city file is missing, malformed or invalid; the message says how to fix it."""


class Parameters(dict[str, Any]):
    """Resolved parameter values keyed by dotted key, with unit-aware accessors."""

    def weekly(self, key: str) -> Any:
        """The value of ``key`` converted to one week (see :mod:`willsim.units`)."""
        value = self[key]
        converted = to_weekly(value, PARAMETERS[key].unit)
        return np.asarray(converted, dtype=float) if isinstance(value, list) else converted

    def array(self, key: str) -> np.ndarray:
        """A vector parameter as a float array."""
        return np.asarray(self[key], dtype=float)

    def copy(self) -> Parameters:
        """A deep copy (lists included): changing it never changes this mapping."""
        return Parameters(deepcopy(dict(self)))


@dataclass(frozen=True)
class Scenario:
    """A fully resolved scenario: parameter values, their provenance and the policies.

    A value: a run never changes it (:class:`~willsim.model.WelfareModel` works on a copy of
    ``params``); :func:`with_overrides` and :func:`load_scenario` return new scenarios.
    """

    name: str
    city: str
    params: Parameters
    provenance: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    city_label: str = ""
    label: dict[str, str] = field(default_factory=dict)  # the name shown, per language
    city_sources: dict[str, str] = field(default_factory=dict)
    policies: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None
    city_path: str | None = None  # the city profile's file

    @property
    def hash(self) -> str:
        """A short stable hash of everything that determines a run except the seed."""
        params = {k: v for k, v in self.params.items() if k != "run.seed"}
        blob = json.dumps(
            {"params": params, "policies": self.policies}, sort_keys=True, default=str
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable form (for manifests and reproduction); a copy."""
        return deepcopy(
            {
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
        )

    def to_toml(self) -> str:
        """A standalone scenario file that reproduces this scenario (same :attr:`hash`).

        It names the city and sets every value its other layers set (files it extends,
        overrides); the city's own values come from the city profile, so the file can be moved
        to another city like any scenario.
        """
        meta: dict[str, Any] = {"name": self.name, "city": self._city_ref()}
        if self.label:
            meta["label"] = dict(self.label)
        if self.description:
            meta["description"] = dict(self.description)
        own = {
            k: v
            for k, v in self.params.items()
            if self.provenance.get(k, "default") != "default"
            and not self.provenance.get(k, "").startswith("city:")
        }
        data: dict[str, Any] = {"scenario": meta, "params": own}
        if self.policies:
            data["policies"] = self.policies
        return toml_dumps(data)

    def _city_ref(self) -> str:
        """How a file names this scenario's city: the bundled name, else the profile's path."""
        if self.city_path is None or Path(self.city_path).parent.resolve() == CITY_DIR.resolve():
            return self.city
        return self.city_path

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        base_dir: str | os.PathLike[str] | None = None,
        name: str = "scenario",
    ) -> Scenario:
        """A scenario from a dict shaped like a scenario file, with the same checks.

        ``base_dir``: where relative ``city`` and ``extends`` paths are found (default: the
        current folder); ``name``: what messages call it (e.g. an uploaded file's name) and the
        scenario's name if ``[scenario] name`` is absent.
        """
        directory = Path(base_dir) if base_dir is not None else Path.cwd()
        return _resolve(dict(data), name, directory, Path(name).stem, None)


def available_scenarios() -> list[str]:
    """Names of the bundled scenarios (relative to ``scenarios/``, without suffix)."""
    names = []
    for path in sorted(SCENARIO_DIR.rglob("*")):
        if path.suffix in SUFFIXES and not _NOT_SCENARIOS & set(path.parents):
            names.append(path.relative_to(SCENARIO_DIR).with_suffix("").as_posix())
    return names


def available_cities() -> list[str]:
    """Names of the bundled city profiles."""
    return sorted(p.stem for p in CITY_DIR.glob("*") if p.suffix in SUFFIXES)


def read_data_file(path: Path) -> dict[str, Any]:
    """Parse a TOML or YAML file into a dict, with clear errors."""
    if not path.is_file():
        raise ScenarioError(f"file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}: not a UTF-8 text file (byte {exc.object[exc.start]:#04x} on line {line}); "
            "save it as UTF-8 text"
        ) from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_data(text, path.suffix, str(path))


def parse_data(text: str, suffix: str, where: str) -> dict[str, Any]:
    """Parse TOML or YAML ``text`` (by file ``suffix``) into a dict; ``where`` names it in
    messages (a file name)."""
    suffix = suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise ScenarioError(f"{where}: unknown file type {suffix!r}; use .toml or .yaml")
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: invalid TOML: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{where}: invalid YAML: {exc}") from None
    if data is None:  # an empty YAML document
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a table of sections at the top, got {data!r}")
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


_PLURAL = {"city": "cities"}


def resolve_file(ref: str | os.PathLike[str], directory: Path, kind: str, names: list[str]) -> Path:
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
        f"unknown {kind} {str(ref)!r}; valid {_PLURAL.get(kind, kind + 's')}: "
        f"{', '.join(names)} (or a .toml/.yaml path)"
    )


def _check_keys(found: Any, allowed: set[str], where: str) -> None:
    unknown = sorted(map(str, set(found) - allowed))
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


def _relative(ref: str, directory: Path) -> str:
    """A file reference (``x.toml``) relative to ``directory``; bundled names unchanged."""
    path = Path(ref)
    if path.suffix in SUFFIXES and not path.is_absolute():
        return str(directory / path)
    return ref


def load_city(ref: str | os.PathLike[str]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """Load a city profile; return its name, label, parameter values and sources."""
    name, label, values, sources, _ = _load_city(ref)
    return name, label, values, sources


def _load_city(
    ref: str | os.PathLike[str], where: str | None = None
) -> tuple[str, str, dict[str, Any], dict[str, str], Path]:
    try:
        path = resolve_file(ref, CITY_DIR, "city", available_cities())
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}" if where else str(exc)) from None
    data = read_data_file(path)
    if not data:
        raise ScenarioError(
            f"{path}: the city profile is empty; it needs [city] (name, label, region), "
            "[params] (its city.* values) and [sources] (where each value comes from); "
            f"see {CITY_DIR / (DEFAULT_CITY + '.toml')}"
        )
    _check_keys(data, CITY_KEYS, str(path))
    meta = _section(data, "city", str(path), {})
    _check_keys(meta, CITY_META_KEYS, f"{path} [city]")
    values = _validated(flatten_params(_section(data, "params", str(path), {})), str(path))
    sources = {str(k): str(v) for k, v in _section(data, "sources", str(path), {}).items()}
    _check_keys(sources, set(values), f"{path} [sources]")
    name = str(meta.get("name", path.stem))
    return name, str(meta.get("label", name.title())), values, sources, path.resolve()


def load_calibrated(city: str) -> tuple[str, dict[str, Any]] | None:
    """The calibrated layer of ``city`` (its layer name and values), or None if it has none."""
    path = CALIBRATED_DIR / f"{city}.toml"
    if not path.is_file():
        return None
    data = read_data_file(path)
    _check_keys(data, CALIBRATED_KEYS, str(path))
    meta = _section(data, "calibrated", str(path), {})
    if meta.get("city") != city:
        raise ScenarioError(f"{path}: [calibrated] city must be {city!r}, got {meta.get('city')!r}")
    values = _validated(flatten_params(_section(data, "params", str(path), {})), str(path))
    return f"calibrated:{meta.get('study', path.stem)}", values


def load_scenario(
    ref: str | os.PathLike[str] | Scenario | None = DEFAULT_SCENARIO,
    overrides: Mapping[str, Any] | None = None,
    *,
    city: str | os.PathLike[str] | None = None,
    calibrated: bool = True,
) -> Scenario:
    """Load and resolve a scenario, applying ``overrides`` last.

    ``ref``: a bundled name, a path, or a loaded :class:`Scenario`. ``city``: move the scenario
    to this city (a bundled name or a profile's path): the city's values replace the original
    city's, while everything the scenario and its overrides set is kept. ``calibrated=False``
    leaves out the city's calibrated layer (the calibrator's own runs).
    """
    if isinstance(ref, Scenario):
        moved = ref if city is None else _rehome(ref, city, calibrated)
        return with_overrides(moved, overrides or {})
    path = resolve_file(
        ref if ref is not None else DEFAULT_SCENARIO,
        SCENARIO_DIR,
        "scenario",
        available_scenarios(),
    ).resolve()
    data = read_data_file(path)
    return _resolve(data, str(path), path.parent, path.stem, str(path), city, overrides, calibrated)


def _resolve(
    data: dict[str, Any],
    where: str,
    directory: Path,
    stem: str,
    path: str | None,
    city: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    calibrated: bool = True,
) -> Scenario:
    """Resolve a scenario from its top-level data (its ``extends`` chain, city and layers)."""
    chain = _extends_chain(data, where, directory, stem, path)
    meta = data.get("scenario", {})
    if city is None:
        city_ref: Any = DEFAULT_CITY
        for _, folder, _, d in reversed(chain):
            if "city" in d.get("scenario", {}):
                city_ref = d["scenario"]["city"]
                if not isinstance(city_ref, str):
                    raise ScenarioError(
                        f"{where}: scenario.city must be a name or path, got {city_ref!r}"
                    )
                city_ref = _relative(city_ref, folder)
                break
    else:
        city_ref = city
    city_name, city_label, city_values, city_sources, city_path = _load_city(
        city_ref, where if city is None else None
    )

    params = Parameters(PARAMETERS.defaults())
    provenance = dict.fromkeys(params, "default")
    layers: list[tuple[str, Mapping[str, Any]]] = [(f"city:{city_name}", city_values)]
    calibrated_layer = load_calibrated(city_name) if calibrated else None
    if calibrated_layer is not None:
        layers.append(calibrated_layer)
    policies: list[Any] = []
    for label, _, name, d in chain:
        values = _validated(flatten_params(d.get("params", {})), label)
        layers.append((f"scenario:{d.get('scenario', {}).get('name', name)}", values))
        policies.extend(d.get("policies", []))
    if overrides:
        layers.append(("override", _validated(dict(overrides), "override")))
    for layer, layer_values in layers:
        params.update(layer_values)
        provenance.update(dict.fromkeys(layer_values, layer))
    check_consistency(params, where)
    description = meta.get("description", {})
    if isinstance(description, str):
        description = {"en": description}
    names = meta.get("label", {})
    if isinstance(names, str):
        names = {"en": names}
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ScenarioError(f"{where}: scenario.label must be text or label.en/label.it")
    return Scenario(
        name=str(meta.get("name", stem)),
        city=city_name,
        city_label=city_label,
        params=params,
        provenance=provenance,
        description=dict(description),
        label=dict(names),
        city_sources=city_sources,
        policies=validate_policies(policies, where),
        path=path,
        city_path=str(city_path),
    )


def _rehome(scenario: Scenario, city: str | os.PathLike[str], calibrated: bool = True) -> Scenario:
    """``scenario`` in another city: defaults, the new city (and its calibrated layer), then
    every value the scenario's own layers (and overrides) set, as if its file named that city."""
    name, label, city_values, sources, city_path = _load_city(city)
    params = Parameters(PARAMETERS.defaults())
    provenance = dict.fromkeys(params, "default")
    params.update(city_values)
    provenance.update(dict.fromkeys(city_values, f"city:{name}"))
    calibrated_layer = load_calibrated(name) if calibrated else None
    if calibrated_layer is not None:
        params.update(calibrated_layer[1])
        provenance.update(dict.fromkeys(calibrated_layer[1], calibrated_layer[0]))
    for key, layer in scenario.provenance.items():
        if layer != "default" and not layer.startswith(("city:", "calibrated:")):
            params[key] = deepcopy(scenario.params[key])
            provenance[key] = layer
    check_consistency(params, f"{scenario.name} in {name}")
    return replace(
        scenario,
        city=name,
        city_label=label,
        city_sources=sources,
        city_path=str(city_path),
        params=params,
        provenance=provenance,
    )


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A new scenario: ``scenario`` with ``overrides`` applied as the top layer (a copy even
    when there are none, so the two never share a list or a mapping)."""
    values = _validated(dict(overrides), "override") if overrides else {}
    params = Parameters(deepcopy({**scenario.params, **values}))
    if values:
        check_consistency(params, "override")
    return replace(
        scenario,
        params=params,
        provenance={**scenario.provenance, **dict.fromkeys(values, "override")},
        description=dict(scenario.description),
        city_sources=dict(scenario.city_sources),
        policies=deepcopy(scenario.policies),
    )


_EMPTY_SCENARIO = (
    "the scenario is empty; a scenario needs at least one of [scenario] (name, and city or "
    "extends), [params] (parameter values by dotted key) or [[policies]]; see "
    "scenarios/baseline.toml or run `willsim scenarios`"
)


def _check_scenario(data: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """Check a scenario's sections and keys; return its ``[scenario]`` table."""
    if not data:
        raise ScenarioError(f"{where}: {_EMPTY_SCENARIO}")
    _check_keys(data, SCENARIO_KEYS, where)
    meta: Mapping[str, Any] = _section(data, "scenario", where, {})
    _check_keys(meta, SCENARIO_META_KEYS, f"{where} [scenario]")
    _section(data, "params", where, {})
    _section(data, "policies", where, [])
    return meta


def _extends_chain(
    data: dict[str, Any], where: str, directory: Path, stem: str, path: str | None
) -> list[tuple[str, Path, str, dict[str, Any]]]:
    """The scenario and those it extends, base first: ``(where, folder, stem, data)``."""
    meta = _check_scenario(data, where)
    chain = [(where, directory, stem, data)]
    seen = {Path(path)} if path is not None else set()
    ref = meta.get("extends")
    while ref is not None:
        if not isinstance(ref, str):
            raise ScenarioError(f"{where}: scenario.extends must be a name or path, got {ref!r}")
        file = resolve_file(
            _relative(ref, directory), SCENARIO_DIR, "scenario", available_scenarios()
        ).resolve()
        if file in seen:
            raise ScenarioError(f"{file}: 'extends' forms a cycle")
        seen.add(file)
        where, directory, data = str(file), file.parent, read_data_file(file)
        meta = _check_scenario(data, where)
        chain.insert(0, (where, directory, file.stem, data))
        ref = meta.get("extends")
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
