"""After the search: re-score the best trials, freeze an ensemble, write layers and the report.

Two ensembles, both immutable Parquet files in the study folder:

* ``topk`` (:func:`finish`): the K trials with the lowest search loss are run again on fresh
  seeds (never the search's, so a trial that was lucky on the search seeds loses its luck); the
  members are those whose fitted targets are all within tolerance on the fresh seeds (or, if none
  is, the K re-scored trials, flagged so). Equal weights. A robustness set of good parameter
  sets, not a posterior: TPE's proposals are not draws from anything.
* ``prior`` (:func:`prior_design`): scrambled Sobol points over the prior (the unit cube of
  quantiles), each run on fresh seeds, weighted by a Gaussian likelihood whose standard
  deviations are half the tolerances: log w = -2 sum_f mean_{j in f} w_j z_j^2. With an
  effective sample size (ESS) of about 100 or more it approximates the posterior under that
  error model; below that it is reported, with a warning, as not a posterior.

Rows: ``draw_id``, ``weight`` (summing to 1), ``p__<free parameter>``, ``loss``, ``max_abs_z``
(over fitted targets), ``z__<target>@<city>`` for every measured target (hold-out and checks
included, never used to choose members). The Arrow metadata key ``willsim`` holds JSON: method,
study, versions, commit, the study's fingerprint, seeds, run counts and ESS.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.calibration.evaluate import RunTask, run_task
from willsim.calibration.layer import write_layer
from willsim.calibration.loss import TargetScore, total_loss
from willsim.calibration.report import fit_table, loss_lines, plot_fit, to_markdown
from willsim.calibration.space import city_overrides
from willsim.calibration.study import (
    DESIGN_SEED_BLOCK,
    FRESH_SEED_BLOCK,
    Study,
    StudyError,
    git_commit,
    seed_block,
)
from willsim.fileio import atomic_write, write_text

METADATA_KEY = b"willsim"


@dataclass
class Candidate:
    """A parameter set and its scores on the re-scoring (or design) seeds."""

    tag: int
    values: dict[str, float]
    search_loss: float | None = None
    scores: list[TargetScore] | None = None
    error: str | None = None

    @property
    def loss(self) -> float:
        return total_loss(self.scores or []) if self.error is None else math.inf

    @property
    def max_abs_z(self) -> float:
        fit = [abs(s.z) for s in self.scores or [] if s.role == "fit"]
        return max(fit) if fit else math.nan

    @property
    def within_tolerance(self) -> bool:
        fit = [s for s in self.scores or [] if s.role == "fit"]
        return self.error is None and bool(fit) and all(s.passed for s in fit)


def run_candidates(
    study: Study,
    candidates: Sequence[Candidate],
    seeds: Sequence[int],
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> None:
    """Run every candidate on every city of the study (fit and hold-out) and ``seeds``; fill in
    each candidate's scores (in a hold-out city, the fitted targets become ``holdout``)."""
    from tqdm import tqdm

    from willsim.experiments.engines import run_tasks

    by_tag = {c.tag: c for c in candidates}
    tasks: list[RunTask] = []
    for c in candidates:
        tasks += study.runs.tasks(study.free, c.values, seeds, tag=c.tag)
    results: dict[int, dict[str, list[dict[str, float]]]] = {c.tag: {} for c in candidates}
    show = None if progress else True
    bar = tqdm(total=len(tasks), unit="run", disable=show, leave=False, file=sys.stderr)
    by_key = {t.key: t for t in tasks}
    try:
        for out in run_tasks(tasks, run_task, engine=engine, workers=workers, scheduler=scheduler):
            bar.update(1)
            task = by_key[out.key]
            if not out.ok:
                by_tag[task.tag].error = out.error
                continue
            results[task.tag].setdefault(task.city, []).append(out.result)
    finally:
        bar.close()
    holdout = set(study.spec.holdout_cities)
    for c in candidates:
        if c.error is not None:
            continue
        scores = study.runs.score(results[c.tag])
        c.scores = [
            replace(s, role="holdout") if s.city in holdout and s.role == "fit" else s
            for s in scores
        ]


def _frame(study: Study, members: Sequence[Candidate], weights: Sequence[float]) -> pd.DataFrame:
    rows = []
    for draw, (c, w) in enumerate(zip(members, weights, strict=True)):
        row: dict[str, Any] = {"draw_id": draw, "weight": float(w)}
        row.update({f"p__{name}": value for name, value in c.values.items()})
        row["loss"] = c.loss
        row["max_abs_z"] = c.max_abs_z
        row["source"] = c.tag
        if c.search_loss is not None:
            row["search_loss"] = c.search_loss
        row.update({f"z__{s.key}": s.z for s in c.scores or []})
        rows.append(row)
    return pd.DataFrame(rows)


def write_ensemble(path: Path, frame: pd.DataFrame, metadata: dict[str, Any]) -> Path:
    """Write an ensemble once: an existing file is never replaced (ensembles are immutable)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        raise StudyError(f"{path} exists and ensembles are immutable: choose another --name")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(metadata).encode()}
    table = table.replace_schema_metadata(meta)
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))
    return path


def read_ensemble(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An ensemble's rows and its metadata."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    return table.to_pandas(), meta


def _metadata(study: Study, method: str, **extra: Any) -> dict[str, Any]:
    import optuna

    import willsim

    return {
        "method": method,
        "study": study.spec.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "willsim_version": willsim.__version__,
        "optuna_version": optuna.__version__,
        "numpy_version": np.__version__,
        "git_commit": git_commit(),
        "fingerprint": study.fingerprint(),
        "fit_cities": list(study.spec.fit_cities),
        "holdout_cities": list(study.spec.holdout_cities),
        "free_parameters": [f.name for f in study.free],
        "residents": study.spec.settings.residents,
        "weeks": study.spec.settings.weeks,
        **extra,
    }


@dataclass
class FinishReport:
    """What :func:`finish` wrote and found."""

    best: Candidate
    members: int
    criterion: str
    ensemble: Path
    layers: list[Path]
    table: pd.DataFrame
    text: str


def finish(
    study: Study,
    top: int = 20,
    fresh_seeds: int = 5,
    name: str = "ensemble-topk",
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> FinishReport:
    """Re-score the ``top`` trials on ``fresh_seeds`` new seeds; write the top-k ensemble, each
    city's calibrated layer (the best re-scored trial), the fit report and its figure."""
    from optuna.trial import TrialState

    if top < 1 or fresh_seeds < 1:
        raise StudyError("--top and --fresh-seeds must be at least 1")
    path = study.folder / f"{name}.parquet"
    if path.exists():
        raise StudyError(f"{path} exists and ensembles are immutable: choose another --name")
    trials = study.optuna_study().get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not trials:
        raise StudyError(f"no complete trial in {study.folder}: run `willsim calibrate search`")
    chosen, seen = [], set()
    for t in sorted(trials, key=lambda t: t.value):
        key = tuple(round(t.params[f.name], 9) for f in study.free)
        if key not in seen:
            seen.add(key)
            chosen.append(Candidate(t.number, study.values(t.params), float(t.value)))
        if len(chosen) == top:
            break
    seeds = seed_block(study.spec.seed_root, FRESH_SEED_BLOCK, fresh_seeds)
    run_candidates(study, chosen, seeds, engine, workers, scheduler, progress)
    ok = sorted((c for c in chosen if c.error is None), key=lambda c: c.loss)
    if not ok:
        raise StudyError(f"every re-scoring run failed; first error: {chosen[0].error}")
    within = [c for c in ok if c.within_tolerance]
    members = within or ok
    criterion = (
        f"{len(within)} of {len(ok)} re-scored trials with every fitted target within tolerance"
        if within
        else f"none of the {len(ok)} re-scored trials meets every fitted target: all kept"
    )
    best = members[0]
    frame = _frame(study, members, [1.0 / len(members)] * len(members))
    meta = _metadata(
        study,
        "top trials of the search re-scored on fresh seeds (equal weights; not a posterior)",
        criterion=criterion,
        top=top,
        fresh_seeds=seeds,
        search_seeds=study.seeds,
        runs=len(chosen) * fresh_seeds * len(study.runs.cities),
        ess=float(len(members)),
    )
    write_ensemble(path, frame, meta)
    layers = _write_layers(study, best, name, criterion)
    cities = [*study.spec.fit_cities, *study.spec.holdout_cities]
    table = fit_table(study.targets, best.scores or [], cities)
    holdout = set(study.spec.holdout_cities)
    table.loc[table["city"].isin(holdout) & (table["role"] == "fit"), "role"] = "holdout"
    header = [
        f"Study {study.spec.name}: best re-scored trial {best.tag} on {fresh_seeds} fresh seeds",
        f"Ensemble {path.name}: {len(members)} members ({criterion})",
        *loss_lines(best.scores or []),
    ]
    from willsim.calibration.report import format_fit_table

    text = format_fit_table(table, header)
    table.to_csv(study.folder / "fit.csv", index=False)
    write_text(study.folder / "fit.md", "\n".join(header) + "\n\n" + to_markdown(table))
    write_text(study.folder / "fit.txt", text + "\n")
    plot_fit(table, study.folder / "fit.png", f"{study.spec.name}: trial {best.tag}")
    return FinishReport(best, len(members), criterion, path, layers, table, text)


def _write_layers(study: Study, best: Candidate, ensemble: str, criterion: str) -> list[Path]:
    fp = study.fingerprint()
    out = []
    for city in [*study.spec.fit_cities, *study.spec.holdout_cities]:
        role = "holdout" if city in study.spec.holdout_cities else "fit"
        base = study.runs.bases[city]
        params = city_overrides(study.free, best.values, city, base.params)
        city_scores = [s for s in best.scores or [] if s.city == city]
        meta = {
            "city": city,
            "study": study.spec.name,
            "role": role,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit() or "unknown",
            "targets_hash": fp["targets"],
            "priors_hash": fp["priors"],
            "model_hash": fp["model"],
            "scenario": study.spec.settings.scenario,
            "trial": best.tag,
            "loss": best.loss,
            "city_loss": total_loss(city_scores, roles=(role,)),
            "method": "optuna multivariate TPE; best trial re-scored on fresh seeds",
            "ensemble": f"{ensemble}.parquet",
            "criterion": criterion,
        }
        out.append(write_layer(study.folder / "calibrated" / f"{city}.toml", meta, params))
    return out


def prior_design(
    study: Study,
    points: int = 1024,
    seeds: int = 1,
    name: str = "ensemble-prior",
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> tuple[Path, float]:
    """Run ``points`` scrambled Sobol points of the prior, weight them by the likelihood; write
    the ensemble and return its path and effective sample size."""
    from scipy.stats import qmc

    if points < 2 or seeds < 1:
        raise StudyError("--points must be at least 2 and --seeds at least 1")
    path = study.folder / f"{name}.parquet"
    if path.exists():
        raise StudyError(f"{path} exists and ensembles are immutable: choose another --name")
    sobol = qmc.Sobol(len(study.free), scramble=True, seed=study.spec.seed_root)
    with warnings.catch_warnings():  # a number of points that is not a power of 2 is fine here
        warnings.simplefilter("ignore", UserWarning)
        cube = sobol.random(points)
    candidates = [
        Candidate(i, {f.name: f.value(u) for f, u in zip(study.free, row, strict=True)})
        for i, row in enumerate(cube)
    ]
    design_seeds = seed_block(study.spec.seed_root, DESIGN_SEED_BLOCK, seeds)
    run_candidates(study, candidates, design_seeds, engine, workers, scheduler, progress)
    ok = [c for c in candidates if c.error is None]
    if not ok:
        raise StudyError(f"every design run failed; first error: {candidates[0].error}")
    logw = np.array([-2.0 * total_loss(c.scores or [], squared=True) for c in ok])
    w = np.exp(logw - logw.max())
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    frame = _frame(study, ok, w)
    meta = _metadata(
        study,
        "likelihood-weighted scrambled Sobol design over the prior (Gaussian errors, sd = "
        "tolerance / 2)",
        points=points,
        failed=len(candidates) - len(ok),
        design_seeds=design_seeds,
        runs=points * seeds * len(study.runs.cities),
        ess=ess,
        posterior=ess >= 100,
    )
    write_ensemble(path, frame, meta)
    return path, ess
