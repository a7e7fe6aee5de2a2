"""The interactive figures: honest axes from zero, a moving average beside noisy weekly series,
hover values in the page's language, the band convention, sensitivity with intervals and floors,
and a description of every chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from willsim.indicators import tagged
from willsim.reporting import plots


def _frame(weeks: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    data = {k: 0.77 + 0.01 * rng.standard_normal(weeks) for k in tagged("headline")}
    data["crises_per_1000"] = rng.poisson(10, weeks).astype(float)
    return pd.DataFrame(data, index=pd.RangeIndex(weeks, name="week"))


def test_value_axes_start_at_zero_unless_the_data_go_below():
    assert plots.value_range(np.array([0.773, 0.793]), "share")[0] == 0.0
    low, high = plots.value_range(np.array([-5.0, 10.0]), "EUR")
    assert low < -5 and high > 10
    assert plots.value_range(np.array([]), "share") == [0.0, 1.0]


def test_noisy_weekly_series_get_a_moving_average():
    assert plots.noisy("crises_per_1000") and not plots.noisy("unmet_need_share")
    ma = plots.moving_average(np.arange(30, dtype=float))
    assert np.isnan(ma[0]) and ma[-1] == np.mean(np.arange(17, 30))
    chart = plots.live_figure(_frame(), 52, "en")
    names = {t.name for t in chart.figure.data}
    assert "13-week average" in names
    for axis in ("yaxis", "yaxis2"):
        assert chart.figure.layout[axis].range[0] == 0.0


def test_hover_values_are_written_in_the_page_language():
    it = plots.live_figure(_frame(), 52, "it")
    first = it.figure.data[0]
    assert "," in first.customdata[0] and "%" in first.customdata[0]
    assert "settimana" in first.hovertemplate
    assert it.figure.layout.separators == ",."
    assert "Ultimi valori" in it.alt


def test_bands_hold_the_middle_90_percent_of_runs():
    table = pd.DataFrame(np.arange(40, dtype=float).reshape(2, 20), index=[1, 2])
    chart = plots.band_figure({"A": table}, "unmet_need_share", "en")
    band, mean = chart.figure.data
    assert np.isclose(band.y[0], np.percentile(np.arange(20), 95))
    assert np.isclose(mean.y[0], 9.5)
    assert "middle 90%" in chart.alt


def test_sensitivity_bars_carry_intervals_and_noise_floors():
    table = pd.DataFrame(
        {
            "output": ["unmet_need_share"] * 2,
            "parameter": ["helpseeking.awareness", "office.assessment_hours"],
            "spearman": [0.8, 0.05],
            "ci_low": [0.6, -0.4],
            "ci_high": [0.9, 0.5],
            "half_width": [0.15, 0.45],
            "floor": [0.1, 0.1],
            "flags": ["", "CI>est,inert"],
        }
    )
    chart = plots.sensitivity_figure(table, "spearman", "unmet_need_share", "en")
    bar = chart.figure.data[0]
    assert list(bar.y) == ["Hours per assessment", "Awareness of services"]
    assert np.allclose(bar.error_x.array, [0.45, 0.1])
    assert bar.marker.color[0] != bar.marker.color[1]  # the inert one is grey
    floors = [s for s in chart.figure.layout.shapes if s.type == "rect"]
    assert len(floors) == 2  # one noise-floor band per parameter
    assert "Awareness of services" in chart.alt and "Hours per assessment" not in chart.alt
