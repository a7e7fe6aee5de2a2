"""A calibration study: its folder, its fingerprint, and the Optuna search that fills it.

A study lives in one folder::

    study.json       what is fitted, to what, how (cities, hold-out, seeds, run size, free
                     parameters) and the fingerprint: hashes of the targets, the priors, the model
                     source and every city's scenario
    targets.toml     a copy of the targets file the study was started with
    journal.log      Optuna's journal (JournalFileBackend): every trial, its parameters, loss and
                     per-target scores; several processes append to it safely
    trials.lock      an empty file that workers lock while they take a trial (below)

Running the same command again resumes from the journal. A study refuses to resume if anything
in its fingerprint changed (targets, priors, model source, city scenarios) or if the command asks
for different cities, seeds or run size: a search must not mix two definitions of its loss.

The search is Optuna's multivariate TPE over the prior quantiles of the free parameters (see
:mod:`willsim.calibration.space`), with the defaults enqueued as the first trial (and the city's
current calibrated values, if any, as the second). Every trial runs every fitted city on the same
seeds (common random numbers; the seed is never a parameter). Workers are processes on this
machine (``local``) or Dask tasks (``dask``; they need the study folder on a shared file system),
each asking the journal for a trial, running it and telling the result. A worker counts the
trials and asks for one holding a lock on ``trials.lock``, so that workers finishing together
never start more trials than asked for; the clean-up that fails the trials of dead workers holds
the same lock, so it never takes a live worker's trial, not yet signed, for a dead one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing as mp
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from willsim.calibration.evaluate import CityRuns, RunSettings
from willsim.calibration.loss import TargetScore, family_losses, total_loss
from willsim.calibration.space import FreeParam, free_parameters, space_hash
from willsim.calibration.targets import TargetSet, load_targets
from willsim.rng import spawn_seeds
from willsim.scenario import PACKAGE_ROOT, ScenarioError, available_cities, load_calibrated

STUDY_FILE = "study.json"
TARGETS_COPY = "targets.toml"
JOURNAL_FILE = "journal.log"
TRIALS_LOCK = "trials.lock"
FORMAT = 1
ENGINES = ("local", "dask", "serial")
FRESH_SEED_BLOCK = 1000
"""Re-scoring seeds are drawn from this offset of the study's seed stream, never the search's."""
DESIGN_SEED_BLOCK = 2000
"""Prior-design seeds are drawn from this offset of the study's seed stream."""

# Parts of the package that do not change a run's outcome: excluded from the model hash.
_NOT_MODEL = ("app", "workshop", "calibration", "experiments", "validation", "params")


class StudyError(ScenarioError):
    """A study cannot start or resume as asked; the message says why and what to do."""


def seed_block(root: int, start: int, count: int) -> list[int]:
    """``count`` run seeds from position ``start`` of the seed stream of ``root``."""
    return spawn_seeds(root, start + count)[start:]


def model_hash() -> str:
    """A hash of the model's source: every module except the app, workshop, experiments,
    calibration, validation and the parameter declarations (whose values and priors are hashed
    with the scenarios and the priors)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        rel = path.relative_to(PACKAGE_ROOT)
        if rel.parts[0] in _NOT_MODEL or rel.name == "cli.py":
            continue
        digest.update(rel.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def git_commit() -> str | None:
    from willsim.results import git_commit as commit

    return commit()


@dataclass(frozen=True)
class StudySpec:
    """What a study fits, to what and how; stored in ``study.json``."""

    name: str
    fit_cities: tuple[str, ...]
    holdout_cities: tuple[str, ...] = ()
    settings: RunSettings = field(default_factory=RunSettings)
    seeds: int = 3
    seed_root: int = 20261201
    params: tuple[str, ...] | None = None
    """Only these parameter keys (with priors) are free; None = every fitted prior."""
    targets_path: str | None = None
    startup_trials: int | None = None

    def comparable(self) -> dict[str, Any]:
        """The fields a resumed study must repeat exactly."""
        d = asdict(self)
        d.pop("name")
        d.pop("targets_path")
        d.pop("startup_trials")
        return json.loads(json.dumps(d))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudySpec:
        data = dict(data)
        data["settings"] = RunSettings(
            **{**data["settings"], "sets": tuple(data["settings"].get("sets", ()))}
        )
        for key in ("fit_cities", "holdout_cities"):
            data[key] = tuple(data[key])
        if data.get("params") is not None:
            data["params"] = tuple(data["params"])
        return cls(**data)


class Study:
    """An open study folder: its spec, targets, free parameters, cities and Optuna journal."""

    def __init__(self, folder: Path, spec: StudySpec, targets: TargetSet) -> None:
        self.folder = folder
        self.spec = spec
        self.targets = targets
        cities = list(spec.fit_cities)
        self.free: list[FreeParam] = free_parameters(cities, spec.params)
        self.runs = CityRuns([*spec.fit_cities, *spec.holdout_cities], spec.settings, targets)
        self.seeds = seed_block(spec.seed_root, 0, spec.seeds)

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def create_or_resume(cls, folder: str | os.PathLike, spec: StudySpec) -> Study:
        """Start a study in ``folder``, or resume the one there if it matches ``spec``."""
        folder = Path(folder)
        stored = folder / STUDY_FILE
        if stored.is_file():
            study = cls.open(folder)
            differences = _differences(study.spec.comparable(), spec.comparable())
            if differences:
                raise StudyError(
                    f"{folder} holds a study with other settings ({'; '.join(differences)}); "
                    "resume it with the same command, or start a new study in another --out folder"
                )
            return study
        _check_spec(spec)
        targets = load_targets(spec.targets_path)
        study = cls(folder, spec, targets)
        study._check_fittable()
        folder.mkdir(parents=True, exist_ok=True)
        from willsim.fileio import write_text

        write_text(folder / TARGETS_COPY, targets.path.read_text(encoding="utf-8"))
        record = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(),
            "spec": json.loads(json.dumps(asdict(spec))),
            "free_parameters": [f.name for f in study.free],
            "seeds": study.seeds,
            "fingerprint": study.fingerprint(),
        }
        write_text(folder / STUDY_FILE, json.dumps(record, indent=2) + "\n")
        return study

    @classmethod
    def open(cls, folder: str | os.PathLike, check: bool = True) -> Study:
        """Open an existing study; with ``check``, refuse if its fingerprint changed."""
        folder = Path(folder)
        path = folder / STUDY_FILE
        if not path.is_file():
            raise StudyError(f"no calibration study in {folder} (no {STUDY_FILE})")
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            spec = StudySpec.from_dict(record["spec"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StudyError(f"{path}: unreadable study record: {exc}") from None
        targets = load_targets(spec.targets_path)
        study = cls(folder, spec, targets)
        if check:
            changed = _differences(record["fingerprint"], study.fingerprint())
            if changed:
                raise StudyError(
                    f"{folder}: refusing to resume: {'; '.join(changed)} changed since the study "
                    "started. A study's trials are only comparable under one definition of the "
                    "loss and one model: start a new study in another --out folder"
                )
        return study

    def fingerprint(self) -> dict[str, Any]:
        """Hashes of everything that defines the loss surface."""
        return {
            "targets": self.targets.hash,
            "priors": space_hash(self.free),
            "model": model_hash(),
            "scenarios": {c: s.hash for c, s in self.runs.bases.items()},
            "live_fit_targets": sorted(t.key for t in self.fit_scores_template()),
        }

    def fit_scores_template(self) -> list[TargetScore]:
        """One placeholder score per live fit target and fitted city (which targets count)."""
        return [
            TargetScore(t.id, c, t.role, t.family, t.weight, t.value, t.tolerance, 0, 0, 0)
            for c in self.spec.fit_cities
            for t in self.targets.for_city(c, ("fit",))
            if t.live
        ]

    def _check_fittable(self) -> None:
        mismatched = [t for t in self.targets.unit_mismatches() if t.role == "fit"]
        if mismatched:
            lines = [f"{t.id} ({t.unit!r}): {t.status}" for t in mismatched]
            raise StudyError("fit targets whose unit differs from the model's: " + "; ".join(lines))
        if not self.fit_scores_template():
            waiting = sorted(
                {t.estimand.name for c in self.spec.fit_cities for t in self.targets.for_city(c)}
                - {t.estimand.name for t in self.targets.targets if t.live}
            )
            raise StudyError(
                f"no live fit target for {', '.join(self.spec.fit_cities)}: the model does not "
                f"publish {', '.join(waiting) or 'any of their estimands'} yet (see `willsim "
                "calibration CITY`)"
            )
        if not self.free:
            raise StudyError("no free parameter: no parameter with a fitted prior was chosen")

    # --- the Optuna side ---------------------------------------------------------------------

    def optuna_study(self, sampler: Any = None) -> Any:
        """The Optuna study in the journal (created on first use)."""
        import optuna
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = JournalStorage(JournalFileBackend(str(self.folder / JOURNAL_FILE)))
        return optuna.create_study(
            storage=storage,
            study_name=self.spec.name,
            direction="minimize",
            sampler=sampler,
            load_if_exists=True,
        )

    def distributions(self) -> dict[str, Any]:
        from optuna.distributions import FloatDistribution

        return {f.name: FloatDistribution(0.0, 1.0) for f in self.free}

    def values(self, quantiles: dict[str, float]) -> dict[str, float]:
        """Parameter values by free-parameter name from a trial's quantiles."""
        return {f.name: f.value(quantiles[f.name]) for f in self.free}

    def starting_points(self) -> list[dict[str, float]]:
        """Quantiles of the defaults, then of the current calibrated values if there are any."""
        points = [{f.name: f.quantile(f.default) for f in self.free}]
        current: dict[str, float] = {}
        for f in self.free:
            layer = load_calibrated(f.city or self.spec.fit_cities[0])
            if layer is None or f.key not in layer[1]:
                continue
            value = layer[1][f.key]
            x = value if f.index is None else value[f.index]
            lo, hi = f.bounds
            if lo <= x <= hi:
                current[f.name] = f.quantile(x)
        if current:
            points.append({**points[0], **current})
        return points

    def startup_trials(self) -> int:
        return self.spec.startup_trials or max(10, len(self.free))

    def evaluate_trial(self, quantiles: dict[str, float]) -> tuple[float, dict[str, Any]]:
        """Run the fitted cities at a trial's quantiles; return the loss and what to record."""
        values = self.values(quantiles)
        scores = self.runs.evaluate(self.free, values, self.seeds, self.spec.fit_cities)
        loss = total_loss(scores)
        record = {
            "values": values,
            "z": {s.key: _finite(s.z) for s in scores},
            "mean": {s.key: _finite(s.mean) for s in scores},
            "families": family_losses(scores),
        }
        return loss, record


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            out.append(f"{key} ({_short(old.get(key))} -> {_short(new.get(key))})")
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_spec(spec: StudySpec) -> None:
    cities = available_cities()
    for city in (*spec.fit_cities, *spec.holdout_cities):
        if city not in cities:
            raise StudyError(f"unknown city {city!r}; valid cities: {', '.join(cities)}")
    if not spec.fit_cities:
        raise StudyError("a study needs at least one city to fit")
    both = set(spec.fit_cities) & set(spec.holdout_cities)
    if both:
        raise StudyError(f"a city cannot be both fitted and held out: {', '.join(sorted(both))}")
    if spec.seeds < 1:
        raise StudyError(f"--seeds must be at least 1, got {spec.seeds}")
    if not spec.name or "/" in spec.name:
        raise StudyError(f"invalid study name {spec.name!r}")


# --- the search -------------------------------------------------------------------------------

FINISHED_STATES = ("COMPLETE", "FAIL", "PRUNED", "RUNNING")


def count_trials(ostudy: Any) -> int:
    """Trials that are finished or running (not the enqueued ones waiting for a worker)."""
    from optuna.trial import TrialState

    states = tuple(TrialState[s] for s in FINISHED_STATES)
    return len(ostudy.get_trials(deepcopy=False, states=states))


@dataclass
class WorkerJob:
    """One search worker: ask, run, tell until the study holds ``trials`` trials."""

    key: str
    folder: str
    trials: int
    seed: int


def work(job: WorkerJob, progress: Callable[[], None] | None = None) -> int:
    """A search worker (in its own process, or in this one); returns the trials it ran."""
    import optuna
    from optuna.exceptions import ExperimentalWarning

    study = Study.open(job.folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            multivariate=True,
            constant_liar=True,
            n_startup_trials=study.startup_trials(),
            seed=job.seed,
        )
    ostudy = study.optuna_study(sampler)
    distributions = study.distributions()
    worker, started = f"{socket.gethostname()}:{os.getpid()}", process_start(os.getpid())
    ran = 0
    while True:
        with trials_lock(study.folder):  # count and ask as one step: never more than asked for
            if count_trials(ostudy) >= job.trials:
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ExperimentalWarning)
                trial = ostudy.ask(distributions)
            trial.set_user_attr("worker", worker)
            if started is not None:  # tells this process from a later one with its id
                trial.set_user_attr("worker_start", started)
        try:
            loss, record = study.evaluate_trial(dict(trial.params))
        except Exception as exc:  # a run that fails marks its trial failed; the search goes on
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
            ostudy.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            for key, value in record.items():
                trial.set_user_attr(key, value)
            ostudy.tell(trial, loss)
        ran += 1
        if progress is not None:
            progress()
    return ran


@contextlib.contextmanager
def trials_lock(folder: str | os.PathLike) -> Iterator[None]:
    """Hold the study's trials lock: an advisory lock (``flock``) on ``trials.lock``, which the
    system releases when its holder dies, so a killed worker never blocks the next one. On a
    file system without locks the workers go on unlocked (and may run a trial or two too many)."""
    import fcntl

    with open(Path(folder) / TRIALS_LOCK, "ab") as file:  # closing it releases the lock
        with contextlib.suppress(OSError):
            fcntl.flock(file, fcntl.LOCK_EX)
        yield


def _work_main(job: WorkerJob) -> None:  # the target of a local worker process
    work(job)


@dataclass
class SearchSummary:
    """Where a search stands."""

    complete: int
    failed: int
    best_number: int | None
    best_loss: float | None
    best_values: dict[str, float]
    seconds: float = 0.0
    ran: int = 0

    def text(self) -> str:
        lines = [f"{self.complete} trials complete, {self.failed} failed"]
        if self.ran:
            rate = 3600 * self.ran / self.seconds if self.seconds else float("nan")
            lines[0] += f"; {self.ran} run now in {self.seconds:.0f} s ({rate:.0f} trials/hour)"
        if self.best_number is not None:
            lines.append(f"best trial {self.best_number}: loss {self.best_loss:.4g}")
            lines += [f"  {k} = {v:.4g}" for k, v in self.best_values.items()]
        return "\n".join(lines)


def summarise(study: Study, ostudy: Any | None = None) -> SearchSummary:
    from optuna.trial import TrialState

    ostudy = ostudy if ostudy is not None else study.optuna_study()
    complete = ostudy.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    failed = ostudy.get_trials(deepcopy=False, states=(TrialState.FAIL,))
    if not complete:
        return SearchSummary(0, len(failed), None, None, {})
    best = min(complete, key=lambda t: t.value)
    return SearchSummary(
        len(complete), len(failed), best.number, float(best.value), study.values(best.params)
    )


def fail_stale_trials(ostudy: Any) -> int:
    """Mark failed the running trials of workers on this machine that no longer exist (call it
    holding :func:`trials_lock` while workers may run: a trial not yet signed counts as dead).

    A worker is gone when its process id is free, when the process is a zombie (killed but not yet
    reaped: its parent died too and the machine's init reaps late or never, as in many
    containers), or when the id now belongs to a later process (its start differs from the one
    the worker recorded: the id was reused, or the machine rebooted).
    """
    from optuna.trial import TrialState

    host = socket.gethostname()
    failed = 0
    for trial in ostudy.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = str(trial.user_attrs.get("worker", ""))
        name, _, pid = worker.rpartition(":")
        started = trial.user_attrs.get("worker_start")
        if worker and (name != host or _alive(int(pid), started)):
            continue
        ostudy._storage.set_trial_user_attr(trial._trial_id, "error", "worker gone (interrupted)")
        ostudy._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
        failed += 1
    return failed


def process_start(pid: int) -> str | None:
    """``BOOT-ID:TICKS``, when process ``pid`` of this machine started (Linux's ``/proc``), which
    no later process with the same id shares; None if it is unknown (no ``/proc``, or no such
    process)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        fields = _proc_stat(pid)
    except OSError:
        return None
    return f"{boot}:{fields[19]}"


def _proc_stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name: state first, start time 20th."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 1 :].split()


def _alive(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` of this machine still runs: it exists, is not a zombie and, when
    ``started`` is known, is the same process that recorded it (see :func:`process_start`)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if not Path("/proc/self/stat").is_file():  # no /proc: the process id is all there is
        return True
    try:
        state = _proc_stat(pid)[0]
    except OSError:  # gone since
        return False
    if state in ("Z", "X"):
        return False
    return started is None or process_start(pid) == started


def search(
    study: Study,
    trials: int,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
) -> SearchSummary:
    """Run the search until the study holds ``trials`` trials (resuming where it stopped)."""
    if engine not in ENGINES:
        raise StudyError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    if trials < 1:
        raise StudyError(f"--trials must be at least 1, got {trials}")
    if workers < 1:
        raise StudyError(f"--workers must be at least 1, got {workers}")
    ostudy = study.optuna_study()
    with trials_lock(study.folder):
        fail_stale_trials(ostudy)
    if not ostudy.get_trials(deepcopy=False):
        for point in study.starting_points():
            ostudy.enqueue_trial(point, user_attrs={"start": "defaults or calibrated"})
    start = count_trials(ostudy)
    started = time.perf_counter()
    done_before = start
    jobs = [
        WorkerJob(f"worker-{i}", str(study.folder), trials, study.spec.seed_root + 7919 * i + start)
        for i in range(workers if engine != "serial" else 1)
    ]
    bar = _bar(trials, start, progress)
    try:
        if engine == "serial":
            work(jobs[0], progress=lambda: _refresh(bar, ostudy))
        elif engine == "local":
            _run_local(jobs, bar, ostudy)
        else:
            _run_dask(jobs, bar, ostudy, scheduler, workers)
    finally:
        _refresh(bar, ostudy)
        bar.close()
    with trials_lock(study.folder):
        fail_stale_trials(ostudy)
    summary = summarise(study, ostudy)
    summary.seconds = time.perf_counter() - started
    summary.ran = count_trials(ostudy) - done_before
    return summary


def _bar(total: int, initial: int, show: bool) -> Any:
    import sys

    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="trial",
        disable=None if show else True,
        leave=False,
        file=sys.stderr,
        desc="calibrating",
    )


def _refresh(bar: Any, ostudy: Any) -> None:
    n = count_trials(ostudy)
    bar.update(max(0, n - bar.n))
    with contextlib.suppress(ValueError):  # no complete trial yet
        bar.set_postfix(best=f"{ostudy.best_value:.3g}", refresh=False)


def _run_local(jobs: Sequence[WorkerJob], bar: Any, ostudy: Any) -> None:
    ctx = mp.get_context("fork")  # as willsim.experiments.engines: mesa switches the default
    procs = [ctx.Process(target=_work_main, args=(job,), daemon=False) for job in jobs]
    for p in procs:
        p.start()
    try:
        while any(p.is_alive() for p in procs):
            _refresh(bar, ostudy)
            time.sleep(0.5)
    except BaseException:
        for p in procs:
            if p.is_alive():
                p.terminate()
        raise
    finally:
        for p in procs:
            p.join()
    dead = [f"{job.key}: exit code {p.exitcode}" for job, p in zip(jobs, procs, strict=True)]
    dead = [d for d, p in zip(dead, procs, strict=True) if p.exitcode != 0]
    if dead:
        raise StudyError(f"search workers failed ({'; '.join(dead)}); rerun to resume")


def _run_dask(
    jobs: Sequence[WorkerJob], bar: Any, ostudy: Any, scheduler: str | None, workers: int
) -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise StudyError(
            "the dask engine needs the optional extra: pip install 'willsim[dask]'"
        ) from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise StudyError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = [client.submit(work, job, key=f"willsim-{job.key}", pure=False) for job in jobs]
        while not all(f.done() for f in futures):
            _refresh(bar, ostudy)
            time.sleep(0.5)
        errors = [f"{f.key}: {f.exception()}" for f in futures if f.status == "error"]
        if errors:
            raise StudyError(f"search workers failed ({'; '.join(errors)}); rerun to resume")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
