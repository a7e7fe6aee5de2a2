"""The app's interactive figures (Plotly): hover values, honest axes and a description of each.

Each builder returns a :class:`Chart`: a ``plotly.graph_objects.Figure`` and its alt text, both in
the language asked for. Rules every chart follows:

* **Honest axes.** A value axis starts at zero (shares run from 0%), unless the data go below
  zero; it is never cut to the range of the data, where noise would look like swings.
* **Smoothed noisy series.** A weekly series that counts events in the week (a rate or flow,
  e.g. crises per 1,000 residents, spending in the week, the wait of the week's assessments) is
  drawn thin with its :data:`SMOOTH_WEEKS`-week moving average in bold beside it; levels (shares
  of residents, the waiting list) are drawn as they are.
* **Hover values** written as the tables write them (``formatting.value``: 78.4%, €12,345, in the
  language's number format), tick labels as the static charts write them
  (:func:`willsim.reporting.charts.unit_ticks`).
* **One band convention**: bands hold the middle 90% of runs (5th to 95th percentile), on
  Compare (over replicates) and on Results (over a sweep's runs) alike (:data:`BAND`).

Nothing here imports the app or solara; the app shows these figures with
:func:`willsim.app.plotly_view.PlotlyChart`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from willsim.indicators import INDICATORS, tagged
from willsim.params import PARAMETERS
from willsim.reporting.charts import BAND, COLOURS, titled, unit_ticks
from willsim.reporting.formatting import number, value
from willsim.reporting.i18n import has, text

SMOOTH_WEEKS = 13
"""Weeks in the moving average drawn beside noisy weekly series (a quarter)."""
SEPARATORS = {"en": ".,", "it": ",."}
"""Plotly's decimal and thousands separators per language."""
FONT = {"family": "Roboto, Arial, sans-serif", "size": 13}


@dataclass(frozen=True)
class Chart:
    """A figure and the sentence that describes it to someone who cannot see it."""

    figure: go.Figure
    alt: str


def noisy(key: str) -> bool:
    """Whether ``key``'s weekly series counts events in the week (a rate or flow), so that it is
    drawn with a moving average: a unit per time, or a summary that adds or divides weeks."""
    ind = INDICATORS[key]
    return "/" in ind.unit or ind.summary != "mean" or ind.unit == "EUR"


def moving_average(values: Sequence[float] | np.ndarray, weeks: int = SMOOTH_WEEKS) -> np.ndarray:
    """The trailing ``weeks``-week mean of ``values`` (NaN until a third of the window is in)."""
    series = pd.Series(np.asarray(values, dtype=float))
    return series.rolling(weeks, min_periods=max(1, weeks // 3)).mean().to_numpy()


def value_range(values: np.ndarray, unit: str) -> list[float]:
    """The value axis of ``values``: from zero (or the lowest value, if negative) to a little
    above the highest; shares never above 100% unless the data are."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 0.0
    if high <= 0:
        high = 1.0 if unit == "share" else (1.0 if low == 0 else 0.0)
    top = high * 1.08
    if unit == "share" and high <= 1.0:
        top = min(top, 1.0) if high > 0.9 else top
    return [low * 1.08 if low < 0 else 0.0, top]


def _layout(fig: go.Figure, language: str, height: int, legend: bool = True) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        separators=SEPARATORS.get(language, ".,"),
        font=FONT,
        height=height,
        autosize=True,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        hoverlabel={"font_size": 13},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(title_font_size=12)
    fig.update_yaxes(title_font_size=12)
    return fig


def _axis(fig: go.Figure, values: np.ndarray, unit: str, language: str, **where) -> None:
    """An honest value axis with the static charts' tick labels."""
    lo, hi = value_range(values, unit)
    ticks, labels = unit_ticks(lo, hi, unit, language)
    fig.update_yaxes(
        range=[lo, hi], tickvals=ticks, ticktext=labels, zeroline=True, fixedrange=False, **where
    )


def _hover(name: str, language: str) -> str:
    week = text("week", language)
    return f"<b>{name}</b><br>{week} %{{x}}: %{{customdata}}<extra></extra>"


def _texts(values: np.ndarray, unit: str, language: str) -> list[str]:
    return [value(v, unit, language) if np.isfinite(v) else "–" for v in values]


# --- Explore ------------------------------------------------------------------------------------


def live_figure(
    frame: pd.DataFrame, weeks: int, language: str, keys: Sequence[str] | None = None
) -> Chart:
    """The headline indicators (the registry's ``headline`` tag, unless ``keys``) of the live
    model, week by week: one panel each, a moving average beside noisy series."""
    keys = list(tagged("headline") if keys is None else keys)
    cols = 3
    rows = max(1, math.ceil(len(keys) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[titled(k, language, per_week=True) for k in keys],
        horizontal_spacing=0.08,
        vertical_spacing=0.16 if rows > 1 else 0.1,
    )
    weekly, average = (
        text("plot_weekly", language),
        text("plot_average", language, weeks=SMOOTH_WEEKS),
    )
    shown: list[str] = []
    for i, key in enumerate(keys):
        row, col = i // cols + 1, i % cols + 1
        ind = INDICATORS[key]
        x = frame.index.to_numpy() if key in frame else np.array([])
        y = frame[key].to_numpy(dtype=float) if key in frame else np.array([])
        smooth = noisy(key)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=weekly if smooth else ind.label_in(language),
                line={"color": "#9db7cf" if smooth else COLOURS[0], "width": 1 if smooth else 2},
                customdata=_texts(y, ind.unit, language),
                hovertemplate=_hover(
                    f"{ind.label_in(language)} · {weekly}" if smooth else ind.label_in(language),
                    language,
                ),
                showlegend=False,
            ),
            row=row,
            col=col,
        )
        if smooth and y.size:
            ma = moving_average(y)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=ma,
                    mode="lines",
                    name=average,
                    line={"color": COLOURS[0], "width": 2.5},
                    customdata=_texts(ma, ind.unit, language),
                    hovertemplate=_hover(f"{ind.label_in(language)} · {average}", language),
                    showlegend=False,
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(range=[0, max(weeks, 1)], row=row, col=col)
        _axis(fig, y, ind.unit, language, row=row, col=col)
        if y.size:
            last = moving_average(y)[-1] if smooth else y[-1]
            shown.append(f"{ind.label_in(language)} {value(last, ind.unit, language)}")
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text=text("week", language), row=rows, col=col)
    _layout(fig, language, 250 * rows + 60, legend=False)
    fig.update_layout(hovermode="x")
    fig.update_annotations(font_size=13)
    if frame.empty or not shown:
        alt = text("alt_live_empty", language, n=len(keys))
    else:
        alt = text(
            "alt_live",
            language,
            week=len(frame),
            weeks=weeks,
            values="; ".join(shown),
            smooth=SMOOTH_WEEKS,
        )
    return Chart(fig, alt)


# --- Compare ------------------------------------------------------------------------------------


def band_figure(bands: Mapping[str, pd.DataFrame], key: str, language: str) -> Chart:
    """Mean and the middle 90% of replicates (:data:`BAND`) of ``key`` per strategy, by week
    (frames: week x replicate, one per strategy)."""
    ind = INDICATORS[key]
    fig = go.Figure()
    everything: list[np.ndarray] = []
    ends: list[str] = []
    for colour, (name, table) in zip(COLOURS, bands.items(), strict=False):
        weeks = table.index.to_numpy()
        values = table.to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            mean = np.nanmean(values, axis=1) if values.size else values
            if values.ndim == 2 and values.shape[1] > 1:
                lo, hi = np.nanpercentile(values, BAND, axis=1)
            else:
                lo, hi = mean, mean
        everything += [lo, hi, mean]
        fig.add_trace(
            go.Scatter(
                x=np.r_[weeks, weeks[::-1]],
                y=np.r_[hi, lo[::-1]],
                fill="toself",
                fillcolor=_rgba(colour, 0.18),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            )
        )
        band = [
            text(
                "plot_band_hover",
                language,
                mean=value(m, ind.unit, language),
                low=value(a, ind.unit, language),
                high=value(b, ind.unit, language),
            )
            for m, a, b in zip(mean, lo, hi, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=mean,
                mode="lines",
                name=name,
                line={"color": colour, "width": 2.2},
                customdata=band,
                hovertemplate=_hover(name, language),
                legendgroup=name,
            )
        )
        if mean.size:
            ends.append(f"{name} {value(mean[-1], ind.unit, language)}")
    fig.update_xaxes(title_text=text("week", language))
    _axis(fig, np.concatenate(everything) if everything else np.array([]), ind.unit, language)
    fig.update_layout(title={"text": titled(key, language, per_week=True), "x": 0})
    _layout(fig, language, 420)
    fig.update_layout(margin={"t": 90}, hovermode="x unified" if len(bands) > 1 else "closest")
    alt = text(
        "alt_band",
        language,
        indicator=ind.label_in(language),
        strategies=", ".join(bands),
        values="; ".join(ends),
    )
    return Chart(fig, alt)


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# --- Results ------------------------------------------------------------------------------------


def sweep_bands_figure(
    band: pd.DataFrame, language: str, indicators: Sequence[str] | None = None
) -> Chart:
    """Median and the middle 90% of runs by week, one panel per output (``band``:
    :func:`willsim.experiments.analysis.bands`)."""
    keys = list(indicators or dict.fromkeys(band["indicator"]))
    cols = min(3, max(len(keys), 1))
    rows = max(1, math.ceil(len(keys) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[titled(k, language, per_week=True) if k in INDICATORS else k for k in keys],
        horizontal_spacing=0.08,
        vertical_spacing=0.16 if rows > 1 else 0.1,
    )
    median_word = text("res_median", language)
    for i, key in enumerate(keys):
        row, col = i // cols + 1, i % cols + 1
        b = band[band["indicator"] == key].sort_values("week")
        unit = INDICATORS[key].unit if key in INDICATORS else ""
        weeks = b["week"].to_numpy()
        lo, mid, hi = (b[c].to_numpy(dtype=float) for c in ("p05", "median", "p95"))
        fig.add_trace(
            go.Scatter(
                x=np.r_[weeks, weeks[::-1]],
                y=np.r_[hi, lo[::-1]],
                fill="toself",
                fillcolor=_rgba(COLOURS[0], 0.22),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            ),
            row=row,
            col=col,
        )
        hover = [
            text(
                "plot_band_hover",
                language,
                mean=value(m, unit, language),
                low=value(a, unit, language),
                high=value(c, unit, language),
            )
            for m, a, c in zip(mid, lo, hi, strict=True)
        ]
        label = INDICATORS[key].label_in(language) if key in INDICATORS else key
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=mid,
                mode="lines",
                name=label,
                line={"color": COLOURS[0], "width": 2},
                customdata=hover,
                hovertemplate=_hover(f"{label} · {median_word}", language),
                showlegend=False,
            ),
            row=row,
            col=col,
        )
        _axis(fig, np.r_[lo, hi], unit, language, row=row, col=col)
        fig.update_xaxes(title_text=text("week", language), row=row, col=col)
    _layout(fig, language, 250 * rows + 60, legend=False)
    fig.update_annotations(font_size=13)
    runs = int(band["runs"].max()) if "runs" in band and len(band) else 0
    alt = text("alt_sweep_bands", language, n=len(keys), runs=runs)
    return Chart(fig, alt)


SENSITIVITY = {
    "sobol": ("ST", "ST_conf", "ST_floor"),
    "morris": ("mu_star", "mu_star_conf", "mu_star_floor"),
    "spearman": ("spearman", "half_width", "floor"),
}
"""Per method: the index, the half-width of its 95% interval and its noise floor (the columns
of :func:`willsim.experiments.analysis.sensitivity`)."""


def parameter_name(key: str, language: str) -> str:
    return PARAMETERS[key].label_in(language) if key in PARAMETERS else str(key)


def sensitivity_figure(table: pd.DataFrame, method: str, output: str, language: str) -> Chart:
    """How strongly each varied parameter moves ``output``: the index as a bar, its 95%
    interval as a whisker, its noise floor (what replicate noise alone scores) as a grey band;
    a parameter that cannot be told from noise (flag ``inert``) is drawn grey."""
    col, conf, floor = SENSITIVITY[method]
    t = table[table["output"] == output].copy()
    t = t.assign(_abs=t[col].abs()).sort_values("_abs", na_position="first")
    names = [parameter_name(k, language) for k in t["parameter"]]
    est = t[col].to_numpy(dtype=float)
    if method == "spearman" and {"ci_low", "ci_high"} <= set(t.columns):
        low = t["ci_low"].to_numpy(dtype=float)
        high = t["ci_high"].to_numpy(dtype=float)
    else:
        half = t[conf].to_numpy(dtype=float) if conf in t else np.full(len(t), np.nan)
        low, high = est - half, est + half
    floors = t[floor].to_numpy(dtype=float) if floor in t else np.full(len(t), np.nan)
    flags = t["flags"].fillna("").astype(str).tolist() if "flags" in t else [""] * len(t)
    inert = ["inert" in f.split(",") for f in flags]
    unit = INDICATORS[output].unit if method == "morris" and output in INDICATORS else ""

    def shown(x: float) -> str:
        if not np.isfinite(x):
            return "–"
        return value(x, unit, language) if unit else number(x, 3 if abs(x) < 1 else 2, language)

    hover = []
    for e, a, b, f, fl in zip(est, low, high, floors, flags, strict=True):
        lines = [
            text("plot_sens_hover", language, value=shown(e), low=shown(a), high=shown(b)),
            text("plot_floor_hover", language, floor=shown(f)),
        ]
        if fl:
            lines.append(
                ", ".join(
                    text(f"sens_flag_{x.replace('>', '_gt_').replace('-', '_')}", language)
                    for x in fl.split(",")
                    if has(f"sens_flag_{x.replace('>', '_gt_').replace('-', '_')}")
                )
            )
        hover.append("<br>".join(x for x in lines if x))
    fig = go.Figure()
    # the noise floor: a grey band around zero for a correlation, from zero up otherwise
    for y, f in zip(names, floors, strict=True):
        if np.isfinite(f) and f > 0:
            fig.add_shape(
                type="rect",
                xref="x",
                yref="y",
                x0=-f if method == "spearman" else 0,
                x1=f,
                y0=names.index(y) - 0.42,
                y1=names.index(y) + 0.42,
                fillcolor="rgba(120,120,120,0.25)",
                line={"width": 0},
                layer="below",
            )
    fig.add_trace(
        go.Bar(
            x=est,
            y=names,
            orientation="h",
            marker={"color": ["#b8bec6" if i else COLOURS[3] for i in inert]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(high - est),
                "arrayminus": np.nan_to_num(est - low),
                "color": "#333",
                "thickness": 1.4,
            },
            customdata=hover,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
            name=text(f"sens_{col}", language) if has(f"sens_{col}") else col,
        )
    )
    fig.add_trace(  # a legend entry for the floor band
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": "rgba(120,120,120,0.35)"},
            name=text("plot_noise_floor", language),
        )
    )
    fig.add_vline(x=0, line={"color": "#444", "width": 1})
    label = INDICATORS[output].label_in(language) if output in INDICATORS else output
    fig.update_layout(
        title={"text": label, "x": 0},
        xaxis_title=text(f"sens_{col}", language) if has(f"sens_{col}") else col,
    )
    _layout(fig, language, 130 + 46 * max(len(names), 1))
    fig.update_layout(margin={"l": 20, "t": 80})
    fig.update_yaxes(automargin=True)
    top = [n for n, i in zip(names[::-1], inert[::-1], strict=True) if not i][:3]
    alt = text(
        "alt_sensitivity",
        language,
        output=label,
        method=text(f"design_method_{method}", language),
        top=", ".join(top) if top else text("plot_none_clear", language),
    )
    return Chart(fig, alt)
