"""Matplotlib figures for the app (object-oriented API only: sessions draw concurrently)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from willsim.app import i18n
from willsim.indicators import INDICATORS

KEY_INDICATORS = ("unmet_need_share", "mean_wait_weeks", "coverage", "crises_per_1000",
                  "waiting_list", "public_spending_eur")
COLOURS = ("#1b6ca8", "#d1495b", "#66a182", "#edae49")


def _formatter(unit: str, language: str) -> FuncFormatter:
    def fmt(x: float, _pos: int) -> str:
        if unit == "share":
            return i18n.number(100 * x, 1, language) + "%"
        if abs(x) >= 1000:
            return i18n.number(x / 1000, 0, language) + "k"
        return i18n.number(x, 1 if abs(x) < 10 else 0, language)

    return FuncFormatter(fmt)


def _axes_grid(n: int, cols: int = 3) -> tuple[Figure, list]:
    rows = max(1, -(-n // cols))
    fig = Figure(figsize=(4.0 * cols, 2.6 * rows), dpi=80)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.93, bottom=0.1, wspace=0.28, hspace=0.45)
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def live_figure(frame: pd.DataFrame, weeks: int, language: str,
                keys: Sequence[str] = KEY_INDICATORS) -> Figure:
    """Key city-level indicators of the live model, week by week."""
    fig, axes = _axes_grid(len(keys))
    for ax, key in zip(axes, keys, strict=True):
        ind = INDICATORS[key]
        if key in frame and len(frame):
            ax.plot(frame.index.to_numpy(), frame[key].to_numpy(), color=COLOURS[0], lw=1.5)
        ax.set_xlim(0, max(weeks, 1))
        ax.set_title(ind.label_in(language), fontsize=10)
        ax.yaxis.set_major_formatter(_formatter(ind.unit, language))
        ax.set_xlabel("settimana" if language == "it" else "week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    return fig


def band_figure(bands: Mapping[str, pd.DataFrame], key: str, language: str) -> Figure:
    """Mean and 10th-90th percentile band of ``key`` per strategy (frames: week x replicate)."""
    fig = Figure(figsize=(9, 3.6), dpi=90, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    ind = INDICATORS[key]
    for colour, (name, table) in zip(COLOURS, bands.items(), strict=False):
        weeks = table.index.to_numpy()
        values = table.to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            mean = np.nanmean(values, axis=1) if values.size else values
            lo, hi = (np.nanpercentile(values, [10, 90], axis=1) if values.shape[1] > 1
                      else (mean, mean))
        ax.fill_between(weeks, lo, hi, color=colour, alpha=0.2, lw=0)
        ax.plot(weeks, mean, color=colour, lw=1.8, label=name)
    ax.set_title(ind.label_in(language), fontsize=11)
    ax.yaxis.set_major_formatter(_formatter(ind.unit, language))
    ax.set_xlabel("settimana" if language == "it" else "week")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig
