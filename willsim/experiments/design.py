"""Sweep specs: which parameters vary, how they are sampled, and the resulting table of runs.

A spec is a data file (TOML or YAML, no code)::

    [sweep]
    name = "office_staffing"
    scenario = "baseline"          # bundled name, or a path relative to the spec file
    design = "lhs"                 # factorial | lhs | sobol | morris
    samples = 16                   # lhs: points; sobol: base N; morris: trajectories
    replicates = 2                 # seeds per design point
    seed = 20261125                # root seed: every run's seed is derived from it
    outputs = ["mean_wait_weeks", "unmet_need_share"]
    timeseries = true              # keep the weekly city-level series of the outputs
    groups = false                 # keep end-of-run figures by citizen group
    common_seeds = true            # the same replicate seeds at every point (default: true for
                                   # sobol and morris, false for factorial and lhs)

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

The file's structure is checked by a schema (:class:`SpecFile`, pydantic: unknown keys and wrong
types are refused with a one-line message); every value is checked against the parameter
registry (type, range, choices). Samplers (SALib) work on the unit hypercube; the unit
coordinates are kept with the design, so Sobol and Morris indices are computed on exactly the
matrix that was sampled.

**Common random numbers** (``common_seeds``): replicate *r* of every point runs on the same seed,
so two points differ only by their parameters, not by luck. Sensitivity indices then measure the
parameters instead of seed noise, which is why it is the default for Sobol and Morris. A Morris
trajectory may visit the same point twice: with common seeds both rows are the same run (same
key), run and stored once and used for both.

**Run keys** hash the model's source digest (:func:`willsim.experiments.provenance.source_digest`),
the base scenario, the point's values and the seed: a run is tied to the code that made it.
**Seeds** are a counter-based function of the root seed and the run index
(:func:`run_seeds`), so any part of a design can be built without the rest: a design of a
million runs is written batch by batch (:func:`design_batches`) in bounded memory.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from willsim.experiments import SpecError
from willsim.experiments.schema import STRICT, validate
from willsim.indicators import INDICATORS
from willsim.params import PARAMETERS, ParameterError
from willsim.params.registry import unknown_key_message
from willsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    read_data_file,
    with_overrides,
)

DESIGNS = ("factorial", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "loguniform")
CRN_BY_DEFAULT = ("sobol", "morris")
DEFAULT_OUTPUTS = (
    "mean_wait_weeks",
    "unmet_need_share",
    "non_take_up_share",
    "coverage",
    "crises_per_1000",
    "public_spending_eur",
)
DESIGN_BATCH = 65_536


class VaryTable(BaseModel):
    """``[vary."group.name"]``: discrete ``values``, or a ``range`` with a distribution."""

    model_config = STRICT
    values: list[Any] | None = Field(None, min_length=1)
    range: list[float] | None = Field(None, min_length=2, max_length=2)
    steps: int | None = Field(None, ge=2)
    distribution: Literal["uniform", "triangular", "normal", "loguniform"] | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)


class SweepTable(BaseModel):
    """``[sweep]``: the design, its size, seeds and outputs."""

    model_config = STRICT
    name: str | None = None
    scenario: str = "baseline"
    description: str = ""
    design: Literal["factorial", "lhs", "sobol", "morris"] = "factorial"
    samples: int | None = Field(None, ge=1)
    replicates: int = Field(1, ge=1)
    seed: int | None = Field(None, ge=0, lt=2**63)
    outputs: list[str] | None = Field(None, min_length=1)
    timeseries: bool = True
    groups: bool = False
    common_seeds: bool | None = None
    second_order: bool = False
    levels: int = Field(4, ge=2)


class SpecFile(BaseModel):
    """A sweep spec file: ``[sweep]``, ``[fixed]`` and ``[vary."key"]`` tables."""

    model_config = STRICT
    sweep: SweepTable = SweepTable()
    fixed: dict[str, Any] = {}
    vary: dict[str, VaryTable] = {}


SPEC_KEYS = set(SpecFile.model_fields)
SWEEP_KEYS = set(SweepTable.model_fields)
VARY_KEYS = set(VaryTable.model_fields)


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


def _validate_value(key: str, value: Any, where: str) -> Any:
    try:
        return PARAMETERS[key].validate(value)
    except ParameterError as exc:
        raise _fail(where, str(exc)) from None


def parse_factor(key: str, table: VaryTable | Mapping[str, Any], design: str, where: str) -> Factor:
    """Validate one ``[vary."key"]`` table against the parameter registry."""
    if key not in PARAMETERS:
        raise _fail(where, unknown_key_message(key, PARAMETERS))
    if not isinstance(table, VaryTable):
        table = validate(VaryTable, table, f'{where} [vary."{key}"]', SpecError)
    where = f'{where} [vary."{key}"]'
    param = PARAMETERS[key]
    given = table.model_fields_set
    if (table.values is not None) == (table.range is not None or table.mean is not None):
        raise _fail(
            where, "give either `values = [...]` or a `range = [low, high]` (with a distribution)"
        )
    if table.values is not None:
        extra = given - {"values"}
        if extra:
            raise _fail(where, f"`values` cannot be combined with {', '.join(sorted(extra))}")
        return Factor(key, values=tuple(_validate_value(key, v, where) for v in table.values))
    if param.length is not None or param.choices or isinstance(param.default, (bool, str)):
        raise _fail(
            where,
            f"{key} is not a single number ({param.type_name}); vary it with `values = [...]`",
        )
    dist = table.distribution or "uniform"
    if table.range is not None:
        low, high = table.range
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
    factor: dict[str, Any] = {"low": low, "high": high, "distribution": dist}
    if dist == "triangular":
        if table.mode is None:
            raise _fail(where, "a triangular distribution needs `mode`")
        if not low <= table.mode <= high:
            raise _fail(where, f"mode {table.mode:g} must lie within the range [{low:g}, {high:g}]")
        factor["mode"] = table.mode
    elif dist == "normal":
        if table.mean is None or table.sd is None:
            raise _fail(where, "a normal distribution needs `mean` and `sd`")
        factor["mean"], factor["sd"] = table.mean, table.sd
        if not (math.isfinite(low) and math.isfinite(high)):
            raise _fail(where, f"{key} has no finite range; give `range = [low, high]`")
    elif dist == "loguniform" and low <= 0:
        raise _fail(where, "a loguniform range must be positive")
    for name in ("mode", "mean", "sd"):
        if name in given and name not in factor:
            raise _fail(where, f"`{name}` does not apply to a {dist} distribution")
    if design == "factorial":
        if dist != "uniform":
            raise _fail(
                where,
                "a factorial design takes `values` or a uniform `range` with "
                "`steps`, not a distribution",
            )
        if table.steps is None:
            raise _fail(where, "a factorial range needs `steps` (an integer >= 2)")
        factor["steps"] = table.steps
    elif table.steps is not None:
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
    except UnicodeDecodeError as exc:
        raise SpecError(f"sweep spec {path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpecError(f"sweep spec {path}: cannot read it ({exc.strerror or exc})") from None
    return parse_spec(data, where, base_dir=path.parent, overrides=overrides, path=str(path))


def parse_spec(
    data: Mapping[str, Any],
    where: str = "spec",
    base_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    path: str | None = None,
) -> SweepSpec:
    """Validate a spec given as a dict (the parsed file): its structure by :class:`SpecFile`,
    its values by the parameter and indicator registries."""
    if not isinstance(data, Mapping):
        raise _fail(where, f"expected a table of sections, got {data!r}")
    raw = dict(data)
    if overrides:
        sweep_raw = raw.get("sweep", {})
        if isinstance(sweep_raw, Mapping):
            raw["sweep"] = {**sweep_raw, **overrides}
    spec_file = validate(SpecFile, raw, where, SpecError)
    sweep = spec_file.sweep
    design = sweep.design
    if not spec_file.vary:
        raise _fail(
            where,
            'no parameters to vary; add at least one [vary."group.name"] table '
            "(run `willsim params` to list them)",
        )
    factors = tuple(parse_factor(k, v, design, where) for k, v in spec_file.vary.items())
    for key in spec_file.fixed:
        if key not in PARAMETERS:
            raise _fail(f"{where} [fixed]", unknown_key_message(key, PARAMETERS))
    fixed = {k: _validate_value(k, v, f"{where} [fixed]") for k, v in spec_file.fixed.items()}
    both = sorted(set(fixed) & {f.key for f in factors})
    if both:
        raise _fail(where, f"{', '.join(both)} is both fixed and varied")
    scenario_ref = sweep.scenario
    if Path(scenario_ref).suffix in (".toml", ".yaml", ".yml") and base_dir is not None:
        candidate = base_dir / scenario_ref
        scenario_ref = str(candidate) if candidate.exists() else scenario_ref
    try:
        scenario = load_scenario(scenario_ref, fixed)
    except ScenarioError as exc:
        raise _fail(where, f"base scenario: {exc}") from None
    outputs = sweep.outputs if sweep.outputs is not None else list(DEFAULT_OUTPUTS)
    unknown = [o for o in outputs if o not in INDICATORS]
    if unknown:
        raise _fail(
            where,
            f"unknown output(s) {', '.join(map(repr, unknown))}; valid outputs: "
            f"{', '.join(INDICATORS)}",
        )
    seed = sweep.seed if sweep.seed is not None else int(scenario.params["run.seed"])
    samples = sweep.samples
    if design != "factorial":
        if samples is None:
            raise _fail(
                where,
                f"a {design} design needs sweep.samples "
                "(lhs: points; sobol: base N, a power of 2; morris: trajectories)",
            )
        if design == "sobol" and samples & (samples - 1):
            raise _fail(where, f"a sobol design needs sweep.samples a power of 2, got {samples}")
        if design in ("sobol", "morris") and len(factors) < 2:
            raise _fail(where, f"a {design} design needs at least 2 varied parameters")
    elif samples is not None:
        raise _fail(where, "sweep.samples applies to lhs, sobol and morris designs only")
    common = sweep.common_seeds if sweep.common_seeds is not None else design in CRN_BY_DEFAULT
    spec = SweepSpec(
        name=str(sweep.name or Path(where).stem),
        scenario=scenario,
        design=design,
        factors=factors,
        replicates=sweep.replicates,
        seed=int(seed),
        samples=samples,
        outputs=tuple(outputs),
        timeseries=sweep.timeseries,
        groups=sweep.groups,
        common_seeds=common,
        second_order=sweep.second_order,
        levels=sweep.levels,
        fixed=dict(fixed),
        path=path,
        description=sweep.description,
    )
    check_combinations(spec, where)
    return spec


def check_combinations(spec: SweepSpec, where: str, limit: int = 1000) -> None:
    """Cross-parameter checks on the combinations of list-valued factors (e.g. shares that
    must sum to 1); single numbers were checked against their ranges already."""
    vectors = [
        f
        for f in spec.factors
        if f.values is not None and any(isinstance(v, list) for v in f.values)
    ]
    if not vectors:
        return
    for combo in itertools.islice(itertools.product(*(f.values for f in vectors)), limit):
        values = dict(zip((f.key for f in vectors), combo, strict=True))
        try:
            with_overrides(spec.scenario, values)
        except ScenarioError as exc:
            raise _fail(where, f"the combination {values} is invalid: {exc}") from None


def spec_toml(spec: Mapping[str, Any]) -> str:
    """The spec recorded in a manifest (:meth:`SweepSpec.to_dict`) as a TOML spec file that
    ``willsim sweep`` reads back to the same spec hash (same design, seeds and runs)."""
    from willsim.fileio import toml_dumps

    sweep = {
        k: spec[k]
        for k in (
            "name",
            "description",
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
        )
        if spec.get(k) is not None
    }
    data: dict[str, Any] = {"sweep": sweep}
    if spec.get("fixed"):
        data["fixed"] = dict(spec["fixed"])
    vary: dict[str, Any] = {}
    for factor in spec.get("factors", []):
        if "values" in factor:
            vary[factor["key"]] = {"values": list(factor["values"])}
            continue
        table: dict[str, Any] = {"range": [factor["low"], factor["high"]]}
        if factor.get("distribution", "uniform") != "uniform" or spec.get("design") != "factorial":
            table["distribution"] = factor.get("distribution", "uniform")
        for key in ("steps", "mode", "mean", "sd"):
            if factor.get(key) is not None:
                table[key] = factor[key]
        vary[factor["key"]] = table
    data["vary"] = vary
    return toml_dumps(data)


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


def count_points(spec: SweepSpec) -> int:
    """Design points of ``spec`` (without building them)."""
    k = len(spec.factors)
    if spec.design == "factorial":
        return math.prod(len(f.values) if f.values is not None else f.steps for f in spec.factors)
    n = spec.samples or 0
    if spec.design == "lhs":
        return n
    if spec.design == "sobol":
        return n * (2 * k + 2 if spec.second_order else k + 2)
    return n * (k + 1)  # morris


def iter_points(spec: SweepSpec) -> tuple[Iterator[dict[str, Any]], np.ndarray | None]:
    """The design points (parameter values by key), lazily for factorial designs, and for
    sampled designs the unit matrix they come from."""
    if spec.design == "factorial":
        grids = [f.levels() for f in spec.factors]
        points = (dict(zip(spec.names, c, strict=True)) for c in itertools.product(*grids))
        return points, None
    unit = unit_sample(
        spec.design, len(spec.factors), spec.samples, spec.seed, spec.second_order, spec.levels
    )

    def sampled() -> Iterator[dict[str, Any]]:
        for lo in range(0, len(unit), DESIGN_BATCH):
            block = unit[lo : lo + DESIGN_BATCH]
            columns = [f.from_unit(block[:, j]) for j, f in enumerate(spec.factors)]
            for row in zip(*columns, strict=True):
                yield dict(zip(spec.names, row, strict=True))

    return sampled(), unit


def design_points(spec: SweepSpec) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Every design point as a list (small designs), and the unit matrix of sampled designs."""
    points, unit = iter_points(spec)
    return list(points), unit


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def run_seeds(root: int, index: np.ndarray | Sequence[int]) -> np.ndarray:
    """The seed of run ``index`` of a design with root seed ``root`` (63-bit, uint64).

    A counter-based function (SplitMix64 of the root, mixed by NumPy's ``SeedSequence``, plus the
    index): seed ``i`` needs nothing but ``root`` and ``i``, so a design is built in batches in
    bounded memory and in any order, and distinct indices give distinct seeds.
    """
    base = np.random.SeedSequence(int(root)).generate_state(1, dtype=np.uint64)[0]
    i = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = base + (i + np.uint64(1)) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return z >> np.uint64(1)


def point_hash(scenario_hash: str, values: Mapping[str, Any]) -> str:
    """A hash of the base scenario and one point's values (the run's parameters)."""
    blob = json.dumps({"base": scenario_hash, "values": values}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def run_key(params_hash: str, seed: int, digest: str | None = None) -> str:
    """The key of one run: a hash of the model's source digest, the run's parameters (a
    scenario or point hash) and the seed."""
    if digest is None:
        from willsim.experiments.provenance import source_digest

        digest = source_digest()
    return hashlib.sha256(f"willsim:{digest}:{params_hash}:{int(seed)}".encode()).hexdigest()[:24]


def design_batches(
    spec: SweepSpec, digest: str | None = None, batch: int = DESIGN_BATCH
) -> Iterator[pd.DataFrame]:
    """The design of ``spec`` in batches of about ``batch`` runs: ``run, run_key, point,
    replicate, seed``, the varied parameters (one column per dotted key) and, for sampled
    designs, unit coordinates ``u:<key>``."""
    if digest is None:
        from willsim.experiments.provenance import source_digest

        digest = source_digest()
    points, unit = iter_points(spec)
    reps = spec.replicates
    base_hash = spec.scenario.hash
    crn = run_seeds(spec.seed, np.arange(reps)) if spec.common_seeds else None
    per_batch = max(1, batch // reps)
    point = 0
    while True:
        chunk = list(itertools.islice(points, per_batch))
        if not chunk:
            return
        n = len(chunk) * reps
        runs = np.arange(point * reps, point * reps + n, dtype=np.int64)
        seeds = np.tile(crn, len(chunk)) if crn is not None else run_seeds(spec.seed, runs)
        hashes = np.repeat([point_hash(base_hash, v) for v in chunk], reps)
        keys = [run_key(h, s, digest) for h, s in zip(hashes, seeds.tolist(), strict=True)]
        frame = pd.DataFrame(
            {
                "run": runs,
                "run_key": keys,
                "point": np.repeat(np.arange(point, point + len(chunk), dtype=np.int64), reps),
                "replicate": np.tile(np.arange(reps, dtype=np.int64), len(chunk)),
                "seed": seeds.astype("uint64"),
            }
        )
        for key in spec.names:
            frame[key] = _column([v[key] for v in chunk], reps)
        if unit is not None:
            block = unit[point : point + len(chunk)]
            for j, key in enumerate(spec.names):
                frame[f"u:{key}"] = np.repeat(block[:, j].astype(float), reps)
        point += len(chunk)
        yield frame


def _column(values: list[Any], reps: int) -> Any:
    """One parameter's values repeated per replicate (lists stay lists)."""
    if values and isinstance(values[0], list):
        return [v for v in values for _ in range(reps)]
    return np.repeat(np.asarray(values, dtype=object if isinstance(values[0], str) else None), reps)


def build_design(spec: SweepSpec, digest: str | None = None) -> pd.DataFrame:
    """The whole design of ``spec`` as one frame (see :func:`design_batches`)."""
    return pd.concat(list(design_batches(spec, digest)), ignore_index=True)


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
