"""Compare: two to four strategies on the same city and seeds, replicates in the background.

A strategy is a scenario plus changed parameters (``key=value`` lines), so the same scenario with
different levers can be compared as well as different scenarios. Every strategy runs the same
seeds (replicate r of every strategy uses seed r), which makes the differences *paired*; changed
policy levers start at reported week 0 through a policy (:mod:`willsim.app.levers`), so strategies
on the same scenario also share the status quo's burn-in and start from the same city state.

The comparison is the one the command line runs (:mod:`willsim.experiments.comparison`): with
seed noise only (quick), or with **parameter uncertainty** (the model's assumptions drawn from
their priors, each parameter set run with every strategy on seeds of its own), and optionally
each demand-side strategy again **at the capacity that keeps its waiting list from growing**.
The results open with a **decision card** per strategy (effects in people and euros a year, how
sure, cost, who gains and who loses, the main caveat; every effect's definition on hover), then
the details, folded: the chart over time with the indicator's definition, the key figures with
verdicts against each indicator's minimal important difference, who gains and who loses, the
costs and value for money, when each timed policy changed, and the definition of every
indicator shown. Everything can be downloaded (CSV, Parquet, PNG, SVG), with a one-click
briefing (:mod:`willsim.reporting.briefing`) and the scenario files and command that reproduce
it. Tables, verdicts, cards and figures come from the reporting layer (:mod:`willsim.reporting`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pandas as pd
import solara

from willsim.app import export, i18n, links, state
from willsim.app.chartview import ChartView, InteractiveChart
from willsim.app.controls import LeversNote
from willsim.app.fields import BoundedInt
from willsim.app.i18n import tr
from willsim.experiments.compare import PairedRuns
from willsim.indicators import INDICATORS, tagged
from willsim.reporting import briefing as report_page
from willsim.reporting import card, charts, names, plots, tables
from willsim.reporting.errors import message as error_message
from willsim.reporting.i18n import text
from willsim.runner import replicate_seeds
from willsim.scenario import (
    DEFAULT_CITY,
    ScenarioError,
    available_cities,
    available_scenarios,
    parse_assignment,
)

MAX_VARIANTS = 4
WRAP = "white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; padding: 6px"


@dataclass(frozen=True)
class Variant:
    """A strategy: a scenario (bundled, or ``upload:<digest>``), changed parameters and its
    city (None: the page's city)."""

    scenario: str = "baseline"
    changes: str = ""
    label: str = ""
    city: str | None = None

    def name(self, i: int) -> str:
        """The strategy's language-neutral name (files, caches): ``2. proactive-platform``."""
        scenario = self.scenario
        found = state.uploaded_file(scenario)
        if found is not None:
            scenario = found[0]
        return self.label or (
            f"{i + 1}. {scenario}"
            + (f" · {self.city}" if self.city else "")
            + (f" ({self.changes.strip().splitlines()[0]}…)" if self.changes.strip() else "")
        )

    def shown(self, i: int, language: str, page_city: str | None = None) -> str:
        """The strategy's name in ``language``: the scenario's label, its city if not the
        page's, the first changed parameter."""
        found = state.uploaded_file(self.scenario)
        scenario = found[0] if found is not None else self.scenario
        city = self.city if self.city and self.city != page_city else None
        return self.label or names.strategy_label(i, scenario, self.changes, language, city)


def parse_changes(text: str) -> dict[str, Any]:
    """``key=value`` lines (or ``;``-separated) into validated overrides."""
    out: dict[str, Any] = {}
    for line in text.replace(";", "\n").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = parse_assignment(line)
            out[key] = value
    return out


FOUR_CORNERS = (
    "on-demand-centralised",
    "on-demand-platform",
    "proactive-centralised",
    "proactive-platform",
)


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
    return (
        Variant("baseline"),
        Variant("baseline", "helpseeking.awareness = 0.95\noffice.social_workers = 40"),
    )


@dataclass
class Settings:
    variants: tuple[Variant, ...] = field(default_factory=default_variants)
    replicates: int = 5
    weeks: int = 104
    residents: int = 5000
    city: str = DEFAULT_CITY  # every strategy's city unless it names its own
    uncertainty: str = "seeds"  # or "parameters": the assumptions drawn from their priors
    draws: int = 10  # parameter sets (parameters mode); ``replicates`` are then seeds per set
    capacity: bool = False  # also each demand-side strategy at the capacity that clears its list

    def city_of(self, v: Variant) -> str:
        return v.city or self.city


LIMITS = {
    "replicates": (2, 50),
    "weeks": (1, 1040),
    "residents": (100, state.MAX_RESIDENTS),
    "draws": (4, 40),
}
"""The smallest and largest replicates, weeks, residents and parameter sets a comparison from
the page runs."""
DEFAULT_REPLICATES = {"seeds": 5, "parameters": 2}
"""Replicates when the uncertainty mode is chosen: common seeds, or seeds per parameter set."""


@dataclass
class Result:
    names: list[str]
    seeds: list[int]
    series: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # key->name->wk x rep
    summaries: pd.DataFrame = field(default_factory=pd.DataFrame)  # name, seed, indicators
    scenarios: list[Any] = field(default_factory=list)
    complete: bool = True
    paired: PairedRuns | None = None  # tidy end-of-run figures, city and by group
    policy_log: pd.DataFrame = field(default_factory=pd.DataFrame)  # scenario, seed, week, ...
    equity: pd.DataFrame = field(default_factory=pd.DataFrame)  # tables.equity_data(paired)
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)  # tables.cost_data(paired)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)  # tables.policy_timeline
    elapsed: float = 0.0
    shown: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> name -> shown
    key: str = ""  # the hash of the inputs (the cache's key)
    cached: bool = False  # shown from the cache of finished comparisons
    comparison: Any = None  # willsim.experiments.comparison.Comparison (mode, draws, capacity)

    def names_in(self, language: str) -> dict[str, str]:
        return self.shown.get(language, {})


settings = solara.reactive(Settings())
result: solara.Reactive[Result | None] = solara.reactive(None)


def build_scenarios(s: Settings) -> list[Any]:
    """Resolve every strategy; raises ScenarioError naming the strategy at fault."""
    out = []
    residents = min(int(s.residents), state.MAX_RESIDENTS)
    for i, v in enumerate(s.variants):
        try:
            overrides = parse_changes(v.changes)
            overrides.update(
                {"run.weeks": int(s.weeks), "run.residents": residents, "run.mesa_citizens": False}
            )
            choice = state.choice_for(v.scenario, s.city_of(v), overrides)
            built = state.resolve(choice)
        except ScenarioError as exc:
            raise ScenarioError(
                tr(
                    "bad_changes",
                    name=v.shown(i, i18n.lang.value),
                    error=error_message(exc, i18n.lang.value),
                )
            ) from None
        out.append(built.scenario)
    return out


def run_comparison(
    s: Settings, keep_going=lambda: True, progress=lambda done, total: None
) -> Result:
    """Run every strategy on the same seeds (and, with parameter uncertainty, parameter sets)
    through the comparison pipeline (:mod:`willsim.experiments.comparison`, the paired runner);
    stop early (``complete=False``) if asked. Only complete pairs (every strategy on a seed and
    parameter set) are kept."""
    from functools import partial

    from willsim.experiments import SpecError, comparison
    from willsim.experiments.paired import collect_figures

    scenarios = build_scenarios(s)
    labels = [v.name(i) for i, v in enumerate(s.variants)]
    res = Result(names=labels, seeds=[], scenarios=scenarios)
    try:
        plan = comparison.plan(
            scenarios,
            mode=s.uncertainty,
            replicates=int(s.replicates),
            draws=int(s.draws),
            capacity=s.capacity,
            cancel=lambda: not keep_going(),
            labels=labels,
        )
    except SpecError:
        if not keep_going():  # cancelled while the capacity was searched
            res.complete = False
            return res
        raise
    names = [a.label for a in plan.arms]
    res.names, res.scenarios, res.seeds = names, plan.scenarios, list(plan.seeds)
    done = comparison.run(
        plan,
        progress=progress,
        cancel=lambda: not keep_going(),
        collect=partial(collect_figures, keep_series=True, keep_policy_log=True),
    )
    out = done.result
    res.comparison = done
    res.complete = out.complete
    pairs = out.complete_pairs()
    if not pairs:
        return res
    res.paired = done.runs
    res.seeds = res.paired.seeds
    summ = res.paired.summaries.pivot_table(
        index=["scenario", "replicate", "seed"], columns="indicator", values="value", sort=False
    ).reset_index()
    summ = summ.rename(columns={"scenario": "strategy"}).drop(columns="replicate")
    summ.columns.name = None
    res.summaries = summ[["strategy", "seed", *[k for k in INDICATORS if k in summ]]]
    seed_of = {t.pair: t.seed for t in out.tasks}
    logs = [
        out.output(a, p).extra["policy_log"].assign(scenario=n, seed=seed_of[p])
        for p in pairs
        for a, n in enumerate(names)
    ]
    res.policy_log = pd.concat(logs, ignore_index=True)
    res.costs = tables.cost_data(res.paired)
    res.timeline = tables.policy_timeline(res.policy_log, res.paired.scenarios)
    if res.complete and keep_going():
        # by-group intervals take a second or two: computed here in the background task so
        # that showing the results never waits (and skipped for a cancelled comparison)
        res.equity = tables.equity_data(res.paired)
    frames = {n: [out.output(a, p).extra["wide"] for p in pairs] for a, n in enumerate(names)}
    for key in INDICATORS:
        res.series[key] = {
            n: pd.concat([f[key] for f in frames[n]], axis=1, keys=range(len(frames[n])))
            for n in names
        }
    return res


def paired_differences(summaries: pd.DataFrame, names: list[str], key: str) -> list[dict]:
    """Mean paired difference of ``key`` from the first strategy, with a 95% t interval
    (:func:`willsim.experiments.stats.t_interval`)."""
    from willsim.experiments.stats import t_interval

    ref = summaries[summaries.strategy == names[0]].set_index("seed")[key]
    out = []
    for name in names[1:]:
        other = summaries[summaries.strategy == name].set_index("seed")[key]
        diff = (other - ref).dropna().to_numpy(dtype=float)
        mean, lo, hi = t_interval(diff)
        out.append({"strategy": name, "key": key, "mean": mean, "lo": lo, "hi": hi, "n": diff.size})
    return out


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


# --- finished comparisons, by the hash of their inputs --------------------------------------------
CACHE_SIZE = 12
_CACHE: OrderedDict[str, Result] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def inputs_key(s: Settings) -> str:
    """The hash of everything that decides a comparison's results: each strategy's name and
    resolved scenario (parameters, policies, city) and the common seeds."""
    scenarios = build_scenarios(s)
    seeds = replicate_seeds(int(scenarios[0].params["run.seed"]), int(s.replicates))
    blob = json.dumps(
        {
            "strategies": [
                [v.name(i), sc.hash, sc.city]
                for i, (v, sc) in enumerate(zip(s.variants, scenarios, strict=True))
            ],
            "seeds": seeds,
            "uncertainty": s.uncertainty,
            "draws": int(s.draws) if s.uncertainty == "parameters" else 0,
            "capacity": bool(s.capacity),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def cached_result(key: str) -> Result | None:
    with _CACHE_LOCK:
        res = _CACHE.get(key)
        if res is not None:
            _CACHE.move_to_end(key)
        return res


def remember(res: Result) -> None:
    """Keep a finished (complete) comparison so a link to it shows the results at once."""
    if not res.complete or not res.key:
        return
    with _CACHE_LOCK:
        _CACHE[res.key] = res
        _CACHE.move_to_end(res.key)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)


def shown_names(s: Settings, res: Result | None = None) -> dict[str, dict[str, str]]:
    """language -> a strategy's neutral name -> its name in that language (a strategy at the
    capacity that keeps its waiting list from growing: ``... + capacity ×2.8``)."""
    out = {
        language: {v.name(i): v.shown(i, language, s.city) for i, v in enumerate(s.variants)}
        for language in i18n.LANGS
    }
    plan = res.comparison.plan if res is not None and res.comparison is not None else None
    for arm, base in (plan.capacity_of if plan is not None else {}).items():
        m = plan.capacity[arm].multiplier
        for language, shown in out.items():
            shown[arm] = text(
                "dc_capacity_arm",
                language,
                name=shown.get(base, base),
                m=i18n.number(m, 2, language),
            )
    return out


@solara.lab.task
def compare_task(s: Settings, stop: threading.Event) -> Result:
    """Run the comparison ``s`` (or take it from the cache); it stops when cancelled, when a
    newer comparison starts, or when the browser session closes (``stop``)."""
    started = time.monotonic()
    key = inputs_key(s)
    found = cached_result(key)
    if found is not None:
        res = replace(found, cached=True)
        result.value = res
        return res

    def progress(done: int, total: int) -> None:
        compare_task.progress = 100.0 * done / total

    def keep_going() -> bool:
        return compare_task.is_current() and not stop.is_set()

    with state.counted_run():
        res = run_comparison(s, keep_going=keep_going, progress=progress)
    res.elapsed = time.monotonic() - started
    res.key, res.shown = key, shown_names(s, res)
    if res.complete and not stop.is_set():
        remember(res)
    if compare_task.is_current():
        result.value = res
    return res


@solara.component
def VariantEditor(i: int, v: Variant, disabled: bool):
    s = settings.value
    language = i18n.lang.value

    def update(**kw: Any) -> None:
        vs = list(settings.value.variants)
        vs[i] = replace(vs[i], **kw)
        settings.value = replace(settings.value, variants=tuple(vs))

    def remove() -> None:
        vs = list(settings.value.variants)
        del vs[i]
        settings.value = replace(settings.value, variants=tuple(vs))

    items = scenario_items(language, [v.scenario])
    with solara.Card(tr("variant", i=i + 1), classes=[f"variant-{i + 1}"]):
        with solara.Div(classes=[f"variant-scenario-{i + 1}"]):
            solara.v.Select(
                label=tr("scenario"),
                items=items,
                v_model=v.scenario,
                on_v_model=lambda x: update(scenario=x),
                disabled=disabled,
            )
        with solara.Div(classes=[f"variant-city-{i + 1}"]):
            solara.v.Select(
                label=tr("city"),
                items=i18n.city_items(available_cities()),
                v_model=s.city_of(v),
                on_v_model=lambda c: update(city=None if c == settings.value.city else c),
                disabled=disabled,
            )
        solara.v.Textarea(
            label=tr("changes"),
            v_model=v.changes,
            rows=2,
            auto_grow=True,
            on_v_model=lambda x: update(changes=x or ""),
            disabled=disabled,
            class_=f"changes-{i + 1}",
        )
        if len(s.variants) > 2:
            solara.Button(tr("remove"), text=True, small=True, on_click=remove, disabled=disabled)


def scenario_items(language: str, extra: list[str] = []) -> list[dict[str, str]]:  # noqa: B006
    """The scenarios to choose from, by their name in ``language`` (uploaded ones by file)."""
    items = [
        {"text": names.scenario_label(name, language), "value": name}
        for name in available_scenarios()
    ]
    for ref in extra:
        found = state.uploaded_file(ref)
        if found is not None and all(it["value"] != ref for it in items):
            items.append({"text": tr("uploaded_item", name=found[0]), "value": ref})
    return items


def settings_from_link(search: str | None, current: Settings) -> tuple[Settings, list[str]]:
    """The settings a link describes (what it leaves out stays as ``current``), and what
    could not be used, said in the page's language."""
    link = links.read_compare(search, available_scenarios(), available_cities(), MAX_VARIANTS)
    problems = [tr(key, **fmt) for key, fmt in link.problems]
    s = current
    if link.city:
        s = replace(s, city=link.city)
    if link.uncertainty:
        s = replace(s, uncertainty=link.uncertainty)
    if link.capacity is not None:
        s = replace(s, capacity=link.capacity)
    if len(link.strategies) >= 2:
        variants = []
        for st in link.strategies:
            if st.scenario.startswith("upload:") and state.uploaded_file(st.scenario) is None:
                problems.append(tr("link_upload_gone"))
                continue
            variants.append(
                Variant(st.scenario, st.changes, city=None if st.city == s.city else st.city)
            )
        if len(variants) >= 2:
            s = replace(s, variants=tuple(variants))
    for name, value in link.numbers.items():
        low, high = LIMITS[name]
        label = tr(
            {
                "replicates": "replicates",
                "weeks": "weeks",
                "residents": "residents",
                "draws": "dc_draws_label",
            }[name]
        )
        from willsim.app.fields import clip_note

        used, note = clip_note(label, value, low, high)
        if note:
            problems.append(note)
        s = replace(s, **{name: used})
    return s, problems


def settings_search(s: Settings, language: str) -> str:
    return links.compare_search(
        s.city,
        [links.StrategyLink(v.scenario, v.changes, v.city) for v in s.variants],
        s.replicates,
        s.weeks,
        s.residents,
        language,
        uncertainty=s.uncertainty,
        draws=s.draws,
        capacity=s.capacity,
    )


def from_explore_variant() -> Variant:
    """What is set up on Explore as a strategy: its scenario (an uploaded one too), its city
    and every changed parameter except the run's length, population and seed."""
    ch = state.choice.value
    changes = "\n".join(
        f"{k} = {_toml(v)}" for k, v in ch.overrides.items() if not k.startswith("run.")
    )
    scenario = ch.scenario
    if ch.uploaded is not None and not scenario.startswith("upload:"):
        scenario = state.remember_upload(ch.uploaded_name or "uploaded.toml", ch.uploaded)
    city = ch.city
    if city is None:
        try:
            city = state.resolve(ch).scenario.city
        except ScenarioError:
            city = None
    return Variant(scenario, changes, city=city)


@solara.component
def ComparePage():
    s = settings.value
    res = result.value
    running = compare_task.pending
    language = i18n.lang.value
    router = solara.use_router()
    ready, set_ready = solara.use_state(False)
    problems, set_problems = solara.use_state(cast(list, []))
    error = ""
    try:
        build_scenarios(s)
    except ScenarioError as exc:
        error = str(exc)

    def open_link() -> None:
        new, found = settings_from_link(router.search, settings.value)
        settings.value = new
        set_problems(found)
        try:
            cached = cached_result(inputs_key(new))
        except ScenarioError:
            cached = None
        if cached is not None and (result.value is None or result.value.key != cached.key):
            result.value = replace(cached, cached=True)
        set_ready(True)

    solara.use_effect(open_link, [])

    def write_link() -> None:
        if not ready:
            return
        search = settings_search(settings.value, language)
        if router.set_path is not None and (router.search or "") != search.lstrip("?"):
            router.push("/compare" + search)

    solara.use_effect(write_link, [s, language, ready, router.search])

    def set_number(name: str, value: int) -> None:
        settings.value = replace(settings.value, **{name: value})

    def set_flag(name: str, value: bool) -> None:
        settings.value = replace(settings.value, **{name: value})

    def set_mode(mode: str) -> None:
        if mode != settings.value.uncertainty:
            settings.value = replace(
                settings.value, uncertainty=mode, replicates=DEFAULT_REPLICATES[mode]
            )

    def add(v: Variant) -> None:
        if len(settings.value.variants) < MAX_VARIANTS:
            settings.value = replace(settings.value, variants=(*settings.value.variants, v))

    def set_city(city: str) -> None:
        vs = tuple(replace(v, city=None) for v in settings.value.variants)
        settings.value = replace(settings.value, city=city, variants=vs)

    def start() -> None:
        result.value = None  # the old results go at once: a new run never shows them
        compare_task(settings.value, state.session_stop())

    with solara.Column(classes=["compare-page"]):
        with solara.Div(classes=["compare-link-problems"]):
            for line in problems:
                solara.Warning(line, dense=True)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Markdown(f"### {tr('variants')}")
            with solara.Div(classes=["compare-city"], style={"min-width": "16em"}):
                solara.v.Select(
                    label=tr("cmp_city"),
                    items=i18n.city_items(available_cities()),
                    v_model=s.city,
                    on_v_model=set_city,
                    disabled=running,
                )
        with solara.Row(style={"flex-wrap": "wrap"}):
            for i, v in enumerate(s.variants):
                VariantEditor(i, v, running)
        LeversNote()
        with solara.Row():
            solara.Button(
                tr("add_variant"),
                on_click=lambda: add(Variant()),
                disabled=running or len(s.variants) >= MAX_VARIANTS,
            )
            solara.Button(
                tr("from_explore"),
                on_click=lambda: add(from_explore_variant()),
                disabled=running or len(s.variants) >= MAX_VARIANTS,
                classes=["btn-from-explore"],
            )
        with solara.Row(
            classes=["compare-uncertainty"], style={"align-items": "center", "flex-wrap": "wrap"}
        ):
            with solara.Div(classes=["compare-mode"], style={"min-width": "22em"}):
                solara.v.Select(
                    label=tr("dc_uncertainty_label"),
                    items=[
                        {"text": tr("dc_mode_seeds_short"), "value": "seeds"},
                        {"text": tr("dc_mode_parameters_short"), "value": "parameters"},
                    ],
                    v_model=s.uncertainty,
                    on_v_model=set_mode,
                    disabled=running,
                )
            if s.uncertainty == "parameters":
                low, high = LIMITS["draws"]
                BoundedInt(
                    tr("dc_draws_label"),
                    s.draws,
                    low,
                    high,
                    on_value=lambda x: set_number("draws", x),
                    disabled=running,
                    classes=["compare-draws"],
                )
            with solara.Div(classes=["compare-capacity"]):
                solara.Checkbox(
                    label=tr("dc_capacity_label"),
                    value=s.capacity,
                    on_value=lambda x: set_flag("capacity", bool(x)),
                    disabled=running,
                )
        with solara.Row(classes=["compare-numbers"]):
            reps = "dc_seeds_per_draw" if s.uncertainty == "parameters" else "replicates"
            for name, label in (
                ("replicates", tr(reps)),
                ("weeks", tr("weeks")),
                ("residents", tr("residents")),
            ):
                low, high = LIMITS[name]
                BoundedInt(
                    label,
                    getattr(s, name),
                    low,
                    high,
                    on_value=lambda x, name=name: set_number(name, x),
                    disabled=running,
                    classes=[f"compare-{name}"],
                )
        with solara.Div():
            if error:
                solara.Error(error, classes=["compare-error"])
        with solara.Row():
            solara.Button(
                tr("run_compare"),
                color="primary",
                classes=["btn-compare"],
                disabled=running or bool(error) or len(s.variants) < 2,
                on_click=start,
            )
            solara.Button(
                tr("cancel"),
                on_click=compare_task.cancel,
                disabled=not running,
                classes=["btn-cancel"],
            )
        with solara.Div():
            if running:
                solara.ProgressLinear(compare_task.progress or True)
                solara.Text(
                    tr("running", pct=f"{compare_task.progress or 0:.0f}"),
                    classes=["compare-progress"],
                )
            elif compare_task.cancelled:
                solara.Info(tr("cancelled"), classes=["compare-cancelled"])
        with solara.Div():
            if res is not None and res.series and not running:
                CompareResults(res)


@solara.component
def TableView(frame: pd.DataFrame, raw: pd.DataFrame, stem: str, classes: list[str] = []):  # noqa: B006
    """A table as shown, with CSV and Parquet downloads of its language-neutral data."""
    csv = solara.use_memo(lambda: lambda: export.csv_bytes(raw), [id(raw)])
    parquet = solara.use_memo(lambda: lambda: export.parquet_bytes(raw), [id(raw)])
    with solara.Column(classes=["table-view", *classes], gap="2px"):
        if not frame.empty:
            solara.DataFrame(frame, items_per_page=max(10, min(len(frame), 40)))
        with solara.Row(classes=["table-downloads"], gap="4px"):
            solara.FileDownload(csv, filename=f"{stem}.csv", label="CSV", mime_type="text/csv")
            solara.FileDownload(
                parquet,
                filename=f"{stem}.parquet",
                label="Parquet",
                mime_type="application/vnd.apache.parquet",
            )


def briefing(res: Result, language: str) -> report_page.Briefing:
    """The report of a comparison as shown (same runs, language, names, scenarios and
    command)."""
    assert res.paired is not None
    shown = res.names_in(language)
    runs = names.relabel_runs(res.paired, shown)
    extra = uncertainty_parts(res, shown)
    economics = None
    try:
        economics = tables.economics_for(runs, language, res.scenarios[0].params, extra["mode"])
    except Exception:  # an optional add-on must not break the report
        economics = None
    return report_page.Briefing(
        runs=runs,
        scenarios=res.scenarios,
        language=language,
        series=names.relabel_keys(res.series, shown),
        policy_log=names.relabel_frame(res.policy_log, shown),
        economics=economics,
        command=export.comparison_command(res.scenarios, len(res.seeds)),
        equity=names.relabel_frame(res.equity, shown) if "verdict" in res.equity.columns else None,
        **extra,
    )


def uncertainty_parts(res: Result, shown: dict[str, str]) -> dict[str, Any]:
    """The uncertainty mode, capacity searches, drivers and acceptability curve of a result,
    with strategies named as shown (the briefing's and the cards' extra inputs)."""
    cmp = res.comparison
    if cmp is None:
        return {"mode": "seeds"}
    plan = cmp.plan
    return {
        "mode": cmp.mode,
        "capacity": {shown.get(k, k): v for k, v in plan.capacity.items()},
        "capacity_of": {shown.get(k, k): shown.get(v, v) for k, v in plan.capacity_of.items()},
        "drivers": names.relabel_frame(cmp.influence(), shown),
        "ceac": names.relabel_frame(cmp.ceac(), shown),
        "draws_source": "priors" if plan.draws is not None else "",
        "seeds_per_draw": len(plan.draw_seeds[0]) if plan.draw_seeds else 0,
    }


def report_bytes(res: Result, language: str) -> bytes:
    return report_page.build_report(briefing(res, language)).encode("utf-8")


@dataclass
class Tables:
    """Everything the results panels show, computed once per result and language."""

    key_figures: pd.DataFrame
    key_raw: pd.DataFrame
    headlines: list[str]
    equity_raw: pd.DataFrame
    equity_lines: list[str]
    costs: pd.DataFrame
    costs_raw: pd.DataFrame
    timeline_raw: pd.DataFrame
    timeline: pd.DataFrame
    economics: tables.Economics | None = None
    economics_error: str = ""
    cards_html: str = ""
    glossary: pd.DataFrame = field(default_factory=pd.DataFrame)
    ceac: pd.DataFrame | None = None  # the acceptability curve (parameters mode)


def results_tables(res: Result, language: str, key: str) -> Tables:
    from willsim.experiments.decisions import CityScale, decision_table

    assert res.paired is not None
    shown = res.names_in(language)
    runs = names.relabel_runs(res.paired, shown)
    extra = uncertainty_parts(res, shown)
    mode = extra["mode"]
    weeks = int(res.scenarios[0].params["run.weeks"])
    scale = CityScale.of(runs, weeks)
    keys = list(dict.fromkeys((key, *tagged("key"))))
    decisions = decision_table(runs, mode, None, "holm", scale)
    shown_keys = decision_table(runs, mode, keys, "holm", scale)
    equity = (
        names.relabel_frame(res.equity, shown)
        if "verdict" in res.equity.columns
        else tables.equity_data(runs)
    )
    costs_raw = names.relabel_frame(res.costs, shown)
    timeline = names.relabel_frame(res.timeline, shown)
    out = Tables(
        key_figures=tables.key_figures(runs, language, keys, decisions=shown_keys),
        key_raw=shown_keys,
        headlines=tables.headlines(runs, language, decisions=decisions),
        equity_raw=equity,
        equity_lines=tables.equity_lines(runs, language, equity),
        costs=tables.costs_table(runs, language, costs_raw),
        costs_raw=costs_raw,
        timeline_raw=timeline,
        timeline=tables.timeline_table(timeline, language),
    )
    try:
        out.economics = tables.economics_for(runs, language, res.scenarios[0].params, mode)
    except Exception as exc:  # an optional add-on must not break the page
        out.economics_error = str(exc)
    b = report_page.Briefing(
        runs=runs,
        scenarios=res.scenarios,
        language=language,
        seeds_per_draw=extra.get("seeds_per_draw", 0),
        draws_source=extra.get("draws_source", ""),
    )
    descriptions = {
        shown.get(n, n): i18n.pick(sc.description, language)
        for n, sc in zip(res.names, res.scenarios, strict=False)
    }
    vfm = out.economics.table if out.economics is not None else None
    if vfm is not None and not {"scenario", "item", "mean", "note"} <= set(vfm.columns):
        vfm = None
    cards = card.cards(
        decisions,
        language,
        mode=mode,
        years=scale.years,
        groups=equity,
        vfm=vfm,
        descriptions=descriptions,
        capacity=extra.get("capacity"),
        capacity_of=extra.get("capacity_of"),
        drivers=extra.get("drivers"),
        calibrated=any(report_page.calibrated(sc) for sc in res.scenarios),
        value_per_qol=float(res.scenarios[0].params["economics.value_per_qol_year"]),
    )
    out.cards_html = card.cards_html(cards, language, report_page.mode_text(b, mode))
    out.ceac = extra.get("ceac")
    out.glossary = card.glossary(
        [key, *report_page.shown_indicators(decisions, equity, costs_raw)], language
    )
    return out


def replicates_text(res: Result) -> str:
    """``5 replicates`` or, with parameter uncertainty, ``10 parameter sets × 2 seeds``."""
    plan = res.comparison.plan if res.comparison is not None else None
    if plan is not None and plan.draw_seeds:
        return tr("dc_setup_draws", draws=len(plan.draw_seeds), seeds=len(plan.draw_seeds[0]))
    return tr("count_replicates", n=len(res.seeds))


@solara.component
def CompareResults(res: Result):
    language = i18n.lang.value
    key, set_key = solara.use_state("unmet_need_share")
    eq_key, set_eq_key = solara.use_state("unmet_need_share")
    t = solara.use_memo(lambda: results_tables(res, language, key), [id(res), language, key])
    sc = res.scenarios[0]
    weeks = int(sc.params["run.weeks"])
    with solara.Column(classes=["compare-results"]):
        solara.Text(
            tr(
                "cmp_done",
                strategies=tr("count_strategies", n=len(res.names)),
                replicates=replicates_text(res),
                weeks=tr("count_weeks", n=weeks),
                residents=tr(
                    "count_residents",
                    n=int(sc.params["run.residents"]) or int(sc.params["city.population"]),
                ),
                secs=i18n.number(res.elapsed, 1),
            ),
            classes=["compare-done"],
        )
        if res.cached:
            solara.Info(tr("cmp_cached"), dense=True, classes=["compare-cached"])
        if not res.complete:
            solara.Warning(tr("cmp_partial"))

        solara.Markdown(f"#### {tr('dc_title')}")
        solara.HTML(tag="div", unsafe_innerHTML=t.cards_html, classes=["compare-cards"])
        with (
            solara.Div(classes=["compare-fold"]),
            solara.Details(summary=tr("dc_more"), expand=False),
        ):
            CompareDetails(res, t, key, set_key, eq_key, set_eq_key)
        ExportPanel(res, language)


@solara.component
def CompareDetails(res: Result, t: Tables, key: str, set_key, eq_key: str, set_eq_key):
    """The details below the decision cards: the chart over time, key figures, who gains and
    who loses, costs, the policy timeline and the definition of every indicator shown."""
    language = i18n.lang.value
    shown = res.names_in(language)
    ref = shown.get(res.names[0], res.names[0])
    series = solara.use_memo(lambda: names.relabel_keys(res.series, shown), [id(res), language])
    weeks = int(res.scenarios[0].params["run.weeks"])
    eq_keys = [k for k in tagged("equity") if k in set(t.equity_raw["indicator"])]
    current = eq_key if eq_key in eq_keys else (eq_keys[0] if eq_keys else "")
    band = solara.use_memo(
        lambda: plots.band_figure(series[key], key, language), [id(res), key, language]
    )
    eq_fig = solara.use_memo(
        lambda: charts.equity_figure(t.equity_raw, current, language) if current else None,
        [id(res), current, language],
    )
    cost_fig = solara.use_memo(
        lambda: charts.costs_figure(t.costs_raw, language) if not t.costs_raw.empty else None,
        [id(res), language],
    )
    tl_fig = solara.use_memo(
        lambda: (
            charts.timeline_figure(
                t.timeline_raw, [shown.get(n, n) for n in res.names], weeks, language
            )
            if not t.timeline_raw.empty
            else None
        ),
        [id(res), language],
    )
    ceac_fig = solara.use_memo(
        lambda: charts.ceac_figure(t.ceac, language) if t.ceac is not None else None,
        [id(res), language],
    )
    with solara.Column(classes=["compare-details"]):
        solara.Markdown(f"#### {tr('cmp_over_time')}")
        solara.v.Select(
            label=tr("indicator"),
            v_model=key,
            on_v_model=set_key,
            items=[{"text": i18n.indicator_label(k), "value": k} for k in INDICATORS],
        )
        solara.Text(
            INDICATORS[key].definition_in(language),
            classes=["indicator-definition"],
            style={"font-size": "0.85em"},
        )
        InteractiveChart(
            band,
            lambda: charts.band_figure(series[key], key, language),
            f"willsim-comparison-{key}",
            [id(res), key, language],
            ["compare-band-chart"],
        )
        solara.Text(tr("band"), style={"font-size": "0.85em"})

        solara.Markdown(f"#### {tr('differences', ref=ref)}")
        with solara.Column(classes=["compare-headlines"]):
            for line in t.headlines:
                solara.Text(line)
        TableView(t.key_figures, t.key_raw, "willsim-key-figures", ["compare-key-figures"])

        solara.Markdown(f"#### {tr('cmp_equity')}")
        solara.Text(tr("cmp_equity_help", ref=ref), style={"font-size": "0.85em"})
        with solara.Column(classes=["compare-equity"]):
            for line in t.equity_lines:
                solara.Text(line)
            if eq_fig is not None:
                solara.v.Select(
                    label=tr("indicator"),
                    v_model=current,
                    on_v_model=set_eq_key,
                    items=[{"text": i18n.indicator_label(k), "value": k} for k in eq_keys],
                )
                ChartView(eq_fig, f"willsim-equity-{current}", [id(res), current, language])
                TableView(
                    tables.equity_table(res.paired, language, current, t.equity_raw),
                    t.equity_raw,
                    "willsim-equity",
                )

        solara.Markdown(f"#### {tr('cmp_costs')}")
        solara.Text(tr("cmp_costs_help", ref=ref), style={"font-size": "0.85em"})
        with solara.Column(classes=["compare-costs"]):
            if cost_fig is not None:
                ChartView(cost_fig, "willsim-costs", [id(res), language])
            TableView(t.costs, t.costs_raw, "willsim-costs")
            if t.economics is not None:
                solara.Markdown(f"##### {tr('cmp_economics')}")
                TableView(
                    tables.economics_table(t.economics.table, language),
                    t.economics.table,
                    "willsim-value-for-money",
                )
                for line in t.economics.assumptions:
                    solara.Text("• " + line, style={"font-size": "0.85em"})
                if ceac_fig is not None:
                    solara.Markdown(f"##### {tr('dc_ceac')}")
                    solara.Text(tr("dc_ceac_help"), style={"font-size": "0.85em"})
                    ChartView(ceac_fig, "willsim-ceac", [id(res), language])
            elif t.economics_error:
                solara.Warning(tr("cmp_economics_error", error=t.economics_error))

        solara.Markdown(f"#### {tr('cmp_timeline')}")
        solara.Text(tr("cmp_timeline_help"), style={"font-size": "0.85em"})
        with solara.Column(classes=["compare-timeline"]):
            if tl_fig is None:
                solara.Text(tr("cmp_timeline_none"))
            else:
                ChartView(tl_fig, "willsim-policy-timeline", [id(res), language])
                TableView(t.timeline, t.timeline_raw, "willsim-policy-timeline")

        solara.Markdown(f"#### {tr('dc_glossary')}")
        solara.Text(tr("dc_glossary_help"), style={"font-size": "0.85em"})
        with solara.Column(classes=["compare-glossary"]):
            solara.DataFrame(t.glossary, items_per_page=max(10, len(t.glossary)))


@solara.component
def ExportPanel(res: Result, language: str):
    csv_data = solara.use_memo(lambda: lambda: long_csv(res), [id(res)])
    parquet_data = solara.use_memo(lambda: lambda: long_parquet(res), [id(res)])
    html_data = solara.use_memo(lambda: lambda: report_bytes(res, language), [id(res), language])
    tomls = solara.use_memo(
        lambda: [export.scenario_file(sc).encode("utf-8") for sc in res.scenarios], [id(res)]
    )
    stems = export.strategy_stems(res.scenarios)
    solara.Markdown(f"#### {tr('cmp_export')}")
    solara.Text(tr("cmp_export_help"), style={"font-size": "0.85em"})
    with solara.Column(classes=["compare-export"]):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(
                csv_data,
                filename="willsim-comparison.csv",
                label=tr("download_csv"),
                mime_type="text/csv",
            )
            solara.FileDownload(
                parquet_data,
                filename="willsim-comparison.parquet",
                label=tr("cmp_parquet"),
                mime_type="application/vnd.apache.parquet",
            )
            solara.FileDownload(
                html_data,
                filename=f"willsim-briefing-{language}.html",
                label=tr("cmp_report"),
                mime_type="text/html",
            )
        with solara.Row(style={"flex-wrap": "wrap"}):
            for i, (stem, data) in enumerate(zip(stems, tomls, strict=True)):
                solara.FileDownload(
                    data,
                    filename=f"{stem}.toml",
                    label=tr("cmp_toml", i=i + 1),
                    mime_type="application/toml",
                )
        solara.Text(tr("cmp_reproduce"), style={"font-size": "0.85em"})
        solara.Preformatted(
            export.comparison_command(res.scenarios, len(res.seeds), stems),
            class_="compare-command",
            style_=WRAP,
        )


def long_parquet(res: Result) -> bytes:
    """:func:`long_csv` as Parquet."""
    import io

    return export.parquet_bytes(pd.read_csv(io.BytesIO(long_csv(res))))


def _toml(value: Any) -> str:
    return json.dumps(value)
