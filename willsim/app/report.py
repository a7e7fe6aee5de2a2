"""The briefing report: one self-contained HTML page of a paired comparison, in English or Italian.

Pure Python (pandas, matplotlib; no solara), so it is unit-testable and reusable outside the web
app (the workshop mode, a notebook). The page has no external assets: charts are embedded as
base64 PNG images and the style sheet is inline, so it can be mailed, archived or printed to PDF
from the browser.

* :func:`key_figures`, :func:`equity_table`, :func:`costs_table`, :func:`policy_timeline` —
  the tables shown by the app's Compare page and in the report, in the given language;
* :func:`build_report` — the whole page from a :class:`Briefing`.
"""

from __future__ import annotations

import base64
import html
import io
import math
import platform
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments.compare import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    PairedRuns,
    compare_table,
    group_table,
)
from willsim.indicators import GROUP_VARS, INDICATORS

KEY_INDICATORS = (
    "unmet_need_share",
    "non_take_up_share",
    "mean_wait_weeks",
    "time_to_first_help_weeks",
    "coverage",
    "crises_per_1000",
    "isolated_share",
    "public_spending_eur",
    "out_of_pocket_eur",
)
EQUITY_INDICATORS = (
    "unmet_need_share",
    "coverage",
    "mean_wait_weeks",
    "crises_per_1000",
    "non_take_up_share",
    "out_of_pocket_eur",
)
COST_ITEMS = (
    *(k for k in INDICATORS if k.startswith("spending_")),
    "public_spending_eur",
    "out_of_pocket_eur",
)
CHART_INDICATORS = ("unmet_need_share", "mean_wait_weeks", "coverage", "public_spending_eur")

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "no": ("no", "no"),
    "yes": ("yes", "sì"),
    "absolute_poor": ("absolute poor", "povertà assoluta"),
    "working_poor": ("working poor", "lavoratori poveri"),
    "middle": ("middle income", "reddito medio"),
    "comfortable": ("comfortable", "benestanti"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "title": (
        "Briefing: comparison of welfare strategies",
        "Nota informativa: confronto tra strategie di welfare",
    ),
    "created": (
        "Created {date} with willsim {version}.",
        "Creata il {date} con willsim {version}.",
    ),
    "setup": (
        "{n} strategies in {city}, {weeks} weeks, {residents} simulated residents, "
        "{replicates} replicates on the same seeds. The reference is {ref}.",
        "{n} strategie a {city}, {weeks} settimane, {residents} residenti simulati, "
        "{replicates} repliche con gli stessi semi. Il riferimento è {ref}.",
    ),
    "scenarios": ("Strategies compared", "Strategie a confronto"),
    "strategy": ("Strategy", "Strategia"),
    "description": ("Description", "Descrizione"),
    "policies": ("Timed policies", "Politiche temporizzate"),
    "key_figures": ("Key figures", "Dati principali"),
    "key_help": (
        "Mean over replicates; differences are paired (same seeds) with a 95% interval.",
        "Media sulle repliche; le differenze sono appaiate (stessi semi), con intervallo al 95%.",
    ),
    "indicator": ("Indicator", "Indicatore"),
    "mean": ("Mean", "Media"),
    "difference": ("Difference from {ref}", "Differenza rispetto a {ref}"),
    "interval": ("95% interval", "Intervallo al 95%"),
    "verdict": ("Verdict", "Giudizio"),
    "better": ("better", "meglio"),
    "worse": ("worse", "peggio"),
    "higher": ("higher", "più alto"),
    "lower": ("lower", "più basso"),
    "v_clear": (
        "{label} is {dir} than in {ref} ({judgement}): the 95% interval excludes zero.",
        "{label}: valore {dir} che in {ref} ({judgement}); l'intervallo al 95% esclude lo zero.",
    ),
    "v_clear_neutral": (
        "{label} is {dir} than in {ref}: the 95% interval excludes zero.",
        "{label}: valore {dir} che in {ref}; l'intervallo al 95% esclude lo zero.",
    ),
    "v_unclear": (
        "No clear difference in {label} from {ref} with these replicates.",
        "Nessuna differenza chiara in {label} rispetto a {ref} con queste repliche.",
    ),
    "head_line": ("{name} compared with {ref}: {parts}.", "{name} rispetto a {ref}: {parts}."),
    "head_better": ("clearly better on {items}", "chiaramente meglio per {items}"),
    "head_worse": ("clearly worse on {items}", "chiaramente peggio per {items}"),
    "head_other": ("clearly different on {items}", "differenze chiare per {items}"),
    "head_none": (
        "{name}: no clear difference from {ref} on the key figures with these replicates.",
        "{name}: nessuna differenza chiara rispetto a {ref} sui dati principali con "
        "queste repliche.",
    ),
    "v_one": ("One replicate only: no interval.", "Una sola replica: nessun intervallo."),
    "equity": ("Who gains and who loses", "Chi ci guadagna e chi ci perde"),
    "equity_help": (
        "By citizen group, paired difference from {ref}. A group gains or loses "
        "only when the 95% interval excludes zero.",
        "Per gruppo di cittadini, differenza appaiata rispetto a {ref}. Un gruppo ci "
        "guadagna o ci perde solo se l'intervallo al 95% esclude lo zero.",
    ),
    "group": ("Group", "Gruppo"),
    "gains": ("gains", "ci guadagna"),
    "loses": ("loses", "ci perde"),
    "no clear change": ("no clear change", "nessun cambiamento chiaro"),
    "equity_none": (
        "No group gains or loses clearly on these replicates.",
        "Nessun gruppo ci guadagna o ci perde chiaramente con queste repliche.",
    ),
    "equity_line": (
        "{strategy} — groups that gain: {gains}. Groups that lose: {loses}.",
        "{strategy} — gruppi che ci guadagnano: {gains}. Gruppi che ci perdono: {loses}.",
    ),
    "nobody": ("none", "nessuno"),
    "costs": ("Costs", "Costi"),
    "costs_help": (
        "Public spending by item over the whole run (mean over replicates), and the "
        "paired difference from {ref}.",
        "Spesa pubblica per voce sull'intero periodo (media sulle repliche) e "
        "differenza appaiata rispetto a {ref}.",
    ),
    "item": ("Item", "Voce"),
    "economics": ("Value for money", "Rapporto costi-benefici"),
    "assumptions": ("Assumptions", "Ipotesi"),
    "note": ("Note", "Nota"),
    "timeline": ("Policy timeline", "Cronologia delle politiche"),
    "timeline_help": (
        "When each timed policy started and stopped, and why (week: median over "
        "replicates, range in brackets).",
        "Quando ogni politica temporizzata è iniziata e finita, e perché "
        "(settimana: mediana sulle repliche, intervallo tra parentesi).",
    ),
    "timeline_none": (
        "No timed policy changed during these runs.",
        "Nessuna politica temporizzata è cambiata in queste simulazioni.",
    ),
    "policy": ("Policy", "Politica"),
    "action": ("Action", "Azione"),
    "start": ("start", "avvio"),
    "stop": ("stop", "fine"),
    "week": ("Week", "Settimana"),
    "runs": ("Runs", "Simulazioni"),
    "reason": ("Why", "Perché"),
    "charts": ("Charts", "Grafici"),
    "charts_help": (
        "Lines: mean over replicates; bands: 10th–90th percentile.",
        "Linee: media delle repliche; fasce: 10°–90° percentile.",
    ),
    "caveats": ("Caveats", "Avvertenze"),
    "caveat_synthetic": (
        "The city is synthetic: its residents are generated from public "
        "statistics, not from real people, and the model simplifies how needs, "
        "services and families behave.",
        "La città è sintetica: i residenti sono generati da statistiche "
        "pubbliche, non da persone reali, e il modello semplifica bisogni, "
        "servizi e comportamento delle famiglie.",
    ),
    "caveat_compare": (
        "Read the results as a comparison between strategies under the same "
        "assumptions, not as a forecast of what will happen.",
        "I risultati vanno letti come un confronto tra strategie con le stesse "
        "ipotesi, non come una previsione.",
    ),
    "caveat_intervals": (
        "Intervals show only the randomness between replicates; they do not "
        "include the uncertainty of the parameters themselves (see a "
        "sensitivity sweep for that).",
        "Gli intervalli riflettono solo la variabilità tra repliche, non "
        "l'incertezza sui parametri (per questa serve un'analisi di "
        "sensibilità).",
    ),
    "caveat_sample": (
        "With a weighted sample of residents, small groups rest on few simulated "
        "people: their figures are less precise.",
        "Con un campione pesato di residenti i gruppi piccoli si basano su poche "
        "persone simulate: i loro valori sono meno precisi.",
    ),
    "provenance": ("Provenance", "Provenienza"),
    "reproduce": ("Reproduce", "Riprodurre"),
    "reproduce_help": (
        "Save each strategy's scenario file, then run:",
        "Salva il file di scenario di ogni strategia, poi esegui:",
    ),
    "hash": ("Scenario hash", "Hash dello scenario"),
    "scenario_file": ("Scenario file of {name}", "File di scenario di {name}"),
    "seeds": ("Seeds", "Semi"),
    "versions": ("Versions", "Versioni"),
    "commit": ("Git commit", "Commit git"),
    "unknown": ("not available", "non disponibile"),
    "print_hint": (
        "To save as PDF, use your browser's Print command.",
        "Per salvarla in PDF usa il comando Stampa del browser.",
    ),
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2em auto;
max-width:60em;color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #1b6ca8;
padding-bottom:.15em;margin-top:1.6em}table{border-collapse:collapse;width:100%;margin:.6em 0;
font-size:.88em}th,td{border:1px solid #ccc;padding:.25em .45em;text-align:left;
vertical-align:top}th{background:#eef3f8}td.num{text-align:right;white-space:nowrap}
.gains{color:#1a7f37;font-weight:600}.loses{color:#b42318;font-weight:600}
.muted{color:#666;font-size:.9em}pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;
font-size:.85em}img{max-width:100%;height:auto}figure{margin:1em 0;page-break-inside:avoid}
section{page-break-inside:auto}details summary{cursor:pointer;color:#1b6ca8}
@page{size:A4;margin:14mm 12mm}
@media print{.noprint{display:none}body{margin:0;max-width:none;font-size:10.5pt;color:#000}
h2{page-break-after:avoid;break-after:avoid}tr,figure,img{page-break-inside:avoid;
break-inside:avoid}thead{display:table-header-group}th{background:#eee!important;
-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:#000;text-decoration:none}
details{display:block}details>*{display:block}pre{white-space:pre-wrap;font-size:8pt}}
"""


def text(key: str, language: str, **fmt: object) -> str:
    """The report string ``key`` in ``language`` (``en`` or ``it``)."""
    en, it = STRINGS[key]
    out = it if language == "it" else en
    return out.format(**fmt) if fmt else out


def number(value: Any, decimals: int = 0, language: str = "en") -> str:
    """``value`` with thousands separators: 1,234.5 in English, 1.234,5 in Italian."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    out = f"{value:,.{decimals}f}"
    if language == "it":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out


def fmt_value(value: Any, unit: str, language: str = "en", signed: bool = False) -> str:
    """An indicator value as users read it: shares as %, money in €, counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    shown = 100 * value if unit == "share" else value
    places = 1 if unit == "share" else 0 if unit == "EUR" or abs(value) >= 100 else 2
    if round(shown, places) == 0:  # no "-0.0%" or "+€ 0": a difference that rounds to zero
        value = 0.0
    sign = "+" if signed and value > 0 else ""
    if unit == "share":
        return sign + number(100 * value, 1, language) + "%"
    if unit == "EUR":
        return ("−" if value < 0 else sign) + "€ " + number(abs(value), 0, language)
    if abs(value) >= 100:
        return sign + number(value, 0, language)
    return sign + number(value, 2, language)


def label(key: str, language: str) -> str:
    ind = INDICATORS.get(key)
    return ind.label_in(language) if ind else key


def group_name(var: str, level: str, language: str) -> str:
    """E.g. ``Age band 75-84`` / ``Fascia d'età 75-84``."""
    var_label = GROUP_VARS.get(var, (var, var))[1 if language == "it" else 0]
    lvl = LEVEL_LABELS.get(str(level), (str(level), str(level)))[1 if language == "it" else 0]
    return f"{var_label}: {lvl}"


def verdict(indicator: str, mean: float, lo: float, hi: float, ref: str, language: str) -> str:
    """A plain-language verdict on a paired difference, saying better or worse when known."""
    name = label(indicator, language)
    if math.isnan(lo) or math.isnan(hi):
        if math.isnan(mean):
            return text("v_unclear", language, label=name, ref=ref)
        return text("v_one", language)
    if lo <= 0 <= hi:
        return text("v_unclear", language, label=name, ref=ref)
    direction = text("higher" if mean > 0 else "lower", language)
    good = -1 if indicator in LOWER_IS_BETTER else 1 if indicator in HIGHER_IS_BETTER else 0
    if good == 0:
        return text("v_clear_neutral", language, label=name, dir=direction, ref=ref)
    judgement = text("better" if np.sign(mean) == good else "worse", language)
    return text("v_clear", language, label=name, dir=direction, ref=ref, judgement=judgement)


def _interval(lo: float, hi: float, unit: str, language: str) -> str:
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    return f"[{_bound(lo, unit, language)}; {_bound(hi, unit, language)}]"


def _bound(value: float, unit: str, language: str) -> str:
    """An interval bound; one that rounds to zero but is not zero gets one more decimal, so
    an interval that excludes zero never reads as ending at 0."""
    text = fmt_value(value, unit, language, signed=True)
    if value == 0 or unit == "EUR" or any(ch in "123456789" for ch in text):
        return text
    scaled = 100 * value if unit == "share" else value
    sign = "+" if value > 0 else "-"
    return (
        sign
        + number(abs(scaled), 2 if unit == "share" else 3, language)
        + ("%" if unit == "share" else "")
    )


def key_figures(
    runs: PairedRuns, language: str = "en", indicators: Sequence[str] = KEY_INDICATORS
) -> pd.DataFrame:
    """Per indicator and strategy: mean, paired difference from the first, interval, verdict
    (display strings in ``language``)."""
    table = compare_table(runs, [k for k in indicators if k in INDICATORS])
    ref = runs.scenarios[0]
    rows = []
    for r in table.to_dict("records"):
        unit = r["unit"]
        is_ref = r["scenario"] == ref
        rows.append(
            {
                text("indicator", language): label(r["indicator"], language),
                text("strategy", language): r["scenario"],
                text("mean", language): fmt_value(r["mean"], unit, language),
                text("difference", language, ref=ref): ""
                if is_ref
                else fmt_value(r["diff"], unit, language, signed=True),
                text("interval", language): ""
                if is_ref
                else _interval(r["ci_low"], r["ci_high"], unit, language),
                text("verdict", language): ""
                if is_ref
                else verdict(r["indicator"], r["diff"], r["ci_low"], r["ci_high"], ref, language),
            }
        )
    return pd.DataFrame(rows)


def headlines(
    runs: PairedRuns, language: str = "en", indicators: Sequence[str] = KEY_INDICATORS
) -> list[str]:
    """One plain-language sentence per strategy: where it is clearly better or worse than the
    reference (the 95% interval of the paired difference excludes zero)."""
    table = compare_table(runs, [k for k in indicators if k in INDICATORS])
    ref = runs.scenarios[0]
    lines = []
    for name in runs.scenarios[1:]:
        block = table[(table["scenario"] == name) & table["robust"].fillna(False).astype(bool)]
        better, worse, other = [], [], []
        for r in block.itertuples():
            good = (
                -1
                if r.indicator in LOWER_IS_BETTER
                else 1
                if r.indicator in HIGHER_IS_BETTER
                else 0
            )
            words = (
                f"{label(r.indicator, language).lower()} "
                f"{fmt_value(r.diff, r.unit, language, signed=True)}"
            )
            (other if good == 0 else better if np.sign(r.diff) == good else worse).append(words)
        parts = [
            text(key, language, items=", ".join(items))
            for key, items in (
                ("head_better", better),
                ("head_worse", worse),
                ("head_other", other),
            )
            if items
        ]
        lines.append(
            text("head_line", language, name=name, ref=ref, parts="; ".join(parts))
            if parts
            else text("head_none", language, name=name, ref=ref)
        )
    return lines


def equity_data(runs: PairedRuns, indicators: Sequence[str] = EQUITY_INDICATORS) -> pd.DataFrame:
    """:func:`willsim.experiments.compare.group_table` for the equity indicators (raw)."""
    if runs.groups is None or runs.groups.empty:
        return pd.DataFrame(
            columns=[
                "scenario",
                "indicator",
                "group_var",
                "group",
                "diff",
                "ci_low",
                "ci_high",
                "verdict",
            ]
        )
    return group_table(runs, [k for k in indicators if k in INDICATORS])


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
    rows = []
    for r in data.to_dict("records"):
        unit = INDICATORS[r["indicator"]].unit
        rows.append(
            {
                text("strategy", language): r["scenario"],
                text("indicator", language): label(r["indicator"], language),
                text("group", language): group_name(r["group_var"], r["group"], language),
                text("difference", language, ref=runs.scenarios[0]): fmt_value(
                    r["diff"], unit, language, signed=True
                ),
                text("interval", language): _interval(r["ci_low"], r["ci_high"], unit, language),
                text("verdict", language): text(r["verdict"], language)
                if r["verdict"] in STRINGS
                else r["verdict"],
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
        return [text("equity_none", language)]
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
            parts[verdict_key] = "; ".join(per_indicator) or text("nobody", language)
        lines.append(text("equity_line", language, strategy=name, **parts))
    return lines


def cost_data(runs: PairedRuns) -> pd.DataFrame:
    """:func:`compare_table` of the spending items (raw)."""
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
        row = {text("item", language): label(ind, language)}
        for r in block.to_dict("records"):
            row[r["scenario"]] = fmt_value(r["mean"], "EUR", language)
        for r in block.to_dict("records"):
            if r["scenario"] != ref:
                row[f"Δ {r['scenario']}"] = (
                    f"{fmt_value(r['diff'], 'EUR', language, signed=True)} "
                    f"{_interval(r['ci_low'], r['ci_high'], 'EUR', language)}"
                )
        rows.append(row)
    return pd.DataFrame(rows)


_REASONS = (
    (re.compile(r"^week (\d+) reached$"), "raggiunta la settimana {0}"),
    (re.compile(r"^condition '(.*)' held$"), "la condizione '{0}' si è verificata"),
)


def reason_text(reason: str, language: str) -> str:
    """The schedule's reason for a policy change, in ``language``."""
    if language == "it":
        for pattern, template in _REASONS:
            m = pattern.match(reason)
            if m:
                return template.format(*m.groups())
    return reason


def _policy_label(entry: Mapping[str, Any], language: str) -> str:
    """A scenario's policy entry's label in ``language`` (a string or ``{en, it}``)."""
    label = entry.get("label") or entry.get("type")
    if isinstance(label, Mapping):
        return str(label.get(language) or label.get("en"))
    return str(label)


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
        rows.append(
            {
                text("strategy", language): r["scenario"],
                text("policy", language): policy_name(r, language),
                text("action", language): text(r["action"], language)
                if r["action"] in ("start", "stop")
                else r["action"],
                text("week", language): week,
                text("runs", language): r["runs"],
                text("reason", language): reason_text(r["reason"], language),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Economics:
    """Value-for-money figures (from ``willsim.economics`` when installed) and assumptions."""

    table: pd.DataFrame
    assumptions: list[str] = field(default_factory=list)


def economics_for(
    runs: PairedRuns, language: str = "en", params: Mapping[str, Any] | None = None
) -> Economics | None:
    """Value for money from ``willsim.economics`` when that module is installed, else None
    (the report then shows costs only). ``params``: the reference scenario's parameters."""
    try:
        from willsim.economics import value_for_money
    except ImportError:
        return None
    kwargs = {"params": params} if params is not None else {}
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
        unit = "EUR" if r["unit"] == "EUR" else ""
        rows.append(
            {
                text("strategy", language): r["scenario"],
                text("item", language): r["label"],
                text("mean", language): fmt_value(r["mean"], unit, language, signed=True),
                text("interval", language): _interval(r["ci_low"], r["ci_high"], unit, language),
                text("note", language): r.get("note") or "",
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Briefing:
    """Everything the report shows. ``series``: indicator -> strategy -> week x replicate;
    ``policy_log``: rows ``scenario, seed, week, policy, action, reason``."""

    runs: PairedRuns
    scenarios: Sequence[Any]  # willsim.scenario.Scenario, one per strategy
    language: str = "en"
    series: Mapping[str, Mapping[str, pd.DataFrame]] | None = None
    policy_log: pd.DataFrame | None = None
    economics: Economics | None = None
    command: str = ""
    weeks: int | None = None
    residents: int | None = None
    created: str | None = None
    charts: Sequence[str] = CHART_INDICATORS
    figures: bool = True  # equity, costs and timeline figures besides the tables
    equity: pd.DataFrame | None = None  # equity_data(runs), if already computed
    equity_indicator: str = "unmet_need_share"


def provenance(b: Briefing) -> dict[str, str]:
    """Versions, commit, scenario hashes, seeds and replicates of a briefing."""
    import mesa

    import willsim
    from willsim.results import git_commit

    lang = b.language
    out = {
        text("versions", lang): f"willsim {willsim.__version__}, Mesa {mesa.__version__}, "
        f"Python {platform.python_version()}",
        text("commit", lang): git_commit() or text("unknown", lang),
    }
    for name, sc in zip(b.runs.scenarios, b.scenarios, strict=False):
        out[f"{text('hash', lang)} · {name}"] = f"{sc.hash} ({sc.name}, {sc.city})"
    out[text("seeds", lang)] = f"{len(b.runs.seeds)}: " + ", ".join(map(str, b.runs.seeds))
    return out


def figure_png_base64(fig: Any, dpi: int = 100) -> str:
    """A matplotlib figure as a base64 PNG string."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table_html(frame: pd.DataFrame, css_class: str = "") -> str:
    if frame.empty:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            s = html.escape(str(value))
            cls = ""
            if s in (text("gains", "en"), text("gains", "it")):
                cls = ' class="gains"'
            elif s in (text("loses", "en"), text("loses", "it")):
                cls = ' class="loses"'
            cells.append(f"<td{cls}>{s}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )


def _section(title: str, *parts: str, anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    return f"<section{ident}><h2>{html.escape(title)}</h2>" + "".join(parts) + "</section>"


def _p(s: str, cls: str = "") -> str:
    return f'<p class="{cls}">{html.escape(s)}</p>' if cls else f"<p>{html.escape(s)}</p>"


def _figure(fig: Any, alt: str) -> str:
    return (
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,'
        f'{figure_png_base64(fig)}"></figure>'
    )


def _charts(b: Briefing) -> str:
    from willsim.app import charts

    if not b.series:
        return ""
    parts = []
    for key in b.charts:
        if b.series.get(key):
            parts.append(
                _figure(charts.band_figure(b.series[key], key, b.language), label(key, b.language))
            )
    return "".join(parts)


def build_report(b: Briefing) -> str:
    """The self-contained HTML briefing of ``b``, in ``b.language``."""
    lang, runs = b.language, b.runs
    ref = runs.scenarios[0]
    first = b.scenarios[0] if b.scenarios else None
    weeks = b.weeks or (int(first.params["run.weeks"]) if first is not None else 0)
    residents = b.residents or (int(first.params["run.residents"]) if first is not None else 0)
    city = (first.city_label or first.city) if first is not None else ""
    import willsim

    created = b.created or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(text('title', lang))}</title><style>{CSS}</style></head><body>"
    )
    intro = (
        f"<h1>{html.escape(text('title', lang))}</h1>"
        + _p(text("created", lang, date=created, version=willsim.__version__), "muted")
        + _p(
            text(
                "setup",
                lang,
                n=len(runs.scenarios),
                city=city,
                weeks=weeks,
                residents=number(residents, 0, lang),
                replicates=len(runs.seeds),
                ref=ref,
            )
        )
        + _p(text("print_hint", lang), "muted noprint")
    )
    rows = []
    for name, sc in zip(runs.scenarios, b.scenarios, strict=False):
        desc = sc.description.get(lang) or sc.description.get("en", "")
        pols = ", ".join(_policy_label(p, lang) for p in sc.policies) or "–"
        rows.append(
            {
                text("strategy", lang): name,
                text("description", lang): desc,
                text("policies", lang): pols,
            }
        )
    sections = [
        _section(text("scenarios", lang), _table_html(pd.DataFrame(rows)), anchor="scenarios")
    ]
    sections.append(
        _section(
            text("key_figures", lang),
            _p(text("key_help", lang), "muted"),
            *[_p(line) for line in headlines(runs, lang)],
            _table_html(key_figures(runs, lang)),
            anchor="key-figures",
        )
    )
    eq = equity_data(runs) if b.equity is None else b.equity
    clear = equity_table(runs, lang, data=eq[eq["verdict"].isin(["gains", "loses"])])
    from willsim.app import charts

    eq_fig = ""
    if b.figures and b.equity_indicator in set(eq["indicator"]):
        eq_fig = _figure(charts.equity_figure(eq, b.equity_indicator, lang), text("equity", lang))
    sections.append(
        _section(
            text("equity", lang),
            _p(text("equity_help", lang, ref=ref), "muted"),
            *[_p(line) for line in equity_lines(runs, lang, data=eq)],
            eq_fig,
            _table_html(clear),
            anchor="equity",
        )
    )
    costs = cost_data(runs)
    cost_parts = [_p(text("costs_help", lang, ref=ref), "muted")]
    if b.figures and not costs.empty:
        cost_parts.append(_figure(charts.costs_figure(costs, lang), text("costs", lang)))
    cost_parts.append(_table_html(costs_table(runs, lang, data=costs)))
    if b.economics is not None:
        cost_parts += [
            f"<h3>{html.escape(text('economics', lang))}</h3>",
            _table_html(economics_table(b.economics.table, lang)),
        ]
        if b.economics.assumptions:
            cost_parts += [
                f"<h4>{html.escape(text('assumptions', lang))}</h4><ul>"
                + "".join(f"<li>{html.escape(a)}</li>" for a in b.economics.assumptions)
                + "</ul>"
            ]
    sections.append(_section(text("costs", lang), *cost_parts, anchor="costs"))
    timeline = policy_timeline(b.policy_log, runs.scenarios)
    timeline_parts = [_p(text("timeline_help", lang), "muted")]
    if timeline.empty:
        timeline_parts.append(_p(text("timeline_none", lang)))
    else:
        if b.figures:
            timeline_parts.append(
                _figure(
                    charts.timeline_figure(timeline, runs.scenarios, weeks, lang),
                    text("timeline", lang),
                )
            )
        timeline_parts.append(_table_html(timeline_table(timeline, lang)))
    sections.append(_section(text("timeline", lang), *timeline_parts, anchor="timeline"))
    chart_html = _charts(b)
    if chart_html:
        sections.append(
            _section(
                text("charts", lang),
                _p(text("charts_help", lang), "muted"),
                chart_html,
                anchor="charts",
            )
        )
    sections.append(
        _section(
            text("caveats", lang),
            "<ul>"
            + "".join(
                f"<li>{html.escape(text(k, lang))}</li>"
                for k in ("caveat_synthetic", "caveat_compare", "caveat_intervals", "caveat_sample")
            )
            + "</ul>",
            anchor="caveats",
        )
    )
    prov = pd.DataFrame(list(provenance(b).items()), columns=["", ""])
    repro = ""
    if b.command:
        repro = _p(text("reproduce_help", lang)) + f"<pre>{html.escape(b.command)}</pre>"
    for name, sc in zip(runs.scenarios, b.scenarios, strict=False):
        repro += (
            f"<details><summary>{html.escape(text('scenario_file', lang, name=name))}"
            f"</summary><pre>{html.escape(sc.to_toml())}</pre></details>"
        )
    sections.append(
        _section(text("provenance", lang), _table_html(prov), repro, anchor="provenance")
    )
    return head + intro + "".join(sections) + "</body></html>\n"
