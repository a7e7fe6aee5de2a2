"""The briefing: one self-contained HTML page of a paired comparison, in English or Italian.

Built from the template ``templates/briefing.html.j2`` (autoescaped) with the tables of
:mod:`willsim.reporting.tables` and the figures of :mod:`willsim.reporting.charts`. The page has
no external assets (figures are embedded PNG images, the style sheet is inline), so it can be
mailed, archived or printed to PDF from a browser. No solara: the app's Compare page, the
command line and a notebook build the same page.
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
        replicates=text("count_replicates", lang, n=len(b.runs.seeds)),
        ref=b.runs.scenarios[0],
    )


def build_report(b: Briefing) -> str:
    """The self-contained HTML briefing of ``b``, in ``b.language``."""
    import willsim

    lang, runs = b.language, b.runs
    ref = runs.scenarios[0]
    first = b.scenarios[0] if b.scenarios else None
    weeks = b.weeks or (int(first.params["run.weeks"]) if first is not None else 0)
    residents = b.residents or (int(first.params["run.residents"]) if first is not None else 0)
    city = (first.city_label or first.city) if first is not None else ""
    created = b.created or date_time(datetime.now(UTC), lang)

    def is_verdict(cell: str) -> str:
        return {text("br_gains", lang): "gains", text("br_loses", lang): "loses"}.get(cell, "")

    eq = tables.equity_data(runs) if b.equity is None else b.equity
    clear = eq[eq["verdict"].isin(["gains", "loses"])]
    costs = tables.cost_data(runs)
    timeline = tables.policy_timeline(b.policy_log, runs.scenarios)
    economics = b.economics
    figures = b.figures
    context = {
        "lang": lang,
        "t": lambda key, **fmt: text(key, lang, **fmt),
        "ref": ref,
        "title": text("br_title", lang),
        "created": text("br_created", lang, date=created, version=willsim.__version__),
        "setup": setup_line(b, weeks, residents, city),
        "strategies": html.table(_strategies(b)),
        "headlines": tables.headlines(runs, lang),
        "key_figures": html.table(tables.key_figures(runs, lang)),
        "equity_lines": tables.equity_lines(runs, lang, data=eq),
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
        "caveats": [text(key, lang) for key in CAVEATS],
        "provenance": html.table(pd.DataFrame(list(provenance(b).items()), columns=["", ""])),
        "command": b.command,
        "scenario_files": [
            {"title": text("br_scenario_file", lang, name=name), "text": sc.to_toml()}
            for name, sc in zip(runs.scenarios, b.scenarios, strict=False)
        ],
    }
    return html.render("briefing.html.j2", **context)
