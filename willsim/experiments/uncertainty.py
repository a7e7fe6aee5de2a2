"""Parameter uncertainty in comparisons: parameter sets drawn from the priors or a calibration
ensemble, run nested with seeds, and the statistics of such runs.

**The design** (methods note, section 4). N parameter sets θ_i are drawn; each runs every
strategy on M seeds of its own (every strategy on the same θ_i and seed, so differences stay
paired; seeds differ between draws, so that seed noise is independent between draws and the
variance split below holds). The paired runner does the running
(:func:`willsim.experiments.paired.run_arms` with ``draws`` and ``draw_seeds``).

**Where the draws come from.**

* *Priors* (:func:`prior_draws`): every parameter with a ``prior`` in the registry
  (:mod:`willsim.params.priors`), fitted or not, by Latin hypercube over the unit cube of prior
  quantiles with a fixed seed. A relative prior (``relative=True``) is taken around the
  reference scenario's value (a city's own capacity, a calibrated value), not the registry's
  default.
* *An ensemble* (:func:`ensemble_draws`): the Parquet file a calibration writes
  (``draw_id, weight, p__<parameter>...``, see ``docs/calibration.md``); N members are picked by
  systematic resampling on the weights with a fixed seed. Parameters with a prior that the
  ensemble does not hold (the ones the targets cannot identify, ``fit=False``) are drawn from
  their priors beside it.

A parameter that a strategy sets (a value that differs between the strategies, or a policy that
sets it) is a *lever* of the comparison, not an uncertainty: it is never drawn, and the draw set
says so.

**The statistics of nested runs** (per indicator and strategy, on the paired differences D_ij
from the reference, or on the reference's own values):

* the per-draw means D̄_i; their ``level`` quantiles are the interval that includes parameter
  uncertainty (:func:`quantile_interval`);
* the probability of being better: the share of draws whose D̄_i is on the good side, ties
  counted half (a strategy against itself gets 0.5), with its Monte Carlo standard error
  (:func:`probability`);
* the variance split (O'Hagan, Stevenson & Madan 2007): W the mean within-draw variance, B the
  variance of the D̄_i, σ²_param = max(0, B − W/M), the share from parameters
  σ²_param / (σ²_param + W) (:func:`variance_split`);
* which parameters the result depends on most: Spearman correlations of each drawn number with
  the D̄_i (:func:`influence`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.params import PARAMETERS
from willsim.params.priors import Prior
from willsim.scenario import Scenario

MODES: tuple[str, ...] = ("seeds", "parameters")
"""How a comparison treats uncertainty: seed noise only, or parameters and seeds."""
DEFAULT_DRAWS = 20
DEFAULT_SEEDS_PER_DRAW = 2
MIN_DRAWS = 4
LEVEL = 0.9
"""The interval that includes parameter uncertainty is the 5% to 95% range of the per-draw
means (methods note: a 90% interval; 95% quantiles are poorly estimated from tens of draws)."""
MIN_INFLUENCE_DRAWS = 8
"""Fewer parameter sets give rank correlations too coarse to rank assumptions (with 4 sets,
every correlation is a multiple of 0.2)."""
ENSEMBLE_METADATA_KEY = b"willsim"
"""The Arrow metadata key of a calibration ensemble (``willsim.calibration.ensemble``)."""


@dataclass(frozen=True)
class Uncertain:
    """One drawn number: a parameter, or one element of a vector parameter."""

    key: str
    index: int | None
    element: str | None
    prior: Prior | None

    @property
    def name(self) -> str:
        return self.key if self.element is None else f"{self.key}[{self.element}]"

    def base(self, params: Mapping[str, Any]) -> float:
        value = params[self.key]
        return float(value if self.index is None else value[self.index])


@dataclass
class DrawSet:
    """Parameter sets for a nested comparison.

    ``values``: one override mapping per draw (dotted key -> value; vectors whole);
    ``table``: draw x drawn number (``name`` -> value), for influence and for the record;
    ``excluded``: parameters with a prior that are not drawn, and why.
    """

    values: list[dict[str, Any]]
    table: pd.DataFrame
    source: str  # "priors" or "ensemble"
    seed: int
    excluded: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    from_priors: tuple[str, ...] = ()  # numbers drawn from priors beside an ensemble

    def describe(self) -> str:
        """One line: how many parameter sets, from where, how many numbers drawn."""
        n, k = len(self.values), self.table.shape[1]
        if self.source == "ensemble":
            method = self.meta.get("method", "?")
            line = (
                f"{n} parameter sets resampled (systematic, seed {self.seed}) from the "
                f"{method} ensemble {self.path} ({k} numbers"
            )
            if self.from_priors:
                line += f"; {len(self.from_priors)} not in the ensemble drawn from their priors"
            return line + ")"
        return (
            f"{n} parameter sets drawn from the priors (Latin hypercube, seed {self.seed}; "
            f"{k} numbers)"
        )


# --- which parameters are uncertain -----------------------------------------------------------


def _prior_numbers(keys: Sequence[str] | None = None) -> list[Uncertain]:
    out = []
    for param in PARAMETERS.values():
        if param.prior is None or (keys is not None and param.key not in keys):
            continue
        for index, name in enumerate(param.prior.element_names(param)):
            out.append(
                Uncertain(
                    param.key,
                    None if param.length is None else index,
                    None if name is None else str(name),
                    param.prior,
                )
            )
    return out


def _policy_keys(scenario: Scenario) -> set[str]:
    keys: set[str] = set()
    for entry in scenario.policies:
        keys |= set((entry.get("set") or {}).keys())
    return keys


def levers(arms: Sequence[Scenario]) -> dict[str, str]:
    """Parameters the strategies set (so never drawn): key -> the reason."""
    out: dict[str, str] = {}
    for sc in arms:
        for key in _policy_keys(sc):
            out.setdefault(key, f"a policy of {sc.name} sets it")
    for key in PARAMETERS:
        values = {json.dumps(sc.params[key], sort_keys=True, default=str) for sc in arms}
        if len(values) > 1:
            out.setdefault(key, "the strategies give it different values")
    return {k: v for k, v in out.items() if k in PARAMETERS}


def _check_keys(keys: Sequence[str] | None) -> None:
    if keys is None:
        return
    with_prior = sorted(k for k, p in PARAMETERS.items() if p.prior is not None)
    for key in keys:
        if key not in with_prior:
            raise SpecError(
                f"{key} has no prior, so it cannot be drawn; parameters with a prior: "
                f"{', '.join(with_prior)}"
            )


def _usable(
    numbers: Sequence[Uncertain], arms: Sequence[Scenario]
) -> tuple[list[Uncertain], dict[str, str]]:
    set_by = levers(arms)
    excluded = {n.key: set_by[n.key] for n in numbers if n.key in set_by}
    return [n for n in numbers if n.key not in set_by], excluded


def _clamp(key: str, value: float) -> float:
    param = PARAMETERS[key]
    if param.low is not None:
        value = max(value, float(param.low))
    if param.high is not None:
        value = min(value, float(param.high))
    return value


def overrides_of(
    numbers: Sequence[Uncertain], row: Mapping[str, float], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Overrides (dotted key -> value) setting each number of ``row`` on top of ``params``
    (vector elements not drawn keep their value)."""
    out: dict[str, Any] = {}
    for n in numbers:
        if n.name not in row:
            continue
        value = _clamp(n.key, float(row[n.name]))
        if n.index is None:
            out[n.key] = value
        else:
            vector = list(out.get(n.key, params[n.key]))
            vector[n.index] = value
            out[n.key] = vector
    return out


def _from_quantiles(
    numbers: Sequence[Uncertain], u: np.ndarray, params: Mapping[str, Any]
) -> pd.DataFrame:
    rows = []
    for point in u:
        rows.append(
            {
                n.name: n.prior.value(q, n.base(params)) if n.prior is not None else n.base(params)
                for n, q in zip(numbers, point, strict=True)
            }
        )
    return pd.DataFrame(rows, columns=[n.name for n in numbers])


def prior_draws(
    arms: Sequence[Scenario], n: int, seed: int, keys: Sequence[str] | None = None
) -> DrawSet:
    """``n`` parameter sets from the priors (Latin hypercube over prior quantiles, ``seed``);
    ``keys`` restricts them to some parameters. ``arms[0]`` is the reference."""
    from scipy.stats import qmc

    _check_keys(keys)
    if n < 1:
        raise SpecError(f"the number of parameter draws must be at least 1, got {n}")
    numbers, excluded = _usable(_prior_numbers(keys), arms)
    if not numbers:
        raise SpecError(
            "no parameter with a prior is left to draw: the strategies set every one "
            f"({', '.join(sorted(excluded))})"
        )
    params = arms[0].params
    u = qmc.LatinHypercube(d=len(numbers), rng=np.random.default_rng(seed)).random(n)
    table = _from_quantiles(numbers, u, params)
    values = [overrides_of(numbers, row, params) for row in table.to_dict("records")]
    return DrawSet(values, table, "priors", seed, excluded)


def systematic_resample(weights: Sequence[float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` members picked in proportion to ``weights`` by systematic resampling
    (one uniform offset, then evenly spaced positions on the cumulative weights)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise SpecError("the ensemble's weights must be finite, non-negative and not all zero")
    cumulative = np.cumsum(w / w.sum())
    cumulative[-1] = 1.0
    positions = (rng.random() + np.arange(n)) / n
    return np.searchsorted(cumulative, positions, side="right").clip(0, w.size - 1)


def read_ensemble(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A calibration ensemble's rows and metadata; a clear error for a file that is not one."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise SpecError(f"no ensemble file at {path} (willsim calibrate finish writes one)")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise SpecError(f"{path} is not a Parquet ensemble file: {exc}") from None
    frame = table.to_pandas()
    missing = [c for c in ("draw_id", "weight") if c not in frame]
    if missing or not any(c.startswith("p__") for c in frame):
        raise SpecError(
            f"{path} is not a calibration ensemble: it needs columns draw_id, weight and "
            "p__<parameter> (see docs/calibration.md)"
        )
    meta = json.loads((table.schema.metadata or {}).get(ENSEMBLE_METADATA_KEY, b"{}"))
    return frame, meta


def _parse_name(name: str, city: str) -> tuple[str, str | None] | None:
    """``key[element]@city`` -> (key, element); None for another city's number."""
    base, _, where = name.partition("@")
    if where and where != city:
        return None
    key, _, element = base.partition("[")
    return key, (element[:-1] if element else None)


def _number(key: str, element: str | None, path: Path) -> Uncertain:
    from willsim.params.registry import unknown_key_message

    if key not in PARAMETERS:
        raise SpecError(f"{path}: {unknown_key_message(key, PARAMETERS)}")
    param = PARAMETERS[key]
    if element is None:
        if param.length is not None:
            raise SpecError(f"{path}: p__{key} is a vector; name its elements ({key}[...])")
        return Uncertain(key, None, None, param.prior)
    names = (
        [str(x) for x in param.prior.element_names(param)]
        if param.prior is not None
        else [str(i) for i in range(param.length or 0)]
    )
    if element in names:
        index = names.index(element)
    elif element.isdigit() and int(element) < (param.length or 0):
        index = int(element)
    else:
        raise SpecError(f"{path}: {key} has no element {element!r}; elements: {', '.join(names)}")
    return Uncertain(key, index, element, param.prior)


def ensemble_draws(
    path: str | Path,
    arms: Sequence[Scenario],
    n: int,
    seed: int,
    keys: Sequence[str] | None = None,
) -> DrawSet:
    """``n`` members of a calibration ensemble (systematic resampling on its weights, ``seed``),
    with the priors' parameters it does not hold drawn from their priors beside it."""
    from scipy.stats import qmc

    _check_keys(keys)
    path = Path(path)
    frame, meta = read_ensemble(path)
    reference = arms[0]
    numbers: list[Uncertain] = []
    columns: list[str] = []
    for column in frame.columns:
        if not column.startswith("p__"):
            continue
        parsed = _parse_name(column[3:], reference.city)
        if parsed is None:
            continue
        number = _number(*parsed, path)
        if keys is not None and number.key not in keys:
            continue
        numbers.append(number)
        columns.append(column)
    usable, excluded = _usable(numbers, arms)
    rng = np.random.default_rng(seed)
    picked = systematic_resample(frame["weight"].to_numpy(), n, rng)
    keep = [c for c, num in zip(columns, numbers, strict=True) if num in usable]
    table = frame.iloc[picked][keep].reset_index(drop=True)
    table.columns = [c[3:].partition("@")[0] for c in keep]
    held = {num.name for num in usable}
    extra = [
        num
        for num in _prior_numbers(keys)
        if num.name not in held and num.prior is not None and not num.prior.fit
    ]
    extra, more = _usable(extra, arms)
    excluded.update(more)
    for num in _prior_numbers(keys):
        if num.name not in held and num not in extra and num.key not in excluded:
            excluded.setdefault(num.key, "fitted, but the ensemble holds no value for this city")
    if extra:
        u = qmc.LatinHypercube(d=len(extra), rng=rng).random(n)
        table = pd.concat([table, _from_quantiles(extra, u, reference.params)], axis=1)
    every = [*usable, *extra]
    if not every:
        raise SpecError(f"{path}: no parameter of the ensemble is left to draw")
    values = [overrides_of(every, row, reference.params) for row in table.to_dict("records")]
    return DrawSet(
        values,
        table,
        "ensemble",
        seed,
        excluded,
        str(path),
        meta,
        tuple(num.name for num in extra),
    )


def draw_seed_lists(root: int, draws: int, per_draw: int) -> list[list[int]]:
    """Each draw's own seeds: ``draws`` blocks of ``per_draw`` seeds spawned from ``root``."""
    from willsim.runner import replicate_seeds

    seeds = replicate_seeds(int(root), draws * per_draw)
    return [seeds[d * per_draw : (d + 1) * per_draw] for d in range(draws)]


# --- statistics of nested runs ----------------------------------------------------------------


def by_draw(values: pd.DataFrame) -> np.ndarray:
    """A ``draw, value`` frame (one row per pair, in pair order) as a draws x seeds matrix
    (NaN where a pair is missing)."""
    groups = [g["value"].to_numpy(dtype=float) for _, g in values.groupby("draw", sort=True)]
    width = max((g.size for g in groups), default=0)
    out = np.full((len(groups), width), np.nan)
    for i, g in enumerate(groups):
        out[i, : g.size] = g
    return out


def draw_means(matrix: np.ndarray) -> np.ndarray:
    """The mean over seeds of every draw (NaN for a draw with no finite value)."""
    with np.errstate(all="ignore"):
        counts = np.isfinite(matrix).sum(axis=1)
        sums = np.nansum(matrix, axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def variance_split(matrix: np.ndarray) -> dict[str, float]:
    """ANOVA split of a draws x seeds matrix: ``mean``, ``between`` (B, variance of the draw
    means), ``within`` (W, mean within-draw variance), ``seeds_per_draw`` (M, harmonic mean),
    ``param_var`` (max(0, B - W/M)), ``share_parameters`` (param_var / (param_var + W)),
    ``mc_se`` (Monte Carlo standard error of the mean, sqrt(B/N)) and ``draws`` (N)."""
    means = draw_means(matrix)
    ok = np.isfinite(means)
    n = int(ok.sum())
    out = dict.fromkeys(
        ("mean", "between", "within", "seeds_per_draw", "param_var", "share_parameters", "mc_se"),
        math.nan,
    )
    out["draws"] = float(n)
    if n == 0:
        return out
    out["mean"] = float(means[ok].mean())
    counts = np.isfinite(matrix[ok]).sum(axis=1)
    with np.errstate(all="ignore"):
        within = [
            float(np.nanvar(row, ddof=1))
            for row, c in zip(matrix[ok], counts, strict=True)
            if c > 1
        ]
    out["seeds_per_draw"] = float(len(counts) / np.sum(1.0 / counts))
    if n < 2 or not within:
        return out
    b = float(np.var(means[ok], ddof=1))
    w = float(np.mean(within))
    param = max(0.0, b - w / out["seeds_per_draw"])
    out.update(between=b, within=w, param_var=param, mc_se=math.sqrt(b / n))
    out["share_parameters"] = param / (param + w) if param + w > 0 else math.nan
    return out


def quantile_interval(means: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The central ``level`` range of the per-draw means (NaN with fewer than two draws)."""
    m = np.asarray(means, dtype=float)
    m = m[np.isfinite(m)]
    if m.size < 2:
        return math.nan, math.nan
    lo, hi = np.quantile(m, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def probability(means: np.ndarray, direction: int, margin: float = 0.0) -> tuple[float, float]:
    """The share of draws whose mean difference is on the ``direction`` side (+1: above,
    -1: below) by more than ``margin``, ties (exactly ``margin``) counted half, and its Monte
    Carlo standard error. A strategy against itself gets 0.5 (every draw a tie), with no
    error."""
    m = np.asarray(means, dtype=float)
    m = m[np.isfinite(m)]
    if m.size == 0 or direction == 0:
        return math.nan, math.nan
    oriented = direction * m
    scale = max(float(np.max(np.abs(m))), abs(margin), 1e-300)
    tie = np.abs(oriented - margin) <= 1e-12 * scale
    credit = np.where(tie, 0.5, (oriented > margin).astype(float))
    # the standard error of a mean of 0/1 credits is the binomial one; ties are certain halves
    return float(credit.mean()), float(credit.std() / math.sqrt(m.size))


def influence(draws: pd.DataFrame, means: np.ndarray) -> pd.Series:
    """Spearman correlation of every drawn number (a column of ``draws``) with the per-draw
    means; numbers that do not vary are left out. Sorted by absolute value, largest first;
    empty with fewer than :data:`MIN_INFLUENCE_DRAWS` parameter sets."""
    from scipy.stats import spearmanr

    m = np.asarray(means, dtype=float)
    ok = np.isfinite(m)
    out: dict[str, float] = {}
    if ok.sum() < MIN_INFLUENCE_DRAWS or np.ptp(m[ok]) == 0:
        return pd.Series(out, dtype=float)
    for name in draws.columns:
        x = draws[name].to_numpy(dtype=float)[ok]
        if np.ptp(x) == 0:
            continue
        rho = float(spearmanr(x, m[ok]).statistic)
        if math.isfinite(rho):
            out[name] = rho
    series = pd.Series(out, dtype=float)
    return series.reindex(series.abs().sort_values(ascending=False).index)


def flatten_draws(draws: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The parameter sets of :class:`~willsim.experiments.paired.PairedRuns` as a table of
    numbers (vector elements as ``key[element]``)."""
    rows = []
    for values in draws:
        row: dict[str, float] = {}
        for key, value in values.items():
            if isinstance(value, (list, tuple)):
                param = PARAMETERS.get(key)
                names = (
                    [str(x) for x in param.prior.element_names(param)]
                    if param is not None and param.prior is not None
                    else [str(i) for i in range(len(value))]
                )
                row.update({f"{key}[{n}]": float(v) for n, v in zip(names, value, strict=False)})
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = float(value)
        rows.append(row)
    return pd.DataFrame(rows)
