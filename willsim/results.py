"""Results as tidy pandas DataFrames, end-of-run summaries, and durable run folders.

* :func:`timeseries` — one row per week, indicator and group (``group_var="all"`` for the city);
* :func:`summary` — one end-of-run figure per indicator (see ``Indicator.summary``);
* :func:`group_summary` — end-of-run figures of the by-group indicators for every group;
* :func:`save_runs` — Parquet time series, summary CSV/JSON and ``manifest.json`` with provenance,
  each written to a temporary name and renamed, so a folder never holds half a file.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from willsim.collector import QuantityContext
from willsim.fileio import atomic_write
from willsim.indicators import INDICATOR_LIST
from willsim.outputs import Formula, Indicator

if TYPE_CHECKING:
    from willsim.model import WelfareModel


def group_formulas(indicators: Sequence[Indicator] | None = None) -> dict[str, Formula]:
    """By-group indicator -> its group formula (over per-group quantity sums; the sums may be
    per week or over the run), from the registry or from ``indicators``."""
    chosen = INDICATOR_LIST if indicators is None else indicators
    return {i.key: i.groups for i in chosen if i.groups is not None}


def __getattr__(name: str) -> Any:
    if name == "GROUP_FORMULAS":  # the registry's by-group formulas, as they are now
        return group_formulas()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _by_group(formula: Formula, q: np.ndarray, weight: float, index: dict[str, int]) -> np.ndarray:
    return np.asarray(formula.value(QuantityContext(q, weight, index)), dtype=float)


def _level_labels(model: WelfareModel) -> tuple[list[str], list[str]]:
    group_vars, levels = [], []
    for var, names in model.collector.levels.items():
        group_vars += [var] * len(names)
        levels += names
    return group_vars, levels


def timeseries(model: WelfareModel, groups: bool = True) -> pd.DataFrame:
    """Tidy weekly indicators: columns ``week, indicator, group_var, group, value``."""
    col = model.collector
    weeks = np.arange(col.weeks_recorded)
    overall = col.overall[: weeks.size]
    frames = [
        pd.DataFrame(
            {
                "week": np.repeat(weeks, len(col.keys)),
                "indicator": np.tile(col.keys, weeks.size),
                "group_var": "all",
                "group": "all",
                "value": overall.ravel(),
            }
        )
    ]
    if groups:
        group_vars, levels = _level_labels(model)
        q = col.groups[: weeks.size]  # (weeks, levels, quantities)
        for key, formula in group_formulas(model.indicators).items():
            values = _by_group(formula, q, model.citizens.weight, col.q_index)  # (weeks, levels)
            frames.append(
                pd.DataFrame(
                    {
                        "week": np.repeat(weeks, len(levels)),
                        "indicator": key,
                        "group_var": np.tile(group_vars, weeks.size),
                        "group": np.tile(levels, weeks.size),
                        "value": values.ravel(),
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    for name in ("indicator", "group_var", "group"):
        df[name] = df[name].astype("category")
    return df


def wide(model: WelfareModel) -> pd.DataFrame:
    """City-level indicators, one column each, indexed by week."""
    col = model.collector
    return pd.DataFrame(
        col.overall[: col.weeks_recorded],
        columns=list(col.keys),
        index=pd.RangeIndex(col.weeks_recorded, name="week"),
    )


def summary(model: WelfareModel) -> dict[str, float]:
    """End-of-run value of every indicator, as declared by its ``summary`` rule."""
    frame = wide(model)
    out: dict[str, float] = {}
    for ind in model.indicators:
        key = ind.key
        series = frame[key]
        if ind.summary == "mean":
            value = series.mean()
        elif ind.summary == "sum":
            value = series.sum()
        elif ind.summary == "last":
            value = series.iloc[-1] if len(series) else np.nan
        else:  # ratio:NUM/DEN
            num, den = ind.summary.removeprefix("ratio:").split("/")
            total = frame[den].sum()
            value = frame[num].sum() / total if total else np.nan
        out[key] = float(value)
    return out


def group_summary(model: WelfareModel) -> pd.DataFrame:
    """End-of-run by-group indicators: columns ``group_var, group, indicator, value``."""
    col = model.collector
    q = col.groups[: col.weeks_recorded]
    totals, means = q.sum(axis=0), q.mean(axis=0)
    group_vars, levels = _level_labels(model)
    rows = []
    rules = {i.key: i.summary for i in model.indicators}
    for key, formula in group_formulas(model.indicators).items():
        rule = rules[key]
        base = totals if rule.startswith("ratio") or rule == "sum" else means
        if rule == "last":
            base = q[-1]
        rows.append(
            pd.DataFrame(
                {
                    "group_var": group_vars,
                    "group": levels,
                    "indicator": key,
                    "value": _by_group(formula, base, model.citizens.weight, col.q_index),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def git_commit() -> str | None:
    """The git commit of the willsim source, if it is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@dataclass
class RunRecord:
    """Everything kept from one finished run, so the model itself can be released."""

    seed: int
    summary: dict[str, float]
    timeseries: pd.DataFrame
    groups: pd.DataFrame
    manifest: dict[str, Any]


def record(model: WelfareModel) -> RunRecord:
    """Extract the results of a finished run."""
    return RunRecord(
        seed=int(model.params["run.seed"]),
        summary=summary(model),
        timeseries=timeseries(model),
        groups=group_summary(model),
        manifest=manifest(model),
    )


def manifest(model: WelfareModel) -> dict[str, Any]:
    """Provenance of a run: versions, commit, scenario, parameters with their layers, seed."""
    import mesa

    import willsim

    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "willsim_version": willsim.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
        "git_commit": git_commit(),
        "scenario": model.scenario.name,
        "scenario_hash": model.scenario.hash,
        "scenario_path": model.scenario.path,
        "city": model.scenario.city,
        "seed": int(model.params["run.seed"]),
        "weeks": model.weeks,
        "residents_simulated": model.citizens.n,
        "population_mode": model.population_mode,
        "weight": model.citizens.weight,
        "params": dict(model.params),
        "provenance": model.scenario.provenance,
        "city_sources": model.scenario.city_sources,
    }


def save_runs(records: Sequence[RunRecord], out: str | os.PathLike) -> Path:
    """Write replicates of one scenario to ``out``; return the folder."""
    out = Path(out)
    series, summaries, groups = [], [], []
    for replicate, rec in enumerate(records):
        ts = rec.timeseries.copy()
        ts.insert(0, "seed", rec.seed)
        ts.insert(0, "replicate", replicate)
        series.append(ts)
        summaries.append({"replicate": replicate, "seed": rec.seed, **rec.summary})
        gs = rec.groups.copy()
        gs.insert(0, "seed", rec.seed)
        gs.insert(0, "replicate", replicate)
        groups.append(gs)
    ts_all = pd.concat(series, ignore_index=True)
    for name in ("indicator", "group_var", "group"):
        ts_all[name] = ts_all[name].astype("category")
    atomic_write(out / "timeseries.parquet", lambda p: ts_all.to_parquet(p, index=False))
    summary_df = pd.DataFrame(summaries)
    atomic_write(out / "summary.csv", lambda p: summary_df.to_csv(p, index=False))
    groups_df = pd.concat(groups, ignore_index=True)
    atomic_write(out / "groups.csv", lambda p: groups_df.to_csv(p, index=False))
    meta = {**records[0].manifest, "seeds": [r.seed for r in records]}
    meta.pop("seed", None)
    text = json.dumps(meta, indent=2, default=str)
    atomic_write(out / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"))
    return out
