"""A sweep from spec to stored results: design once, run what is missing, store, compact.

>>> from willsim.experiments.sweep import run_sweep
>>> report = run_sweep("scenarios/sweeps/office_staffing.toml", "out/staffing")  # doctest: +SKIP

The same call works from the command line (``willsim sweep``) and from a notebook. Killed at any
moment, it resumes with ``resume=True``: finished runs are kept, failed, missing and unreadable
ones run. A folder made by another version of the model (another source digest) is never
resumed, so one results table never mixes two models: ``new_generation=True`` starts the sweep
again in a new folder beside it (``DIR.gen2``, ``DIR.gen3`` ...). Shards (``shard=(i, n)``) split
the design evenly by run index and join the same folder without ``resume``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.design import (
    SweepSpec,
    count_points,
    design_batches,
    load_spec,
    point_values,
)
from willsim.experiments.engines import SchedulerLost, check_engine, open_engine
from willsim.experiments.provenance import provenance, source_digest
from willsim.experiments.runs import check_source, run_meta, run_model, tidy_rows
from willsim.experiments.store import SweepStore
from willsim.scenario import Scenario, with_overrides

TASK_BATCH = 4_096  # design rows read at a time to make tasks (memory stays flat)


@dataclass
class RunTask:
    """Everything a worker needs for one run (picklable): the base scenario and the point's
    values are combined in the worker, so the driver never holds a scenario per run."""

    key: str
    run: int
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    base: Scenario
    outputs: tuple[str, ...]
    timeseries: bool = True
    groups: bool = False
    digest: str | None = None

    @property
    def scenario(self) -> Scenario:
        return with_overrides(self.base, self.values)


@dataclass
class StoredRun:
    """A finished run as the store keeps it: tidy rows and the worker's provenance."""

    frame: pd.DataFrame
    meta: dict[str, Any]


def execute_run(task: RunTask) -> StoredRun:
    """Run one model and return its tidy rows (see :mod:`willsim.experiments.store`)."""
    check_source(task.digest)
    scenario = task.scenario
    model = run_model(scenario, task.seed)
    try:
        rows = tidy_rows(
            model,
            task.outputs,
            weekly=task.outputs if task.timeseries else (),
            groups=task.groups,
        )
    finally:
        model.release()
    return StoredRun(identify(task, rows), run_meta(scenario, task.seed))


def identify(task: RunTask, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the run's identity in front: run_key, point, replicate, seed, values."""
    head = {
        "run_key": task.key,
        "point": task.point,
        "replicate": task.replicate,
        "seed": np.uint64(task.seed),
        **task.values,
    }
    ident = pd.DataFrame({k: [v] * len(rows) for k, v in head.items()})
    ident["seed"] = ident["seed"].astype("uint64")
    return pd.concat([ident, rows.reset_index(drop=True)], axis=1)


@dataclass
class SweepReport:
    """The result of :func:`run_sweep`."""

    root: Path
    total: int  # rows of the design
    distinct: int = 0  # distinct runs (repeated points share a run)
    done: int = 0  # finished in this call
    failed: int = 0  # failed in this call
    skipped: int = 0  # already stored before this call
    outside_shard: int = 0
    wall_seconds: float = 0.0
    run_seconds: float = 0.0  # time inside the runs (summed over workers)
    workers: int = 1  # the engine's parallel slots (a Dask cluster's real threads)
    worker_deaths: int = 0
    reruns: int = 0
    quarantined: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    engine: str = "local"
    cancelled: bool = False  # stopped by ``cancel()``: the rest runs with ``resume``

    @property
    def overhead_per_run(self) -> float:
        """Seconds per run spent outside the runs themselves (dispatch, pickling, writing)."""
        n = self.done + self.failed
        return (self.wall_seconds * self.workers - self.run_seconds) / n if n else 0.0

    def text(self) -> str:
        n = self.done + self.failed
        rate = 60 * n / self.wall_seconds if self.wall_seconds and n else 0.0
        repeated = self.total - self.distinct if self.distinct else 0
        lines = [
            f"sweep {self.root}: {self.total} runs in the design"
            + (f" ({repeated} repeated points reuse their run)" if repeated else "")
            + (f" ({self.outside_shard} in other shards)" if self.outside_shard else ""),
            f"  done {self.done}, failed {self.failed}, skipped {self.skipped} (already stored)",
        ]
        lines += [f"  {note}" for note in self.notes]
        if n:
            slots = "thread(s)" if self.engine == "dask" else "worker(s)"
            lines.append(
                f"  {self.wall_seconds:.1f} s on {self.workers} {slots}: "
                f"{rate:.1f} runs/minute, {self.run_seconds / n:.2f} s per run, "
                f"overhead {1000 * self.overhead_per_run:.0f} ms per run"
            )
        if self.worker_deaths:
            lines.append(
                f"  {self.worker_deaths} worker process(es) died during the sweep"
                + (
                    f"; {self.reruns} run(s) were run again in a fresh process"
                    if self.reruns
                    else "; the engine ran their runs again"
                )
            )
        for key, err in list(self.errors.items())[:5]:
            lines.append(f"  failed {key}: {err.splitlines()[0]}")
        if self.failed:
            lines.append("  run again with --resume to retry the failed runs")
        return "\n".join(lines)


def _manifest(spec: SweepSpec, runs: int, distinct: int) -> dict[str, Any]:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "willsim-sweep",
        "spec_hash": spec.hash,
        "spec": spec.to_dict(),
        "spec_path": spec.path,
        "runs": runs,
        "distinct_runs": distinct,
        "points": count_points(spec),
        **provenance(),
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


def probe_folder(root: Path, option: str = "--out") -> list[Path]:
    """Make sure ``root`` is a folder we can write into, before anything runs: create it if
    missing and write a probe file. Returns the folders it created (to remove if the sweep
    cannot start), or raises :class:`SpecError` with a one-line message."""
    if root.exists() and not root.is_dir():
        raise SpecError(f"{option} {root} is a file, not a folder; choose a folder path")
    missing = [p for p in (root, *root.parents) if not p.exists()]
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".willsim-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        remove_empty(missing)
        reason = exc.strerror or type(exc).__name__
        raise SpecError(f"cannot write to {option} {root}: {reason}") from None
    return missing


def remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first) if they are empty: a sweep that could not start
    leaves nothing behind."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@dataclass
class Plan:
    """Where a sweep goes and whether its folder must be initialised."""

    spec: SweepSpec
    store: SweepStore
    new: bool
    generation: int = 1
    previous: str | None = None
    created: list[Path] = field(default_factory=list)  # folders made by the probe

    def discard(self) -> None:
        """Remove the folders this plan created, if the sweep never wrote into them."""
        if self.new:
            self.store.clean_temporary()
        remove_empty(self.created)


def _generation_folder(root: Path, n: int) -> Path:
    return root.with_name(f"{root.name}.gen{n}")


def plan(
    spec: SweepSpec,
    out: Path,
    resume: bool = False,
    shard: tuple[int, int] | None = None,
    new_generation: bool = False,
) -> Plan:
    """Decide where the sweep is written and check it can be written (the folder is created if
    missing; :meth:`Plan.discard` removes it again if the sweep cannot start)."""
    created = probe_folder(out)
    digest = source_digest()
    store = SweepStore(out)
    if not store.exists():
        if store.root.exists():
            # a sweep killed while starting leaves at most the design and temporary files
            leftovers = [
                p
                for p in store.root.iterdir()
                if p.name != "design.parquet" and not p.name.startswith(".")
            ]
            if leftovers:
                raise SpecError(f"{store.root} exists and is not a sweep folder; use another --out")
        return Plan(spec, store, new=True, created=created)
    old = store.manifest()
    if old.get("spec_hash") != spec.hash:
        raise SpecError(
            f"{store.root} holds a different sweep (spec hash "
            f"{old.get('spec_hash')}, this spec {spec.hash}); use another --out"
        )
    old_digest = old.get("source_digest")
    if old_digest != digest:
        if not new_generation:
            raise SpecError(
                f"{store.root} was made by another version of the model (source digest "
                f"{old_digest or 'not recorded'}, this one {digest}); its runs cannot be "
                "mixed with new ones. Add --new-generation to run the sweep again in a new "
                "folder beside it, or use another --out"
            )
        n = int(old.get("generation", 1)) + 1
        while True:
            folder = _generation_folder(out, n)
            candidate = SweepStore(folder)
            if not candidate.exists():
                made = probe_folder(folder, "new generation folder")
                return Plan(
                    spec, candidate, new=True, generation=n, previous=str(out), created=made
                )
            meta = candidate.manifest()
            if meta.get("spec_hash") == spec.hash and meta.get("source_digest") == digest:
                return Plan(spec, candidate, new=False, generation=n, previous=str(out))
            n += 1
    if not resume and shard is None:
        raise SpecError(
            f"{store.root} already holds this sweep "
            f"({len(store.done_keys())} of {old.get('runs')} runs stored); "
            "add --resume to run what is missing, or use another --out"
        )
    return Plan(spec, store, new=False, generation=int(old.get("generation", 1)))


def prepare(
    spec: SweepSpec | str | os.PathLike,
    out: str | os.PathLike,
    resume: bool = False,
    shard: tuple[int, int] | None = None,
    new_generation: bool = False,
) -> tuple[SweepSpec, SweepStore, int]:
    """Create the sweep folder (or check it matches ``spec``); returns the spec, the store and
    the number of design rows."""
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    return _initialise(plan(spec, Path(out), resume, shard, new_generation))


def _initialise(p: Plan) -> tuple[SweepSpec, SweepStore, int]:
    store = p.store
    if not p.new:
        store.clean_temporary()
        store.verify()
        manifest = store.manifest()
        return p.spec, store, int(manifest["runs"])
    store.root.mkdir(parents=True, exist_ok=True)
    store.clean_temporary()
    # with a new seed for every run, keys never repeat; with common seeds a repeated point
    # (a Morris trajectory revisiting it) is one run, so distinct keys are counted
    keys: set[str] | None = set() if p.spec.common_seeds else None
    rows = 0

    def batches() -> Iterator[pd.DataFrame]:
        nonlocal rows
        for frame in design_batches(p.spec):
            rows += len(frame)
            if keys is not None:
                keys.update(frame["run_key"])
            yield frame

    store.write_design(batches())
    manifest = _manifest(p.spec, rows, rows if keys is None else len(keys))
    manifest["generation"] = p.generation
    if p.previous:
        manifest["previous_generation"] = p.previous
    from willsim.experiments.store import write_json

    write_json(store.root / store.manifest_name, manifest)
    return p.spec, store, rows


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
    fn: Callable[[RunTask], Any] = execute_run,
    new_generation: bool = False,
    on_run: Callable[[int, int], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SweepReport:
    """Run every missing run of a sweep into ``out`` and compact the results.

    The engine is opened (a Dask scheduler reached) before the folder is created, so a bad
    engine leaves nothing behind. ``progress=None`` shows a bar only on a terminal. ``fn``
    replaces the run function (tests). ``on_run(finished, total)`` is called after each run
    (a progress bar in the app); ``cancel()`` is asked after each run, and when it is true the
    sweep stops there (the runs in flight finish in their workers, unrecorded), compacts what
    is stored and returns with ``cancelled`` set: ``resume=True`` runs the rest. Losing the Dask
    scheduler raises :class:`~willsim.experiments.engines.SchedulerLost` with the report as
    ``exc.report``.
    """
    check_engine(engine, workers, scheduler)
    if isinstance(shard, str):
        shard = parse_shard(shard)
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    decided = plan(spec, Path(out), resume, shard, new_generation)
    try:
        opened = open_engine(engine, workers, scheduler)
    except BaseException:
        decided.discard()  # an unreachable scheduler leaves no folder behind
        raise
    with opened as eng:
        spec, store, total = _initialise(decided)
        manifest = store.manifest()
        report = SweepReport(
            root=store.root,
            total=total,
            distinct=int(manifest.get("distinct_runs", total)),
            workers=eng.stats.threads,
            engine=engine,
        )
        if decided.previous:
            report.notes.append(
                f"generation {decided.generation} of this sweep (the model changed since "
                f"{decided.previous} was made)"
            )
        report.quarantined = list(store.quarantined)
        if store.quarantined:
            report.notes.append(store.quarantine_message(rerun=True))
        done_before = store.done_keys()
        counts = {"mine": 0, "skipped": 0, "outside": 0}
        store.update_manifest(
            last_start=datetime.now(UTC).isoformat(timespec="seconds"),
            engine=engine,
            scheduler=scheduler,
            workers=eng.stats.workers,
            threads=eng.stats.threads,
        )
        mine = _shard_size(shard, report.distinct, total)
        start = time.perf_counter()
        try:
            with _bar(mine, 0, progress) as bar:
                tasks = _tasks(spec, store, shard, done_before, counts, lambda: bar.update(1))
                for outcome in eng.map(tasks, fn):
                    report.run_seconds += outcome.seconds
                    if outcome.ok:
                        result = outcome.result
                        if isinstance(result, StoredRun):
                            store.save_run(outcome.key, result.frame, result.meta)
                        else:
                            store.save_run(outcome.key, result)
                        report.done += 1
                    else:
                        error = outcome.error or "unknown error"
                        store.save_failure(outcome.key, error, outcome.attempts, outcome.seconds)
                        report.failed += 1
                        report.errors[outcome.key] = error
                    bar.update(1)
                    bar.set_postfix(failed=report.failed, refresh=False)
                    if on_run is not None:
                        on_run(report.done + report.failed + counts["skipped"], mine)
                    if cancel is not None and cancel():
                        report.cancelled = True
                        break
        except SchedulerLost as exc:
            _finish(report, eng, start, counts)
            exc.report = report  # type: ignore[attr-defined]
            raise
        _finish(report, eng, start, counts)
    if compact:
        store.compact(meta={**provenance(), "spec_hash": spec.hash})
    store.update_manifest(
        last_report={
            "done": report.done,
            "failed": report.failed,
            "skipped": report.skipped,
            "wall_seconds": round(report.wall_seconds, 3),
            "run_seconds": round(report.run_seconds, 3),
            "workers": report.workers,
            "worker_deaths": report.worker_deaths,
            "engine": engine,
            "stored": len(store.done_keys()),
            "failed_total": len(store.failed()),
        }
    )
    return report


def _finish(report: SweepReport, eng: Any, start: float, counts: dict[str, int]) -> None:
    report.wall_seconds = time.perf_counter() - start
    report.skipped = counts["skipped"]
    report.outside_shard = counts["outside"]
    report.workers = max(report.workers, eng.stats.threads)
    report.worker_deaths = eng.stats.worker_deaths
    report.reruns = eng.stats.reruns


def _shard_size(shard: tuple[int, int] | None, distinct: int, total: int) -> int:
    """Runs this call is responsible for (rows of its shard; distinct runs without shards)."""
    if shard is None:
        return distinct
    i, n = shard
    return len(range(i, total, n))


def _tasks(
    spec: SweepSpec,
    store: SweepStore,
    shard: tuple[int, int] | None,
    done: set[str],
    counts: dict[str, int],
    skipped: Callable[[], Any] = lambda: None,
) -> Iterator[RunTask]:
    """The runs still to do, generated lazily from the stored design (batch by batch)."""
    digest = source_digest()
    seen: set[str] | None = set() if spec.common_seeds else None  # only then can keys repeat
    columns = ["run", "run_key", "point", "replicate", "seed", *spec.names]
    for batch in store.design_batches(columns=columns, batch_size=TASK_BATCH):
        if shard is not None:
            i, n = shard
            mine = (batch["run"].to_numpy() % n) == i
            counts["outside"] += int((~mine).sum())
            batch = batch[mine]
        for row in batch.to_dict("records"):
            key = row["run_key"]
            if seen is not None:
                if key in seen:
                    continue  # a repeated point: the same run serves both rows
                seen.add(key)
            if key in done:
                counts["skipped"] += 1
                skipped()
                continue
            counts["mine"] += 1
            yield _task(spec, row, digest)


def _task(spec: SweepSpec, row: Mapping[str, Any], digest: str) -> RunTask:
    return RunTask(
        key=row["run_key"],
        run=int(row["run"]),
        point=int(row["point"]),
        replicate=int(row["replicate"]),
        seed=int(row["seed"]),
        values=point_values(row, spec.names),
        base=spec.scenario,
        outputs=spec.outputs,
        timeseries=spec.timeseries,
        groups=spec.groups,
        digest=digest,
    )


class _bar:
    """tqdm over runs: counts, rate and time remaining."""

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
