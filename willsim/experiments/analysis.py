"""Summaries of a stored sweep: bands over time, what matters most, figures.

* :func:`bands` — median and 90% band (5th-95th percentile) of each output by week;
* :func:`sobol_indices` / :func:`morris_indices` — SALib analysis of end-of-run outputs, with the
  replicates of each design point averaged first;
* :func:`rank_correlations` — Spearman correlation of each parameter with each output, for
  factorial and Latin-hypercube designs;
* :func:`summarise` — all of the above for a sweep folder, as CSV tables and seaborn PNGs in
  ``DIR/analysis/`` (what ``willsim results DIR`` runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.store import SweepStore
from willsim.indicators import INDICATORS


def bands(weekly: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Median and 90% band over runs of weekly values: ``[*by], indicator, week, median, p05,
    p95, runs``."""
    keys = [*by, "indicator", "week"]
    grouped = weekly.groupby(keys, observed=True, sort=True)["value"]
    out = grouped.quantile([0.05, 0.5, 0.95]).unstack()
    out.columns = ["p05", "median", "p95"]
    out["runs"] = grouped.count()
    return out.reset_index()


def point_means(summary: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """End-of-run outputs averaged over the replicates of each design point (wide)."""
    wide = summary.pivot_table(
        index="point", columns="indicator", values="value", aggfunc="mean", observed=True
    )
    return wide.sort_index()


def sobol_indices(
    problem: dict[str, Any], y: np.ndarray, second_order: bool = False, seed: int = 0
) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) of one output: ``parameter, S1, S1_conf, ST,
    ST_conf``."""
    from SALib.analyze import sobol

    res = sobol.analyze(
        problem, np.asarray(y, dtype=float), calc_second_order=second_order, seed=seed
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def morris_indices(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Morris elementary effects (SALib): ``parameter, mu, mu_star, sigma, mu_star_conf``.
    With the unit-hypercube ``x`` of a sweep, effects are per full range of each parameter."""
    from SALib.analyze import morris

    res = morris.analyze(
        problem,
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        num_levels=levels,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "sigma": res["sigma"],
            "mu_star_conf": res["mu_star_conf"],
        }
    )


def rank_correlations(
    points: pd.DataFrame, means: pd.DataFrame, names: Sequence[str]
) -> pd.DataFrame:
    """Spearman correlation of each numeric parameter with each output, over design points."""
    from scipy import stats

    rows = []
    for name in names:
        x = points[name]
        if not pd.api.types.is_numeric_dtype(x) or x.nunique() < 2:
            continue
        for output in means.columns:
            y = means[output].reindex(points.index)
            ok = y.notna()
            rho = (
                stats.spearmanr(x[ok], y[ok]).statistic
                if ok.sum() > 2 and y[ok].nunique() > 1
                else np.nan
            )
            rows.append({"output": output, "parameter": name, "spearman": float(rho)})
    return pd.DataFrame(rows)


def sensitivity(store: SweepStore, summary: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The sensitivity table of a sweep: Sobol or Morris indices for those designs, rank
    correlations otherwise. Returns ``(method, table)`` with an ``output`` column."""
    manifest = store.manifest()
    spec = manifest["spec"]
    names = [f["key"] for f in spec["factors"]]
    design = store.design()
    points = design.drop_duplicates("point").set_index("point").sort_index()
    means = point_means(summary, names)
    method = spec["design"]
    if method in ("sobol", "morris"):
        missing = sorted(set(points.index) - set(means.index))
        if missing:
            raise SpecError(
                f"{store.root}: {len(missing)} design points have no finished run "
                f"(e.g. point {missing[0]}); {method} indices need every point. "
                "Run the sweep again with --resume"
            )
        problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
        tables = []
        for output in means.columns:
            y = means[output].to_numpy(dtype=float)
            if np.isnan(y).any() or np.ptp(y) == 0:
                continue
            if method == "sobol":
                t = sobol_indices(problem, y, spec.get("second_order", False))
            else:
                x = points[[f"u:{n}" for n in names]].to_numpy(dtype=float)
                t = morris_indices(problem, x, y, spec.get("levels", 4))
            tables.append(t.assign(output=output))
        table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        return method, table
    return "spearman", rank_correlations(points, means, names)


def summarise(root: str | Path, figures: bool = True) -> dict[str, Any]:
    """Write ``analysis/`` tables (and figures) for a sweep folder; return what was written."""
    store = SweepStore(Path(root))
    manifest = store.manifest()
    data = store.load()
    out = store.root / "analysis"
    out.mkdir(exist_ok=True)
    written: dict[str, Any] = {"tables": [], "figures": []}
    summary = data[data["kind"] == "summary"]
    stats = (
        summary.groupby("indicator", observed=True)["value"]
        .describe(percentiles=[0.05, 0.5, 0.95])
        .reset_index()
    )
    stats.to_csv(out / "summary.csv", index=False)
    written["tables"].append(out / "summary.csv")
    written["summary"] = stats
    weekly = data[data["kind"] == "week"]
    if not weekly.empty:
        band = bands(weekly)
        band.to_csv(out / "bands.csv", index=False)
        written["tables"].append(out / "bands.csv")
        written["bands"] = band
        if figures:
            written["figures"].append(_plot_bands(band, out / "bands.png"))
    method, table = sensitivity(store, summary)
    if not table.empty:
        name = f"sensitivity_{method}.csv"
        table.to_csv(out / name, index=False)
        written["tables"].append(out / name)
        written["sensitivity"] = (method, table)
        if figures:
            written["figures"].append(_plot_sensitivity(method, table, out / "sensitivity.png"))
    written["runs"] = int(data["run_key"].nunique())
    written["design_runs"] = manifest.get("runs")
    return written


def _label(key: str) -> str:
    ind = INDICATORS.get(key)
    return f"{ind.label} ({ind.unit})" if ind else key


def _plot_bands(band: pd.DataFrame, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid")
    outputs = list(dict.fromkeys(band["indicator"]))
    cols = min(3, len(outputs))
    rows = -(-len(outputs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.2 * rows), squeeze=False)
    for ax, output in zip(axes.flat, outputs, strict=False):
        b = band[band["indicator"] == output]
        sns.lineplot(data=b, x="week", y="median", ax=ax, color="C0")
        ax.fill_between(b["week"], b["p05"], b["p95"], alpha=0.25, color="C0", label="90% of runs")
        ax.set_title(_label(output), fontsize=10)
        ax.set_ylabel("")
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle("Median and 90% band over runs")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_sensitivity(method: str, table: pd.DataFrame, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid")
    value, title = {
        "sobol": ("ST", "Total Sobol index"),
        "morris": ("mu_star", "Morris mu* (per full range)"),
        "spearman": ("spearman", "Spearman rank correlation"),
    }[method]
    outputs = list(dict.fromkeys(table["output"]))
    cols = min(3, len(outputs))
    rows = -(-len(outputs) // cols)
    height = rows * (1.4 + 0.4 * table["parameter"].nunique())
    fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, height), squeeze=False)
    for ax, output in zip(axes.flat, outputs, strict=False):
        t = table[table["output"] == output].sort_values(value, key=abs, ascending=False)
        sns.barplot(data=t, x=value, y="parameter", ax=ax, color="C1")
        ax.set_title(_label(output), fontsize=10)
        ax.set_xlabel(title)
        ax.set_ylabel("")
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle(f"What matters most: {title}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
