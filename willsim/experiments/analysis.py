"""Summaries of a stored sweep: bands over time, what matters most (honestly), figures.

* :func:`bands` — median and 90% band (5th-95th percentile) of each output by week;
* :func:`sobol_indices` / :func:`morris_indices` — SALib analysis of one output;
* :func:`rank_correlations` — Spearman correlation of each parameter with each output, with a
  95% interval, for factorial and Latin-hypercube designs;
* :func:`sensitivity` — the sensitivity table of a sweep, every index with its 95% interval,
  its **noise floor** and **flags**;
* :func:`summarise` — all of the above for a sweep folder, as CSV tables and PNG figures in
  ``DIR/analysis/`` (what ``willsim results DIR`` runs; the app's Results page calls the same
  functions). Every file is written atomically: a killed ``results`` never leaves a partial file.

**The noise floor** of an index is the value the same analysis gives to pure replicate noise of
the size this sweep has. The replicates of each point are split in two halves; the scaled
difference of their means has no parameter signal but exactly the noise (variance and, with
common seeds, the correlation between points) that the point means carry. Its index, computed on
the same design (averaged over a few splits, and for Sobol expressed as a share of the output's
variance), is the floor: an index whose 95% interval reaches down to it cannot be told from
noise. It needs at least two replicates per point.

**Flags**: ``ST>1`` (a total index above 1 is impossible for a variance share: noise or too few
samples), ``CI>est`` (the 95% interval is wider than the estimate), ``inert`` (the interval reaches
down to the noise floor; the index is exactly zero with common seeds when a parameter changes
nothing),
``no-floor`` (one replicate per point: noise cannot be measured).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.stats import sci
from willsim.experiments.store import SweepStore
from willsim.fileio import atomic_write, write_text
from willsim.indicators import INDICATORS

SPLITS = 8  # random half-splits of the replicates averaged for the noise floor
VALUE_COLUMN = {"sobol": "ST", "morris": "mu_star", "spearman": "spearman"}
CONF_COLUMN = {"sobol": "ST_conf", "morris": "mu_star_conf", "spearman": "half_width"}
FLOOR_COLUMN = {"sobol": "ST_floor", "morris": "mu_star_floor", "spearman": "floor"}
FLAG_TEXT = {
    "ST>1": "total index above 1 (impossible for a variance share: noise or too few samples)",
    "CI>est": "the 95% interval is wider than the estimate",
    "inert": "its 95% interval reaches down to the noise floor: it cannot be told from noise",
    "no-floor": "one replicate per point: the noise floor cannot be measured",
}


def bands(weekly: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Median and 90% band over runs of weekly values: ``[*by], indicator, week, median, p05,
    p95, runs``."""
    keys = [*by, "indicator", "week"]
    grouped = weekly.groupby(keys, observed=True, sort=True)["value"]
    out = grouped.quantile([0.05, 0.5, 0.95]).unstack()
    out.columns = ["p05", "median", "p95"]
    out["runs"] = grouped.count()
    return out.reset_index()


def point_means(summary: pd.DataFrame, names: Sequence[str] = ()) -> pd.DataFrame:
    """End-of-run outputs averaged over the replicates of each design point (wide)."""
    wide = summary.pivot_table(
        index="point", columns="indicator", values="value", aggfunc="mean", observed=True
    )
    return wide.sort_index()


def replicate_values(design: pd.DataFrame, summary: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per output, the end-of-run values as a ``points x replicates`` array (NaN where a run is
    missing). Values are joined to the design by run key, so a repeated point (the same run)
    gets its value in every row that uses it."""
    rows = design[["point", "replicate", "run_key"]]
    values = summary[["run_key", "indicator", "value"]].drop_duplicates(["run_key", "indicator"])
    merged = rows.merge(values, on="run_key", how="inner")
    points = int(design["point"].max()) + 1
    reps = int(design["replicate"].max()) + 1
    out = {}
    for output, block in merged.groupby("indicator", observed=True, sort=True):
        arr = np.full((points, reps), np.nan)
        arr[block["point"].to_numpy(), block["replicate"].to_numpy()] = block["value"].to_numpy()
        out[str(output)] = arr
    return out


def noise_contrasts(values: np.ndarray, splits: int = SPLITS, seed: int = 0) -> list[np.ndarray]:
    """Pure-noise versions of the point means: for a split of the replicates into halves A
    and B, ``sqrt(k (R - k)) / R * (mean_A - mean_B)`` per point. Its variance and its
    correlation between points equal those of the noise in the point means."""
    reps = values.shape[1]
    if reps < 2:
        return []
    k = reps // 2
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, ...]] = set()
    out = []
    for _ in range(splits * 4):
        a = tuple(sorted(rng.choice(reps, size=k, replace=False).tolist()))
        b = tuple(i for i in range(reps) if i not in a)
        if a in seen or b in seen:
            continue
        seen.add(a)
        scale = math.sqrt(k * (reps - k)) / reps
        out.append(scale * (values[:, list(a)].mean(axis=1) - values[:, list(b)].mean(axis=1)))
        if len(out) == splits:
            break
    return out


def sobol_indices(
    problem: dict[str, Any], y: np.ndarray, second_order: bool = False, seed: int = 1
) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) of one output: ``parameter, S1, S1_conf, ST,
    ST_conf``."""
    from SALib.analyze import sobol

    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:
        zeros = np.zeros(problem["num_vars"])
        columns = ("S1", "S1_conf", "ST", "ST_conf")
        return pd.DataFrame({"parameter": problem["names"], **dict.fromkeys(columns, zeros)})
    res = sobol.analyze(problem, y, calc_second_order=second_order, seed=max(1, seed))
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def _sobol_variance(y: np.ndarray, k: int, second_order: bool) -> float:
    """The variance SALib divides by: of the A and B rows of a Saltelli design."""
    step = 2 * k + 2 if second_order else k + 2
    return float(np.var(np.r_[y[0::step], y[step - 1 :: step]]))


def morris_indices(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int = 4, seed: int = 1
) -> pd.DataFrame:
    """Morris elementary effects (SALib): ``parameter, mu, mu_star, sigma, mu_star_conf``.
    With the unit-hypercube ``x`` of a sweep, effects are per full range of each parameter."""
    from SALib.analyze import morris

    res = morris.analyze(
        problem,
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        num_levels=levels,
        seed=max(1, seed),
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


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from scipy import stats

    ok = np.isfinite(y)
    if ok.sum() <= 2 or np.unique(y[ok]).size < 2 or np.unique(x[ok]).size < 2:
        return math.nan, math.nan
    res = stats.spearmanr(x[ok], y[ok])
    return float(res.statistic), float(res.pvalue)


def rank_correlations(
    points: pd.DataFrame, means: pd.DataFrame, names: Sequence[str], conf: float = 0.95
) -> pd.DataFrame:
    """Spearman correlation of each numeric parameter with each output over design points,
    with a ``conf`` interval (Fisher transform, Bonett–Wright variance) and its p-value."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + conf / 2)
    rows = []
    for name in names:
        x = points[name]
        if not pd.api.types.is_numeric_dtype(x) or x.nunique() < 2:
            continue
        for output in means.columns:
            y = means[output].reindex(points.index).to_numpy(dtype=float)
            rho, p = _spearman(x.to_numpy(dtype=float), y)
            n = int(np.isfinite(y).sum())
            lo = hi = math.nan
            if n > 3 and abs(rho) < 1:
                se = math.sqrt((1 + rho**2 / 2) / (n - 3))
                lo, hi = math.tanh(math.atanh(rho) - z * se), math.tanh(math.atanh(rho) + z * se)
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "spearman": rho,
                    "ci_low": lo,
                    "ci_high": hi,
                    "half_width": (hi - lo) / 2 if math.isfinite(lo) else math.nan,
                    "p_value": p,
                }
            )
    return pd.DataFrame(rows)


def _floor(index: Callable[[np.ndarray], np.ndarray], contrasts: list[np.ndarray]) -> np.ndarray:
    if not contrasts:
        return np.array([])
    return np.mean([index(z) for z in contrasts], axis=0)


def flag(table: pd.DataFrame, method: str, replicates: int) -> pd.DataFrame:
    """Add ``flags`` and ``rank`` (1 = most important, per output) to a sensitivity table."""
    value, conf, floor = VALUE_COLUMN[method], CONF_COLUMN[method], FLOOR_COLUMN[method]
    flags = []
    for row in table.itertuples(index=False):
        est = abs(getattr(row, value))
        f = []
        if method == "sobol" and row.ST > 1:
            f.append("ST>1")
        width = getattr(row, conf)
        if math.isfinite(width) and math.isfinite(est) and width > est:
            f.append("CI>est")
        fl = getattr(row, floor)
        lower = est - width if math.isfinite(width) else est
        if est == 0 or (replicates >= 2 and math.isfinite(fl) and lower <= fl):
            f.append("inert")
        if replicates < 2:
            f.append("no-floor")
        flags.append(",".join(f))
    table = table.assign(flags=flags)
    key = table[value].abs().fillna(-1)
    table = table.assign(_key=key).sort_values(["output", "_key"], ascending=[True, False])
    table["rank"] = table.groupby("output").cumcount() + 1
    return table.drop(columns="_key").reset_index(drop=True)


def sensitivity(store: SweepStore, summary: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The sensitivity table of a sweep: Sobol or Morris indices for those designs, rank
    correlations otherwise; every index with its interval, noise floor and flags. Returns
    ``(method, table)`` with ``output`` and ``rank`` columns."""
    manifest = store.manifest()
    spec = manifest["spec"]
    names = [f["key"] for f in spec["factors"]]
    design = store.design()
    points = design.drop_duplicates("point").set_index("point").sort_index()
    reps = int(design["replicate"].max()) + 1
    values = replicate_values(design, summary)
    method = spec["design"] if spec["design"] in ("sobol", "morris") else "spearman"
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    second = bool(spec.get("second_order", False))
    tables = []
    for output, arr in values.items():
        every_point = bool(np.isfinite(arr).any(axis=1).all())
        if method != "spearman" and not every_point:
            missing = np.flatnonzero(~np.isfinite(arr).any(axis=1))
            raise SpecError(
                f"{store.root}: {missing.size} design points have no finished run "
                f"(e.g. point {missing[0]}); {method} indices need every point. "
                "Run the sweep again with --resume"
            )
        y = np.nanmean(arr, axis=1) if every_point else np.full(arr.shape[0], np.nan)
        complete = arr if np.isfinite(arr).all() else arr[:, np.isfinite(arr).all(axis=0)]
        contrasts = noise_contrasts(complete)
        if method == "sobol":
            t = sobol_indices(problem, y, second)
            var_y = _sobol_variance(y, len(names), second)

            def st(z: np.ndarray, var_y: float = var_y) -> np.ndarray:
                share = _sobol_variance(z, len(names), second) / var_y if var_y > 0 else 0.0
                s = sobol_indices(problem, z, second)
                return np.c_[s["S1"].to_numpy() * share, s["ST"].to_numpy() * share]

            fl = _floor(st, contrasts)
            t["S1_floor"] = fl[:, 0] if fl.size else np.nan
            t["ST_floor"] = fl[:, 1] if fl.size else np.nan
        elif method == "morris":
            x = points[[f"u:{n}" for n in names]].to_numpy(dtype=float)
            levels = int(spec.get("levels", 4))
            t = morris_indices(problem, x, y, levels)

            def mu_star(z: np.ndarray, x: np.ndarray = x, levels: int = levels) -> np.ndarray:
                return morris_indices(problem, x, z, levels)["mu_star"].to_numpy()

            fl = _floor(mu_star, contrasts)
            t["mu_star_floor"] = fl if fl.size else np.nan
        else:
            means = pd.DataFrame({output: np.nanmean(arr, axis=1)}, index=points.index)
            t = rank_correlations(points, means, names)
            if t.empty:
                continue
            t = t.drop(columns="output")
            floors = []
            for name in t["parameter"]:
                x = points[name].to_numpy(dtype=float)
                floors.append(
                    np.mean([abs(_spearman(x, z)[0]) for z in contrasts]) if contrasts else np.nan
                )
            t["floor"] = floors
        tables.append(t.assign(output=output))
    if not tables:
        return method, pd.DataFrame()
    table = pd.concat(tables, ignore_index=True)
    return method, flag(table, method, reps)


def noise_shares(store: SweepStore, summary: pd.DataFrame) -> pd.DataFrame:
    """Per output: the share of the variance of the point means that is replicate noise."""
    design = store.design()
    rows = []
    for output, arr in replicate_values(design, summary).items():
        complete = arr[:, np.isfinite(arr).all(axis=0)]
        means = np.nanmean(arr, axis=1)
        noise = [float(np.var(z)) for z in noise_contrasts(complete)]
        total = float(np.nanvar(means))
        share = (np.mean(noise) / total) if noise and total > 0 else math.nan
        rows.append({"output": output, "noise_share": min(share, 1.0), "replicates": arr.shape[1]})
    return pd.DataFrame(rows)


def sensitivity_text(method: str, table: pd.DataFrame, common_seeds: bool | None = None) -> str:
    """The sensitivity table as text: per output, parameters by importance with the index,
    its 95% interval, its noise floor and flags (numbers to three significant digits)."""
    value, conf, floor = VALUE_COLUMN[method], CONF_COLUMN[method], FLOOR_COLUMN[method]
    title = {
        "sobol": "total Sobol index ST",
        "morris": "Morris mu* (per full range)",
        "spearman": "Spearman rank correlation",
    }[method]
    seeds = (
        ""
        if common_seeds is None
        else "; common seeds at every point"
        if common_seeds
        else "; a new seed for every run (no common random numbers)"
    )
    lines = [f"What matters most ({method}: {title}, 95% interval, noise floor{seeds}):"]
    width = max(len(p) for p in table["parameter"]) if not table.empty else 10
    for output, block in table.groupby("output", sort=False):
        lines.append(f"  {output}")
        lines.append(
            f"    {'parameter':<{width}}  {value:>9}  {'95% interval':>21}  {'floor':>9}  flags"
        )
        for r in block.itertuples(index=False):
            v = getattr(r, value)
            if method == "spearman":
                lo, hi = r.ci_low, r.ci_high
            else:
                lo, hi = v - getattr(r, conf), v + getattr(r, conf)
            interval = f"[{sci(lo)}, {sci(hi)}]"
            lines.append(
                f"    {r.parameter:<{width}}  {sci(v):>9}  {interval:>21}  "
                f"{sci(getattr(r, floor)):>9}  {r.flags}"
            )
    used = sorted({f for fl in table.get("flags", []) for f in str(fl).split(",") if f})
    for f in used:
        lines.append(f"  {f}: {FLAG_TEXT[f]}")
    return "\n".join(lines)


def clean_analysis_folder(out: Path) -> None:
    """Remove temporary files a killed ``results`` left in ``analysis/``."""
    if out.is_dir():
        for p in out.iterdir():
            if p.name.startswith(".") and p.is_file():
                p.unlink(missing_ok=True)


def summarise(root: str | Path, figures: bool = True) -> dict[str, Any]:
    """Write ``analysis/`` tables (and figures) for a sweep folder; return what was written.
    Each file is written to a temporary name and renamed."""
    store = SweepStore(Path(root))
    manifest = store.manifest()
    data = store.load()
    out = store.root / "analysis"
    out.mkdir(exist_ok=True)
    clean_analysis_folder(out)
    written: dict[str, Any] = {"tables": [], "figures": [], "notes": []}
    if store.quarantined:
        written["notes"].append(store.quarantine_message())
    summary = data[data["kind"] == "summary"]
    stats = (
        summary.groupby("indicator", observed=True)["value"]
        .describe(percentiles=[0.05, 0.5, 0.95])
        .reset_index()
    )
    write_text(out / "summary.csv", stats.to_csv(index=False))
    written["tables"].append(out / "summary.csv")
    written["summary"] = stats
    weekly = data[data["kind"] == "week"]
    if not weekly.empty:
        band = bands(weekly)
        write_text(out / "bands.csv", band.to_csv(index=False))
        written["tables"].append(out / "bands.csv")
        written["bands"] = band
        if figures:
            written["figures"].append(_plot_bands(band, out / "bands.png"))
    method, table = sensitivity(store, summary)
    written["noise"] = noise_shares(store, summary)
    if not table.empty:
        name = f"sensitivity_{method}.csv"
        write_text(out / name, table.to_csv(index=False))
        written["tables"].append(out / name)
        written["sensitivity"] = (method, table)
        if figures:
            written["figures"].append(_plot_sensitivity(method, table, out / "sensitivity.png"))
    written["runs"] = int(data["run_key"].nunique())
    written["design_runs"] = manifest.get("runs")
    written["distinct_runs"] = manifest.get("distinct_runs", manifest.get("runs"))
    written["common_seeds"] = manifest.get("spec", {}).get("common_seeds")
    return written


def _label(key: str) -> str:
    ind = INDICATORS.get(key)
    return f"{ind.label} ({ind.unit})" if ind else key


def _save(fig: Any, path: Path) -> Path:
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    return path


def _figure(rows: int, cols: int, size: tuple[float, float]) -> tuple[Any, Any]:
    """A figure outside pyplot (no backend is chosen or changed for the caller)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    axes = np.array(fig.subplots(rows, cols, squeeze=False))
    return fig, axes


def _plot_bands(band: pd.DataFrame, path: Path) -> Path:
    outputs = list(dict.fromkeys(band["indicator"]))
    cols = min(3, len(outputs))
    rows = -(-len(outputs) // cols)
    fig, axes = _figure(rows, cols, (4.5 * cols, 3.2 * rows))
    for ax, output in zip(axes.flat, outputs, strict=False):
        b = band[band["indicator"] == output]
        ax.plot(b["week"], b["median"], color="C0", label="median")
        ax.fill_between(b["week"], b["p05"], b["p95"], alpha=0.25, color="C0", label="90% of runs")
        ax.set_title(_label(output), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle("Median and 90% band over runs")
    fig.tight_layout()
    return _save(fig, path)


def _plot_sensitivity(method: str, table: pd.DataFrame, path: Path) -> Path:
    value, conf, floor = VALUE_COLUMN[method], CONF_COLUMN[method], FLOOR_COLUMN[method]
    title = {
        "sobol": "Total Sobol index (95% interval)",
        "morris": "Morris mu* per full range (95% interval)",
        "spearman": "Spearman rank correlation (95% interval)",
    }[method]
    outputs = list(dict.fromkeys(table["output"]))
    cols = min(2, len(outputs))
    rows = -(-len(outputs) // cols)
    npar = table["parameter"].nunique()
    fig, axes = _figure(rows, cols, (6.5 * cols, rows * (1.6 + 0.45 * npar)))
    for ax, output in zip(axes.flat, outputs, strict=False):
        t = table[table["output"] == output].sort_values("rank", ascending=False)
        y = np.arange(len(t))
        v = t[value].to_numpy(dtype=float)
        if method == "spearman":
            err = np.vstack([v - t["ci_low"], t["ci_high"] - v])
        else:
            err = t[conf].to_numpy(dtype=float)
        colors = ["0.6" if "inert" in str(f) else "C1" for f in t["flags"]]
        ax.barh(y, v, xerr=err, color=colors, ecolor="0.2", capsize=3)
        fl = t[floor].to_numpy(dtype=float)
        if np.isfinite(fl).any():
            ax.scatter(fl, y, marker="|", s=300, color="C3", zorder=3, label="noise floor")
            ax.legend(fontsize=8, loc="lower right")
        labels = [
            f"{p}  [{f}]" if f else p for p, f in zip(t["parameter"], t["flags"], strict=True)
        ]
        ax.set_yticks(y, labels, fontsize=8)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_title(_label(output), fontsize=10)
        ax.set_xlabel(title, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle("What matters most (grey: within the noise floor)")
    fig.tight_layout()
    return _save(fig, path)
