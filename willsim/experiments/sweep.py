"""A sweep from spec to stored results: design once, run what is missing, store, compact.

>>> from willsim.experiments.sweep import run_sweep
>>> report = run_sweep("scenarios/sweeps/office_staffing.toml", "out/staffing")  # doctest: +SKIP

The same call works from the command line (``willsim sweep``) and from a notebook. Killed at any
moment, it resumes with ``resume=True``: finished runs are kept, failed and missing ones run.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.design import SweepSpec, build_design, load_spec, point_values
from willsim.experiments.engines import ENGINES, default_workers, run_tasks
from willsim.experiments.store import SweepStore
from willsim.scenario import Scenario, with_overrides


@dataclass
class RunTask:
    """Everything a worker needs for one run (picklable)."""

    key: str
    run: int
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    scenario: Scenario
    outputs: tuple[str, ...]
    timeseries: bool = True
    groups: bool = False


def execute_run(task: RunTask) -> pd.DataFrame:
    """Run one model and return its tidy rows (see :mod:`willsim.experiments.store`)."""
    from willsim.indicators import INDICATORS
    from willsim.model import WelfareModel
    from willsim.results import group_summary, summary, wide

    model = WelfareModel(task.scenario, seed=task.seed)
    try:
        model.run()
        summ = summary(model)
        frames = [
            pd.DataFrame(
                {
                    "kind": "summary",
                    "week": -1,
                    "group_var": "all",
                    "group": "all",
                    "indicator": list(task.outputs),
                    "value": [summ[k] for k in task.outputs],
                }
            )
        ]
        if task.timeseries:
            weekly = wide(model)[list(task.outputs)]
            long = weekly.reset_index().melt(id_vars="week", var_name="indicator")
            frames.append(long.assign(kind="week", group_var="all", group="all"))
        if task.groups:
            wanted = [k for k in task.outputs if INDICATORS[k].by_group]
            gs = group_summary(model)
            frames.append(gs[gs["indicator"].isin(wanted)].assign(kind="group", week=-1))
    finally:
        model.release()
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[["kind", "week", "group_var", "group", "indicator", "value"]]
    rows["week"] = rows["week"].astype("int32")
    rows["value"] = rows["value"].astype("float64")
    head = {
        "run_key": task.key,
        "point": task.point,
        "replicate": task.replicate,
        "seed": np.uint64(task.seed),
        **task.values,
    }
    ident = pd.DataFrame({k: [v] * len(rows) for k, v in head.items()})
    ident["seed"] = ident["seed"].astype("uint64")
    return pd.concat([ident, rows], axis=1)


@dataclass
class SweepReport:
    """The result of :func:`run_sweep`."""

    root: Path
    total: int
    done: int = 0  # finished in this call
    failed: int = 0  # failed in this call
    skipped: int = 0  # already stored before this call
    outside_shard: int = 0
    wall_seconds: float = 0.0
    run_seconds: float = 0.0  # time inside the runs (summed over workers)
    workers: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def overhead_per_run(self) -> float:
        """Seconds per run spent outside the runs themselves (dispatch, pickling, writing)."""
        n = self.done + self.failed
        return (self.wall_seconds * self.workers - self.run_seconds) / n if n else 0.0

    def text(self) -> str:
        n = self.done + self.failed
        rate = 60 * n / self.wall_seconds if self.wall_seconds and n else 0.0
        lines = [
            f"sweep {self.root}: {self.total} runs in the design"
            + (f" ({self.outside_shard} in other shards)" if self.outside_shard else ""),
            f"  done {self.done}, failed {self.failed}, skipped {self.skipped} (already stored)",
        ]
        if n:
            lines.append(
                f"  {self.wall_seconds:.1f} s on {self.workers} worker(s): "
                f"{rate:.1f} runs/minute, {self.run_seconds / n:.2f} s per run, "
                f"overhead {1000 * self.overhead_per_run:.0f} ms per run"
            )
        for key, err in list(self.errors.items())[:5]:
            lines.append(f"  failed {key}: {err.splitlines()[0]}")
        if self.failed:
            lines.append("  run again with --resume to retry the failed runs")
        return "\n".join(lines)


def _manifest(spec: SweepSpec, design: pd.DataFrame) -> dict[str, Any]:
    import mesa

    import willsim
    from willsim.results import git_commit

    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "willsim-sweep",
        "spec_hash": spec.hash,
        "spec": spec.to_dict(),
        "spec_path": spec.path,
        "runs": len(design),
        "points": int(design["point"].nunique()),
        "willsim_version": willsim.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
        "git_commit": git_commit(),
        "host": platform.node(),
        "base_scenario": spec.scenario.to_dict(),
    }


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"i/n"`` → ``(i, n)`` with ``0 <= i < n``."""
    if text is None:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise SpecError(f"--shard expects i/n (e.g. 0/4), got {text!r}") from None
    if not (n >= 1 and 0 <= i < n):
        raise SpecError(f"--shard i/n needs 0 <= i < n, got {text!r}")
    return i, n


def prepare(
    spec: SweepSpec | str | os.PathLike, out: str | os.PathLike, resume: bool = False
) -> tuple[SweepSpec, SweepStore, pd.DataFrame]:
    """Create the sweep folder (or check it matches ``spec`` when resuming)."""
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    store = SweepStore(Path(out))
    if store.exists():
        old = store.manifest()
        if old.get("spec_hash") != spec.hash:
            raise SpecError(
                f"{store.root} holds a different sweep (spec hash "
                f"{old.get('spec_hash')}, this spec {spec.hash}); use another --out"
            )
        if not resume:
            raise SpecError(
                f"{store.root} already holds this sweep "
                f"({len(store.done_keys())} of {old.get('runs')} runs stored); "
                "add --resume to run what is missing, or use another --out"
            )
        store.clean_temporary()
        return spec, store, store.design()
    if store.root.exists():
        # a sweep killed while starting leaves at most the design and temporary files
        leftovers = [
            p
            for p in store.root.iterdir()
            if p.name != "design.parquet" and not p.name.endswith(".tmp")
        ]
        if leftovers:
            raise SpecError(f"{store.root} exists and is not a sweep folder; use another --out")
        store.clean_temporary()
    design = build_design(spec)
    store.initialise(_manifest(spec, design), design)
    return spec, store, design


def run_sweep(
    spec: SweepSpec | str | os.PathLike,
    out: str | os.PathLike,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    shard: tuple[int, int] | str | None = None,
    progress: bool | None = None,
    compact: bool = True,
    fn: Callable[[RunTask], pd.DataFrame] = execute_run,
) -> SweepReport:
    """Run every missing run of a sweep into ``out`` and compact the results.

    ``progress=None`` shows a bar only on a terminal. ``fn`` replaces the run function (tests).
    """
    if engine not in ENGINES:
        raise SpecError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise SpecError(f"--workers must be at least 1, got {workers}")
    if isinstance(shard, str):
        shard = parse_shard(shard)
    spec, store, design = prepare(spec, out, resume=resume)
    done_before = store.done_keys()
    rows = design
    outside = 0
    if shard is not None:
        i, n = shard
        mine = np.array([int(k, 16) % n == i for k in design["run_key"]], dtype=bool)
        outside = int((~mine).sum())
        rows = design[mine]
    todo = rows[~rows["run_key"].isin(done_before)]
    report = SweepReport(
        root=store.root,
        total=len(design),
        skipped=len(rows) - len(todo),
        outside_shard=outside,
        workers=1 if engine == "serial" else workers or default_workers(),
    )
    tasks = [_task(spec, row) for row in todo.to_dict("records")]
    store.update_manifest(
        last_start=datetime.now(UTC).isoformat(timespec="seconds"),
        engine=engine,
        scheduler=scheduler,
        workers=report.workers,
    )
    start = time.perf_counter()
    with _bar(len(rows), report.skipped, progress) as bar:
        for outcome in run_tasks(tasks, fn, engine=engine, workers=workers, scheduler=scheduler):
            report.run_seconds += outcome.seconds
            if outcome.ok:
                store.save_run(outcome.key, outcome.result)
                report.done += 1
            else:
                store.save_failure(
                    outcome.key, outcome.error or "unknown error", outcome.attempts, outcome.seconds
                )
                report.failed += 1
                report.errors[outcome.key] = outcome.error or "unknown error"
            bar.update(1)
            bar.set_postfix(failed=report.failed, refresh=False)
    report.wall_seconds = time.perf_counter() - start
    if compact:
        store.compact()
    store.update_manifest(
        last_report={
            "done": report.done,
            "failed": report.failed,
            "skipped": report.skipped,
            "wall_seconds": round(report.wall_seconds, 3),
            "run_seconds": round(report.run_seconds, 3),
            "workers": report.workers,
            "engine": engine,
            "stored": len(store.done_keys()),
            "failed_total": len(store.failed()),
        }
    )
    return report


def _task(spec: SweepSpec, row: Mapping[str, Any]) -> RunTask:
    values = point_values(row, spec.names)
    return RunTask(
        key=row["run_key"],
        run=int(row["run"]),
        point=int(row["point"]),
        replicate=int(row["replicate"]),
        seed=int(row["seed"]),
        values=values,
        scenario=with_overrides(spec.scenario, values),
        outputs=spec.outputs,
        timeseries=spec.timeseries,
        groups=spec.groups,
    )


class _bar:
    """tqdm over runs: counts, rate and time remaining; a resumed sweep starts at its count."""

    def __init__(self, total: int, initial: int, show: bool | None) -> None:
        self.args = {
            "total": total,
            "initial": initial,
            "unit": "run",
            "disable": None if show is None else not show,
            "file": sys.stderr,
            "dynamic_ncols": True,
        }

    def __enter__(self):
        from tqdm.auto import tqdm

        self.bar = tqdm(**self.args)
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
