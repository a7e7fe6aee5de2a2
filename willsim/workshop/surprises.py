"""Debrief lines that explain counter-intuitive results, found in the stored results.

A round's event (a pandemic, a budget cut, a heatwave) should make the status quo worse. When a
key indicator of the status quo *improves* in a round with an event, compared with the round
before it (same city, same seeds: the difference is paired), the debrief says so and says why,
from the same stored runs:

* an average over events (``summary = "ratio:a/b"`` in the indicator registry, e.g. the wait for
  assessment = total waiting / assessments started) that improved while its denominator fell: the
  average is over fewer cases (a pandemic closes the desk, so fewer people are assessed and those
  who are wait less);
* otherwise, the key indicator that worsened most at the same time (lower spending because fewer
  people are served).

Nothing is written per event: the lines come from the indicator registry and the stored runs.
Kept apart from :mod:`willsim.workshop.board` (the ranking and its debrief lines).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from willsim.experiments.stats import t_interval
from willsim.indicators import INDICATORS, tagged
from willsim.reporting.formatting import percent, value
from willsim.reporting.i18n import text
from willsim.workshop.runner import STATUS_QUO

MIN_CHANGE = 0.05
"""The smallest relative change said (smaller ones are not worth a debrief line)."""


def _values(data: Mapping[str, Any], key: str) -> np.ndarray:
    runs = data["results"].get(STATUS_QUO, {}).get("runs", [])
    out = [run["summary"].get(key) for run in runs]
    return np.array([math.nan if v is None else float(v) for v in out], dtype=float)


def _clear(before: np.ndarray, after: np.ndarray) -> bool:
    """A paired change that is real: its 95% interval excludes zero (or, with one replicate,
    at least :data:`MIN_CHANGE` of the level)."""
    n = min(before.size, after.size)
    if n == 0:
        return False
    diff = after[:n] - before[:n]
    level = float(np.nanmean(np.abs(before[:n])))
    if not np.isfinite(diff).all() or abs(float(np.mean(diff))) < MIN_CHANGE * max(level, 1e-12):
        return False
    if n < 2:
        return True
    _, lo, hi = t_interval(diff)
    return bool(lo > 0 or hi < 0)


def _shown(key: str, x: float, language: str) -> str:
    return value(x, INDICATORS[key].unit, language)


def surprise_lines(rounds: Sequence[Mapping[str, Any]], language: str) -> list[str]:
    """One line per key indicator of the status quo that improved in a round with an event,
    with the reason found in the same runs."""
    lines: list[str] = []
    keys = [k for k in tagged("key") if INDICATORS[k].better]
    for prev, data in itertools.pairwise(rounds):
        if data.get("event", "none") == "none":
            continue
        event = text(f"ws_event_{data['event']}", language)
        for key in keys:
            before, after = _values(prev, key), _values(data, key)
            if not _clear(before, after):
                continue
            change = float(np.nanmean(after) - np.nanmean(before))
            if change * INDICATORS[key].better <= 0:
                continue  # worse, as an event should make it
            ind = INDICATORS[key]
            head = dict(
                indicator=ind.label_in(language),
                before=_shown(key, float(np.nanmean(before)), language),
                after=_shown(key, float(np.nanmean(after)), language),
                n=int(data["number"]),
                event=event,
            )
            lines.append(text("ws_surprise", language, **head, why=_why(prev, data, key, language)))
    return lines


def _why(prev: Mapping[str, Any], data: Mapping[str, Any], key: str, language: str) -> str:
    """The reason: fewer cases under an average, else what worsened most at the same time."""
    summary = INDICATORS[key].summary
    if summary.startswith("ratio:"):
        den = summary.split("/", 1)[1]
        if den in INDICATORS:
            a, b = float(np.nanmean(_values(prev, den))), float(np.nanmean(_values(data, den)))
            if a > 0 and b < a * (1 - MIN_CHANGE):
                return text(
                    "ws_surprise_fewer",
                    language,
                    cases=INDICATORS[den].label_in(language),
                    share=percent((a - b) / a, 0, language),
                )
    worst, worst_change = None, 0.0
    for other in tagged("key"):
        ind = INDICATORS[other]
        if other == key or not ind.better:
            continue
        a, b = float(np.nanmean(_values(prev, other))), float(np.nanmean(_values(data, other)))
        if not (math.isfinite(a) and math.isfinite(b)) or a == 0:
            continue
        worse = (b - a) / abs(a) * -ind.better
        if worse > worst_change:
            worst, worst_change = other, worse
    if worst is not None and worst_change >= MIN_CHANGE:
        a = float(np.nanmean(_values(prev, worst)))
        b = float(np.nanmean(_values(data, worst)))
        return text(
            "ws_surprise_tradeoff",
            language,
            other=INDICATORS[worst].label_in(language),
            before=_shown(worst, a, language),
            after=_shown(worst, b, language),
        )
    return text("ws_surprise_unknown", language)
