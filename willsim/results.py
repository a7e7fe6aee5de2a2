"""Results as tidy pandas DataFrames and end-of-run summaries.

* :func:`timeseries` — one row per week, indicator and group (``group_var="all"`` for the city);
* :func:`summary` — one end-of-run figure per indicator (see ``Indicator.summary``);
* :func:`group_summary` — end-of-run figures of the by-group indicators for every group.

Run folders (``willsim run --out``) and their provenance are written by
:mod:`willsim.experiments.outputs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from willsim.collector import OVERALL_KEYS, QUANTITIES
from willsim.indicators import INDICATORS
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

_Q = {name: k for k, name in enumerate(QUANTITIES)}


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


# by-group indicator -> function of (quantity sums, weight); sums may be per week or per run
GROUP_FORMULAS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "residents": lambda q, w: q[..., _Q["residents"]] * w,
    "people_with_need": lambda q, w: q[..., _Q["with_need"]] * w,
    "unmet_need_share": lambda q, w: _div(q[..., _Q["unmet"]], q[..., _Q["with_need"]]),
    "people_with_unmet_need": lambda q, w: q[..., _Q["unmet"]] * w,
    "latent_needs": lambda q, w: q[..., _Q["latent_needs"]] * w,
    "non_take_up_share": lambda q, w: _div(
        q[..., _Q["eligible_unasked"]], q[..., _Q["eligible_needs"]]
    ),
    "crises_per_1000": lambda q, w: _div(
        q[..., _Q["crises"]] * WEEKS_PER_YEAR * 1000, q[..., _Q["residents"]]
    ),
    "mean_wait_weeks": lambda q, w: _div(q[..., _Q["wait_total"]], q[..., _Q["assessments"]]),
    "time_to_first_help_weeks": lambda q, w: _div(
        q[..., _Q["first_help_total"]], q[..., _Q["first_helped"]]
    ),
    "coverage": lambda q, w: _div(q[..., _Q["served"]], q[..., _Q["with_need"]]),
    "out_of_pocket_eur": lambda q, w: q[..., _Q["out_of_pocket"]] * w,
    "isolated_share": lambda q, w: _div(q[..., _Q["isolated"]], q[..., _Q["residents"]]),
    "quality_of_life": lambda q, w: 1.0 - _div(q[..., _Q["qol_loss"]], q[..., _Q["residents"]]),
    "needs_resolved": lambda q, w: q[..., _Q["needs_resolved"]] * w,
    "trust": lambda q, w: _div(q[..., _Q["trust"]], q[..., _Q["residents"]]),
}


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
                "week": np.repeat(weeks, len(OVERALL_KEYS)),
                "indicator": np.tile(OVERALL_KEYS, weeks.size),
                "group_var": "all",
                "group": "all",
                "value": overall.ravel(),
            }
        )
    ]
    if groups:
        group_vars, levels = _level_labels(model)
        q = col.groups[: weeks.size]  # (weeks, levels, quantities)
        for key, formula in GROUP_FORMULAS.items():
            values = formula(q, model.citizens.weight)  # (weeks, levels)
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
        columns=list(OVERALL_KEYS),
        index=pd.RangeIndex(col.weeks_recorded, name="week"),
    )


def summary(model: WelfareModel) -> dict[str, float]:
    """End-of-run value of every indicator, as declared by its ``summary`` rule."""
    frame = wide(model)
    out: dict[str, float] = {}
    for key, ind in INDICATORS.items():
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
    for key, formula in GROUP_FORMULAS.items():
        rule = INDICATORS[key].summary
        base = totals if rule.startswith("ratio") or rule == "sum" else means
        if rule == "last":
            base = q[-1]
        rows.append(
            pd.DataFrame(
                {
                    "group_var": group_vars,
                    "group": levels,
                    "indicator": key,
                    "value": formula(base, model.citizens.weight),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def __getattr__(name: str) -> Any:
    """``git_commit`` moved to :mod:`willsim.experiments.provenance` (run folders and their
    provenance live in the experiments layer, :mod:`willsim.experiments.outputs`)."""
    if name == "git_commit":
        import warnings

        from willsim.experiments.provenance import git_commit

        warnings.warn(
            "willsim.results.git_commit moved to willsim.experiments.provenance.git_commit",
            DeprecationWarning,
            stacklevel=2,
        )
        return git_commit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
