"""The decision card: per strategy, the few effects that matter in people and euros a year, how
sure we are, the cost, who gains and who loses, and the main caveat, in English or Italian.

The card is data (:class:`Card`, display strings in one language) built from a comparison's
tables (:mod:`willsim.experiments.decisions`, :mod:`willsim.economics`,
:func:`willsim.experiments.compare.group_table`), so the app's Compare page, the briefing's first
page and a notebook show the same card. Which effects it shows comes from the indicator registry
(tag ``card``), plus the key indicator with the largest clear effect beyond its minimal important
difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from willsim.indicators import INDICATORS, tagged
from willsim.reporting.formatting import (
    about,
    bound,
    missing,
    money_compact,
    number,
    percent,
    plain_number,
)
from willsim.reporting.i18n import has, text

MAX_EFFECTS = 5


def _num(x: Any) -> float:
    """A table cell as a float (NaN for a missing one)."""
    return math.nan if missing(x) else float(x)


def unit_text(unit: str, language: str) -> str:
    """An indicator unit in words (``weeks`` / ``settimane``), the unit itself if unknown."""
    key = f"unit_{unit}"
    return text(key, language) if has(key) else unit


def quantity(diff: Any, unit: str, language: str, with_unit: bool = True) -> str:
    """A signed difference with its unit: ``+1.2 pp``, ``+€12,345``, ``-3.10 weeks``
    (``with_unit=False``: the unit only where it is part of the number, pp and €)."""
    shown = bound(diff, unit, language)
    if missing(diff) or unit in ("share", "EUR") or not with_unit:
        return shown
    return f"{shown} {unit_text(unit, language)}"


def interval_text(low: Any, high: Any, unit: str, language: str) -> str:
    """``[-4.7 pp; -4.2 pp]``, ``[+€0.9M...]``, ``[-4.39; +2.52]`` (the unit said once, before)."""
    if missing(low) or missing(high):
        return ""
    lo = quantity(low, unit, language, with_unit=False)
    hi = quantity(high, unit, language, with_unit=False)
    return f"[{lo}; {hi}]"


def _count(value: float, low: float, high: float, noun: str, language: str) -> str:
    if round(abs(value)) == 0:
        phrase = text("dc_about_same", language, noun=noun)
    else:
        word = "dc_about_fewer" if value < 0 else "dc_about_more"
        phrase = text(word, language, n=about(value, language), noun=noun)
    if missing(low) or missing(high):
        return phrase
    lo = number(round(low), 0, language, signed=True)
    hi = number(round(high), 0, language, signed=True)
    return f"{phrase} [{lo}; {hi}]"


def effect_phrase(
    indicator: str,
    effect: float,
    low: float,
    high: float,
    effect_unit: str | None,
    language: str,
) -> str:
    """The effect of a strategy for the city in words: ``about 800 fewer residents with an
    unmet need [-900; -700]``, ``+€1.1M a year: public spending [+€0.9M; +€1.3M]``."""
    label = INDICATORS[indicator].label_in(language) if indicator in INDICATORS else indicator
    if missing(effect):
        return text("dc_change", language, label=label, diff="–")
    if effect_unit == "EUR/year":
        span = ""
        if not (missing(low) or missing(high)):
            lo = money_compact(low, language, signed=True)
            hi = money_compact(high, language, signed=True)
            span = f" [{lo}; {hi}]"
        amount = money_compact(effect, language, signed=True)
        return text("dc_money_year", language, amount=amount, label=label.lower()) + span
    noun_key = f"dc_noun_{indicator}"
    noun = text(noun_key, language) if has(noun_key) else label.lower()
    return _count(effect, low, high, noun, language)


@dataclass
class Effect:
    """One headline effect of a card."""

    indicator: str
    label: str
    phrase: str  # the effect for the city, or the difference with its unit
    interval: str
    verdict: str  # the verdict in words
    verdict_key: str  # meaningful, small, uncertain...
    certainty: str  # "better in 87% of parameter sets (+/- 8%)" or "... in 5 of 5 paired runs"
    definition: str
    css: str = ""  # good, bad or ""


@dataclass
class Card:
    """A strategy's decision card (display strings in one language)."""

    strategy: str
    reference: str
    description: str
    effects: list[Effect]
    cost: str
    value: str
    who: str
    caveat: str
    mode: str
    capacity: str = ""
    variant: str = ""  # the arm at the capacity that keeps the waiting list from growing
    variant_title: str = ""  # "With ×2.8 the city's service hours"
    variant_effects: list[Effect] = field(default_factory=list)  # aligned with ``effects``
    variant_cost: str = ""
    variant_value: str = ""


def verdict_words(row: Mapping[str, Any], language: str) -> str:
    verdict = str(row.get("verdict") or "uncertain")
    direction = str(row.get("direction") or "")
    d = text(f"dc_dir_{direction}", language) if direction else ""
    return text(f"dc_verdict_{verdict.replace(' ', '_')}", language, direction=d)


def short_verdict(row: Mapping[str, Any], language: str) -> str:
    """The verdict in two or three words, for tables: ``better, matters``."""
    verdict = str(row.get("verdict") or "uncertain")
    direction = str(row.get("direction") or "")
    d = text(f"dc_dir_{direction}", language) if direction else ""
    return text(f"dc_short_{verdict.replace(' ', '_')}", language, direction=d)


def certainty(row: Mapping[str, Any], language: str) -> str:
    """How sure: the probability of being better over parameter sets with its Monte Carlo
    error, or (seeds only) in how many paired runs the strategy was better."""
    good = INDICATORS[row["indicator"]].better if row["indicator"] in INDICATORS else 0
    kind = "better" if good else "higher"
    p = row.get("prob_better")
    if not missing(p):
        return text(
            f"dc_prob_{kind}",
            language,
            p=percent(p, 0, language),
            se=percent(row.get("prob_better_se", 0.0), 0, language),
            draws=0 if missing(row.get("draws")) else int(_num(row.get("draws"))),
        )
    wins, ties = _num(row.get("better_runs")), _num(row.get("equal_runs"))
    pairs = int(_num(row.get("pairs"))) if not missing(row.get("pairs")) else 0
    if not math.isnan(wins) and pairs:
        line = text(f"dc_runs_{kind}", language, k=int(wins), pairs=pairs)
        if not math.isnan(ties) and ties:
            line += text("dc_runs_equal", language, t=int(ties))
        return line
    return ""


def number_text(x: float, language: str) -> str:
    from willsim.reporting.formatting import number

    return number(x, 0 if float(x).is_integer() else 1, language)


def _effect(row: Mapping[str, Any], language: str) -> Effect:
    key = row["indicator"]
    ind = INDICATORS[key]
    unit = str(row["unit"])
    if not missing(row.get("effect")) and row.get("effect_unit"):
        phrase = effect_phrase(
            key,
            row["effect"],
            row.get("effect_low", math.nan),
            row.get("effect_high", math.nan),
            row["effect_unit"],
            language,
        )
    else:
        phrase = text(
            "dc_change",
            language,
            label=ind.label_in(language),
            diff=quantity(row["diff"], unit, language),
        )
    interval = interval_text(row.get("ci_low"), row.get("ci_high"), unit, language)
    verdict = str(row.get("verdict") or "uncertain")
    direction = str(row.get("direction") or "")
    clear = verdict in ("meaningful", "possibly meaningful", "small", "clear")
    css = (
        ("good" if direction == "better" else "bad" if direction == "worse" else "")
        if clear
        else ""
    )
    return Effect(
        key,
        ind.label_in(language),
        phrase,
        interval,
        verdict_words(row, language),
        verdict,
        certainty(row, language),
        ind.definition_in(language),
        css,
    )


RANK = {"meaningful": 3, "possibly meaningful": 2, "clear": 1}


def headline_rows(decisions: pd.DataFrame, strategy: str) -> list[dict[str, Any]]:
    """The rows a card shows for ``strategy``: the registry's ``card`` indicators, then the key
    indicator with the largest clear effect beyond its MID (at most :data:`MAX_EFFECTS`)."""
    block = decisions[decisions["scenario"] == strategy]
    rows = {r["indicator"]: r for r in block.to_dict("records")}
    chosen = [rows[k] for k in tagged("card") if k in rows]
    others = [
        r
        for k, r in rows.items()
        if k not in tagged("card") and RANK.get(str(r.get("verdict")), 0) > 0
    ]

    def strength(r: Mapping[str, Any]) -> tuple[int, float]:
        mid = r.get("mid")
        size = abs(r["diff"]) / mid if not missing(mid) and mid else 0.0
        return RANK.get(str(r.get("verdict")), 0), size

    others.sort(key=strength, reverse=True)
    return (chosen + others)[:MAX_EFFECTS]


def who_parts(
    groups: pd.DataFrame | None,
    strategy: str,
    language: str,
    top: int = 2,
    keys: Sequence[str] | None = None,
) -> dict[str, str]:
    """The groups that gain and lose clearly, by indicator (the registry's ``card`` indicators
    first; only ``keys`` when given), the ``top`` largest differences each: ``{"gains": "unmet
    need (Age band: 85+, Living alone: yes and 6 more)", "loses": ...}``."""
    from willsim.reporting.tables import group_name

    parts = {}
    block = (
        groups[groups["scenario"] == strategy]
        if groups is not None and len(groups)
        else pd.DataFrame(columns=["indicator", "verdict", "diff", "group_var", "group"])
    )
    order = [
        *tagged("card"),
        *(k for k in dict.fromkeys(block["indicator"]) if k not in tagged("card")),
    ]
    if keys is not None:
        order = [k for k in order if k in keys]
    for verdict in ("gains", "loses"):
        sub = block[block["verdict"] == verdict]
        pieces = []
        for key in order:
            rows = sub[sub["indicator"] == key]
            if rows.empty:
                continue
            rows = rows.reindex(rows["diff"].abs().sort_values(ascending=False).index)
            names = [group_name(r.group_var, r.group, language) for r in rows.itertuples()]
            shown = ", ".join(names[:top])
            if len(names) > top:
                shown += " " + text("dc_and_more", language, n=len(names) - top)
            label = INDICATORS[key].label_in(language).lower() if key in INDICATORS else key
            pieces.append(f"{label} ({shown})")
        parts[verdict] = "; ".join(pieces) or text("dc_nobody", language)
    return parts


def _who(groups: pd.DataFrame | None, strategy: str, language: str) -> str:
    """One line: the card's indicators only (every group difference is in the details)."""
    keys = tagged("card")
    return text("dc_who_line", language, **who_parts(groups, strategy, language, keys=keys))


def _vfm(vfm: pd.DataFrame | None, strategy: str) -> dict[str, dict[str, Any]]:
    if vfm is None or vfm.empty:
        return {}
    return {r["item"]: r for r in vfm[vfm["scenario"] == strategy].to_dict("records")}


def _cost(
    items: Mapping[str, Mapping[str, Any]], rows: Mapping[str, Any], years: float, language: str
) -> str:
    if not items or not years:
        return ""
    net = _num(items.get("net_public_cost_eur", {}).get("mean"))
    programme = _num(items.get("incremental_cost_eur", {}).get("mean"))
    families = _num(rows.get("out_of_pocket_eur", {}).get("effect"))
    return text(
        "dc_cost_line",
        language,
        net=money_compact(net / years, language, signed=True),
        programme=money_compact(programme / years, language, signed=True),
        families=money_compact(families, language, signed=True),
    )


def _value(items: Mapping[str, Mapping[str, Any]], mode: str, language: str) -> str:
    if not items:
        return ""
    if mode == "parameters":
        p = items.get("prob_return_above_1", {}).get("mean")
        q = items.get("prob_return_above_1_without_qol", {}).get("mean")
        if missing(p):
            return ""
        return text(
            "dc_value_prob",
            language,
            p=percent(p, 0, language),
            q=percent(q, 0, language),
        )
    ratio = items.get("social_return_ratio", {})
    without = items.get("social_return_ratio_without_qol", {})
    if missing(ratio.get("mean")):
        note = ratio.get("note") or ""
        return text("dc_value_none", language, note=note) if note else ""
    return text(
        "dc_value_ratio",
        language,
        ratio=_ratio(ratio.get("mean"), language),
        without=_ratio(without.get("mean"), language),
    )


def _ratio(x: Any, language: str) -> str:
    from willsim.reporting.formatting import number

    return "–" if missing(x) else number(x, 2, language)


def _caveat(
    strategy: str,
    mode: str,
    items: Mapping[str, Mapping[str, Any]],
    capacity_variant: str | None,
    drivers: pd.DataFrame | None,
    calibrated: bool,
    value_per_qol: float | None,
    language: str,
) -> str:
    """The main caveat of a strategy, by priority: the strategy's waiting list (a capacity
    variant exists), value for money resting on quality of life, seeds only, the parameter the
    result depends on most, an uncalibrated city."""
    if capacity_variant:
        return text("dc_caveat_capacity", language)
    with_qol = _num(items.get("social_return_ratio", {}).get("mean"))
    without = _num(items.get("social_return_ratio_without_qol", {}).get("mean"))
    p = _num(items.get("prob_return_above_1", {}).get("mean"))
    q = _num(items.get("prob_return_above_1_without_qol", {}).get("mean"))
    # NaN compares false: an undefined ratio or probability never makes this caveat
    rests_on_qol = (with_qol >= 1 and not without >= 1) or (p >= 0.5 and q < 0.5)
    if rests_on_qol:
        from willsim.reporting.formatting import money

        return text(
            "dc_caveat_qol",
            language,
            value=money(value_per_qol or 0, language),
        )
    if mode == "seeds":
        return text("dc_caveat_seeds", language)
    if drivers is not None and len(drivers):
        from willsim.experiments.comparison import parameter_label

        block = drivers[drivers["scenario"] == strategy]
        if "beyond_noise" in block:
            block = block[block["beyond_noise"].astype(bool)]
        if len(block):
            top = block.reindex(block["rho"].abs().sort_values(ascending=False).index).iloc[0]
            return text(
                "dc_caveat_driver",
                language,
                parameter=parameter_label(str(top["parameter"]), language),
                indicator=INDICATORS[top["indicator"]].label_in(language).lower(),
            )
    if not calibrated:
        return text("dc_caveat_uncalibrated", language)
    return ""


def mode_text(
    mode: str, language: str, pairs: int, draws: int = 0, per_draw: int = 0, source: str = ""
) -> str:
    """Which uncertainty the card's figures include."""
    if mode == "parameters":
        return text("dc_mode_parameters", language, draws=draws, seeds=per_draw, source=source)
    return text("dc_mode_seeds", language, n=pairs)


def cards(
    decisions: pd.DataFrame,
    language: str = "en",
    *,
    mode: str = "seeds",
    years: float = 0.0,
    groups: pd.DataFrame | None = None,
    vfm: pd.DataFrame | None = None,
    descriptions: Mapping[str, str] | None = None,
    capacity: Mapping[str, Any] | None = None,
    capacity_of: Mapping[str, str] | None = None,
    drivers: pd.DataFrame | None = None,
    calibrated: bool = False,
    value_per_qol: float | None = None,
    mode_line: str = "",
) -> list[Card]:
    """One card per strategy other than the reference (the first in ``decisions``).

    ``decisions``: :func:`willsim.experiments.decisions.decision_table` (with a city scale, so
    effects are in people and euros a year); ``groups``: the by-group verdicts; ``vfm``: value
    for money in the same mode and ``language``; ``capacity`` and ``capacity_of``: the capacity
    searches by arm and the strategy each capacity arm is a variant of; ``drivers``: the
    parameters each difference depends on most (parameters mode); ``years``: the run's length.
    """
    if decisions.empty:
        return []
    names = list(dict.fromkeys(decisions["scenario"]))
    reference = names[0]
    capacity = capacity or {}
    capacity_of = capacity_of or {}
    variants = {base: arm for arm, base in capacity_of.items()}
    out = []
    for name in names[1:]:
        if name in capacity_of:  # a capacity variant: shown on its strategy's card
            continue
        rows = headline_rows(decisions, name)
        items = _vfm(vfm, name)
        variant = variants.get(name, "")
        card = Card(
            strategy=name,
            reference=reference,
            description=(descriptions or {}).get(name, ""),
            effects=[_effect(r, language) for r in rows],
            cost=_cost(items, _rows_of(decisions, name), years, language),
            value=_value(items, mode, language),
            who=_who(groups, name, language),
            caveat=_caveat(
                name, mode, items, variant, drivers, calibrated, value_per_qol, language
            ),
            mode=mode_line,
        )
        if variant and variant in capacity:
            s = capacity[variant]
            m = number_text(round(s.multiplier, 2), language)
            by_key = _rows_of(decisions, variant)
            card.variant = variant
            card.variant_title = text("dc_with_capacity", language, m=m)
            card.variant_effects = [
                _effect(by_key[r["indicator"]], language) for r in rows if r["indicator"] in by_key
            ]
            v_items = _vfm(vfm, variant)
            card.variant_cost = _cost(v_items, by_key, years, language)
            card.variant_value = _value(v_items, mode, language)
            card.capacity = text(
                "dc_capacity_line",
                language,
                m=m,
                base=name,
                cost=money_compact(
                    _extra_cost(decisions, variant, name, years), language, signed=True
                ),
            )
        elif name in capacity and not capacity[name].found:
            card.capacity = text(
                "dc_capacity_none", language, m=number_text(capacity[name].max_multiplier, language)
            )
        out.append(card)
    return out


def _rows_of(decisions: pd.DataFrame, name: str) -> dict[str, dict[str, Any]]:
    return {r["indicator"]: r for r in decisions[decisions["scenario"] == name].to_dict("records")}


def _extra_cost(decisions: pd.DataFrame, variant: str, base: str, years: float) -> float:
    """Public spending a year of the capacity variant over its strategy at the city's capacity."""
    spend = decisions[decisions["indicator"] == "public_spending_eur"].set_index("scenario")
    if variant not in spend.index or base not in spend.index or not years:
        return math.nan
    return float(spend.at[variant, "mean"] - spend.at[base, "mean"]) / years


def glossary(keys: Sequence[str], language: str = "en") -> pd.DataFrame:
    """Every indicator of ``keys`` with its definition, unit, better direction, source and
    minimal important difference (display strings), for the briefing's glossary and the app's
    help."""
    rows = []
    for key in dict.fromkeys(keys):
        ind = INDICATORS.get(key)
        if ind is None:
            continue
        direction = {1: "dc_gl_higher", -1: "dc_gl_lower", 0: "dc_gl_neither"}[ind.better]
        mid = mid_text(ind, language)
        rows.append(
            {
                text("dc_gl_indicator", language): ind.label_in(language),
                text("dc_gl_definition", language): ind.definition_in(language),
                text("dc_gl_unit", language): unit_text(ind.unit, language),
                text("dc_gl_direction", language): text(direction, language),
                text("dc_gl_source", language): source_text(key, language),
                text("dc_gl_mid", language): mid,
            }
        )
    return pd.DataFrame(rows)


def mid_text(ind: Any, language: str) -> str:
    """An indicator's minimal important difference as people read it: ``1.0 pp``, ``2 weeks``,
    ``€1 per resident a year``, ``0.5 per 1,000 residents a year``; empty if it has none."""
    if ind.mid is None:
        return ""
    if ind.mid_per == "resident-year":
        if ind.unit == "EUR":
            return text("dc_gl_per_resident_year", language, value=money_compact(ind.mid, language))
        return text("dc_gl_per_1000_year", language, value=plain_number(ind.mid * 1000, language))
    if ind.unit in ("share", "EUR"):
        return bound(ind.mid, ind.unit, language).lstrip("+")
    return f"{plain_number(ind.mid, language)} {unit_text(ind.unit, language)}"


SUMMARY_KEYS = {"mean": "dc_src_mean", "sum": "dc_src_sum", "last": "dc_src_last"}


def source_text(key: str, language: str) -> str:
    """Where an indicator's figure comes from: simulated by willsim, how its weekly series is
    summarised, and the sourced figures it is compared with (``CSV: ...`` in its definition)."""
    import re

    ind = INDICATORS[key]
    rule = SUMMARY_KEYS.get(ind.summary, "dc_src_ratio")
    line = text(rule, language)
    cited = re.findall(r"CSV: [^)]*", ind.description)
    if cited:
        line += "; " + "; ".join(cited)
    return line


def cards_html(cards: Sequence[Card], language: str, mode: str) -> str:
    """The cards as an HTML fragment with its own scoped style (the app's Compare page); every
    effect's indicator definition is its hover text."""
    from willsim.reporting import html

    return html.render(
        "cards.html.j2",
        t=lambda key, **fmt: text(key, language, **fmt),
        cards=list(cards),
        mode_text=mode,
    )
