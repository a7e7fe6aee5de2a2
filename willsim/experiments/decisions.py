"""Effects that matter: verdicts against minimal important differences, in either uncertainty
mode, and effects told in people and euros a year for the city.

Every key indicator of the registry declares a **minimal important difference** (``mid``, with
its reason; :class:`willsim.outputs.Indicator`), fixed before any run. A difference is judged by
where its interval lies against zero and against the MID (Man-Son-Hing et al. 2002, adapted in
the methods note, section 4):

=======================  ==========================================================
``meaningful``           clear, and the whole interval is beyond the MID
``possibly meaningful``  clear (the interval excludes zero) and it straddles the MID
``small``                clear, but the whole interval is within the MID
``equivalent``           the interval includes zero and lies within ±MID
``uncertain``            the interval includes zero and reaches beyond ±MID
``clear``                the interval excludes zero; no MID is declared
=======================  ==========================================================

each with its direction (``better``/``worse``, or ``higher``/``lower`` for an indicator with no
good direction). The interval is the mode's (:func:`decision_table`):

* ``seeds``: the 95% t-interval of the mean paired difference over common seeds, at the
  scenario's parameter values; verdicts are adjusted for multiplicity (Holm by default) and a
  clear verdict that fails the adjustment becomes ``uncertain`` (or ``equivalent``). No
  probability of being better is given: over seeds alone it tends to 1 as seeds are added;
* ``parameters``: the 90% range of the per-draw mean differences over parameter sets
  (:mod:`willsim.experiments.uncertainty`), never narrower than the seeds-only interval of the
  same runs (``widened`` says when that floor was used: with few draws the sample quantiles
  understate the spread), the probability of being better (and of being better
  by more than the MID) with its Monte Carlo error, and the share of the spread that comes from
  parameters rather than seeds. Multiplicity is applied to the tail probabilities (a heuristic:
  they are not p-values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments.paired import PairedRuns
from willsim.experiments.stats import adjust, describe_adjustment, paired_p_value, t_interval
from willsim.experiments.uncertainty import (
    LEVEL,
    by_draw,
    draw_means,
    probability,
    quantile_interval,
    variance_split,
)
from willsim.indicators import INDICATORS, tagged
from willsim.units import WEEKS_PER_YEAR

ALPHA = 0.05
SEEDS_LEVEL = 0.95
VERDICTS: tuple[str, ...] = (
    "meaningful",
    "possibly meaningful",
    "small",
    "equivalent",
    "uncertain",
    "clear",
)
CLEAR = frozenset({"meaningful", "possibly meaningful", "small", "clear"})
MODE_TEXT = {
    "seeds": "seed noise only, at the scenarios' parameter values (95% paired t-intervals); "
    "parameter uncertainty not included",
    "parameters": "parameter uncertainty and seed noise (90% range of the per-draw mean "
    "differences over parameter sets)",
}


@dataclass(frozen=True)
class CityScale:
    """What turns a per-run figure into the city's: its residents and the run's years."""

    residents: float
    years: float

    @classmethod
    def of(cls, runs: PairedRuns, weeks: int) -> CityScale:
        """The reference strategy's residents (the ``residents`` indicator) over ``weeks``."""
        s = runs.summaries
        ref = s[(s["scenario"] == runs.scenarios[0]) & (s["indicator"] == "residents")]
        residents = float(ref["value"].mean()) if len(ref) else math.nan
        return cls(residents, weeks / WEEKS_PER_YEAR)


def summary_unit(indicator: str) -> str:
    """The unit of an indicator's end-of-run figure: a weekly flow summed over the run loses
    its ``/week`` (``needs/week`` -> ``needs``)."""
    ind = INDICATORS[indicator]
    if ind.summary == "sum" and ind.unit.endswith("/week"):
        return ind.unit[: -len("/week")]
    return ind.unit


def mid_of(indicator: str, scale: CityScale | None = None) -> float:
    """The minimal important difference of ``indicator`` in its own unit (NaN if it declares
    none, or if it is stated per resident and year and no ``scale`` is given)."""
    ind = INDICATORS.get(indicator)
    if ind is None or ind.mid is None:
        return math.nan
    if ind.mid_per == "resident-year":
        if scale is None or not math.isfinite(scale.residents):
            return math.nan
        return ind.mid * scale.residents * scale.years
    return float(ind.mid)


def classify(lo: float, hi: float, mid: float, better: int) -> tuple[str, str]:
    """The verdict (one of :data:`VERDICTS`) and direction of a difference with interval
    ``[lo, hi]`` against the minimal important difference ``mid`` (NaN: none declared)."""
    if math.isnan(lo) or math.isnan(hi):
        return "uncertain", ""
    if lo == 0 and hi == 0:  # no difference at all (a strategy against itself)
        return "equivalent", ""
    has_mid = math.isfinite(mid) and mid > 0
    if lo > 0 or hi < 0:
        up = lo > 0
        if better == 0:
            direction = "higher" if up else "lower"
        else:
            direction = "better" if up == (better > 0) else "worse"
        if not has_mid:
            return "clear", direction
        near, far = (lo, hi) if up else (-hi, -lo)
        if near > mid:
            return "meaningful", direction
        if far < mid:
            return "small", direction
        return "possibly meaningful", direction
    if has_mid and -mid < lo and hi < mid:
        return "equivalent", ""
    return "uncertain", ""


def _downgrade(lo: float, hi: float, mid: float) -> str:
    """The verdict of a clear difference that fails the multiplicity adjustment."""
    if math.isfinite(mid) and -mid < lo and hi < mid:
        return "equivalent"
    return "uncertain"


# --- effects in people and euros --------------------------------------------------------------


EFFECT_UNITS = ("people", "events/year", "EUR/year", "needs/year")


def effect_unit(indicator: str) -> str | None:
    """How a difference of ``indicator`` is told for the city (one of :data:`EFFECT_UNITS`),
    or None: shares of a counted population in people, rates per 1,000 in events a year,
    totals over the run per year."""
    ind = INDICATORS.get(indicator)
    if ind is None:
        return None
    if ind.share_of is not None:
        return "events/year" if "/1,000" in ind.unit else "people"
    if ind.summary == "sum":
        if ind.unit == "EUR":
            return "EUR/year"
        if ind.unit.startswith("needs"):
            return "needs/year"
        if ind.unit.startswith("events"):
            return "events/year"
    return None


def _city_values(
    wide: pd.DataFrame, indicator: str, scale: CityScale | None
) -> pd.DataFrame | None:
    """Per pair and strategy, ``indicator`` as a city figure (people, events or euros a year)."""
    unit = effect_unit(indicator)
    if unit is None:
        return None
    ind = INDICATORS[indicator]
    block = wide.loc[indicator]
    if ind.share_of is not None:
        if ind.share_of not in wide.index.get_level_values(0):
            return None
        base = wide.loc[ind.share_of]
        factor = 1 / 1000 if "/1,000" in ind.unit else 1.0
        return block * base * factor
    if scale is None or not scale.years > 0:
        return None
    return block / scale.years


# --- the decision table -----------------------------------------------------------------------


def _wide(runs: PairedRuns, keys: Sequence[str]) -> pd.DataFrame:
    frame = runs.summaries[runs.summaries["indicator"].isin(keys)]
    wide = frame.set_index(["indicator", "replicate", "scenario"])["value"].unstack("scenario")
    return wide.reindex(columns=runs.scenarios)


def _draw_of(runs: PairedRuns) -> pd.Series:
    """replicate -> draw (0 for every pair in a seeds-only comparison)."""
    s = runs.summaries
    if "draw" not in s:
        return pd.Series(0, index=sorted(s["replicate"].unique()))
    return s.drop_duplicates("replicate").set_index("replicate")["draw"].sort_index()


def _interval(values: np.ndarray, draws: np.ndarray, mode: str) -> dict[str, float]:
    """Mean and interval of per-pair ``values`` (with each pair's draw) in ``mode``."""
    if mode == "seeds":
        mean, lo, hi = t_interval(values, SEEDS_LEVEL)
        return {"mean": mean, "low": lo, "high": hi}
    matrix = by_draw(pd.DataFrame({"draw": draws, "value": values}))
    means = draw_means(matrix)
    lo, hi = quantile_interval(means, LEVEL)
    finite = means[np.isfinite(means)]
    # never narrower than seed noise alone gives on the same runs: with few draws the sample
    # quantiles understate the spread of the per-draw means
    _, s_lo, s_hi = t_interval(values, SEEDS_LEVEL)
    widened = bool(s_lo < lo or s_hi > hi)
    if math.isfinite(s_lo) and math.isfinite(lo):
        lo, hi = min(lo, s_lo), max(hi, s_hi)
    mean = float(finite.mean()) if finite.size else math.nan
    return {"mean": mean, "low": lo, "high": hi, "widened": widened}


def decision_table(
    runs: PairedRuns,
    mode: str = "seeds",
    indicators: Sequence[str] | None = None,
    multiplicity: str = "holm",
    scale: CityScale | None = None,
) -> pd.DataFrame:
    """Per indicator and strategy: mean, the paired difference from the first strategy, its
    interval, verdict against the MID, probability of being better (``parameters`` mode), the
    variance split, and the effect in people, events or euros a year for the city.

    ``mode`` is ``seeds`` or ``parameters`` (the runs must then have parameter draws);
    ``indicators`` defaults to the registry's key indicators; ``scale`` (:class:`CityScale`)
    resolves MIDs stated per resident and year and turns totals into yearly figures.
    """
    if mode not in ("seeds", "parameters"):
        raise ValueError(f"unknown uncertainty mode {mode!r}; valid: seeds, parameters")
    if mode == "parameters" and not runs.draws:
        raise ValueError("parameters mode needs runs with parameter draws")
    keys = [k for k in (tagged("key") if indicators is None else indicators) if k in INDICATORS]
    present = set(runs.summaries["indicator"])
    keys = [k for k in keys if k in present]
    needed = set(keys) | {INDICATORS[k].share_of for k in keys if INDICATORS[k].share_of}
    wide = _wide(runs, [k for k in needed if k is not None])
    draw_of = _draw_of(runs)
    ref = runs.scenarios[0]
    rows: list[dict[str, Any]] = []
    for key in keys:
        ind = INDICATORS[key]
        block = wide.loc[key]
        draws = draw_of.reindex(block.index).to_numpy()
        mid = mid_of(key, scale)
        city = _city_values(wide, key, scale)
        for name in runs.scenarios:
            values = block[name].to_numpy(dtype=float)
            row: dict[str, Any] = {
                "indicator": key,
                "label": ind.label,
                "unit": summary_unit(key),
                "scenario": name,
                "mode": mode,
                "mean": float(np.nanmean(values)) if np.isfinite(values).any() else math.nan,
                "mid": mid,
                "pairs": int(np.isfinite(values).sum()),
            }
            if mode == "parameters":
                split_values = values if name == ref else values - block[ref].to_numpy(float)
                split = variance_split(
                    by_draw(pd.DataFrame({"draw": draws, "value": split_values}))
                )
                row.update(
                    draws=int(split["draws"]),
                    seeds_per_draw=split["seeds_per_draw"],
                    share_parameters=split["share_parameters"],
                    var_parameters=split["param_var"],
                    var_seeds=split["within"],
                    mc_se=split["mc_se"],
                )
            if name != ref:
                diffs = values - block[ref].to_numpy(dtype=float)
                stats = _interval(diffs, draws, mode)
                row.update(diff=stats["mean"], ci_low=stats["low"], ci_high=stats["high"])
                if mode == "parameters":
                    row["widened"] = stats["widened"]
                finite = diffs[np.isfinite(diffs)]
                good = ind.better
                # in how many paired runs the strategy is better (or higher, with no direction)
                row["better_runs"] = int(((good or 1) * finite > 0).sum())
                row["equal_runs"] = int((finite == 0).sum())
                if mode == "seeds":
                    row["sd_diff"] = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
                    row["p_value"] = paired_p_value(diffs)
                    row["prob_better"] = math.nan
                    row["prob_better_se"] = math.nan
                    row["prob_meaningful"] = math.nan
                else:
                    means = draw_means(by_draw(pd.DataFrame({"draw": draws, "value": diffs})))
                    sign = good if good else 1
                    p, se = probability(means, sign)
                    row["prob_better"], row["prob_better_se"] = p, se
                    row["prob_meaningful"] = (
                        probability(means, sign, mid)[0] if math.isfinite(mid) else math.nan
                    )
                    # a two-sided tail "p-value": twice the share of draws on the minority side
                    up, _ = probability(means, 1)
                    row["p_value"] = (
                        min(1.0, 2 * min(up, 1 - up)) if math.isfinite(up) else math.nan
                    )
                verdict = classify(row["ci_low"], row["ci_high"], mid, good)
                row["verdict"], row["direction"] = verdict
                if city is not None:
                    effect = city[name].to_numpy(dtype=float) - city[ref].to_numpy(dtype=float)
                    e = _interval(effect, draws, mode)
                    row.update(
                        effect=e["mean"],
                        effect_low=e["low"],
                        effect_high=e["high"],
                        effect_unit=effect_unit(key),
                    )
            elif city is not None:
                level = city[name].to_numpy(dtype=float)
                row.update(
                    effect_level=float(np.nanmean(level)) if np.isfinite(level).any() else math.nan,
                    effect_unit=effect_unit(key),
                )
            rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty or "diff" not in table:
        return table
    other = table["scenario"] != ref
    table["p_adjusted"] = math.nan
    table.loc[other, "p_adjusted"] = adjust(table.loc[other, "p_value"], multiplicity)
    m = int(table.loc[other, "p_value"].notna().sum())
    for i in table.index[other]:
        if table.at[i, "verdict"] in CLEAR and multiplicity != "none":
            p_adj = table.at[i, "p_adjusted"]
            if not (p_adj < ALPHA):
                table.at[i, "verdict"] = _downgrade(
                    table.at[i, "ci_low"], table.at[i, "ci_high"], table.at[i, "mid"]
                )
                table.at[i, "direction"] = ""
    table["multiplicity"] = describe_adjustment(multiplicity, m, ALPHA)
    table["level"] = SEEDS_LEVEL if mode == "seeds" else LEVEL
    return table


# --- advice: more replicates, more draws -------------------------------------------------------

MAX_SEEDS_PER_DRAW = 20
MAX_DRAWS = 1000


def draws_advice(table: pd.DataFrame) -> pd.DataFrame:
    """For a ``parameters`` table: whether the Monte Carlo error is small against the MID
    (``more draws``: it should be at most a quarter of the MID), and whether seed noise still
    widens the interval (``more seeds per draw``: W/M above a quarter of the parameter variance
    and above a sixteenth of the MID squared). A difference already settled against its MID
    (meaningful, small or equivalent) needs nothing more. ``advice``: ``enough``,
    ``more draws``, ``more seeds per draw`` (or both)."""
    rows = []
    for r in table.dropna(subset=["diff"]).itertuples():
        needs = []
        draws_needed = math.nan
        settled = r.verdict in ("meaningful", "small", "equivalent")
        if not settled and math.isfinite(r.mid) and math.isfinite(r.mc_se) and r.mc_se > r.mid / 4:
            b = (r.mc_se**2) * r.draws  # the between-draw variance
            draws_needed = float(min(MAX_DRAWS, math.ceil(b / (r.mid / 4) ** 2)))
            needs.append("more draws")
        seeds_needed = math.nan
        param, within, m = r.var_parameters, r.var_seeds, r.seeds_per_draw
        noisy = math.isfinite(within) and within > 0 and math.isfinite(m) and param > 0
        if noisy and math.isfinite(r.mid):
            noisy = within / m > (r.mid / 4) ** 2
        if not settled and noisy and within / m > param / 4:
            seeds_needed = float(min(MAX_SEEDS_PER_DRAW, math.ceil(4 * within / param)))
            if seeds_needed > m:
                needs.append("more seeds per draw")
        rows.append(
            {
                "indicator": r.indicator,
                "scenario": r.scenario,
                "mc_se": r.mc_se,
                "mid": r.mid,
                "draws": r.draws,
                "draws_needed": draws_needed,
                "seeds_per_draw": m,
                "seeds_per_draw_needed": seeds_needed,
                "advice": " and ".join(needs) or "enough",
            }
        )
    return pd.DataFrame(rows)


def as_json(
    table: pd.DataFrame,
    meta: Mapping[str, Any],
    value_for_money: pd.DataFrame | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The decision table as plain JSON-able data: per strategy and indicator the mean, the
    paired difference from the first strategy, its interval, the probability of being better,
    the verdict; with ``meta`` (mode, draws, seeds...) in front."""

    def clean(v: Any) -> Any:
        if isinstance(v, (float, np.floating)):
            return None if not math.isfinite(float(v)) else float(v)
        if isinstance(v, (np.integer,)):
            return int(v)
        if isinstance(v, (np.bool_,)):
            return bool(v)
        return v

    fields = (
        "mean",
        "diff",
        "ci_low",
        "ci_high",
        "level",
        "prob_better",
        "prob_better_se",
        "prob_meaningful",
        "better_runs",
        "equal_runs",
        "verdict",
        "direction",
        "mid",
        "p_adjusted",
        "share_parameters",
        "mc_se",
        "effect",
        "effect_low",
        "effect_high",
        "effect_unit",
        "pairs",
        "draws",
    )
    strategies: dict[str, dict[str, Any]] = {}
    for r in table.to_dict("records"):
        entry = {"label": r["label"], "unit": r["unit"]}
        entry.update({f: clean(r[f]) for f in fields if f in r and not _missing(r[f])})
        strategies.setdefault(r["scenario"], {})[r["indicator"]] = entry
    out: dict[str, Any] = {k: clean(v) for k, v in meta.items()}
    out["multiplicity"] = str(table["multiplicity"].iloc[0]) if "multiplicity" in table else None
    out["strategies"] = strategies
    if value_for_money is not None and len(value_for_money):
        vfm: dict[str, dict[str, Any]] = {}
        for r in value_for_money.to_dict("records"):
            item = {k: clean(v) for k, v in r.items() if k not in ("scenario", "item")}
            vfm.setdefault(r["scenario"], {})[r["item"]] = {
                k: v for k, v in item.items() if v is not None and v != ""
            }
        out["value_for_money"] = vfm
    if extra:
        out.update(extra)
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))
