"""Results: open a sweep's output folder on the server and browse it with the app's charts.

A sweep folder is what ``willsim sweep SPEC --out DIR`` writes (:mod:`willsim.experiments.store`).
The page shows the end-of-run figures, the median and 90% band of each output over time
(:func:`willsim.experiments.analysis.bands`) and, for Sobol and Morris designs, what matters most
(:func:`willsim.experiments.analysis.sensitivity`), with CSV, Parquet, PNG and SVG downloads, the
spec file and the commands that reproduce the sweep.

Only folders under one root are opened: ``WILLSIM_RESULTS_ROOT`` if set, else the server's
working directory. A path outside it, a missing folder or a folder that is not a sweep gets a
clear message; nothing else on the server can be read from the browser.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from willsim.app import i18n
from willsim.app.chartview import InteractiveChart
from willsim.app.compare import WRAP, TableView
from willsim.app.i18n import tr
from willsim.app.sweep_form import SPEC_FILE
from willsim.app.sweep_form import commands as sweep_commands
from willsim.app.sweep_panel import SweepDesigner
from willsim.experiments import SpecError
from willsim.experiments.store import MANIFEST, SweepStore
from willsim.indicators import INDICATORS
from willsim.params import PARAMETERS
from willsim.reporting import charts, plots
from willsim.reporting.formatting import date_time
from willsim.reporting.i18n import has, text

ROOT_ENV = "WILLSIM_RESULTS_ROOT"
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".cache", "site-packages"}
SENSITIVITY_VALUE = {"sobol": "ST", "morris": "mu_star", "spearman": "spearman"}


class FolderError(ValueError):
    """A folder that cannot be opened; ``key`` and ``fmt`` give the translated message."""

    def __init__(self, key: str, **fmt: Any) -> None:
        self.key, self.fmt = key, fmt
        super().__init__(text(key, "en", **fmt))

    def message(self) -> str:
        return tr(self.key, **self.fmt)


def results_root() -> Path:
    """The folder under which sweeps may be opened (``WILLSIM_RESULTS_ROOT`` or the cwd)."""
    return Path(os.environ.get(ROOT_ENV) or os.getcwd()).resolve()


def resolve_folder(text: str, root: Path | None = None) -> Path:
    """The sweep folder named by ``text`` (absolute, or relative to ``root``), checked to lie
    under ``root`` (after resolving links), to exist and to hold a sweep manifest."""
    root = (root or results_root()).resolve()
    text = (text or "").strip()
    if not text:
        raise FolderError("res_empty")
    path = Path(text).expanduser()
    path = (path if path.is_absolute() else root / path).resolve()
    if not path.is_relative_to(root):
        raise FolderError("res_outside", path=text, root=str(root))
    if not path.is_dir():
        raise FolderError("res_missing", path=text)
    if not (path / MANIFEST).is_file():
        raise FolderError("res_not_sweep", path=text, manifest=MANIFEST)
    return path


def find_sweeps(root: Path | None = None, depth: int = 3, limit: int = 50) -> list[str]:
    """Sweep folders under ``root`` (relative paths, at most ``depth`` levels down, hidden and
    virtual-environment folders skipped), for the page's list."""
    root = (root or results_root()).resolve()
    found: list[str] = []
    level = [root]
    for _ in range(depth + 1):
        nxt = []
        for folder in level:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if (
                    not e.is_dir(follow_symlinks=False)
                    or e.name.startswith(".")
                    or e.name in SKIP_DIRS
                ):
                    continue
                if (Path(e.path) / MANIFEST).is_file():
                    found.append(str(Path(e.path).relative_to(root)))
                    if len(found) >= limit:
                        return found
                else:
                    nxt.append(Path(e.path))
        level = nxt
    return found


@dataclass
class SweepView:
    """What the Results page shows of one sweep folder."""

    path: Path
    manifest: dict[str, Any]
    stats: pd.DataFrame  # indicator, runs, mean, p05, median, p95 (end-of-run)
    bands: pd.DataFrame  # indicator, week, median, p05, p95, runs
    runs_done: int
    failed: int
    method: str | None = None
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_error: str = ""

    @property
    def spec(self) -> dict[str, Any]:
        return self.manifest.get("spec", {})

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or self.path.name)


def load_sweep(path: Path) -> SweepView:
    """Read a sweep folder (see :func:`resolve_folder`) into a :class:`SweepView`."""
    from willsim.experiments.analysis import bands, sensitivity

    store = SweepStore(path)
    try:
        manifest = store.manifest()
        data = store.load()
    except (SpecError, OSError, ValueError, json.JSONDecodeError) as exc:
        raise FolderError("res_unreadable", path=str(path), error=str(exc)) from None
    summary = data[data["kind"] == "summary"]
    grouped = summary.groupby("indicator", observed=True, sort=False)["value"]
    stats = pd.DataFrame(
        {
            "runs": grouped.count(),
            "mean": grouped.mean(),
            "p05": grouped.quantile(0.05),
            "median": grouped.median(),
            "p95": grouped.quantile(0.95),
        }
    ).reset_index()
    weekly = data[data["kind"] == "week"]
    band = (
        bands(weekly)
        if not weekly.empty
        else pd.DataFrame(columns=["indicator", "week", "p05", "median", "p95", "runs"])
    )
    view = SweepView(
        path=path,
        manifest=manifest,
        stats=stats,
        bands=band,
        runs_done=int(data["run_key"].nunique()),
        failed=len(store.failed()),
    )
    try:
        view.method, view.sensitivity = sensitivity(store, summary)
    except Exception as exc:  # SALib and SpecError: the page still shows the rest
        view.sensitivity_error = str(exc)
    return view


def spec_toml(spec: dict[str, Any]) -> str:
    """The sweep spec file recorded in a manifest, as TOML that ``willsim sweep`` reads back
    (same spec hash, so the same design, seeds and runs)."""
    from willsim.experiments.design import spec_toml as write_spec

    return write_spec(spec)


def commands(view: SweepView, root: Path | None = None) -> str:
    """The commands that make the same sweep from its spec file and summarise it."""
    root = (root or results_root()).resolve()
    out = view.path.relative_to(root) if view.path.is_relative_to(root) else view.path
    spec = f"{view.name}.toml"
    if (view.path / SPEC_FILE).is_file():  # made on this page: its own spec, to resume it
        return sweep_commands(view.path, root)
    return "\n".join(
        [
            shlex.join(["willsim", "sweep", spec, "--out", str(out)]),
            shlex.join(["willsim", "results", str(out)]),
        ]
    )


def spec_bytes(view: SweepView) -> bytes:
    """The spec file to download: the folder's own ``spec.toml`` (a sweep made on this page,
    whose base scenario is the folder's ``base.toml``), else the spec rebuilt from the
    manifest."""
    own = view.path / SPEC_FILE
    return own.read_bytes() if own.is_file() else spec_toml(view.spec).encode("utf-8")


def stats_table(stats: pd.DataFrame, language: str) -> pd.DataFrame:
    """End-of-run figures as display strings: median and the 90% range of runs."""
    rows = []
    for r in stats.to_dict("records"):
        ind = INDICATORS.get(r["indicator"])
        unit = ind.unit if ind else ""
        rows.append(
            {
                tr("indicator"): ind.label_in(language) if ind else r["indicator"],
                tr("res_median"): i18n.fmt_value(r["median"], unit, language),
                tr("res_band90"): f"{i18n.fmt_value(r['p05'], unit, language)} – "
                f"{i18n.fmt_value(r['p95'], unit, language)}",
                tr("res_n"): int(r["runs"]),
            }
        )
    return pd.DataFrame(rows)


def _when(stamp: Any) -> str:
    """An ISO timestamp as people read it, in the session's language (Nov 28, 2026, 09:20 UTC
    / 28 nov 2026, 09:20 UTC)."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    return date_time(t, i18n.lang.value)


def about_table(view: SweepView) -> pd.DataFrame:
    m, spec = view.manifest, view.spec
    factors = ", ".join(
        f"{i18n.param_label(f['key'])} ({f['key']})" if f["key"] in PARAMETERS else f["key"]
        for f in spec.get("factors", [])
    )
    design = str(spec.get("design", ""))
    rows = [
        (tr("res_name"), view.name),
        (tr("res_design"), tr(f"design_{design}") if has(f"design_{design}") else design),
        (tr("res_base"), f"{spec.get('scenario', '')} ({spec.get('scenario_hash', '')})"),
        (tr("res_varied"), factors),
        (tr("res_runs"), f"{view.runs_done} / {m.get('runs', '?')} ({view.failed})"),
        (tr("res_seeds"), f"{spec.get('replicates', '')}, {spec.get('seed', '')}"),
        (tr("res_created"), _when(m.get("created", ""))),
        (
            tr("res_versions"),
            f"willsim {m.get('willsim_version', '?')}, Mesa "
            f"{m.get('mesa_version', '?')}, commit "
            f"{str(m.get('git_commit') or '?')[:12]}",
        ),
        (tr("res_hash"), str(m.get("spec_hash", ""))),
    ]
    return pd.DataFrame(rows, columns=[tr("res_field"), tr("res_value")])


# --- the page -------------------------------------------------------------------------------
folder = solara.reactive("")


@dataclass
class Opened:
    view: SweepView | None = None
    error: FolderError | None = None


@solara.lab.task
def open_task(text: str) -> Opened:
    try:
        return Opened(view=load_sweep(resolve_folder(text)))
    except FolderError as exc:
        return Opened(error=exc)


@solara.component
def ResultsPage():
    root = results_root()
    found = solara.use_memo(lambda: find_sweeps(root), [str(root)])
    opened = open_task.value if open_task.finished else None
    with solara.Column(classes=["results-page"]):
        solara.Markdown(f"### {tr('res_title')}")
        solara.Markdown(tr("res_help", root=str(root)))
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            if found:
                solara.v.Select(
                    label=tr("res_found"),
                    items=found,
                    v_model=folder.value if folder.value in found else None,
                    on_v_model=lambda v: folder.set(v or ""),
                    style_="max-width: 24em",
                    class_="sweep-select",
                )
            solara.InputText(
                tr("res_folder"), value=folder, continuous_update=True, style={"min-width": "28em"}
            )
            solara.Button(
                tr("res_open"),
                color="primary",
                classes=["btn-open-sweep"],
                disabled=open_task.pending,
                on_click=lambda: open_task(folder.value),
            )
        with solara.Div():
            if open_task.pending:
                solara.ProgressLinear(True)
                solara.Text(tr("res_loading"))
            elif open_task.error:
                solara.Error(str(open_task.exception), classes=["results-error"])
            elif opened is not None and opened.error is not None:
                solara.Error(opened.error.message(), classes=["results-error"])
        with solara.Div():
            if opened is not None and opened.view is not None:
                SweepResults(opened.view)
        SweepDesigner(root, browse)


def browse(relative: str) -> None:
    """Open the sweep folder ``relative`` (a sweep just run from the page) below."""
    folder.value = relative
    open_task(relative)


@solara.component
def SweepResults(view: SweepView):
    language = i18n.lang.value
    outputs = list(dict.fromkeys(view.sensitivity["output"])) if not view.sensitivity.empty else []
    output, set_output = solara.use_state(outputs[0] if outputs else "")
    current = output if output in outputs else (outputs[0] if outputs else "")
    value = SENSITIVITY_VALUE.get(view.method or "", "")
    stem = f"willsim-sweep-{view.name}"
    band_fig = solara.use_memo(
        lambda: plots.sweep_bands_figure(view.bands, language) if not view.bands.empty else None,
        [id(view), language],
    )
    sens_fig = solara.use_memo(
        lambda: (
            plots.sensitivity_figure(view.sensitivity, view.method or "", current, language)
            if current
            else None
        ),
        [id(view), current, language],
    )
    spec_text = solara.use_memo(lambda: spec_bytes(view), [id(view)])
    with solara.Column(classes=["sweep-results"]):
        solara.Markdown(f"#### {tr('res_about')}")
        solara.DataFrame(about_table(view), items_per_page=12)

        solara.Markdown(f"#### {tr('res_end')}")
        TableView(
            stats_table(view.stats, language), view.stats, f"{stem}-summary", ["sweep-summary"]
        )

        solara.Markdown(f"#### {tr('res_over_time')}")
        with solara.Column(classes=["sweep-bands"]):
            if band_fig is None:
                solara.Text(tr("res_no_weekly"))
            else:
                InteractiveChart(
                    band_fig,
                    lambda: charts.sweep_bands_figure(view.bands, language),
                    f"{stem}-bands",
                    [id(view), language],
                    ["sweep-bands-chart"],
                )
                TableView(pd.DataFrame(), view.bands, f"{stem}-bands")

        solara.Markdown(f"#### {tr('res_matters')}")
        with solara.Column(classes=["sweep-sensitivity"]):
            if sens_fig is None:
                solara.Info(tr("res_no_sensitivity", error=view.sensitivity_error or "–"))
            else:
                solara.Text(tr(f"res_{view.method}"), style={"font-size": "0.85em"})
                solara.v.Select(
                    label=tr("res_output"),
                    v_model=current,
                    on_v_model=set_output,
                    items=[
                        {
                            "text": INDICATORS[k].label_in(language) if k in INDICATORS else k,
                            "value": k,
                        }
                        for k in outputs
                    ],
                    style_="max-width: 24em",
                )
                solara.Text(tr("res_sens_help"), style={"font-size": "0.85em"})
                InteractiveChart(
                    sens_fig,
                    lambda: charts.sensitivity_figure(view.sensitivity, value, current, language),
                    f"{stem}-{view.method}-{current}",
                    [id(view), current, language],
                    ["sweep-sensitivity-chart"],
                )
                TableView(pd.DataFrame(), view.sensitivity, f"{stem}-{view.method}")

        solara.Markdown(f"#### {tr('reproduce')}")
        solara.FileDownload(
            spec_text,
            filename=f"{view.name}.toml",
            label=tr("res_spec"),
            mime_type="application/toml",
        )
        solara.Text(tr("res_reproduce"), style={"font-size": "0.85em"})
        solara.Preformatted(commands(view), class_="sweep-command", style_=WRAP)
