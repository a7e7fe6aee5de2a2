"""Compare: two to four strategies on the same city and seeds, replicates in the background.

A strategy is a scenario plus changed parameters (``key=value`` lines), so the same scenario with
different levers can be compared as well as different scenarios. Every strategy runs the same
seeds (replicate r of every strategy uses seed r), which makes the differences *paired*: the
table shows the mean paired difference from the first strategy with a 95% t interval and a
plain-language verdict.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import solara

from willsim.app import charts, export, i18n, state
from willsim.app.i18n import tr
from willsim.indicators import INDICATORS
from willsim.model import WelfareModel
from willsim.results import summary, wide
from willsim.runner import replicate_seeds
from willsim.scenario import ScenarioError, available_scenarios, parse_assignment

MAX_VARIANTS = 4
COMPARE_KEYS = ("unmet_need_share", "non_take_up_share", "mean_wait_weeks", "coverage",
                "crises_per_1000", "public_spending_eur", "out_of_pocket_eur")


@dataclass(frozen=True)
class Variant:
    scenario: str = "baseline"
    changes: str = ""
    label: str = ""

    def name(self, i: int) -> str:
        return self.label or (f"{i + 1}. {self.scenario}"
                              + (f" ({self.changes.strip().splitlines()[0]}…)"
                                 if self.changes.strip() else ""))


def parse_changes(text: str) -> dict[str, Any]:
    """``key=value`` lines (or ``;``-separated) into validated overrides."""
    out: dict[str, Any] = {}
    for line in text.replace(";", "\n").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = parse_assignment(line)
            out[key] = value
    return out


FOUR_CORNERS = ("on-demand-centralised", "on-demand-platform", "proactive-centralised",
                "proactive-platform")


def default_variants() -> tuple[Variant, ...]:
    """The four corners (on demand / proactive x centralised / platform) when they are bundled
    and valid, else the baseline against itself with more outreach and staff."""
    from willsim.scenario import load_scenario

    try:
        if all(name in available_scenarios() for name in FOUR_CORNERS):
            for name in FOUR_CORNERS:
                load_scenario(name)
            return tuple(Variant(name) for name in FOUR_CORNERS)
    except ScenarioError:
        pass
    return (Variant("baseline"),
            Variant("baseline", "helpseeking.awareness = 0.95\noffice.social_workers = 40"))


@dataclass
class Settings:
    variants: tuple[Variant, ...] = field(default_factory=default_variants)
    replicates: int = 5
    weeks: int = 104
    residents: int = 5000


@dataclass
class Result:
    names: list[str]
    seeds: list[int]
    series: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # key->name->wk x rep
    summaries: pd.DataFrame = field(default_factory=pd.DataFrame)  # name, seed, indicators
    scenarios: list[Any] = field(default_factory=list)
    complete: bool = True


settings = solara.reactive(Settings())
result: solara.Reactive[Result | None] = solara.reactive(None)


def build_scenarios(s: Settings) -> list[Any]:
    """Resolve every strategy; raises ScenarioError naming the strategy at fault."""
    out = []
    residents = min(int(s.residents), state.MAX_RESIDENTS)
    for i, v in enumerate(s.variants):
        try:
            overrides = parse_changes(v.changes)
            overrides.update({"run.weeks": int(s.weeks), "run.residents": residents,
                              "run.mesa_citizens": False})
            built = state.resolve(state.Choice(scenario=v.scenario, overrides=overrides))
        except ScenarioError as exc:
            raise ScenarioError(tr("bad_changes", name=v.name(i), error=exc)) from None
        out.append(built.scenario)
    return out


def run_comparison(s: Settings, keep_going=lambda: True, progress=lambda done, total: None
                   ) -> Result:
    """Run every strategy on the same seeds; stop early (``complete=False``) if asked."""
    scenarios = build_scenarios(s)
    names = [v.name(i) for i, v in enumerate(s.variants)]
    seeds = replicate_seeds(int(scenarios[0].params["run.seed"]), int(s.replicates))
    frames: dict[str, list[pd.DataFrame]] = {n: [] for n in names}
    rows = []
    total, done = len(seeds) * len(scenarios), 0
    res = Result(names=names, seeds=seeds, scenarios=scenarios)
    for seed in seeds:
        for name, scenario in zip(names, scenarios, strict=True):
            model = WelfareModel(scenario, seed=seed)
            try:
                while model.running and model.week < model.weeks:
                    model.step()
                    if model.week % 13 == 0 and not keep_going():
                        res.complete = False
                        break
                if not res.complete:
                    break
                frames[name].append(wide(model))
                rows.append({"strategy": name, "seed": seed, **summary(model)})
            finally:
                model.release()
            done += 1
            progress(done, total)
        if not res.complete:
            break
    if not rows:
        return res
    res.summaries = pd.DataFrame(rows)
    for key in INDICATORS:
        res.series[key] = {n: pd.concat([f[key] for f in frames[n]], axis=1,
                                        keys=range(len(frames[n]))) for n in names if frames[n]}
    return res


def paired_differences(summaries: pd.DataFrame, names: list[str], key: str) -> list[dict]:
    """Mean paired difference of ``key`` from the first strategy, with a 95% t interval."""
    from scipy import stats

    ref = summaries[summaries.strategy == names[0]].set_index("seed")[key]
    out = []
    for name in names[1:]:
        other = summaries[summaries.strategy == name].set_index("seed")[key]
        diff = (other - ref).dropna().to_numpy(dtype=float)
        n = diff.size
        mean = float(diff.mean()) if n else math.nan
        if n > 1:
            half = float(stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / math.sqrt(n))
        else:
            half = math.nan
        out.append({"strategy": name, "key": key, "mean": mean, "lo": mean - half,
                    "hi": mean + half, "n": n})
    return out


def verdict(d: dict, ref: str) -> str:
    label = i18n.indicator_label(d["key"])
    if math.isnan(d["lo"]) or d["lo"] <= 0 <= d["hi"]:
        return tr("verdict_unclear", label=label, ref=ref)
    return tr("verdict_clear", label=label, ref=ref,
              dir=tr("higher") if d["mean"] > 0 else tr("lower"))


def long_csv(res: Result) -> bytes:
    """Every weekly city-level series shown: strategy, seed, week, indicator, value."""
    parts = []
    for key, per in res.series.items():
        for name, table in per.items():
            t = table.copy()
            t.columns = [res.seeds[int(c)] for c in t.columns]
            long = t.reset_index().melt(id_vars="week", var_name="seed", value_name="value")
            long.insert(0, "indicator", key)
            long.insert(0, "strategy", name)
            parts.append(long)
    return pd.concat(parts, ignore_index=True).to_csv(index=False).encode("utf-8")


@solara.lab.task
def compare_task(s: Settings) -> Result:
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        compare_task.progress = 100.0 * done / total

    res = run_comparison(s, keep_going=compare_task.is_current, progress=progress)
    res.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    if compare_task.is_current():
        result.value = res
    return res


@solara.component
def VariantEditor(i: int, v: Variant, disabled: bool):
    s = settings.value

    def update(**kw: Any) -> None:
        vs = list(settings.value.variants)
        vs[i] = replace(vs[i], **kw)
        settings.value = replace(settings.value, variants=tuple(vs))

    def remove() -> None:
        vs = list(settings.value.variants)
        del vs[i]
        settings.value = replace(settings.value, variants=tuple(vs))

    with solara.Card(tr("variant", i=i + 1), classes=[f"variant-{i + 1}"]):
        solara.v.Select(label=tr("scenario"), items=available_scenarios(), v_model=v.scenario,
                        on_v_model=lambda x: update(scenario=x), disabled=disabled)
        solara.v.Textarea(label=tr("changes"), v_model=v.changes, rows=2, auto_grow=True,
                          on_v_model=lambda x: update(changes=x or ""), disabled=disabled,
                          class_=f"changes-{i + 1}")
        if len(s.variants) > 2:
            solara.Button(tr("remove"), text=True, small=True, on_click=remove,
                          disabled=disabled)


@solara.component
def ComparePage():
    s = settings.value
    res = result.value
    running = compare_task.pending
    error = ""
    try:
        build_scenarios(s)
    except ScenarioError as exc:
        error = str(exc)

    def set_number(name: str, value: Any, low: int, high: int) -> None:
        clipped = min(max(int(value if value is not None else low), low), high)
        settings.value = replace(settings.value, **{name: clipped})

    def add(v: Variant) -> None:
        if len(settings.value.variants) < MAX_VARIANTS:
            settings.value = replace(settings.value, variants=(*settings.value.variants, v))

    def from_explore() -> None:
        ch = state.choice.value
        changes = "\n".join(f"{k} = {_toml(v)}" for k, v in ch.overrides.items()
                            if not k.startswith("run."))
        add(Variant(ch.scenario if ch.uploaded is None else "baseline", changes))

    with solara.Column():
        solara.Markdown(f"### {tr('variants')}")
        with solara.Row(style={"flex-wrap": "wrap"}):
            for i, v in enumerate(s.variants):
                VariantEditor(i, v, running)
        with solara.Row():
            solara.Button(tr("add_variant"), on_click=lambda: add(Variant()),
                          disabled=running or len(s.variants) >= MAX_VARIANTS)
            solara.Button(tr("from_explore"), on_click=from_explore,
                          disabled=running or len(s.variants) >= MAX_VARIANTS)
        with solara.Row():
            solara.InputInt(tr("replicates"), value=s.replicates, disabled=running,
                            on_value=lambda x: set_number("replicates", x, 1, 50))
            solara.InputInt(tr("weeks"), value=s.weeks, disabled=running,
                            on_value=lambda x: set_number("weeks", x, 1, 1040))
            solara.InputInt(tr("residents"), value=s.residents, disabled=running,
                            on_value=lambda x: set_number("residents", x, 100,
                                                          state.MAX_RESIDENTS))
        with solara.Div():
            if error:
                solara.Error(error, classes=["compare-error"])
        with solara.Row():
            solara.Button(tr("run_compare"), color="primary", classes=["btn-compare"],
                          disabled=running or bool(error) or len(s.variants) < 2,
                          on_click=lambda: compare_task(settings.value))
            solara.Button(tr("cancel"), on_click=compare_task.cancel, disabled=not running,
                          classes=["btn-cancel"])
        with solara.Div():
            if running:
                solara.ProgressLinear(compare_task.progress or True)
                solara.Text(tr("running", pct=f"{compare_task.progress or 0:.0f}"),
                            classes=["compare-progress"])
            elif compare_task.cancelled:
                solara.Info(tr("cancelled"), classes=["compare-cancelled"])
        with solara.Div():
            if res is not None and res.series:
                CompareResults(res)


@solara.component
def CompareResults(res: Result):
    language = i18n.lang.value
    key, set_key = solara.use_state("unmet_need_share")
    with solara.Column(classes=["compare-results"]):
        solara.v.Select(label=tr("indicator"), v_model=key, on_v_model=set_key,
                        items=[{"text": i18n.indicator_label(k), "value": k}
                               for k in INDICATORS])
        fig = solara.use_memo(lambda: charts.band_figure(res.series[key], key, language),
                              [id(res), key, language])
        solara.FigureMatplotlib(fig, dependencies=[id(res), key, language], format="png")
        solara.Text(tr("band"), style={"font-size": "0.85em"})
        solara.Markdown(f"#### {tr('differences', ref=res.names[0])}")
        rows = []
        for k in dict.fromkeys((key, *COMPARE_KEYS)):
            unit = INDICATORS[k].unit
            for d in paired_differences(res.summaries, res.names, k):
                rows.append({tr("indicator"): i18n.indicator_label(k),
                             tr("variant", i=""): d["strategy"],
                             tr("difference"): i18n.fmt_value(d["mean"], unit),
                             tr("interval"): f"[{i18n.fmt_value(d['lo'], unit)}; "
                                             f"{i18n.fmt_value(d['hi'], unit)}]",
                             tr("verdict"): verdict(d, res.names[0])})
        solara.DataFrame(pd.DataFrame(rows), items_per_page=30)
        csv_data = solara.use_memo(lambda: (lambda: long_csv(res)), [id(res)])
        solara.FileDownload(csv_data, filename="willsim-comparison.csv",
                            label=tr("download_csv"), mime_type="text/csv")
        for sc in res.scenarios:
            solara.Preformatted(export.command_line(sc, replicates=len(res.seeds)))


def _toml(value: Any) -> str:
    return json.dumps(value)
