"""Results: design a small sweep in the browser, run it on the local engine, then browse it.

BehaviorSpace-style: pick a base scenario and city, one to four parameters of the registry with
their ranges, a grid or a Latin hypercube, replicates, weeks and residents (within the app's
caps, :mod:`willsim.app.sweep_form`). **Run the sweep** writes an ordinary sweep folder under the
results root and runs it in the background with a progress bar and **Cancel**; when it ends the
folder is opened below, and the commands that resume or summarise it from the command line are
shown. Closing the page stops the sweep (the stored runs are kept: ``--resume`` completes it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import solara

from willsim.app import i18n, state
from willsim.app.fields import BoundedInt
from willsim.app.i18n import tr
from willsim.app.sweep_form import (
    LIMITS,
    MAX_FACTORS,
    MAX_RUNS,
    Factor,
    FormError,
    SweepForm,
    check,
    folder_for,
    sweepable,
)
from willsim.experiments import SpecError
from willsim.params import PARAMETERS
from willsim.reporting import names
from willsim.reporting.errors import message as error_message
from willsim.scenario import ScenarioError, available_cities, available_scenarios

form = solara.reactive(SweepForm())
target = solara.reactive("")  # the folder typed; empty: the next free runs/app-sweep-N


def free_folder(root: Path, stem: str = "runs/app-sweep") -> str:
    """The first ``runs/app-sweep-N`` that does not exist under ``root``."""
    n = 1
    while (root / f"{stem}-{n}").exists():
        n += 1
    return f"{stem}-{n}"


@dataclass
class Launched:
    """A sweep run from the page: its folder, the report and how long it took."""

    folder: Path
    relative: str
    done: int = 0
    failed: int = 0
    total: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    error: str = ""


def _resolve(scenario: str, city: str | None) -> Any:
    return state.resolve(state.Choice(scenario, city)).scenario


@solara.lab.task
def sweep_task(f: SweepForm, where: str, root: Path, stop: threading.Event) -> Launched:
    """Create the folder of ``f`` under ``root`` and run it; stops on Cancel or when the
    session closes (the stored runs stay: ``willsim sweep ... --resume`` completes them)."""
    from willsim.app import sweep_form

    started = time.monotonic()
    folder = folder_for(root, where)
    out = Launched(folder, str(folder.relative_to(root)), total=f.runs)
    try:
        sweep_form.write_spec(f, folder, sweep_form.base_text(f, _resolve))

        def on_run(done: int, total: int) -> None:
            out.done, out.total = done, total
            sweep_task.progress = 100.0 * done / max(total, 1)

        def cancel() -> bool:
            return not sweep_task.is_current() or stop.is_set()

        with state.counted_run():
            report = sweep_form.run(folder, on_run=on_run, cancel=cancel)
        out.done, out.failed, out.cancelled = report.done, report.failed, report.cancelled
    except (SpecError, ScenarioError, FormError, OSError) as exc:
        out.error = error_message(exc, i18n.lang.value) if not isinstance(exc, FormError) else ""
        if isinstance(exc, FormError):
            out.error = tr(exc.key, **exc.fmt)
    out.seconds = time.monotonic() - started
    return out


def launch(f: SweepForm, where: str, root: Path) -> None:
    """Start the sweep; the folder field then proposes the next free folder."""
    target.value = ""
    sweep_task(f, where, root, state.session_stop())


def factor_items(language: str) -> list[dict[str, str]]:
    """Every parameter a sweep may vary, as menu items: ``Group · Label (key)``."""
    from willsim.reporting.i18n import has, text

    items = []
    for key, p in PARAMETERS.items():
        if sweepable(key):
            group = text(f"group_{p.group}", language) if has(f"group_{p.group}") else p.group
            items.append({"text": f"{group} · {p.label_in(language)} ({key})", "value": key})
    return items


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value


@solara.component
def FactorRow(i: int, f: Factor, design: str, disabled: bool):
    language = i18n.lang.value
    items = solara.use_memo(lambda: factor_items(language), [language])

    def set_key(key: str) -> None:
        if key:
            fs = list(form.value.factors)
            fs[i] = Factor.of(key)
            form.value = replace(form.value, factors=tuple(fs))

    def set_bound(name: str, text: str) -> None:
        value = _number(text or "")
        if value is not None:
            form.value = form.value.with_factor(i, **{name: value})

    def remove() -> None:
        fs = list(form.value.factors)
        del fs[i]
        form.value = replace(form.value, factors=tuple(fs))

    p = PARAMETERS[f.key]
    with solara.Row(classes=[f"sweep-factor-{i + 1}"], style={"align-items": "center"}):
        with solara.Div(style={"min-width": "26em"}):
            solara.v.Select(
                label=tr("sw_parameter", i=i + 1),
                items=items,
                v_model=f.key,
                on_v_model=set_key,
                disabled=disabled,
            )
        solara.InputText(
            tr("sw_low"),
            value=i18n.plain_number(f.low),
            on_value=lambda t: set_bound("low", t),
            continuous_update=False,
            disabled=disabled,
            classes=[f"sweep-low-{i + 1}"],
        )
        solara.InputText(
            tr("sw_high"),
            value=i18n.plain_number(f.high),
            on_value=lambda t: set_bound("high", t),
            continuous_update=False,
            disabled=disabled,
            classes=[f"sweep-high-{i + 1}"],
        )
        if design == "factorial":
            low, high = LIMITS["steps"]
            BoundedInt(
                tr("sw_steps"),
                f.steps,
                low,
                high,
                on_value=lambda v: form.set(form.value.with_factor(i, steps=v)),
                disabled=disabled,
                classes=[f"sweep-steps-{i + 1}"],
            )
        solara.Text(
            tr(
                "sw_unit_range",
                unit=i18n.unit_label(p.unit),
                low=i18n.plain_number(p.low),  # type: ignore[arg-type]
                high=i18n.plain_number(p.high),  # type: ignore[arg-type]
            ),
            style={"font-size": "0.8em", "color": "#555"},
        )
        solara.Button(
            tr("remove"),
            text=True,
            small=True,
            on_click=remove,
            disabled=disabled or len(form.value.factors) <= 1,
        )


@solara.component
def SweepDesigner(root: Path, on_done):
    """The form, the Run and Cancel buttons, the progress bar and what came of the last sweep."""
    language = i18n.lang.value
    f = form.value
    running = sweep_task.pending
    last = sweep_task.value if sweep_task.finished else None
    where = target.value or free_folder(root)
    try:
        check(f)
        if not running:
            folder_for(root, where)
        problem = ""
    except FormError as exc:
        problem = tr(exc.key, **exc.fmt)

    def finished() -> None:
        if last is not None and not last.error:
            on_done(last.relative)

    solara.use_effect(finished, [id(last)])

    def add_factor() -> None:
        used = {x.key for x in f.factors}
        for key in ("office.social_workers", "helpseeking.trust_mean", "outreach.accept"):
            if key not in used and sweepable(key):
                break
        else:
            key = next(k for k in PARAMETERS if sweepable(k) and k not in used)
        form.value = replace(f, factors=(*f.factors, Factor.of(key)))

    scenarios = available_scenarios()
    with solara.Column(classes=["sweep-designer"]):
        solara.Markdown(f"#### {tr('sw_title')}")
        solara.Text(tr("sw_help", cap=i18n.number(MAX_RUNS)), style={"font-size": "0.85em"})
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            with solara.Div(style={"min-width": "16em"}, classes=["sweep-scenario"]):
                solara.v.Select(
                    label=tr("scenario"),
                    items=[
                        {"text": names.scenario_label(s, language), "value": s} for s in scenarios
                    ],
                    v_model=f.scenario,
                    on_v_model=lambda v: form.set(replace(form.value, scenario=v)),
                    disabled=running,
                )
            with solara.Div(style={"min-width": "12em"}, classes=["sweep-city"]):
                solara.v.Select(
                    label=tr("city"),
                    items=i18n.city_items(available_cities()),
                    v_model=f.city,
                    on_v_model=lambda v: form.set(replace(form.value, city=v)),
                    disabled=running,
                    clearable=True,
                )
            with solara.Div(classes=["sweep-design"], style={"min-width": "14em"}):
                solara.v.Select(
                    label=tr("res_design"),
                    items=[{"text": tr(f"design_{d}"), "value": d} for d in ("lhs", "factorial")],
                    v_model=f.design,
                    on_v_model=lambda v: form.set(replace(form.value, design=v)),
                    disabled=running,
                )
        for i, factor in enumerate(f.factors):
            FactorRow(i, factor, f.design, running).key(f"factor-{i}-{factor.key}")
        solara.Button(
            tr("sw_add_parameter"),
            on_click=add_factor,
            small=True,
            outlined=True,
            disabled=running or len(f.factors) >= MAX_FACTORS,
            classes=["sweep-add-factor"],
        )
        with solara.Row(style={"flex-wrap": "wrap"}, classes=["sweep-numbers"]):
            fields = [
                ("replicates", "sw_replicates"),
                ("weeks", "weeks"),
                ("residents", "residents"),
            ]
            if f.design == "lhs":
                fields.insert(0, ("samples", "sw_samples"))
            for name, label in fields:
                low, high = LIMITS[name]
                BoundedInt(
                    tr(label),
                    getattr(f, name),
                    low,
                    high,
                    on_value=lambda v, name=name: form.set(replace(form.value, **{name: v})),
                    disabled=running,
                    classes=[f"sweep-{name}"],
                )
            solara.InputText(
                tr("sw_folder", root=str(root)),
                value=where,
                on_value=target.set,
                continuous_update=True,
                disabled=running,
                classes=["sweep-folder"],
                style={"min-width": "22em"},
            )
        solara.Text(
            tr("sw_total", n=f.runs, points=f.points, replicates=f.replicates),
            classes=["sweep-total"],
        )
        with solara.Div():
            if problem:
                solara.Error(problem, dense=True, classes=["sweep-problem"])
        with solara.Row():
            solara.Button(
                tr("sw_run"),
                color="primary",
                disabled=running or bool(problem),
                classes=["btn-run-sweep"],
                on_click=lambda: launch(f, where, root),
            )
            solara.Button(
                tr("cancel"),
                on_click=sweep_task.cancel,
                disabled=not running,
                classes=["btn-cancel-sweep"],
            )
        with solara.Div(classes=["sweep-status"]):
            if running:
                solara.ProgressLinear(sweep_task.progress or True)
                solara.Text(
                    tr("running", pct=f"{sweep_task.progress or 0:.0f}"),
                    classes=["sweep-progress"],
                )
            elif sweep_task.error:
                solara.Error(str(sweep_task.exception), classes=["sweep-error"])
            elif last is not None and last.error:
                solara.Error(last.error, classes=["sweep-error"])
            elif last is not None:
                key = "sw_cancelled" if last.cancelled else "sw_finished"
                solara.Success(
                    tr(
                        key,
                        done=i18n.number(last.done),
                        total=i18n.number(last.total),
                        folder=last.relative,
                        secs=i18n.number(last.seconds, 1),
                    ),
                    classes=["sweep-finished"],
                )
                from willsim.app.sweep_form import commands

                solara.Text(tr("sw_resume_help"), style={"font-size": "0.85em"})
                solara.Preformatted(commands(last.folder, root), class_="sweep-resume-command")
