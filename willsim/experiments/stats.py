"""The statistics of comparisons: paired t-intervals, tests, multiplicity control, replication.

One module for every interval willsim prints (the command line, the app, the workshop and the
economics all call these functions):

* :func:`t_interval` — mean and t-interval of paired differences;
* :func:`paired_p_value` — two-sided one-sample t-test of paired differences against zero;
* :func:`holm` and :func:`benjamini_hochberg` — adjusted p-values for a family of tests (Holm
  controls the chance of any false "clear" verdict; Benjamini–Hochberg the expected share of
  false ones among the flagged);
* :func:`replicates_needed` — the pairs a t-interval needs for a given half-width;
* :func:`sci` — numbers to three significant digits, as every table prints them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MULTIPLICITY = ("holm", "bh", "none")
"""Ways of adjusting a family of tests: Holm (family-wise error), Benjamini–Hochberg (false
discovery rate), or none."""
MULTIPLICITY_TEXT = {
    "holm": "Holm-adjusted for {m} comparisons (family-wise error {alpha:.0%})",
    "bh": "Benjamini–Hochberg over {m} comparisons (false discovery rate {alpha:.0%})",
    "none": "not adjusted for the {m} comparisons (each at {alpha:.0%})",
}


def sci(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (scientific when small or large): never
    "0.00" for a small non-zero value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    d = np.asarray(values, dtype=float)
    return d[np.isfinite(d)]


def t_interval(
    diffs: Sequence[float] | np.ndarray, conf: float = 0.95
) -> tuple[float, float, float]:
    """Mean and ``conf`` t-interval of paired differences (NaN pairs dropped).

    With one pair the interval is NaN; with identical differences it has zero width.
    """
    from scipy import stats

    d = _finite(diffs)
    if d.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if d.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + conf / 2, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
    return mean, mean - half, mean + half


def paired_p_value(diffs: Sequence[float] | np.ndarray) -> float:
    """Two-sided p-value of the paired t-test that the mean difference is zero.

    All-zero differences give 1 (nothing to detect); identical non-zero differences give 0;
    fewer than two pairs give NaN.
    """
    from scipy import stats

    d = _finite(diffs)
    if d.size < 2:
        return math.nan
    sd = float(d.std(ddof=1))
    mean = float(d.mean())
    if sd <= 1e-12 * abs(mean) or sd == 0.0:  # identical differences (up to rounding)
        return 1.0 if mean == 0.0 else 0.0
    t = mean / (sd / math.sqrt(d.size))
    return float(2 * stats.t.sf(abs(t), d.size - 1))


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count in the family)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out[order] = np.minimum(adjusted, 1.0)
    return out


def adjust(p_values: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjusted p-values by ``method`` (one of :data:`MULTIPLICITY`)."""
    if method == "holm":
        return holm(p_values)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "none":
        return np.asarray(p_values, dtype=float).copy()
    raise ValueError(f"unknown multiplicity method {method!r}; valid: {', '.join(MULTIPLICITY)}")


def describe_adjustment(method: str, m: int, alpha: float = 0.05) -> str:
    """The sentence an output prints to say how its verdicts were adjusted."""
    return MULTIPLICITY_TEXT[method].format(m=m, alpha=alpha)


def replicates_needed(
    sd: float, half_width: float, conf: float = 0.95, max_n: int = 100_000
) -> int | None:
    """Smallest n whose t-interval of a paired difference with SD ``sd`` has ``half_width``;
    None when it is above ``max_n`` or cannot be computed."""
    from scipy import stats

    if math.isnan(sd) or not (sd >= 0 and half_width > 0):
        return None
    if sd == 0:
        return 2
    n = max(2, math.ceil((stats.norm.ppf(0.5 + conf / 2) * sd / half_width) ** 2))
    if n > max_n:
        return None
    while n <= max_n:
        if stats.t.ppf(0.5 + conf / 2, n - 1) * sd / math.sqrt(n) <= half_width:
            return n
        n += 1
    return None
