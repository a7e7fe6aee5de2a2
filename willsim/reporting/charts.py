"""The figures of the app, the briefing and the workshop, drawn with matplotlib.

Only the object-oriented API (:class:`~matplotlib.figure.Figure`): several sessions draw at once
in threads, and nothing here selects a backend (``matplotlib.use``), so importing this module
never changes a notebook user's backend; saving a figure picks the renderer for its format.
Words come from the message catalogue and numbers from :mod:`willsim.reporting.formatting`, in
the language asked for; indicators, their units and labels from the indicator registry.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from willsim.indicators import INDICATORS, tagged
from willsim.params import PARAMETERS
from willsim.reporting.formatting import number
from willsim.reporting.i18n import has, text
from willsim.reporting.tables import group_name, policy_name

COLOURS = ("#1b6ca8", "#d1495b", "#66a182", "#edae49")


def titled(key: str, language: str, per_week: bool = False) -> str:
    """An indicator's label with its unit where the tick labels do not already say it, e.g.
    ``Wait for assessment (weeks)``; money drawn week by week reads ``(€ a week)``."""
    ind = INDICATORS[key]
    if not has(f"suffix_{ind.unit}"):
        return ind.label_in(language)
    unit = text(f"suffix_{ind.unit}", language)
    if per_week and ind.unit == "EUR":
        unit = text("chart_per_week", language, unit=unit)
    return text("chart_title_unit", language, label=ind.label_in(language), unit=unit)


class _UnitFormatter(Formatter):
    """Tick labels in the language's number format and the unit's style (%, k, M/mln), with
    the same number of decimals on every tick of an axis (set from the tick spacing)."""

    def __init__(self, unit: str, language: str) -> None:
        self.unit, self.language = unit, language
        self.step, self.top = 1.0, 0.0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        diffs = np.diff(np.asarray(locs, dtype=float))
        diffs = diffs[diffs > 0]
        self.step = float(diffs.min()) if diffs.size else 1.0
        finite = np.abs(np.asarray(locs, dtype=float))
        finite = finite[np.isfinite(finite)]
        self.top = float(finite.max()) if finite.size else 0.0  # one scale (k, M) per axis

    @staticmethod
    def _decimals(step: float) -> int:
        """The fewest decimals (at most 4) that write the tick spacing exactly: 0.25 -> 2."""
        if step <= 0 or not np.isfinite(step):
            return 0
        for d in range(5):
            scaled = step * 10**d
            if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
                return d
        return 4

    def __call__(self, x: float, pos: int | None = None) -> str:
        lang, step = self.language, self.step
        if abs(x) < 1e-12 * max(1.0, step):
            x = 0.0
        if self.unit == "share":
            return number(100 * x, self._decimals(100 * step), lang) + "%"
        if x == 0.0:
            return "0"
        big = max(abs(x), step, self.top)
        if big >= 1_000_000:
            scaled = number(x / 1e6, self._decimals(step / 1e6), lang)
            return text("scale_million", lang, value=scaled)
        if big >= 1000:
            scaled = number(x / 1000, self._decimals(step / 1000), lang)
            return text("scale_thousand", lang, value=scaled)
        return number(x, self._decimals(step), lang)


def _formatter(unit: str, language: str) -> Formatter:
    return _UnitFormatter(unit, language)


def unit_ticks(low: float, high: float, unit: str, language: str) -> tuple[list[float], list[str]]:
    """About five round tick values over ``[low, high]`` and their labels, written as this
    module's axes write them (for the interactive charts of :mod:`willsim.reporting.plots`)."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        high = low + 1.0
    locs = [float(x) for x in MaxNLocator(nbins=5).tick_values(low, high) if low <= x <= high]
    fmt = _UnitFormatter(unit, language)
    fmt.set_locs(locs)
    return locs, [fmt(x) for x in locs]


def _axes_grid(n: int, cols: int = 3, width: float = 3.6) -> tuple[Figure, list]:
    rows = max(1, -(-n // cols))
    fig = Figure(figsize=(width * cols, 2.5 * rows + 0.2), dpi=90, layout="constrained")
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def readable_axes(fig: Figure, units: Sequence[str], language: str) -> Figure:
    """Restyle a figure's panels for the screen: x tick labels in the language's number format
    (shares drawn as percentages read as plain numbers, money as k/M/mln, never an offset
    like ``1e6``) and fonts large enough to read; ``units[i]`` is panel ``i``'s unit."""
    for ax, unit in zip(fig.axes, units, strict=False):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(_formatter("" if unit == "share" else unit, language))
        ax.tick_params(labelsize=9)
        ax.title.set_fontsize(11)
        for label in ax.get_yticklabels():
            label.set_fontsize(10)
    return fig


def live_figure(
    frame: pd.DataFrame, weeks: int, language: str, keys: Sequence[str] | None = None
) -> Figure:
    """The headline city-level indicators (the registry's ``headline`` tag, unless ``keys``) of
    the live model, week by week."""
    keys = tagged("headline") if keys is None else keys
    fig, axes = _axes_grid(len(keys))
    for ax, key in zip(axes, keys, strict=True):
        ind = INDICATORS[key]
        if key in frame and len(frame):
            ax.plot(frame.index.to_numpy(), frame[key].to_numpy(), color=COLOURS[0], lw=1.5)
        ax.set_xlim(0, max(weeks, 1))
        ax.set_title(titled(key, language, per_week=True), fontsize=11)
        ax.yaxis.set_major_formatter(_formatter(ind.unit, language))
        ax.set_xlabel(text("week", language), fontsize=9)
        ax.tick_params(labelsize=9)
        ax.grid(alpha=0.3)
    return fig


BAND = (5, 95)
"""Percentiles of every band (Compare, Results, the briefing): the middle 90% of runs."""


def band_figure(bands: Mapping[str, pd.DataFrame], key: str, language: str) -> Figure:
    """Mean and the middle 90% of replicates (:data:`BAND`) of ``key`` per strategy (frames:
    week x replicate)."""
    fig = Figure(figsize=(11, 3.8), dpi=90, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    ind = INDICATORS[key]
    for colour, (name, table) in zip(COLOURS, bands.items(), strict=False):
        weeks = table.index.to_numpy()
        values = table.to_numpy(dtype=float)
        # a week where the indicator is undefined in every run (a ratio with no cases) is a gap
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=1) if values.size else values
            lo, hi = np.nanpercentile(values, BAND, axis=1) if values.shape[1] > 1 else (mean, mean)
        ax.fill_between(weeks, lo, hi, color=colour, alpha=0.2, lw=0)
        ax.plot(weeks, mean, color=colour, lw=1.8, label=name)
    ax.set_title(titled(key, language, per_week=True), fontsize=11)
    ax.yaxis.set_major_formatter(_formatter(ind.unit, language))
    ax.set_xlabel(text("week", language))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def sweep_bands_figure(
    band: pd.DataFrame, language: str, indicators: Sequence[str] | None = None
) -> Figure:
    """Median and 90% band (5th-95th percentile over runs) by week, one panel per indicator
    (``band``: :func:`willsim.experiments.analysis.bands`)."""
    keys = list(indicators or dict.fromkeys(band["indicator"]))
    cols = min(3, max(len(keys), 1))
    fig, axes = _axes_grid(len(keys), cols=cols, width=3.6 if cols == 3 else 4.8)
    for ax, key in zip(axes, keys, strict=True):
        b = band[band["indicator"] == key].sort_values("week")
        unit = INDICATORS[key].unit if key in INDICATORS else ""
        ax.fill_between(b["week"], b["p05"], b["p95"], color=COLOURS[0], alpha=0.25, lw=0)
        ax.plot(b["week"], b["median"], color=COLOURS[0], lw=1.6)
        ax.set_title(
            titled(key, language, per_week=True) if key in INDICATORS else key, fontsize=11
        )
        ax.yaxis.set_major_formatter(_formatter(unit, language))
        ax.set_xlabel(text("week", language), fontsize=9)
        ax.tick_params(labelsize=9)
        ax.grid(alpha=0.3)
    return fig


SENSITIVITY_COLUMNS = {
    "ST": ("ST_conf", "ST_floor"),
    "mu_star": ("mu_star_conf", "mu_star_floor"),
    "spearman": ("half_width", "floor"),
}
"""Per index: the half-width of its 95% interval and its noise floor (columns of
:func:`willsim.experiments.analysis.sensitivity`)."""


def sensitivity_figure(table: pd.DataFrame, value: str, output: str, language: str) -> Figure:
    """Horizontal bars of one output's sensitivity ``value`` (e.g. ``ST``) per parameter,
    labelled with the registry's parameter names, with the 95% interval as a whisker and the
    noise floor as a grey band; a parameter that cannot be told from noise (``inert``) is grey.
    Morris effects are in the output's unit."""
    t = table[table["output"] == output].sort_values(value, key=abs)
    fig = Figure(figsize=(7, 0.9 + 0.45 * max(len(t), 1)), dpi=90, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    names = [
        (PARAMETERS[k].label_it if language == "it" else PARAMETERS[k].label)
        if k in PARAMETERS
        else str(k)
        for k in t["parameter"]
    ]
    est = t[value].to_numpy(dtype=float)
    conf, floor = SENSITIVITY_COLUMNS.get(value, ("", ""))
    if value == "spearman" and {"ci_low", "ci_high"} <= set(t.columns):
        low, high = t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float)
    elif conf in t:
        half = t[conf].to_numpy(dtype=float)
        low, high = est - half, est + half
    else:
        low = high = est
    flags = t["flags"].fillna("").astype(str) if "flags" in t else pd.Series([""] * len(t))
    inert = ["inert" in f.split(",") for f in flags]
    y = np.arange(len(t))
    if floor in t:
        for i, f in enumerate(t[floor].to_numpy(dtype=float)):
            if np.isfinite(f) and f > 0:
                left = -f if value == "spearman" else 0.0
                ax.barh(i, f - left, left=left, height=0.84, color="#bbbbbb", alpha=0.45, lw=0)
    ax.barh(y, est, color=["#b8bec6" if i else COLOURS[3] for i in inert], height=0.6)
    err = np.vstack([np.nan_to_num(est - low), np.nan_to_num(high - est)])
    ax.errorbar(est, y, xerr=np.clip(err, 0, None), fmt="none", ecolor="#333", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_title(
        INDICATORS[output].label_in(language) if output in INDICATORS else output, fontsize=10
    )
    unit = INDICATORS[output].unit if value in ("mu", "mu_star") and output in INDICATORS else ""
    ax.xaxis.set_major_formatter(
        _formatter(unit, language)
        if unit
        else FuncFormatter(lambda x, _pos: number(x, 3 if abs(x) < 1 else 1, language))
    )
    ax.set_xlabel(text(f"sens_{value}", language) if has(f"sens_{value}") else value)
    ax.grid(axis="x", alpha=0.3)
    return fig


def equity_figure(data: pd.DataFrame, indicator: str, language: str) -> Figure:
    """Paired difference by group with its 95% interval, one panel per strategy
    (``data``: :func:`willsim.experiments.compare.group_table`); green gains, red loses."""
    sub = data[data["indicator"] == indicator]
    names = list(dict.fromkeys(sub["scenario"])) or [""]
    groups = list(dict.fromkeys(zip(sub["group_var"], sub["group"], strict=True)))
    fig = Figure(
        figsize=(4.2 * len(names) + 1.8, 0.8 + 0.26 * max(len(groups), 1)),
        dpi=90,
        layout="constrained",
    )
    unit = INDICATORS[indicator].unit
    colour = {"gains": "#1a7f37", "loses": "#b42318"}
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        block = sub[sub["scenario"] == name].iloc[::-1]
        y = np.arange(len(block))
        diff = block["diff"].to_numpy(dtype=float)
        err = np.vstack(
            [
                diff - block["ci_low"].to_numpy(dtype=float),
                block["ci_high"].to_numpy(dtype=float) - diff,
            ]
        )
        ax.barh(y, diff, color=[colour.get(v, "#9aa5b1") for v in block["verdict"]])
        ax.errorbar(diff, y, xerr=np.nan_to_num(err), fmt="none", ecolor="#333", lw=0.8)
        ax.axvline(0, color="#444", lw=0.8)
        if not np.any(np.nan_to_num(np.abs(diff)) + np.nan_to_num(np.abs(err)).sum(axis=0)):
            ax.text(
                0.5,
                0.5,
                text("chart_no_difference", language),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=10,
                color="#555",
                bbox={"facecolor": "white", "edgecolor": "none"},
            )
        ax.set_yticks(y)
        ax.set_yticklabels(
            [
                group_name(v, g, language)
                for v, g in zip(block["group_var"], block["group"], strict=True)
            ]
            if i == 0
            else [],
            fontsize=8.5,
        )
        ax.xaxis.set_major_formatter(_formatter(unit, language))
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8.5)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(INDICATORS[indicator].label_in(language), fontsize=11)
    return fig


def costs_figure(data: pd.DataFrame, language: str) -> Figure:
    """Public spending by item per strategy, stacked, and out-of-pocket spending by families
    beside it (``data``: compare_table of the cost items; means over replicates)."""
    items = [k for k in dict.fromkeys(data["indicator"]) if k.startswith("spending_")]
    names = list(dict.fromkeys(data["scenario"]))
    pocket = "out_of_pocket_eur" in set(data["indicator"])
    fig = Figure(figsize=(10, 1.2 + 0.55 * max(len(names), 1)), dpi=90, layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[2.5, 1.2]) if pocket else fig.add_gridspec(1, 1)
    ax = fig.add_subplot(grid[0, 0])
    y = np.arange(len(names))
    left = np.zeros(len(names))
    palette = matplotlib.colormaps["tab10"]

    def means(item: str) -> np.ndarray:
        return np.array(
            [
                data[(data["indicator"] == item) & (data["scenario"] == n)]["mean"].sum()
                for n in names
            ],
            dtype=float,
        )

    for k, item in enumerate(items):
        values = np.nan_to_num(means(item))
        if not np.any(values):
            continue
        ax.barh(
            y, values, left=left, color=palette(k % 10), label=INDICATORS[item].label_in(language)
        )
        left += values
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=9)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_formatter("EUR", language))
    ax.tick_params(labelsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(
            fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False
        )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(text("chart_spending_by_item", language), fontsize=11)
    if pocket:
        bx = fig.add_subplot(grid[0, 1], sharey=ax)
        bx.barh(y, np.nan_to_num(means("out_of_pocket_eur")), color="#7a5195")
        bx.xaxis.set_major_formatter(_formatter("EUR", language))
        bx.tick_params(labelleft=False, labelsize=9)
        bx.grid(axis="x", alpha=0.3)
        bx.set_title(
            text(
                "chart_title_unit",
                language,
                label=INDICATORS["out_of_pocket_eur"].label_in(language),
                unit=text("suffix_EUR", language),
            ),
            fontsize=11,
        )
    return fig


def timeline_figure(
    timeline: pd.DataFrame, names: Sequence[str], weeks: int, language: str
) -> Figure:
    """When each timed policy was active (median start to median stop) per strategy
    (``timeline``: :func:`willsim.reporting.tables.policy_timeline`)."""
    rows = list(dict.fromkeys(zip(timeline["scenario"], timeline["policy"], strict=True)))
    shown = {
        (r["scenario"], r["policy"]): policy_name(r, language) for r in timeline.to_dict("records")
    }
    fig = Figure(figsize=(9, 0.8 + 0.4 * max(len(rows), 1)), dpi=90, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    for y, (name, policy) in enumerate(rows):
        block = timeline[(timeline["scenario"] == name) & (timeline["policy"] == policy)]
        starts = block[block["action"] == "start"]["week"].to_numpy(dtype=float)
        stops = block[block["action"] == "stop"]["week"].to_numpy(dtype=float)
        start = float(starts.min()) if starts.size else 0.0
        stop = float(stops.max()) if stops.size else float(weeks)
        colour = COLOURS[list(names).index(name) % len(COLOURS)] if name in names else COLOURS[0]
        ax.barh(y, stop - start, left=start, color=colour, alpha=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{n} · {shown[n, p]}" for n, p in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(weeks, 1))
    ax.set_xlabel(text("week", language))
    ax.grid(axis="x", alpha=0.3)
    return fig


def ceac_figure(curve: pd.DataFrame, language: str) -> Figure:
    """The cost-effectiveness acceptability curve: for each willingness to pay per crisis
    avoided, the probability that each strategy gives the most net benefit
    (:func:`willsim.economics.ceac`)."""
    fig = Figure(figsize=(7.5, 2.1), dpi=90, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    for k, (name, block) in enumerate(curve.groupby("scenario", sort=False)):
        ax.plot(
            block["wtp"],
            block["probability"],
            color=COLOURS[k % len(COLOURS)],
            lw=1.8,
            ls=("-", "--", ":", "-.")[k // len(COLOURS) % 4],
            label=str(name),
        )
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(_formatter("share", language))
    ax.xaxis.set_major_formatter(_formatter("EUR", language))
    ax.set_xlabel(text("dc_ceac_axis", language), fontsize=9)
    ax.set_ylabel(text("dc_ceac_probability", language), fontsize=9)
    ax.tick_params(labelsize=8.5)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
