"""Paired comparison of scenarios on common random numbers.

Every scenario runs on the *same* list of seeds (:mod:`willsim.experiments.paired`, the one
paired runner), so replicate ``r`` of scenario B differs from replicate ``r`` of scenario A only by
the policy (willsim's random streams are named per mechanism). Differences are therefore paired:
the 95% interval is a t-interval over the paired differences, much narrower than comparing two
independent means.

Many differences are tested at once, so the verdicts control multiplicity
(:mod:`willsim.experiments.stats`): the key indicators are the primary family (Holm: the chance
of any false "robust" verdict stays at 5%), the citizen groups a screening family
(Benjamini–Hochberg: at most 5% of the flagged group differences are expected to be false).
Every table says which adjustment it used.

* :func:`run_paired` — run the scenarios, return end-of-run figures (city and by group);
* :func:`compare_table` — mean per scenario, paired difference vs the first, 95% interval,
  adjusted p-value and a plain-language robustness line per key indicator;
* :func:`group_table` — by citizen group: who gains and who loses compared with the first;
* :func:`replication_advice` — replicates needed for a given half-width, capped to what is
  practical, and which differences are too small to matter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.paired import Arm, PairedRuns, labels_of, run_arms
from willsim.experiments.stats import (
    adjust,
    describe_adjustment,
    paired_p_value,
    replicates_needed,
    t_interval,
)
from willsim.indicators import INDICATORS, tagged
from willsim.runner import replicate_seeds
from willsim.scenario import Scenario, load_scenario, with_overrides

__all__ = [
    "PairedRuns",
    "compare_table",
    "group_table",
    "replicates_needed",
    "replication_advice",
    "robustness_line",
    "run_paired",
    "t_interval",
]

ALPHA = 0.05
MAX_REPLICATES = 200
"""The replication advisor never asks for more replicates than this: beyond it, a difference is
better treated as not shown."""
NEGLIGIBLE_SHARE = 0.01
"""A difference smaller than this share of the reference level is too small to matter, unless the
indicator declares its own minimal important difference (``mid``)."""


def key_indicators() -> tuple[str, ...]:
    """The comparison's key indicators (tag ``key`` in the indicator registry)."""
    return tagged("key")


# derived from the indicator registry (kept for callers that import them)
KEY_INDICATORS: tuple[str, ...] = key_indicators()
LOWER_IS_BETTER = frozenset(k for k, ind in INDICATORS.items() if ind.better < 0)
HIGHER_IS_BETTER = frozenset(k for k, ind in INDICATORS.items() if ind.better > 0)


def run_paired(
    scenarios: Sequence[str | Scenario],
    replicates: int = 10,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
    store: Any = None,
    draws: Sequence[Mapping[str, Any]] | None = None,
    draw_seeds: Sequence[Sequence[int]] | None = None,
) -> PairedRuns:
    """Run each scenario on the same ``replicates`` seeds (spawned from ``seed``, default the
    first scenario's ``run.seed``). ``overrides`` apply to every scenario (e.g. ``run.weeks``);
    ``draws`` are parameter sets, each run with every scenario and seed (on ``draw_seeds[d]``,
    each draw's own seeds, when given: the nested design). One worker runs in this
    process; more use a process pool (or ``engine="dask"``). Failed runs are left out of the
    pairs and listed in ``failures``."""
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
    labels = labels_of(loaded)
    root = int(loaded[0].params["run.seed"]) if seed is None else int(seed)
    seeds = replicate_seeds(root, replicates)
    if engine == "local" and workers == 1:
        engine = "serial"
    result = run_arms(
        [Arm(label, sc) for label, sc in zip(labels, loaded, strict=True)],
        seeds,
        draws=draws,
        draw_seeds=draw_seeds,
        engine=engine,
        workers=None if engine == "serial" else workers,
        scheduler=scheduler,
        progress=progress,
        cancel=cancel,
        store=store,
    )
    return result.paired()


def _paired(frame: pd.DataFrame, keys: list[str], labels: list[str]) -> pd.DataFrame:
    """Wide table of values: index ``keys + [replicate]``, one column per scenario."""
    wide = frame.set_index([*keys, "replicate", "scenario"])["value"].unstack("scenario")
    return wide.reindex(columns=labels)


def direction(indicator: str) -> int:
    """+1 if higher is better, -1 if lower is better, 0 if neither (the registry's ``better``)."""
    ind = INDICATORS.get(indicator)
    return ind.better if ind is not None else 0


def robustness_line(
    indicator: str,
    diffs: np.ndarray,
    lo: float,
    hi: float,
    p_adjusted: float | None = None,
    method: str = "holm",
) -> str:
    """E.g. "lower wait for assessment in 48 of 50 paired runs (robust: ...)"."""
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    label = INDICATORS[indicator].label.lower() if indicator in INDICATORS else indicator
    if d.size == 0:
        return f"{label}: no paired runs with a value"
    lower, higher = int((d < 0).sum()), int((d > 0).sum())
    if lower == 0 and higher == 0:
        return f"the same {label} in all {d.size} paired runs"
    word, count = ("lower", lower) if lower >= higher else ("higher", higher)
    excludes = (not math.isnan(lo)) and (lo > 0 or hi < 0)
    name = {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(method)
    if excludes and (p_adjusted is None or name is None or p_adjusted < ALPHA):
        verdict = f"robust: 95% interval {lo:.3g} to {hi:.3g} excludes zero"
        if name and p_adjusted is not None:
            verdict += f", {name}-adjusted p = {p_adjusted:.2g}"
    elif excludes:
        verdict = (
            f"not robust after {name} adjustment for multiple comparisons "
            f"(adjusted p = {p_adjusted:.2g}), although the 95% interval excludes zero"
        )
    else:
        verdict = "not robust: the 95% interval includes zero"
    return f"{word} {label} in {count} of {d.size} paired runs ({verdict})"


def compare_table(
    runs: PairedRuns,
    indicators: Sequence[str] | None = None,
    conf: float = 0.95,
    multiplicity: str = "holm",
) -> pd.DataFrame:
    """Per indicator and scenario: mean, and the paired difference against the first scenario
    with its interval, p-value, adjusted p-value (``multiplicity`` over every difference of the
    table: the primary family), the counts of lower/higher pairs and a plain-language line.
    ``indicators`` defaults to the registry's key indicators."""
    indicators = list(key_indicators() if indicators is None else indicators)
    base = runs.scenarios[0]
    sub = runs.summaries[runs.summaries["indicator"].isin(indicators)]
    wide = _paired(sub, ["indicator"], runs.scenarios)
    rows: list[dict[str, Any]] = []
    differences: dict[int, np.ndarray] = {}
    present = set(wide.index.get_level_values(0))
    for ind in indicators:
        if ind not in present:
            continue
        block = wide.loc[ind]
        for name in runs.scenarios:
            values = block[name].to_numpy(dtype=float)
            row: dict[str, Any] = {
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
                row.update(
                    {
                        "diff": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "sd_diff": float(finite.std(ddof=1)) if finite.size > 1 else math.nan,
                        "lower_in": int((finite < 0).sum()),
                        "higher_in": int((finite > 0).sum()),
                        "pairs": int(finite.size),
                        "p_value": paired_p_value(diffs),
                    }
                )
                differences[len(rows)] = diffs
            rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty or "diff" not in table:
        return table
    other = table["scenario"] != base
    table["p_adjusted"] = math.nan
    table.loc[other, "p_adjusted"] = adjust(table.loc[other, "p_value"], multiplicity)
    m = int(table.loc[other, "p_value"].notna().sum())
    robust: list[Any] = []
    lines: list[Any] = []
    for i, r in enumerate(table.itertuples()):
        if r.scenario == base:
            robust.append(math.nan)
            lines.append(math.nan)
            continue
        excludes = not math.isnan(r.ci_low) and (r.ci_low > 0 or r.ci_high < 0)
        ok = excludes and (multiplicity == "none" or r.p_adjusted < ALPHA)
        robust.append(bool(ok))
        lines.append(
            robustness_line(
                r.indicator, differences[i], r.ci_low, r.ci_high, r.p_adjusted, multiplicity
            )
        )
    table["robust"] = pd.array(robust, dtype="object")
    table["summary"] = lines
    table["multiplicity"] = describe_adjustment(multiplicity, m, ALPHA)
    return table


def group_table(
    runs: PairedRuns,
    indicators: Sequence[str] | None = None,
    conf: float = 0.95,
    multiplicity: str = "bh",
) -> pd.DataFrame:
    """By citizen group, the paired difference of each scenario against the first, and whether
    the group ``gains``, ``loses`` or shows ``no clear change``.

    A change is clear only when the 95% interval excludes zero *and* the adjusted p-value is
    below 5% (``multiplicity``: Benjamini–Hochberg over every group difference of the table by
    default; ``holm``; ``none``)."""
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
                    "p_value": paired_p_value(diffs),
                }
            )
    columns = [
        *("scenario", "indicator", "group_var", "group", "base_mean", "diff", "ci_low"),
        *("ci_high", "p_value", "p_adjusted", "verdict", "multiplicity"),
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=columns)
    table["p_adjusted"] = adjust(table["p_value"], multiplicity)
    verdicts = []
    for r in table.itertuples():
        clear = not math.isnan(r.ci_low) and not (r.ci_low <= 0 <= r.ci_high)
        if multiplicity != "none":
            clear = clear and r.p_adjusted < ALPHA
        d = direction(r.indicator)
        if not clear:
            verdicts.append("no clear change")
        elif d == 0:
            verdicts.append("higher" if r.ci_low > 0 else "lower")
        else:
            verdicts.append("gains" if np.sign(r.diff) == d else "loses")
    table["verdict"] = verdicts
    m = int(table["p_value"].notna().sum())
    table["multiplicity"] = describe_adjustment(multiplicity, m, ALPHA)
    return table[columns]


def minimal_difference(
    indicator: str, reference_mean: float, share: float = NEGLIGIBLE_SHARE
) -> float:
    """The smallest difference that matters for ``indicator``: its declared minimal important
    difference (``mid``) if the registry has one, else ``share`` of the reference level."""
    ind = INDICATORS.get(indicator)
    mid = getattr(ind, "mid", None) if ind is not None else None
    if mid:
        return float(mid)
    return share * abs(reference_mean) if math.isfinite(reference_mean) else math.nan


def replication_advice(
    table: pd.DataFrame,
    relative: float = 0.1,
    absolute: Mapping[str, float] | None = None,
    conf: float = 0.95,
    max_replicates: int = MAX_REPLICATES,
    negligible: float = NEGLIGIBLE_SHARE,
) -> pd.DataFrame:
    """Replicates each difference needs for an interval half-width of ``relative`` × |mean
    difference| (or ``absolute[indicator]``), from the SD of the paired differences.

    A difference smaller than the minimal difference that matters (:func:`minimal_difference`)
    is not chased: its target half-width is that minimal difference, and when even its interval
    already lies within it the advice is "too small to matter". Advice above
    ``max_replicates`` is capped and says so. ``advice``: ``enough``, ``more``,
    ``too small to matter`` or ``impractical``.
    """
    rows: list[dict[str, Any]] = []
    if table.empty or "sd_diff" not in table:
        return pd.DataFrame(rows)
    reference = table[table["diff"].isna()]
    ref_mean = dict(zip(reference["indicator"], reference["mean"], strict=True))
    for row in table.dropna(subset=["sd_diff"]).itertuples():
        floor = minimal_difference(row.indicator, ref_mean.get(row.indicator, math.nan), negligible)
        target = (absolute or {}).get(row.indicator, relative * abs(row.diff))
        current = (row.ci_high - row.ci_low) / 2
        small = math.isfinite(floor) and abs(row.diff) < floor
        if small:
            target = max(target, floor)
        needed = replicates_needed(row.sd_diff, target, conf, max_n=max_replicates)
        if small and math.isfinite(current) and abs(row.diff) + current <= floor:
            advice = "too small to matter"
        elif needed is None:
            advice = "impractical"
        elif needed <= row.pairs:
            advice = "enough"
        else:
            advice = "more"
        rows.append(
            {
                "indicator": row.indicator,
                "scenario": row.scenario,
                "diff": row.diff,
                "sd_diff": row.sd_diff,
                "pairs": row.pairs,
                "half_width_now": current,
                "half_width_target": target,
                "minimal_difference": floor,
                "replicates_needed": needed,
                "advice": advice,
            }
        )
    return pd.DataFrame(rows)
