"""The tables and sentences of a paired comparison, as shown on the Compare page, in the briefing
and on the workshop board, in English or Italian.

Each ``*_data`` function returns language-neutral numbers (for downloads and charts); each
``*_table`` function returns the same as display strings in a language. Which indicators appear
and which direction is better come from the indicator registry (``tagged("key")``,
``tagged("equity")``, ``INDICATORS[k].better``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from willsim.experiments.compare import PairedRuns, compare_table, group_table
from willsim.indicators import GROUP_VARS, INDICATORS, tagged
from willsim.reporting.formatting import (
    bound,
    difference,
    interval,
    money,
    number,
    percent,
    value,
)
from willsim.reporting.i18n import has, pick, text

COST_ITEMS: tuple[str, ...] = (
    *(k for k in INDICATORS if k.startswith("spending_")),
    "public_spending_eur",
    "out_of_pocket_eur",
)
"""The spending items of the costs table: each public item, the total, families' own."""
EQUITY_COLUMNS = ["scenario", "indicator", "group_var", "group", "diff", "ci_low", "ci_high"]
VERDICTS = ("gains", "loses", "no clear change", "higher", "lower")
"""The by-group verdicts of :func:`willsim.experiments.compare.group_table` (``higher`` and
``lower`` for an indicator with no better direction)."""


def label(key: str, language: str) -> str:
    """An indicator's label (the key itself for an unknown indicator)."""
    ind = INDICATORS.get(key)
    return ind.label_in(language) if ind else key


def group_name(var: str, level: str, language: str) -> str:
    """A citizen group, e.g. ``Age band: 75-84`` / ``Fascia d'età: 75-84``."""
    var_label = pick(GROUP_VARS.get(var, (var, var)), language)
    level_key = f"level_{level}"
    shown = text(level_key, language) if has(level_key) else str(level)
    return f"{var_label}: {shown}"


def verdict_text(verdict: str, language: str) -> str:
    """A by-group verdict (one of :data:`VERDICTS`) in ``language``."""
    return text("br_" + verdict.replace(" ", "_"), language) if verdict in VERDICTS else verdict


def decisions_for(
    runs: PairedRuns,
    indicators: Sequence[str] | None = None,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The decision table of ``runs`` (:func:`willsim.experiments.decisions.decision_table`),
    seeds mode unless the runs have parameter draws, unless ``decisions`` is given."""
    if decisions is not None:
        return decisions
    from willsim.experiments.decisions import decision_table

    keys = tagged("key") if indicators is None else indicators
    mode = "parameters" if runs.draws else "seeds"
    return decision_table(runs, mode, [k for k in keys if k in INDICATORS])


def key_figures(
    runs: PairedRuns,
    language: str = "en",
    indicators: Sequence[str] | None = None,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per indicator and strategy: mean, paired difference from the first strategy, its
    interval, the verdict against the indicator's minimal important difference and how sure
    (display strings). ``indicators``: the registry's key indicators unless given;
    ``decisions``: a decision table already computed (e.g. with parameter uncertainty)."""
    from willsim.reporting.card import certainty, interval_text, quantity, verdict_words

    table = decisions_for(runs, indicators, decisions)
    if indicators is not None:
        table = table[table["indicator"].isin(indicators)]
    ref = runs.scenarios[0]
    parameters = "mode" in table and (table["mode"] == "parameters").any()
    interval_head = text("dc_interval_parameters" if parameters else "br_interval", language)
    rows = []
    for r in table.to_dict("records"):
        unit = r["unit"]
        is_ref = r["scenario"] == ref
        rows.append(
            {
                text("br_indicator", language): label(r["indicator"], language),
                text("br_strategy", language): r["scenario"],
                text("br_mean", language): value(r["mean"], unit, language),
                text("br_difference", language, ref=ref): ""
                if is_ref
                else quantity(r["diff"], unit, language),
                interval_head: ""
                if is_ref
                else interval_text(r["ci_low"], r["ci_high"], unit, language),
                text("br_verdict", language): "" if is_ref else verdict_words(r, language),
                text("dc_certainty", language): "" if is_ref else certainty(r, language),
            }
        )
    return pd.DataFrame(rows)


def headlines(
    runs: PairedRuns,
    language: str = "en",
    indicators: Sequence[str] | None = None,
    decisions: pd.DataFrame | None = None,
) -> list[str]:
    """One sentence per strategy: where it is clearly better or worse than the reference by
    enough to matter (or perhaps enough), and where it is clearly different but by less than
    the indicator's minimal important difference, on the key indicators."""
    table = decisions_for(runs, indicators, decisions)
    ref = runs.scenarios[0]
    lines = []
    for name in runs.scenarios[1:]:
        block = table[table["scenario"] == name]
        better, worse, other, small = [], [], [], []
        for r in block.itertuples():
            if r.verdict not in ("meaningful", "possibly meaningful", "clear", "small"):
                continue
            words = f"{label(r.indicator, language).lower()} {bound(r.diff, r.unit, language)}"
            if r.verdict == "small":
                small.append(words)
            elif r.direction == "better":
                better.append(words)
            elif r.direction == "worse":
                worse.append(words)
            else:
                other.append(words)
        parts = [
            text(key, language, items=", ".join(items))
            for key, items in (
                ("br_head_better", better),
                ("br_head_worse", worse),
                ("br_head_other", other),
                ("br_head_small", small),
            )
            if items
        ]
        lines.append(
            text("br_head_line", language, name=name, ref=ref, parts="; ".join(parts))
            if parts
            else text("br_head_none", language, name=name, ref=ref)
        )
    return lines


def equity_data(runs: PairedRuns, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`willsim.experiments.compare.group_table` of the equity indicators (the registry's
    ``equity`` tag unless given): paired differences by citizen group with a verdict."""
    keys = tagged("equity") if indicators is None else indicators
    if runs.groups is None or runs.groups.empty:
        return pd.DataFrame(columns=[*EQUITY_COLUMNS, "verdict"])
    return group_table(runs, [k for k in keys if k in INDICATORS])


def equity_table(
    runs: PairedRuns,
    language: str = "en",
    indicator: str | None = None,
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Who gains and who loses by group (display strings); one indicator or all of them."""
    data = equity_data(runs) if data is None else data
    if indicator is not None:
        data = data[data["indicator"] == indicator]
    ref = runs.scenarios[0]
    rows = []
    for r in data.to_dict("records"):
        unit = INDICATORS[r["indicator"]].unit
        rows.append(
            {
                text("br_strategy", language): r["scenario"],
                text("br_indicator", language): label(r["indicator"], language),
                text("br_group", language): group_name(r["group_var"], r["group"], language),
                text("br_difference", language, ref=ref): difference(r["diff"], unit, language),
                text("br_interval", language): interval(r["ci_low"], r["ci_high"], unit, language),
                text("br_verdict", language): verdict_text(r["verdict"], language),
            }
        )
    return pd.DataFrame(rows)


def equity_lines(
    runs: PairedRuns, language: str = "en", data: pd.DataFrame | None = None
) -> list[str]:
    """One sentence per strategy: the groups that gain and lose clearly (on any indicator)."""
    data = equity_data(runs) if data is None else data
    clear = data[data["verdict"].isin(["gains", "loses"])]
    if clear.empty:
        return [text("br_equity_none", language)]
    lines = []
    for name in runs.scenarios[1:]:
        block = clear[clear["scenario"] == name]
        parts = {}
        for verdict_key in ("gains", "loses"):
            sub = block[block["verdict"] == verdict_key]
            per_indicator = []
            for ind, rows in sub.groupby("indicator", sort=False):
                who = ", ".join(
                    group_name(r.group_var, r.group, language) for r in rows.itertuples()
                )
                per_indicator.append(f"{label(str(ind), language).lower()} ({who})")
            parts[verdict_key] = "; ".join(per_indicator) or text("br_nobody", language)
        lines.append(text("br_equity_line", language, strategy=name, **parts))
    return lines


def cost_data(runs: PairedRuns) -> pd.DataFrame:
    """:func:`compare_table` of the spending items (:data:`COST_ITEMS`) that were recorded."""
    present = set(runs.summaries["indicator"])
    return compare_table(runs, [k for k in COST_ITEMS if k in present])


def costs_table(
    runs: PairedRuns, language: str = "en", data: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Spending by item: one column of means per strategy, then the difference of each other
    strategy from the first with its interval (display strings)."""
    data = cost_data(runs) if data is None else data
    ref = runs.scenarios[0]
    rows = []
    for ind, block in data.groupby("indicator", sort=False):
        row = {text("br_item", language): label(str(ind), language)}
        for r in block.to_dict("records"):
            row[r["scenario"]] = money(r["mean"], language)
        for r in block.to_dict("records"):
            if r["scenario"] != ref:
                row[f"Δ {r['scenario']}"] = (
                    f"{money(r['diff'], language, signed=True)} "
                    f"{interval(r['ci_low'], r['ci_high'], 'EUR', language)}"
                )
        rows.append(row)
    return pd.DataFrame(rows)


_REASONS = (
    (re.compile(r"^week (\d+) reached$"), "br_reason_week", "week"),
    (re.compile(r"^condition '(.*)' held$"), "br_reason_condition", "condition"),
)


def reason_text(reason: str, language: str) -> str:
    """A policy schedule's reason for a change (``week 52 reached``) in ``language``."""
    for pattern, key, name in _REASONS:
        m = pattern.match(reason)
        if m:
            return text(key, language, **{name: m.group(1)})
    return reason


def policy_timeline(log: pd.DataFrame | None, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Summarise the policy logs of many runs: ``scenario, policy, policy_it, action, week``
    (median), ``first, last, runs, reason`` (the most frequent)."""
    cols = ["scenario", "policy", "policy_it", "action", "week", "first", "last", "runs", "reason"]
    if log is None or log.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (scenario, policy, action), block in log.groupby(
        ["scenario", "policy", "action"], sort=False
    ):
        weeks = block["week"].astype(float)
        italian = block.get("policy_it", block["policy"]).dropna()
        rows.append(
            {
                "scenario": scenario,
                "policy": policy,
                "policy_it": str(italian.iloc[0]) if len(italian) else policy,
                "action": action,
                "week": float(weeks.median()),
                "first": int(weeks.min()),
                "last": int(weeks.max()),
                "runs": int(block["seed"].nunique()),
                "reason": str(block["reason"].mode().iloc[0]),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    if names is not None:
        rank = {n: i for i, n in enumerate(names)}
        out = out.sort_values(
            ["scenario", "week"],
            key=lambda c: c.map(rank) if c.name == "scenario" else c,
            kind="stable",
        )
    return out.reset_index(drop=True)


def policy_name(row: Mapping[str, Any], language: str) -> str:
    """A :func:`policy_timeline` row's policy label in ``language``."""
    italian = row.get("policy_it")
    if language == "it" and isinstance(italian, str) and italian:
        return italian
    return str(row["policy"])


def timeline_table(timeline: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """:func:`policy_timeline` as display strings."""
    rows = []
    for r in timeline.to_dict("records"):
        week = number(r["week"], 0 if float(r["week"]).is_integer() else 1, language)
        if r["first"] != r["last"]:
            week += f" ({r['first']}–{r['last']})"
        action = r["action"]
        rows.append(
            {
                text("br_strategy", language): r["scenario"],
                text("br_policy", language): policy_name(r, language),
                text("br_action", language): text(f"br_{action}", language)
                if action in ("start", "stop")
                else action,
                text("br_week", language): week,
                text("br_runs", language): r["runs"],
                text("br_reason", language): reason_text(r["reason"], language),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Economics:
    """Value-for-money figures (from ``willsim.economics`` when installed) and assumptions."""

    table: pd.DataFrame
    assumptions: list[str] = field(default_factory=list)


def economics_for(
    runs: PairedRuns,
    language: str = "en",
    params: Mapping[str, Any] | None = None,
    mode: str = "seeds",
) -> Economics | None:
    """Value for money from ``willsim.economics`` when that module is installed, else None
    (the report then shows costs only). ``params``: the reference scenario's parameters;
    ``mode``: ``parameters`` for runs with parameter draws."""
    try:
        from willsim.economics import value_for_money
    except ImportError:
        return None
    kwargs: dict[str, Any] = {"params": params} if params is not None else {}
    if mode != "seeds":
        kwargs["mode"] = mode
    table, assumptions = value_for_money(
        runs, reference=runs.scenarios[0], language=language, **kwargs
    )
    return Economics(table, list(assumptions))


def economics_table(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Value-for-money rows (``scenario, item, label, unit, mean, ci_low, ci_high, note``) as
    display strings; any other table is returned as it is."""
    needed = {"scenario", "label", "unit", "mean", "ci_low", "ci_high"}
    if not needed <= set(table.columns):
        return table
    rows = []
    for r in table.to_dict("records"):
        if r["unit"] == "probability":  # a share of parameter sets, with its Monte Carlo error
            mean, span = percent(r["mean"], 0, language), ""
        else:
            unit = "EUR" if r["unit"] == "EUR" else ""
            mean = difference(r["mean"], unit, language)
            span = interval(r["ci_low"], r["ci_high"], unit, language)
        rows.append(
            {
                text("br_strategy", language): r["scenario"],
                text("br_item", language): r["label"],
                text("br_mean", language): mean,
                text("br_interval", language): span,
                text("br_note", language): r.get("note") or "",
            }
        )
    return pd.DataFrame(rows)
