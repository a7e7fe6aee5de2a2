"""Sweep specs: which parameters vary, how they are sampled, and the resulting table of runs.

A spec is a data file (TOML or YAML, no code)::

    [sweep]
    name = "office_staffing"
    scenario = "baseline"          # bundled name, or a path relative to the spec file
    design = "lhs"                 # factorial | lhs | sobol | morris
    samples = 16                   # lhs: points; sobol: base N; morris: trajectories
    replicates = 2                 # seeds per design point
    seed = 20261125                # root seed: every run's seed is spawned from it
    outputs = ["mean_wait_weeks", "unmet_need_share"]
    timeseries = true              # keep the weekly city-level series of the outputs
    groups = false                 # keep end-of-run figures by citizen group
    common_seeds = false           # true: the same replicate seeds at every point

    [fixed]                        # overrides applied to every run
    "run.weeks" = 260

    [vary."office.assessment_hours"]
    range = [1.5, 4.0]             # uniform; factorial needs `steps` (or use `values`)
    [vary."helpseeking.awareness"]
    distribution = "triangular"    # uniform | triangular (mode) | normal (mean, sd) | loguniform
    range = [0.5, 0.9]
    mode = 0.7
    [vary."office.social_workers"]
    values = [15, 20, 25]          # any type; sampled designs pick among them uniformly

Every value is checked against the parameter registry (type, range, choices). Samplers (SALib)
work on the unit hypercube; the unit coordinates are kept with the design, so Sobol and Morris
indices are computed on exactly the matrix that was sampled.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.indicators import INDICATORS
from willsim.params import PARAMETERS, ParameterError
from willsim.params.registry import unknown_key_message
from willsim.rng import spawn_seeds
from willsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    read_data_file,
    with_overrides,
)

DESIGNS = ("factorial", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "loguniform")
SPEC_KEYS = {"sweep", "fixed", "vary"}
SWEEP_KEYS = {
    "name",
    "scenario",
    "design",
    "samples",
    "replicates",
    "seed",
    "outputs",
    "timeseries",
    "groups",
    "common_seeds",
    "second_order",
    "levels",
    "description",
}
VARY_KEYS = {"values", "range", "steps", "distribution", "mode", "mean", "sd"}
DEFAULT_OUTPUTS = (
    "mean_wait_weeks",
    "unmet_need_share",
    "non_take_up_share",
    "coverage",
    "crises_per_1000",
    "public_spending_eur",
)


@dataclass(frozen=True)
class Factor:
    """One varied parameter: discrete ``values``, or a continuous distribution."""

    key: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    distribution: str = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def levels(self) -> list[Any]:
        """The factorial levels of this factor."""
        if self.values is not None:
            return list(self.values)
        grid = np.linspace(self.low, self.high, self.steps)
        return [self._cast(v) for v in grid]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-hypercube coordinates to parameter values."""
        from scipy import stats

        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        lo, hi = self.low, self.high
        if self.distribution == "uniform":
            x = lo + u * (hi - lo)
        elif self.distribution == "loguniform":
            x = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        elif self.distribution == "triangular":
            x = stats.triang.ppf(u, (self.mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        else:  # normal, truncated to [low, high]
            a, b = (lo - self.mean) / self.sd, (hi - self.mean) / self.sd
            x = stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        return [self._cast(v) for v in np.clip(x, lo, hi)]

    def _cast(self, value: float) -> Any:
        if isinstance(PARAMETERS[self.key].default, int):
            return int(np.rint(value))
        return float(value)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec."""

    name: str
    scenario: Scenario
    design: str
    factors: tuple[Factor, ...]
    replicates: int = 1
    seed: int = 0
    samples: int | None = None
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    timeseries: bool = True
    groups: bool = False
    common_seeds: bool = False
    second_order: bool = False
    levels: int = 4
    fixed: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [f.key for f in self.factors]

    def problem(self) -> dict[str, Any]:
        """The SALib problem on the unit hypercube."""
        return {
            "num_vars": len(self.factors),
            "names": self.names,
            "bounds": [[0.0, 1.0]] * len(self.factors),
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (for the manifest and the spec hash)."""
        return {
            "name": self.name,
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.hash,
            "design": self.design,
            "factors": [
                {k: v for k, v in f.__dict__.items() if v is not None} for f in self.factors
            ],
            "replicates": self.replicates,
            "seed": self.seed,
            "samples": self.samples,
            "outputs": list(self.outputs),
            "timeseries": self.timeseries,
            "groups": self.groups,
            "common_seeds": self.common_seeds,
            "second_order": self.second_order,
            "levels": self.levels,
            "fixed": self.fixed,
            "description": self.description,
        }

    @property
    def hash(self) -> str:
        """A stable hash of everything that determines the design and its runs."""
        blob = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _fail(where: str, message: str) -> SpecError:
    return SpecError(f"{where}: {message}")


def _check_keys(found: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise _fail(
            where,
            f"unknown key(s) {', '.join(map(repr, unknown))}; valid keys: "
            f"{', '.join(sorted(allowed))}",
        )


def _validate_value(key: str, value: Any, where: str) -> Any:
    try:
        return PARAMETERS[key].validate(value)
    except ParameterError as exc:
        raise _fail(where, str(exc)) from None


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, f"{what} must be a number, got {value!r}")
    return float(value)


def parse_factor(key: str, table: Any, design: str, where: str) -> Factor:
    """Validate one ``[vary."key"]`` table against the parameter registry."""
    if key not in PARAMETERS:
        raise _fail(where, unknown_key_message(key, PARAMETERS))
    where = f'{where} [vary."{key}"]'
    if not isinstance(table, Mapping):
        raise _fail(where, f"expected a table with `values` or `range`, got {table!r}")
    _check_keys(table, VARY_KEYS, where)
    param = PARAMETERS[key]
    if ("values" in table) == ("range" in table or "mean" in table):
        raise _fail(
            where, "give either `values = [...]` or a `range = [low, high]` (with a distribution)"
        )
    if "values" in table:
        values = table["values"]
        if not isinstance(values, list) or not values:
            raise _fail(where, f"`values` must be a non-empty list, got {values!r}")
        extra = set(table) - {"values"}
        if extra:
            raise _fail(where, f"`values` cannot be combined with {', '.join(sorted(extra))}")
        return Factor(key, values=tuple(_validate_value(key, v, where) for v in values))
    if param.length is not None or param.choices or isinstance(param.default, (bool, str)):
        raise _fail(
            where,
            f"{key} is not a single number ({param.type_name}); vary it with `values = [...]`",
        )
    dist = table.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise _fail(where, f"unknown distribution {dist!r}; valid: {', '.join(DISTRIBUTIONS)}")
    if "range" in table:
        rng = table["range"]
        if not isinstance(rng, list) or len(rng) != 2:
            raise _fail(where, f"`range` must be [low, high], got {rng!r}")
        low, high = (_number(v, "range", where) for v in rng)
    else:  # normal with mean/sd only: truncate at the parameter's own range
        if dist != "normal":
            raise _fail(where, "`range = [low, high]` is required")
        low = param.low if param.low is not None else -math.inf
        high = param.high if param.high is not None else math.inf
    for bound in (low, high):
        if math.isfinite(bound):
            _validate_value(key, bound, where)
    if not low < high:
        raise _fail(where, f"range low must be below high, got [{low:g}, {high:g}]")
    factor = {"low": low, "high": high, "distribution": dist}
    if dist == "triangular":
        mode = _number(table.get("mode"), "`mode` (for a triangular distribution)", where)
        if not low <= mode <= high:
            raise _fail(where, f"mode {mode:g} must lie within the range [{low:g}, {high:g}]")
        factor["mode"] = mode
    elif dist == "normal":
        factor["mean"] = _number(table.get("mean"), "`mean` (for a normal distribution)", where)
        factor["sd"] = _number(table.get("sd"), "`sd` (for a normal distribution)", where)
        if factor["sd"] <= 0:
            raise _fail(where, f"sd must be positive, got {factor['sd']:g}")
        if not (math.isfinite(low) and math.isfinite(high)):
            raise _fail(where, f"{key} has no finite range; give `range = [low, high]`")
    elif dist == "loguniform" and low <= 0:
        raise _fail(where, "a loguniform range must be positive")
    for name in ("mode", "mean", "sd"):
        if name in table and name not in factor:
            raise _fail(where, f"`{name}` does not apply to a {dist} distribution")
    if design == "factorial":
        if dist != "uniform":
            raise _fail(
                where,
                "a factorial design takes `values` or a uniform `range` with "
                "`steps`, not a distribution",
            )
        steps = table.get("steps")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
            raise _fail(where, f"a factorial range needs `steps` (an integer >= 2), got {steps!r}")
        factor["steps"] = steps
    elif "steps" in table:
        raise _fail(where, f"`steps` applies only to factorial designs, not {design}")
    return Factor(key, **factor)


def load_spec(path: str | os.PathLike, overrides: Mapping[str, Any] | None = None) -> SweepSpec:
    """Read and validate a sweep spec file; ``overrides`` replace keys of ``[sweep]``."""
    path = Path(path)
    where = str(path)
    try:
        data = read_data_file(path)
    except ScenarioError as exc:
        raise SpecError(f"sweep spec: {exc}") from None
    return parse_spec(data, where, base_dir=path.parent, overrides=overrides, path=str(path))


def parse_spec(
    data: Mapping[str, Any],
    where: str = "spec",
    base_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    path: str | None = None,
) -> SweepSpec:
    """Validate a spec given as a dict (the parsed file)."""
    _check_keys(data, SPEC_KEYS, where)
    sweep = dict(data.get("sweep", {}))
    if not isinstance(data.get("sweep", {}), Mapping):
        raise _fail(where, "[sweep] must be a table")
    sweep.update(overrides or {})
    _check_keys(sweep, SWEEP_KEYS, f"{where} [sweep]")
    design = sweep.get("design", "factorial")
    if design not in DESIGNS:
        raise _fail(where, f"unknown design {design!r}; valid designs: {', '.join(DESIGNS)}")
    vary = data.get("vary")
    if not isinstance(vary, Mapping) or not vary:
        raise _fail(
            where,
            'no parameters to vary; add at least one [vary."group.name"] table '
            "(run `willsim params` to list them)",
        )
    factors = tuple(parse_factor(k, v, design, where) for k, v in vary.items())
    fixed = data.get("fixed", {})
    if not isinstance(fixed, Mapping):
        raise _fail(where, "[fixed] must be a table of parameter values")
    fixed = {k: _validate_value(k, v, f"{where} [fixed]") for k, v in fixed.items()}
    both = sorted(set(fixed) & {f.key for f in factors})
    if both:
        raise _fail(where, f"{', '.join(both)} is both fixed and varied")
    scenario_ref = sweep.get("scenario", "baseline")
    if not isinstance(scenario_ref, str):
        raise _fail(where, f"sweep.scenario must be a name or path, got {scenario_ref!r}")
    if Path(scenario_ref).suffix in (".toml", ".yaml", ".yml") and base_dir is not None:
        candidate = base_dir / scenario_ref
        scenario_ref = str(candidate) if candidate.exists() else scenario_ref
    try:
        scenario = load_scenario(scenario_ref, fixed)
    except ScenarioError as exc:
        raise _fail(where, f"base scenario: {exc}") from None
    outputs = sweep.get("outputs", list(DEFAULT_OUTPUTS))
    if not isinstance(outputs, list) or not outputs:
        raise _fail(where, f"sweep.outputs must be a non-empty list of indicators, got {outputs!r}")
    unknown = [o for o in outputs if o not in INDICATORS]
    if unknown:
        raise _fail(
            where,
            f"unknown output(s) {', '.join(map(repr, unknown))}; valid outputs: "
            f"{', '.join(INDICATORS)}",
        )
    replicates = _positive_int(sweep.get("replicates", 1), "sweep.replicates", where)
    seed = sweep.get("seed", int(scenario.params["run.seed"]))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _fail(where, f"sweep.seed must be a non-negative integer, got {seed!r}")
    samples = sweep.get("samples")
    if design != "factorial":
        if samples is None:
            raise _fail(
                where,
                f"a {design} design needs sweep.samples "
                "(lhs: points; sobol: base N, a power of 2; morris: trajectories)",
            )
        samples = _positive_int(samples, "sweep.samples", where)
        if design == "sobol" and samples & (samples - 1):
            raise _fail(where, f"a sobol design needs sweep.samples a power of 2, got {samples}")
        if design in ("sobol", "morris") and len(factors) < 2:
            raise _fail(where, f"a {design} design needs at least 2 varied parameters")
    elif samples is not None:
        raise _fail(where, "sweep.samples applies to lhs, sobol and morris designs only")
    flags = {
        k: sweep.get(k, d)
        for k, d in (
            ("timeseries", True),
            ("groups", False),
            ("common_seeds", False),
            ("second_order", False),
        )
    }
    for k, v in flags.items():
        if not isinstance(v, bool):
            raise _fail(where, f"sweep.{k} must be true or false, got {v!r}")
    levels = _positive_int(sweep.get("levels", 4), "sweep.levels", where)
    return SweepSpec(
        name=str(sweep.get("name", Path(where).stem)),
        scenario=scenario,
        design=design,
        factors=factors,
        replicates=replicates,
        seed=int(seed),
        samples=samples,
        outputs=tuple(outputs),
        levels=levels,
        fixed=dict(fixed),
        path=path,
        description=str(sweep.get("description", "")),
        **flags,
    )


def _positive_int(value: Any, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(where, f"{what} must be a whole number >= 1, got {value!r}")
    return value


def unit_sample(
    design: str, k: int, samples: int, seed: int, second_order: bool = False, levels: int = 4
) -> np.ndarray:
    """Points of a sampled design on the unit hypercube, shape ``(points, k)`` (SALib)."""
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    if design == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed)
    if design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=levels, seed=seed)
    raise SpecError(f"no unit sample for design {design!r}")


def design_points(spec: SweepSpec) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """The design points (parameter values by key) and, for sampled designs, the unit matrix."""
    if spec.design == "factorial":
        grids = [f.levels() for f in spec.factors]
        return [
            dict(zip(spec.names, combo, strict=True)) for combo in itertools.product(*grids)
        ], None
    unit = unit_sample(
        spec.design, len(spec.factors), spec.samples, spec.seed, spec.second_order, spec.levels
    )
    columns = [f.from_unit(unit[:, j]) for j, f in enumerate(spec.factors)]
    points = [dict(zip(spec.names, row, strict=True)) for row in zip(*columns, strict=True)]
    return points, unit


def run_key(scenario_hash: str, seed: int, version: str | None = None) -> str:
    """The key of one run: a hash of the model version, every parameter, and the seed."""
    if version is None:
        import willsim

        version = willsim.__version__
    blob = json.dumps(
        {"model": "willsim", "version": version, "params": scenario_hash, "seed": int(seed)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """Every run of the sweep: ``run, run_key, point, replicate, seed``, the varied parameters
    (one column per dotted key) and, for sampled designs, unit coordinates ``u:<key>``."""
    points, unit = design_points(spec)
    n_runs = len(points) * spec.replicates
    seeds = (
        spawn_seeds(spec.seed, spec.replicates) * len(points)
        if spec.common_seeds
        else spawn_seeds(spec.seed, n_runs)
    )
    rows = []
    for p, values in enumerate(points):
        try:
            scenario_hash = with_overrides(spec.scenario, values).hash
        except ScenarioError as exc:
            raise SpecError(f"design point {p} ({values}): {exc}") from None
        for r in range(spec.replicates):
            seed = seeds[p * spec.replicates + r]
            row = {
                "run": len(rows),
                "run_key": run_key(scenario_hash, seed),
                "point": p,
                "replicate": r,
                "seed": seed,
                **values,
            }
            if unit is not None:
                row.update({f"u:{k}": float(unit[p, j]) for j, k in enumerate(spec.names)})
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["seed"] = frame["seed"].astype("uint64")
    if frame["run_key"].duplicated().any():
        dup = frame.loc[frame["run_key"].duplicated(), "point"].tolist()[:5]
        raise SpecError(
            f"the design repeats identical runs (points {dup}); with "
            "common_seeds, every design point must differ"
        )
    return frame


def point_values(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The parameter overrides of one design row (plain Python values)."""
    out = {}
    for key in names:
        value = row[key]
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out
