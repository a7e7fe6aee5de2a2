"""Paired comparison of scenarios on common random numbers.

Every scenario runs on the *same* list of seeds, so replicate ``r`` of scenario B differs from
replicate ``r`` of scenario A only by the policy (willsim's random streams are named per
mechanism). Differences are therefore paired: the 95% interval is a t-interval over the paired
differences, much narrower than comparing two independent means.

* :func:`run_paired` — run the scenarios, return end-of-run figures (city and by group);
* :func:`compare_table` — mean per scenario, paired difference vs the first, 95% interval and a
  plain-language robustness line per key indicator;
* :func:`group_table` — by citizen group: who gains and who loses compared with the first;
* :func:`replication_advice` — replicates needed for a given half-width of the interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.indicators import INDICATORS
from willsim.runner import replicate_seeds
from willsim.scenario import Scenario, load_scenario, with_overrides

KEY_INDICATORS: tuple[str, ...] = (
    "mean_wait_weeks",
    "time_to_first_help_weeks",
    "unmet_need_share",
    "non_take_up_share",
    "coverage",
    "crises_per_1000",
    "isolated_share",
    "quality_of_life",
    "needs_resolved",
    "public_spending_eur",
    "out_of_pocket_eur",
)
LOWER_IS_BETTER = {
    "mean_wait_weeks",
    "time_to_first_help_weeks",
    "unmet_need_share",
    "people_with_unmet_need",
    "unmet_care_hours",
    "latent_needs",
    "non_take_up_share",
    "crises",
    "crises_per_1000",
    "waiting_list",
    "mean_queue_length",
    "isolated_share",
    "out_of_pocket_eur",
    "spending_hospital_eur",
    "spending_residential_eur",
    "spending_housing_eur",
    "cost_per_need_resolved",
    "equity_gap_digital",
    "equity_gap_income",
}
HIGHER_IS_BETTER = {
    "coverage",
    "first_helped",
    "neet_activated",
    "quality_of_life",
    "qol_years",
    "needs_resolved",
    "trust",
}


@dataclass
class PairedRuns:
    """End-of-run figures of every scenario on common seeds."""

    scenarios: list[str]
    seeds: list[int]
    summaries: pd.DataFrame  # scenario, replicate, seed, indicator, value
    groups: pd.DataFrame  # scenario, replicate, seed, group_var, group, indicator, value


@dataclass
class _PairTask:
    key: str
    scenario: Scenario
    label: str
    replicate: int
    seed: int


def _run_pair_task(task: _PairTask) -> tuple[dict[str, float], pd.DataFrame]:
    from willsim.model import WelfareModel
    from willsim.results import group_summary, summary

    model = WelfareModel(task.scenario, seed=task.seed)
    try:
        model.run()
        return summary(model), group_summary(model)
    finally:
        model.release()


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    labels, seen = [], {}
    for sc in scenarios:
        name = sc.name
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return labels


def run_paired(
    scenarios: Sequence[str | Scenario],
    replicates: int = 10,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    engine: str = "local",
) -> PairedRuns:
    """Run each scenario on the same ``replicates`` seeds (spawned from ``seed``, default the
    first scenario's ``run.seed``). ``overrides`` apply to every scenario (e.g. ``run.weeks``)."""
    from willsim.experiments.engines import run_tasks

    if len(scenarios) < 2:
        raise SpecError("compare needs at least two scenarios")
    if replicates < 2:
        raise SpecError(f"compare needs at least 2 replicates for an interval, got {replicates}")
    loaded = [
        with_overrides(s, dict(overrides or {}))
        if isinstance(s, Scenario)
        else load_scenario(s, overrides)
        for s in scenarios
    ]
    labels = _labels(loaded)
    root = int(loaded[0].params["run.seed"]) if seed is None else int(seed)
    seeds = replicate_seeds(root, replicates)
    tasks = [
        _PairTask(f"{i}-{r}", sc, labels[i], r, s)
        for i, sc in enumerate(loaded)
        for r, s in enumerate(seeds)
    ]
    by_key = {t.key: t for t in tasks}
    rows, groups = [], []
    outcomes = (
        run_tasks(tasks, _run_pair_task, engine="serial")
        if workers == 1
        else run_tasks(tasks, _run_pair_task, engine=engine, workers=workers)
    )
    for out in outcomes:
        if not out.ok:
            raise RuntimeError(f"run {out.key} failed: {out.error}")
        t = by_key[out.key]
        summ, gs = out.result
        rows += [
            {
                "scenario": t.label,
                "replicate": t.replicate,
                "seed": t.seed,
                "indicator": k,
                "value": v,
            }
            for k, v in summ.items()
        ]
        groups.append(gs.assign(scenario=t.label, replicate=t.replicate, seed=t.seed))
    summaries = pd.DataFrame(rows).sort_values(["scenario", "replicate"], key=_order(labels))
    group_df = pd.concat(groups, ignore_index=True)
    group_df = group_df[
        ["scenario", "replicate", "seed", "group_var", "group", "indicator", "value"]
    ]
    return PairedRuns(labels, seeds, summaries.reset_index(drop=True), group_df)


def _order(labels: list[str]):
    rank = {name: i for i, name in enumerate(labels)}
    return lambda col: col.map(rank) if col.name == "scenario" else col


def t_interval(diffs: np.ndarray, conf: float = 0.95) -> tuple[float, float, float]:
    """Mean and ``conf`` t-interval of paired differences (NaN pairs dropped)."""
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    if d.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if d.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + conf / 2, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
    return mean, mean - half, mean + half


def _paired(frame: pd.DataFrame, keys: list[str], labels: list[str]) -> pd.DataFrame:
    """Wide table of values: index ``keys + [replicate]``, one column per scenario."""
    wide = frame.set_index([*keys, "replicate", "scenario"])["value"].unstack("scenario")
    return wide.reindex(columns=labels)


def _direction(indicator: str) -> int:
    return -1 if indicator in LOWER_IS_BETTER else 1 if indicator in HIGHER_IS_BETTER else 0


def robustness_line(indicator: str, diffs: np.ndarray, lo: float, hi: float) -> str:
    """E.g. "lower waiting time in 48 of 50 paired runs (robust)"."""
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    label = INDICATORS[indicator].label.lower() if indicator in INDICATORS else indicator
    if d.size == 0:
        return f"{label}: no paired runs with a value"
    lower, higher = int((d < 0).sum()), int((d > 0).sum())
    if lower == 0 and higher == 0:
        return f"the same {label} in all {d.size} paired runs"
    word, count = ("lower", lower) if lower >= higher else ("higher", higher)
    robust = (not math.isnan(lo)) and (lo > 0 or hi < 0)
    verdict = (
        f"robust: 95% interval {lo:.3g} to {hi:.3g} excludes zero"
        if robust
        else "not robust: the 95% interval includes zero"
    )
    return f"{word} {label} in {count} of {d.size} paired runs ({verdict})"


def compare_table(
    runs: PairedRuns, indicators: Sequence[str] = KEY_INDICATORS, conf: float = 0.95
) -> pd.DataFrame:
    """Per indicator and scenario: mean, and the paired difference against the first scenario
    with its interval, the counts of lower/higher pairs and a plain-language line."""
    base = runs.scenarios[0]
    sub = runs.summaries[runs.summaries["indicator"].isin(indicators)]
    wide = _paired(sub, ["indicator"], runs.scenarios)
    rows = []
    for ind in indicators:
        if ind not in wide.index.get_level_values(0):
            continue
        block = wide.loc[ind]
        for name in runs.scenarios:
            values = block[name].to_numpy(dtype=float)
            row = {
                "indicator": ind,
                "label": INDICATORS[ind].label,
                "unit": INDICATORS[ind].unit,
                "scenario": name,
                "mean": float(np.nanmean(values)) if np.isfinite(values).any() else math.nan,
                "n": int(np.isfinite(values).sum()),
            }
            if name != base:
                diffs = values - block[base].to_numpy(dtype=float)
                mean, lo, hi = t_interval(diffs, conf)
                finite = diffs[~np.isnan(diffs)]
                sd = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
                row.update(
                    {
                        "diff": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "sd_diff": sd,
                        "lower_in": int((finite < 0).sum()),
                        "higher_in": int((finite > 0).sum()),
                        "pairs": int(finite.size),
                        "robust": bool((lo > 0) or (hi < 0)) if not math.isnan(lo) else False,
                        "summary": robustness_line(ind, diffs, lo, hi),
                    }
                )
            rows.append(row)
    return pd.DataFrame(rows)


def group_table(
    runs: PairedRuns, indicators: Sequence[str] | None = None, conf: float = 0.95
) -> pd.DataFrame:
    """By citizen group, the paired difference of each scenario against the first, and whether
    the group ``gains``, ``loses`` or shows ``no clear change`` (95% interval includes 0)."""
    base = runs.scenarios[0]
    frame = runs.groups
    if indicators is not None:
        frame = frame[frame["indicator"].isin(indicators)]
    wide = _paired(frame, ["indicator", "group_var", "group"], runs.scenarios)
    rows = []
    for (ind, var, grp), block in wide.groupby(level=[0, 1, 2], sort=False, observed=True):
        for name in runs.scenarios[1:]:
            diffs = block[name].to_numpy(dtype=float) - block[base].to_numpy(dtype=float)
            mean, lo, hi = t_interval(diffs, conf)
            direction = _direction(ind)
            if math.isnan(lo) or lo <= 0 <= hi:
                verdict = "no clear change"
            elif direction == 0:
                verdict = "higher" if lo > 0 else "lower"
            else:
                verdict = "gains" if np.sign(mean) == direction else "loses"
            rows.append(
                {
                    "scenario": name,
                    "indicator": ind,
                    "group_var": var,
                    "group": grp,
                    "base_mean": float(np.nanmean(block[base]))
                    if np.isfinite(block[base]).any()
                    else math.nan,
                    "diff": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "verdict": verdict,
                }
            )
    return pd.DataFrame(rows)


def replicates_needed(
    sd: float, half_width: float, conf: float = 0.95, max_n: int = 100_000
) -> int | None:
    """Smallest n whose t-interval of a paired difference with SD ``sd`` has ``half_width``."""
    from scipy import stats

    if not (sd >= 0 and half_width > 0) or math.isnan(sd):
        return None
    if sd == 0:
        return 2
    n = max(2, math.ceil((stats.norm.ppf(0.5 + conf / 2) * sd / half_width) ** 2))
    while n <= max_n:
        if stats.t.ppf(0.5 + conf / 2, n - 1) * sd / math.sqrt(n) <= half_width:
            return n
        n += 1
    return None


def replication_advice(
    table: pd.DataFrame,
    relative: float = 0.1,
    absolute: Mapping[str, float] | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Replicates each difference needs for an interval half-width of ``relative`` × |mean
    difference| (or ``absolute[indicator]``), from the SD of the paired differences."""
    rows = []
    for row in table.dropna(subset=["sd_diff"]).itertuples():
        target = (absolute or {}).get(row.indicator, relative * abs(row.diff))
        current = (row.ci_high - row.ci_low) / 2
        rows.append(
            {
                "indicator": row.indicator,
                "scenario": row.scenario,
                "diff": row.diff,
                "sd_diff": row.sd_diff,
                "pairs": row.pairs,
                "half_width_now": current,
                "half_width_target": target,
                "replicates_needed": replicates_needed(row.sd_diff, target, conf),
            }
        )
    return pd.DataFrame(rows)
