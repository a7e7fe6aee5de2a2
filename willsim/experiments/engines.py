"""Engines: run many independent tasks and yield their outcomes as they finish.

* ``local`` — a process pool over every core (``fork`` context, chosen explicitly because
  ``import mesa`` switches the default to ``spawn``). It survives a worker dying: the pool is
  rebuilt, the runs that were in flight are re-run one at a time in a fresh process, and a run
  whose process dies twice is reported failed with the exit status. ``ProcessPoolExecutor`` on its
  own would fail every pending run with ``BrokenProcessPool``. Deaths and re-runs are counted in
  :attr:`Engine.stats`.
* ``dask`` — Dask distributed, at ``scheduler`` (``tcp://host:port``) or on a local cluster. The
  connection is made when the engine opens, before anything is written, so an unreachable
  scheduler leaves nothing behind. A worker that dies is replaced by its nanny and its run
  rescheduled; a run that kills every worker it lands on ends as ``KilledWorker`` and is
  reported failed. Losing the scheduler raises :class:`SchedulerLost` (no run is recorded as
  failed: the runs it cancelled never failed). Needs the ``dask`` extra.
* ``serial`` — in this process, for debugging and for callers that cancel mid-run (the app).

Tasks are any picklable objects with a ``key`` attribute, consumed lazily (a bounded window is in
flight, so a design of a million runs never exists as a million tasks); ``fn(task)`` returns the
result. An exception raised by ``fn`` is caught in the worker and reported as a failure with its
traceback (it is not retried: the same inputs give the same error). Outcomes arrive in completion
order.

>>> with open_engine("local", workers=2) as engine:  # doctest: +SKIP
...     for outcome in engine.map(tasks, fn):
...         ...
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from willsim.experiments import SpecError

ENGINES = ("local", "dask", "serial")
ATTEMPTS = 2  # a run whose worker dies is tried this many times in all


class Cancelled(Exception):
    """Raised inside a run (serial engine) when the caller asked to stop; never a failure."""


class SchedulerLost(RuntimeError):
    """The Dask scheduler went away mid-run: finished runs are stored, the rest were cancelled."""


@dataclass
class Outcome:
    """What became of one task."""

    key: str
    ok: bool
    result: Any = None
    error: str | None = None
    seconds: float = 0.0  # time spent in the task itself (in the worker)
    attempts: int = 1


@dataclass
class EngineStats:
    """What an engine did: its parallel slots, and the worker processes that died."""

    workers: int = 1  # worker processes
    threads: int = 1  # runs that can execute at once
    worker_deaths: int = 0
    reruns: int = 0  # runs executed again because their worker died


def default_workers() -> int:
    """The cores this process may use (affinity- and container-aware where possible)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def check_engine(engine: str, workers: int | None, scheduler: str | None) -> None:
    """Validate an engine request (one-line :class:`SpecError` naming the valid choices)."""
    if engine not in ENGINES:
        raise SpecError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise SpecError(f"--workers must be a whole number of at least 1, got {workers}")
    if scheduler and engine != "dask":
        raise SpecError("--scheduler applies to --engine dask")


def safe_call(fn: Callable[[Any], Any], task: Any) -> Outcome:
    """Run ``fn(task)``; never raises (exceptions become a failed outcome with a traceback),
    except :class:`Cancelled`, which the caller asked for."""
    start = time.perf_counter()
    try:
        result = fn(task)
    except Cancelled:
        raise
    except Exception as exc:
        tb = traceback.format_exc(limit=8)
        return Outcome(
            task.key,
            False,
            error=f"{type(exc).__name__}: {exc}\n{tb}",
            seconds=time.perf_counter() - start,
        )
    return Outcome(task.key, True, result=result, seconds=time.perf_counter() - start)


class Engine:
    """Base class: a context manager whose :meth:`map` yields outcomes as runs finish."""

    name = "serial"

    def __init__(self) -> None:
        self.stats = EngineStats()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release processes and connections."""

    def map(self, tasks: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[Outcome]:
        for task in tasks:
            yield safe_call(fn, task)


class SerialEngine(Engine):
    """Every run in this process, one after the other."""


class LocalEngine(Engine):
    """A fork process pool that survives its workers dying."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        super().__init__()
        n = workers or default_workers()
        self.stats = EngineStats(workers=n, threads=n)
        self.ctx = mp.get_context("fork")

    def map(self, tasks: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[Outcome]:
        workers = self.stats.workers
        pending = iter(tasks)
        window = 2 * workers  # bounded: memory stays flat and a crash puts few runs in doubt
        pool = ProcessPoolExecutor(workers, mp_context=self.ctx)
        inflight: dict[Any, Any] = {}
        exhausted = False
        try:
            while True:
                while not exhausted and len(inflight) < window:
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                        break
                    inflight[pool.submit(safe_call, fn, task)] = task
                if not inflight:
                    return
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                suspects = []
                for future in done:
                    task = inflight.pop(future)
                    outcome = _result(future)
                    if outcome is None:
                        suspects.append(task)
                    else:
                        yield outcome
                if suspects:
                    # a worker died: every run still in flight fails with BrokenProcessPool
                    self.stats.worker_deaths += 1
                    wait(inflight, timeout=30)
                    for future, task in inflight.items():
                        outcome = _result(future)
                        if outcome is None:
                            suspects.append(task)
                        else:
                            yield outcome
                    inflight.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    for task in suspects:  # run each alone, so only the culprit is charged
                        self.stats.reruns += 1
                        yield self._isolated(fn, task)
                    pool = ProcessPoolExecutor(workers, mp_context=self.ctx)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _isolated(self, fn: Callable[[Any], Any], task: Any) -> Outcome:
        """Run one task alone in a fresh process, up to :data:`ATTEMPTS` times if it dies."""
        statuses = []
        start = time.perf_counter()
        for attempt in range(1, ATTEMPTS + 1):
            recv, send = self.ctx.Pipe(duplex=False)
            proc = self.ctx.Process(target=_child, args=(fn, task, send), daemon=True)
            proc.start()
            send.close()
            try:
                outcome = recv.recv()
            except EOFError:
                outcome = None
            finally:
                recv.close()
            proc.join()
            if outcome is not None:
                outcome.attempts = attempt
                return outcome
            self.stats.worker_deaths += 1
            code = proc.exitcode
            statuses.append(
                f"killed by signal {-code}"
                if code is not None and code < 0
                else f"exit code {code}"
            )
        return Outcome(
            task.key,
            False,
            attempts=ATTEMPTS,
            seconds=time.perf_counter() - start,
            error=f"worker process died {ATTEMPTS} times while running this run "
            f"({'; '.join(statuses)})",
        )


def _result(future: Any) -> Outcome | None:
    """The outcome of a finished future, or None if its worker died."""
    if not future.done():
        return None
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _child(fn: Callable[[Any], Any], task: Any, conn: Any) -> None:
    conn.send(safe_call(fn, task))
    conn.close()


class DaskEngine(Engine):
    """Dask distributed: a scheduler's cluster, or a local cluster of worker processes."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        super().__init__()
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SpecError(
                "the dask engine needs the optional extra: pip install 'willsim[dask]'"
            ) from None
        self.address = scheduler
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SpecError(
                    f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}); "
                    "start it with `dask scheduler` or check the address (tcp://host:port)"
                ) from None
        else:
            self.cluster = LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        self._seen: set[str] = set()
        self.refresh()

    def refresh(self) -> None:
        """Count the cluster's real workers and threads; a worker that went away (killed, or
        replaced by its nanny under a new address) counts as a death."""
        try:
            info = self.client.scheduler_info().get("workers", {})
        except Exception:  # a closed client: keep the last counts
            return
        current = set(info)
        self.stats.worker_deaths += len(self._seen - current)
        self._seen = current
        if info:
            self.stats.workers = len(info)
            self.stats.threads = sum(int(w.get("nthreads", 1)) for w in info.values())

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()

    def _lost(self, count: int) -> SchedulerLost:
        where = self.address or "the local cluster"
        return SchedulerLost(
            f"lost the Dask scheduler at {where} after {count} run(s) in this session; "
            "every finished run is stored and none is counted as failed. Start the scheduler "
            "again and run the same command to continue"
        )

    def map(self, tasks: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[Outcome]:
        from distributed import as_completed

        pending = iter(tasks)
        by_key: dict[Any, Any] = {}
        received = 0
        window = 4 * max(1, self.stats.threads)

        def submit() -> Any | None:
            task = next(pending, None)
            if task is None:
                return None
            future = self.client.submit(
                safe_call, fn, task, key=f"willsim-run-{task.key}", pure=False
            )
            by_key[future.key] = task
            return future

        try:
            first = [f for f in (submit() for _ in range(window)) if f is not None]
            if not first:
                return
            stream = as_completed(first, with_results=True, raise_errors=False)
            for future, result in stream:
                task = by_key.pop(future.key)
                if isinstance(result, concurrent.futures.CancelledError) or (
                    not isinstance(result, Outcome) and self.client.status != "running"
                ):
                    raise self._lost(received)
                received += 1
                if isinstance(result, Outcome):
                    yield result
                else:  # KilledWorker: the run killed every worker it was given
                    yield Outcome(task.key, False, error=f"{type(result).__name__}: {result}")
                future.release()
                if received % 16 == 0:
                    self.refresh()
                nxt = submit()
                if nxt is not None:
                    stream.add(nxt)
        except SchedulerLost:
            raise
        except Exception as exc:  # a closed client or comm: the scheduler went away
            if self.client.status == "running" and not _is_comm_error(exc):
                raise
            raise self._lost(received) from None
        finally:
            self.refresh()


def _is_comm_error(exc: Exception) -> bool:
    name = type(exc).__name__
    return isinstance(exc, (OSError, TimeoutError, concurrent.futures.CancelledError)) or name in (
        "ClosedClientError",
        "CommClosedError",
    )


def quiet_dask_logs() -> None:
    """Silence distributed's own log lines (every lost connection comes with a traceback): for a
    command line that reports a lost scheduler and dead workers itself, in one line."""
    import logging

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("distributed")]:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def open_engine(
    engine: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Engine:
    """The engine ``engine``, opened (a Dask connection is made here: an unreachable scheduler
    raises :class:`SpecError` before anything is written)."""
    check_engine(engine, workers, scheduler)
    if engine == "local":
        return LocalEngine(workers)
    if engine == "dask":
        return DaskEngine(workers, scheduler)
    return SerialEngine()


def run_tasks(
    tasks: Iterable[Any],
    fn: Callable[[Any], Any],
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Outcome]:
    """Run ``fn`` on every task with ``engine``; yield one :class:`Outcome` per task."""
    with open_engine(engine, workers, scheduler) as eng:
        yield from eng.map(tasks, fn)
