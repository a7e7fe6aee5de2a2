"""Explore: pick a city and a scenario, change parameters, run the model live.

Run plays the model in a background task (the page stays responsive; Pause cancels the task and
keeps the model where it is), Step advances one week, Reset rebuilds the model from the current
settings. The charts show the key city-level indicators as the weeks go by; the ecosystem view
(:mod:`willsim.app.ecosystem`) draws residents, providers and the week's flows, and a click on a
resident opens their journey (:mod:`willsim.app.journey`), logged by the model's journal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import cast

import solara

from willsim.app import export, i18n, links, state
from willsim.app.controls import ControlsPanel
from willsim.app.ecosystem import EcosystemView
from willsim.app.i18n import tr
from willsim.app.journey import CitizenCard
from willsim.app.plotly_view import PlotlyChart
from willsim.indicators import INDICATORS, tagged
from willsim.reporting import names, plots
from willsim.reporting.charts import titled
from willsim.reporting.errors import message as error_message
from willsim.scenario import ScenarioError, available_cities, available_scenarios, load_scenario

STEP_DELAY = float(os.environ.get("WILLSIM_APP_STEP_DELAY", "0"))  # seconds/week (tests, demos)
PUBLISH_EVERY = 0.5  # seconds between updates of the week counter during a run
CHART_EVERY = 2.0  # seconds between chart redraws during a run
LIVE_VIEW_EVERY = 6.0  # seconds between redraws of the ecosystem and journey during a run


def publish(run: state.ExploreRun, charts_too: bool = True) -> None:
    """Show the live model's week (and, if ``charts_too``, its latest indicators)."""
    if charts_too:
        state.explore_frame.value = run.frame()
    state.explore_version.value += 1


@solara.lab.task
def play(run: state.ExploreRun) -> None:
    """Advance ``run`` to its last week in a background thread.

    The week counter and progress are published twice a second, the charts and monitors every
    :data:`CHART_EVERY` seconds, so renders never pile up.
    """
    last = last_chart = time.monotonic()
    while not run.done and play.is_current():
        run.advance(1)
        if STEP_DELAY:
            time.sleep(STEP_DELAY)
        now = time.monotonic()
        if now - last > PUBLISH_EVERY:
            play.progress = 100.0 * run.model.week / max(run.model.weeks, 1)
            charts_too = now - last_chart > CHART_EVERY
            publish(run, charts_too)
            last = time.monotonic()
            if charts_too:
                last_chart = last
    publish(run)


def current_run(choice: state.Choice) -> state.ExploreRun:
    """The session's live model for ``choice``, rebuilt if the settings changed."""
    run = state.explore_model.value
    if run is None or run.choice != choice:
        run = state.ExploreRun(state.resolve(choice))
        run.choice = choice
        state.replace_explore_model(run)
    return run


def resolve_or_error(choice: state.Choice) -> tuple[state.Built | None, str]:
    try:
        return state.resolve(choice), ""
    except ScenarioError as exc:
        return None, error_message(exc, i18n.lang.value)


@solara.component
def UploadBox():
    message, set_message = solara.use_state(("", ""))

    def on_file(info) -> None:
        name = info["name"]
        try:
            if info["size"] > state.MAX_UPLOAD_BYTES:
                raise ScenarioError(
                    tr(
                        "upload_too_big",
                        name=name,
                        size=i18n.number(info["size"] // 1024),
                        limit=i18n.number(state.MAX_UPLOAD_BYTES // 1024),
                    )
                )
            data = info["file_obj"].read(state.MAX_UPLOAD_BYTES + 1)
            text = state.validate_upload(name, data)
        except ScenarioError as exc:
            set_message(("error", tr("upload_bad", error=error_message(exc, i18n.lang.value))))
            return
        ref = state.remember_upload(name, text)
        state.choice.value = replace(
            state.choice.value, uploaded=text, uploaded_name=name, scenario=ref
        )
        set_message(("success", tr("uploaded", name=name)))

    solara.FileDrop(
        label=tr("upload", kb=state.MAX_UPLOAD_BYTES // 1024), on_file=on_file, lazy=True
    )
    kind, text = message
    if text:
        (solara.Error if kind == "error" else solara.Success)(text, classes=["upload-message"])


@solara.component
def Sidebar(built: state.Built | None, error: str):
    ch = state.choice.value
    running = play.pending
    scenarios = available_scenarios()
    items = [{"text": names.scenario_label(s, i18n.lang.value), "value": s} for s in scenarios]
    if ch.uploaded is not None:
        items.append({"text": tr("uploaded_item", name=ch.uploaded_name), "value": ch.scenario})

    def pick_scenario(name: str) -> None:
        state.choice.value = replace(
            ch, scenario=name, uploaded=None, uploaded_name=None, city=None, overrides={}
        )

    with solara.Column(classes=["explore-sidebar"], style={"min-width": "340px"}):
        with solara.Div(classes=["scenario-select"]):
            solara.v.Select(
                label=tr("scenario"),
                items=items,
                v_model=ch.scenario,
                on_v_model=pick_scenario,
                disabled=running,
            )
        default_city = built.scenario.city if built else None
        with solara.Div(classes=["city-select"]):
            solara.v.Select(
                label=tr("city"),
                items=i18n.city_items(available_cities()),
                v_model=ch.city or default_city,
                disabled=running,
                on_v_model=lambda c: state.choice.set(replace(ch, city=c)),
            )
        with solara.Div():
            if built is not None:
                solara.Text(i18n.pick(built.scenario.description), style={"font-size": "0.85em"})
        UploadBox()
        with solara.Div():
            if error:
                solara.Error(tr("invalid_settings", error=error), classes=["settings-error"])
        values = built.values if built else load_scenario(state.DEFAULT_APP_SCENARIO).params
        ControlsPanel(
            values,
            ch.overrides,
            disabled=running,
            on_change=lambda o: state.choice.set(replace(ch, overrides=o)),
        )


@solara.component
def ExportBox(built: state.Built):
    scenario = built.scenario
    frame = state.explore_frame.value
    stem = export.file_stem(scenario)
    # stable callables: FileDownload forgets a pending download when its data changes
    csv_data = solara.use_memo(lambda: lambda: export.frame_csv(frame), [id(frame)])
    toml_data = solara.use_memo(
        lambda: lambda: export.scenario_file(scenario),
        [scenario.hash, scenario.city, scenario.params["run.seed"]],
    )
    with solara.Row(classes=["export-row"]):
        if frame.empty or state.explore_model.value is None:
            # nothing to download before a run: the button says so instead of an empty file
            solara.Button(tr("download_csv"), disabled=True, classes=["btn-csv-disabled"])
        else:
            solara.FileDownload(
                csv_data, filename=f"{stem}.csv", label=tr("download_csv"), mime_type="text/csv"
            )
        solara.FileDownload(
            toml_data,
            filename=f"{stem}.toml",
            label=tr("download_toml"),
            mime_type="application/toml",
        )
    solara.Text(tr("reproduce_help"))
    solara.Preformatted(export.command_line(scenario), classes=["command-line"])


@solara.component
def LivePanel(built: state.Built | None, choice: state.Choice):
    """Status, charts, ecosystem, export and the journey: the only part redrawn during a run."""
    run = state.explore_model.value
    frame = state.explore_frame.value
    state.explore_version.value  # noqa: B018  (re-render as the model advances)
    language = i18n.lang.value
    live = run if (run is not None and run.choice == choice) else None
    # conditional parts sit in fixed containers, so the widgets after them (the download
    # buttons) keep their identity when a run starts or ends
    with solara.Column(gap="2px", classes=["run-status"]):
        if play.pending:
            solara.ProgressLinear(play.progress or True)
            solara.Text(tr("running", pct=f"{play.progress or 0:.0f}"), classes=["run-progress"])
        if live is None:
            solara.Text(tr("not_started"), classes=["week-status"])
        else:
            model = live.model
            mode = (
                tr("mode_full")
                if model.population_mode == "full"
                else tr("mode_sampled", w=i18n.number(model.citizens.weight, 2))
            )
            solara.Text(tr("week_of", week=model.week, weeks=model.weeks), classes=["week-status"])
            solara.Text(tr("population_line", n=i18n.number(model.citizens.n), mode=mode))
    weeks = int(built.scenario.params["run.weeks"]) if built else 0
    shown = frame if live is not None else frame.iloc[0:0]
    deps = [id(frame), language, weeks, live is None]
    chart = solara.use_memo(lambda: plots.live_figure(shown, weeks, language), deps)
    Monitors(shown, language)
    with solara.Card(tr("key_indicators"), classes=["live-charts"]):
        solara.Text(tr("live_charts_help", weeks=plots.SMOOTH_WEEKS), style={"font-size": "0.85em"})
        PlotlyChart(chart.figure, chart.alt, classes=["live-chart"], dependencies=deps)
        with solara.Details(summary=tr("dc_glossary"), expand=False):
            IndicatorDefinitions(tagged("headline"), language)
    # the map and journey redraw with each published frame when idle, and every few seconds
    # during a run (they cost as much as the charts)
    token = (
        int(time.monotonic() // LIVE_VIEW_EVERY) if play.pending else hash((id(frame), len(frame)))
    )
    selected = state.selected_resident.value
    EcosystemView(live, token, selected, state.selected_resident.set)
    CitizenCard(live, token, selected if selected is not None else 0, state.selected_resident.set)
    with solara.Div():
        if built is not None:
            ExportBox(built)


def monitor_values(frame, language: str) -> list[tuple[str, str, str, str]]:
    """``(key, label, value, note)`` of each headline indicator now: the latest week's value,
    or for a noisy weekly series its moving average (the note says which)."""
    out = []
    for key in tagged("headline"):
        ind = INDICATORS[key]
        note = ""
        if frame.empty or key not in frame:
            shown = "–"
        else:
            series = frame[key].to_numpy(dtype=float)
            if plots.noisy(key):
                latest = plots.moving_average(series)[-1]
                note = tr("monitor_average", weeks=plots.SMOOTH_WEEKS)
            else:
                latest = series[-1]
                note = tr("monitor_week", week=len(frame))
            shown = i18n.fmt_value(latest, ind.unit, language)
        out.append((key, titled(key, language), shown, note))
    return out


@solara.component
def Monitors(frame, language: str):
    """NetLogo-style monitors: each headline indicator's current value, in the page's format."""
    with solara.Row(classes=["monitors"], style={"flex-wrap": "wrap", "gap": "6px"}):
        for key, label, shown, note in monitor_values(frame, language):
            with solara.Div(
                classes=["monitor", f"monitor-{key}"],
                style={
                    "border": "1px solid #c9d6e3",
                    "border-radius": "6px",
                    "padding": "4px 10px",
                    "min-width": "9.5em",
                    "background": "#f7fafc",
                },
            ):
                solara.Text(label, style={"font-size": "0.8em", "color": "#444"})
                solara.Div(
                    children=[shown],
                    classes=["monitor-value"],
                    style={"font-size": "1.35em", "font-weight": "bold", "color": "#1b6ca8"},
                )
                solara.Text(note, style={"font-size": "0.7em", "color": "#666"})


@solara.component
def IndicatorDefinitions(keys: Sequence[str], language: str):
    """Each indicator's definition, unit and better direction, from the registry."""
    from willsim.reporting.card import glossary

    table = solara.use_memo(lambda: glossary(keys, language), [tuple(keys), language])
    with solara.Column(classes=["indicator-definitions"]):
        solara.DataFrame(table, items_per_page=max(10, len(table)))


def choice_from_link(search: str | None, current: state.Choice) -> tuple[state.Choice, list[str]]:
    """The Explore settings a link describes (``current`` if it names none), and what could
    not be used, in the page's language."""
    link = links.read_explore(search, available_scenarios(), available_cities())
    problems = [tr(key, **fmt) for key, fmt in link.problems]
    if link.scenario is None and link.city is None and not link.overrides:
        return current, problems
    try:
        ch = state.choice_for(link.scenario or current.scenario, link.city, link.overrides)
    except ScenarioError:
        problems.append(tr("link_upload_gone"))
        return current, problems
    return ch, problems


@solara.component
def ExplorePage():
    ch = state.choice.value
    run = state.explore_model.value
    language = i18n.lang.value
    router = solara.use_router()
    ready, set_ready = solara.use_state(False)
    problems, set_problems = solara.use_state(cast(list, []))

    def open_link() -> None:
        new, found = choice_from_link(router.search, state.choice.value)
        if new != state.choice.value:
            state.choice.value = new
        set_problems(found)
        set_ready(True)

    solara.use_effect(open_link, [])

    def write_link() -> None:
        if not ready or router.set_path is None:
            return
        c = state.choice.value
        search = links.explore_search(c.scenario, c.city, c.overrides, language)
        if (router.search or "") != search.lstrip("?"):
            router.push("/" + search)

    # router.search too: on the first load the browser's own address (without settings) may
    # arrive after the page's first write, which is then made again
    solara.use_effect(write_link, [ch, language, ready, router.search])
    built, error = solara.use_memo(lambda: resolve_or_error(ch), [ch, language])
    live = run if (run is not None and run.choice == ch) else None
    running = play.pending

    def on_run() -> None:
        play(current_run(ch))

    def on_step() -> None:
        r = current_run(ch)
        r.advance(1)
        publish(r)

    def on_reset() -> None:
        if play.pending:
            play.cancel()
        r = state.ExploreRun(state.resolve(ch))
        r.choice = ch
        state.replace_explore_model(r)

    finished = bool(live and live.done)
    with solara.Div(classes=["explore-link-problems"]):
        for line in problems:
            solara.Warning(line, dense=True)
    with solara.Columns([1, 2]):
        Sidebar(built, error)
        with solara.Column():
            with solara.Row(classes=["run-buttons"]):
                solara.Button(
                    tr("run"),
                    on_click=on_run,
                    color="primary",
                    disabled=bool(error) or running or finished,
                    classes=["btn-run"],
                )
                solara.Button(
                    tr("pause"), on_click=play.cancel, disabled=not running, classes=["btn-pause"]
                )
                solara.Button(
                    tr("step"),
                    on_click=on_step,
                    disabled=bool(error) or running or finished,
                    classes=["btn-step"],
                )
                fresh = live is None or (live.model.week == 0 and not running)
                solara.Button(
                    tr("reset"),
                    on_click=on_reset,
                    disabled=bool(error) or fresh,
                    classes=["btn-reset"],
                )
            with solara.Div():
                if built is not None and built.capped_message:
                    m = built.capped_message
                    solara.Warning(
                        tr(
                            "capped",
                            cap=i18n.number(m["cap"]),
                            city=m["city"],
                            population=i18n.number(m["population"]),
                        ),
                        classes=["capped-message"],
                    )
            LivePanel(built, ch)
