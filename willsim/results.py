"""Results as tidy pandas DataFrames and end-of-run summaries.

* :func:`timeseries` — one row per week, indicator and group (``group_var="all"`` for the city);
* :func:`summary` — one end-of-run figure per indicator (see ``Indicator.summary``);
* :func:`group_summary` — end-of-run figures of the by-group indicators for every group.

Run folders (``willsim run --out``) and their provenance are written by
:mod:`willsim.experiments.outputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from willsim.collector import QuantityContext
from willsim.indicators import INDICATOR_LIST
from willsim.outputs import Formula, Indicator, yearly_value

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
    if name == "git_commit":  # moved with the run folders to the experiments layer
        import warnings

        from willsim.experiments.provenance import git_commit

        warnings.warn(
            "willsim.results.git_commit moved to willsim.experiments.provenance.git_commit",
            DeprecationWarning,
            stacklevel=2,
        )
        return git_commit
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
        elif ind.summary == "yearly":
            value = yearly_value(series)
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
