"""The briefing: one self-contained HTML page of a paired comparison, in English or Italian.

Built from the template ``templates/briefing.html.j2`` (autoescaped) with the decision cards of
:mod:`willsim.reporting.card`, the tables of :mod:`willsim.reporting.tables` and the figures of
:mod:`willsim.reporting.charts`. The page has no external assets (figures are embedded PNG
images, the style sheet is inline), so it can be mailed, archived or printed to PDF from a
browser. No solara: the app's Compare page, the command line and a notebook build the same page.

**Structure.** At most four A4 pages, then an annex on a new page: (1) a decision card per
strategy (what changes for how many people, how sure, the cost, who gains and who loses, the
main caveat); (2) the key figures in one table, verdicts against each indicator's minimal
important difference; (3) who gains and who loses, and value for money a year (with the
acceptability curve under parameter uncertainty); (4) where the uncertainty comes from and the
assumptions the result depends on most, and the caveats. The annex holds the glossary of every
indicator shown (definition, unit, direction, source, minimal important difference), every
table in full, the charts over time and the provenance.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from willsim.experiments.compare import PairedRuns
from willsim.indicators import tagged
from willsim.reporting import charts, html, tables
from willsim.reporting.formatting import date_time
from willsim.reporting.i18n import pick, text
from willsim.units import WEEKS_PER_YEAR

CAVEATS = ("br_caveat_synthetic", "br_caveat_compare", "br_caveat_intervals", "br_caveat_sample")


@dataclass
class Briefing:
    """Everything the report shows. ``series``: indicator -> strategy -> week x replicate;
    ``policy_log``: rows ``scenario, seed, week, policy, action, reason``."""

    runs: PairedRuns
    scenarios: Sequence[Any]  # willsim.scenario.Scenario, one per strategy
    language: str = "en"
    series: Mapping[str, Mapping[str, pd.DataFrame]] | None = None
    policy_log: pd.DataFrame | None = None
    economics: tables.Economics | None = None
    command: str = ""
    weeks: int | None = None
    residents: int | None = None
    created: str | None = None
    charts: Sequence[str] = field(default_factory=lambda: tagged("headline"))  # drawn over time
    figures: bool = True  # equity, costs and timeline figures besides the tables
    equity: pd.DataFrame | None = None  # tables.equity_data(runs), if already computed
    equity_indicator: str = "unmet_need_share"
    mode: str = ""  # "seeds" or "parameters"; from the runs when empty
    decisions: pd.DataFrame | None = None  # decision_table with a city scale, if computed
    capacity: Mapping[str, Any] | None = None  # arm -> CapacitySearch
    capacity_of: Mapping[str, str] | None = None  # capacity arm -> its strategy
    drivers: pd.DataFrame | None = None  # Comparison.influence()
    ceac: pd.DataFrame | None = None  # willsim.economics.ceac
    draws_source: str = ""  # "priors" or an ensemble's file name
    seeds_per_draw: int = 0
    annex: bool = True  # False: the pages before the annex only


def provenance(b: Briefing) -> dict[str, str]:
    """Versions, commit, scenario hashes, seeds and replicates of a briefing."""
    import mesa

    import willsim
    from willsim.results import git_commit

    lang = b.language
    out = {
        text("br_versions", lang): f"willsim {willsim.__version__}, Mesa {mesa.__version__}, "
        f"Python {platform.python_version()}",
        text("br_commit", lang): git_commit() or text("br_unknown", lang),
    }
    for name, sc in zip(b.runs.scenarios, b.scenarios, strict=False):
        out[f"{text('br_hash', lang)} · {name}"] = f"{sc.hash} ({sc.name}, {sc.city})"
    out[text("br_seeds", lang)] = f"{len(b.runs.seeds)}: " + ", ".join(map(str, b.runs.seeds))
    return out


def _policy_label(entry: Mapping[str, Any], language: str) -> str:
    """A scenario's policy entry's label in ``language`` (a string or ``{en, it}``)."""
    label = entry.get("label") or entry.get("type")
    return pick(label, language) if isinstance(label, Mapping) else str(label)


def _strategies(b: Briefing) -> pd.DataFrame:
    lang = b.language
    rows = []
    for name, sc in zip(b.runs.scenarios, b.scenarios, strict=False):
        rows.append(
            {
                text("br_strategy", lang): name,
                text("br_description", lang): pick(sc.description, lang),
                text("br_policies", lang): ", ".join(_policy_label(p, lang) for p in sc.policies)
                or "–",
            }
        )
    return pd.DataFrame(rows)


def setup_line(b: Briefing, weeks: int, residents: int, city: str) -> str:
    """``3 strategies in Bergamo, 56 weeks, 2,000 simulated residents, 3 replicates ...``"""
    lang = b.language
    return text(
        "br_setup",
        lang,
        strategies=text("count_strategies", lang, n=len(b.runs.scenarios)),
        city=city,
        weeks=text("count_weeks", lang, n=weeks),
        residents=text("count_residents", lang, n=residents),
        replicates=text(
            "dc_setup_draws", lang, draws=len(b.runs.draws), seeds=b.seeds_per_draw or "?"
        )
        if b.runs.draws
        else text("count_replicates", lang, n=len(b.runs.seeds)),
        ref=b.runs.scenarios[0],
    )


def calibrated(scenario: Any) -> bool:
    """Whether a scenario's values come from a calibrated layer (``calibrated:STUDY``)."""
    provenance = getattr(scenario, "provenance", None) or {}
    return any(str(v).startswith("calibrated:") for v in provenance.values())


def mode_text(b: Briefing, mode: str) -> str:
    """Which uncertainty the briefing's figures include, in its language."""
    from willsim.reporting import card

    lang = b.language
    if mode == "parameters":
        source = (
            text("dc_source_ensemble", lang, name=b.draws_source)
            if b.draws_source and b.draws_source != "priors"
            else text("dc_source_priors", lang)
        )
        return card.mode_text(
            mode, lang, len(b.runs.seeds), len(b.runs.draws), b.seeds_per_draw, source
        )
    return card.mode_text(mode, lang, len(b.runs.seeds))


def value_summary(vfm: pd.DataFrame, years: float, language: str) -> pd.DataFrame:
    """Per strategy, value for money a year (display strings): net public cost, programme cost,
    crises avoided, cost per crisis avoided, social return ratio with and without quality of
    life and, with parameter uncertainty, the probability that benefits exceed the cost."""
    from willsim.reporting.formatting import money_compact, number, percent

    per = years or 1.0
    rows = []
    for name, block in vfm.groupby("scenario", sort=False):
        mean = dict(zip(block["item"], block["mean"], strict=True))
        note = dict(zip(block["item"], block["note"], strict=True))
        nan = float("nan")
        per_crisis = mean.get("cost_per_crisis_avoided_eur", nan)
        row = {
            text("br_strategy", language): name,
            text("dc_net_cost", language): money_compact(
                mean.get("net_public_cost_eur", nan) / per, language, signed=True
            ),
            text("dc_programme_cost", language): money_compact(
                mean.get("incremental_cost_eur", nan) / per, language, signed=True
            ),
            text("dc_crises_avoided", language): number(
                mean.get("crises_avoided", nan) / per, 0, language
            ),
            text("dc_cost_per_crisis", language): money_compact(per_crisis, language)
            if per_crisis == per_crisis
            else note.get("cost_per_crisis_avoided_eur") or "–",
            text("dc_return", language): _ratio_pair(
                mean.get("social_return_ratio", nan),
                mean.get("social_return_ratio_without_qol", nan),
                language,
            ),
        }
        p, q = (
            mean.get("prob_return_above_1", nan),
            mean.get("prob_return_above_1_without_qol", nan),
        )
        if p == p:
            row[text("dc_return_prob", language)] = (
                f"{percent(p, 0, language)} ({percent(q, 0, language)})"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _ratio_pair(a: float, b: float, language: str) -> str:
    from willsim.reporting.formatting import number

    def show(x: float) -> str:
        return "–" if x != x else number(x, 2, language)

    return f"{show(a)} ({show(b)})"


def decision_summary(decisions: pd.DataFrame, language: str) -> pd.DataFrame:
    """The key figures in one table: a row per indicator (with its unit), a column per strategy
    holding the difference from the reference and a short verdict, which says where its interval
    lies (display strings; the intervals are in the annex's full table and on the cards)."""
    from willsim.reporting.card import quantity, short_verdict, unit_text

    names = list(dict.fromkeys(decisions["scenario"]))
    ref = names[0]
    rows = []
    for key, block in decisions.groupby("indicator", sort=False):
        records = {r["scenario"]: r for r in block.to_dict("records")}
        first = records[ref]
        unit = str(first["unit"])
        shown_unit = {"share": "pp", "EUR": "€"}.get(unit) or unit_text(unit, language)
        row = {
            text("br_indicator", language): f"{tables.label(str(key), language)} ({shown_unit})",
            ref: tables.value(first["mean"], unit, language),
        }
        for name in names[1:]:
            r = records.get(name)
            if r is None:
                row[name] = ""
                continue
            row[name] = (
                f"{quantity(r['diff'], unit, language, with_unit=False)} · "
                f"{short_verdict(r, language)}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def uncertainty_table(decisions: pd.DataFrame, language: str) -> pd.DataFrame:
    """Per card indicator (tag ``card``) and strategy, the share of the difference's spread
    that comes from the parameters (parameters mode)."""
    from willsim.reporting.formatting import percent

    if "share_parameters" not in decisions:
        return pd.DataFrame()
    names = list(dict.fromkeys(decisions["scenario"]))[1:]
    keys = [k for k in tagged("card") if k in set(decisions["indicator"])]
    rows = []
    for key in keys:
        block = decisions[decisions["indicator"] == key].set_index("scenario")
        row = {text("br_indicator", language): tables.label(key, language)}
        for name in names:
            row[name] = (
                percent(block.at[name, "share_parameters"], 0, language)
                if name in block.index
                else ""
            )
        rows.append(row)
    return pd.DataFrame(rows)


def drivers_summary(
    drivers: pd.DataFrame, skip: Sequence[str], language: str, top: int = 3
) -> pd.DataFrame:
    """Per strategy (capacity variants in ``skip`` left out), the assumptions its headline
    differences depend on most beyond noise: ``Service effect (care) (+0.74: unmet need)``."""
    from willsim.experiments.comparison import parameter_label
    from willsim.reporting.formatting import number

    rows = []
    for name, block in drivers.groupby("scenario", sort=False):
        if name in skip:
            continue
        if "beyond_noise" in block:
            block = block[block["beyond_noise"].astype(bool)]
        block = block.reindex(block["rho"].abs().sort_values(ascending=False).index)
        block = block.drop_duplicates("parameter").head(top)
        shown = "; ".join(
            f"{parameter_label(r.parameter, language)} ({number(r.rho, 2, language, signed=True)}:"
            f" {tables.label(r.indicator, language).lower()})"
            for r in block.itertuples()
        )
        rows.append(
            {
                text("br_strategy", language): name,
                text("dc_parameter", language): shown or text("dc_no_driver", language),
            }
        )
    return pd.DataFrame(rows)


def drivers_table(drivers: pd.DataFrame, language: str) -> pd.DataFrame:
    """The assumptions each strategy's headline differences depend on most (display strings)."""
    from willsim.experiments.comparison import parameter_label
    from willsim.reporting.formatting import number

    rows = []
    for r in drivers.to_dict("records"):
        rows.append(
            {
                text("br_strategy", language): r["scenario"],
                text("br_indicator", language): tables.label(r["indicator"], language),
                text("dc_parameter", language): parameter_label(r["parameter"], language),
                text("dc_correlation", language): number(r["rho"], 2, language, signed=True),
            }
        )
    return pd.DataFrame(rows)


def shown_indicators(decisions: pd.DataFrame, eq: pd.DataFrame, costs: pd.DataFrame) -> list[str]:
    """Every registry indicator the briefing shows (for its glossary)."""
    keys = list(dict.fromkeys(decisions["indicator"])) if len(decisions) else []
    keys += list(dict.fromkeys(eq["indicator"])) if len(eq) else []
    keys += list(dict.fromkeys(costs["indicator"])) if len(costs) else []
    return list(dict.fromkeys(keys))


def build_report(b: Briefing) -> str:
    """The self-contained HTML briefing of ``b``, in ``b.language``."""
    import willsim
    from willsim.experiments.decisions import CityScale, decision_table
    from willsim.reporting import card

    lang, runs = b.language, b.runs
    ref = runs.scenarios[0]
    first = b.scenarios[0] if b.scenarios else None
    weeks = b.weeks or (int(first.params["run.weeks"]) if first is not None else 0)
    residents = b.residents or (int(first.params["run.residents"]) if first is not None else 0)
    city = (first.city_label or first.city) if first is not None else ""
    created = b.created or date_time(datetime.now(UTC), lang)
    mode = b.mode or ("parameters" if runs.draws else "seeds")
    years = weeks / WEEKS_PER_YEAR if weeks else 0.0
    scale = CityScale.of(runs, weeks) if weeks else None
    decisions = (
        b.decisions if b.decisions is not None else decision_table(runs, mode, None, "holm", scale)
    )
    vfm = b.economics.table if b.economics is not None else None
    if vfm is not None and not {"scenario", "item", "mean", "note"} <= set(vfm.columns):
        vfm = None  # another economics table: shown in the annex as it is, not summarised
    groups = tables.equity_data(runs) if b.equity is None else b.equity
    descriptions = {
        name: pick(sc.description, lang)
        for name, sc in zip(runs.scenarios, b.scenarios, strict=False)
    }
    value_per_qol = (
        float(first.params["economics.value_per_qol_year"]) if first is not None else None
    )
    cards = card.cards(
        decisions,
        lang,
        mode=mode,
        years=years,
        groups=groups,
        vfm=vfm,
        descriptions=descriptions,
        capacity=b.capacity,
        capacity_of=b.capacity_of,
        drivers=b.drivers,
        calibrated=any(calibrated(sc) for sc in b.scenarios),
        value_per_qol=value_per_qol,
    )

    def is_verdict(cell: str) -> str:
        return {text("br_gains", lang): "gains", text("br_loses", lang): "loses"}.get(cell, "")

    eq = groups
    clear = eq[eq["verdict"].isin(["gains", "loses"])]
    costs = tables.cost_data(runs)
    timeline = tables.policy_timeline(b.policy_log, runs.scenarios)
    economics = b.economics
    figures = b.figures
    caveats = [text(key, lang) for key in CAVEATS]
    if mode == "parameters":
        caveats[CAVEATS.index("br_caveat_intervals")] = text("dc_caveat_intervals_parameters", lang)
    context = {
        "lang": lang,
        "t": lambda key, **fmt: text(key, lang, **fmt),
        "ref": ref,
        "title": text("br_title", lang),
        "created": text("br_created", lang, date=created, version=willsim.__version__),
        "setup": setup_line(b, weeks, residents, city),
        "mode_text": mode_text(b, mode),
        "mode": mode,
        "cards": cards,
        "annex": b.annex,
        "summary": html.table(decision_summary(decisions, lang), "summary")
        if len(decisions)
        else None,
        "value": html.table(value_summary(vfm, years, lang), "summary")
        if vfm is not None and len(vfm)
        else None,
        "ceac_figure": html.image(charts.ceac_figure(b.ceac, lang), text("dc_ceac", lang))
        if figures and b.ceac is not None and len(b.ceac)
        else None,
        "uncertainty": html.table(uncertainty_table(decisions, lang), "summary")
        if mode == "parameters"
        else None,
        "drivers": html.table(
            drivers_summary(b.drivers, list((b.capacity_of or {}).keys()), lang), "summary"
        )
        if b.drivers is not None and len(b.drivers)
        else None,
        "all_drivers": html.table(drivers_table(b.drivers, lang), "summary")
        if b.drivers is not None and len(b.drivers)
        else None,
        "glossary": html.table(
            card.glossary(shown_indicators(decisions, eq, costs), lang), "glossary"
        ),
        "strategies": html.table(_strategies(b)),
        "headlines": tables.headlines(runs, lang, decisions=decisions),
        "key_figures": html.table(tables.key_figures(runs, lang, decisions=decisions)),
        "equity_lines": [
            text("br_equity_line", lang, strategy=name, **card.who_parts(eq, name, lang, top=2))
            for name in runs.scenarios[1:]
        ],
        "equity_figure": html.image(
            charts.equity_figure(eq, b.equity_indicator, lang), text("br_equity", lang)
        )
        if figures and b.equity_indicator in set(eq["indicator"])
        else None,
        "equity": html.table(tables.equity_table(runs, lang, data=clear), cell_class=is_verdict),
        "costs_figure": html.image(charts.costs_figure(costs, lang), text("br_costs", lang))
        if figures and not costs.empty
        else None,
        "costs": html.table(tables.costs_table(runs, lang, data=costs)),
        "economics": html.table(tables.economics_table(economics.table, lang))
        if economics is not None
        else None,
        "assumptions": list(economics.assumptions) if economics is not None else [],
        "timeline_figure": html.image(
            charts.timeline_figure(timeline, runs.scenarios, weeks, lang), text("br_timeline", lang)
        )
        if figures and not timeline.empty
        else None,
        "timeline": html.table(tables.timeline_table(timeline, lang)),
        "charts": [
            html.image(charts.band_figure(b.series[key], key, lang), tables.label(key, lang))
            for key in b.charts
            if b.series and b.series.get(key)
        ],
        "caveats": caveats,
        "provenance": html.table(pd.DataFrame(list(provenance(b).items()), columns=["", ""])),
        "command": b.command,
        "scenario_files": [
            {"title": text("br_scenario_file", lang, name=name), "text": sc.to_toml()}
            for name, sc in zip(runs.scenarios, b.scenarios, strict=False)
        ],
    }
    return html.render("briefing.html.j2", **context)
