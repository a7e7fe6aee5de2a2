"""Engines: run many independent tasks and yield their outcomes as they finish.

* ``local`` — a process pool over every core (``fork`` context, chosen explicitly because
  ``import mesa`` switches the default to ``spawn``). It survives a worker dying: the pool is
  rebuilt, the runs that were in flight are re-run one at a time in a fresh process, and a run
  whose process dies twice is reported failed with the exit status. ``ProcessPoolExecutor`` on its
  own would fail every pending run with ``BrokenProcessPool``.
* ``dask`` — Dask distributed, at ``scheduler`` (``tcp://host:port``) or on a local cluster. A
  worker that dies is replaced by its nanny and its run rescheduled; a run that kills every worker
  it lands on ends as ``KilledWorker`` and is reported failed (needs the ``dask`` extra).
* ``serial`` — in this process, for debugging.

Tasks are any picklable objects with a ``key`` attribute; ``fn(task)`` returns the result. An
exception raised by ``fn`` is caught in the worker and reported as a failure with its traceback
(it is not retried: the same inputs give the same error). Outcomes arrive in completion order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

ENGINES = ("local", "dask", "serial")
ATTEMPTS = 2  # a run whose worker dies is tried this many times in all


@dataclass
class Outcome:
    """What became of one task."""

    key: str
    ok: bool
    result: Any = None
    error: str | None = None
    seconds: float = 0.0  # time spent in the task itself (in the worker)
    attempts: int = 1


def default_workers() -> int:
    """The cores this process may use (affinity- and container-aware where possible)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def safe_call(fn: Callable[[Any], Any], task: Any) -> Outcome:
    """Run ``fn(task)``; never raises (exceptions become a failed outcome with a traceback)."""
    start = time.perf_counter()
    try:
        result = fn(task)
    except Exception as exc:
        tb = traceback.format_exc(limit=8)
        return Outcome(
            task.key,
            False,
            error=f"{type(exc).__name__}: {exc}\n{tb}",
            seconds=time.perf_counter() - start,
        )
    return Outcome(task.key, True, result=result, seconds=time.perf_counter() - start)


def run_tasks(
    tasks: Iterable[Any],
    fn: Callable[[Any], Any],
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Outcome]:
    """Run ``fn`` on every task with ``engine``; yield one :class:`Outcome` per task."""
    if engine == "local":
        return _local(list(tasks), fn, workers or default_workers())
    if engine == "dask":
        return _dask(list(tasks), fn, workers, scheduler)
    if engine == "serial":
        return (safe_call(fn, t) for t in tasks)
    raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")


# --- local process pool ---------------------------------------------------------------------------


def _local(tasks: list[Any], fn: Callable[[Any], Any], workers: int) -> Iterator[Outcome]:
    ctx = mp.get_context("fork")
    pending = deque(tasks)
    window = 2 * workers  # bounded: memory stays flat and a crash puts few runs in doubt
    pool = ProcessPoolExecutor(workers, mp_context=ctx)
    inflight: dict[Any, Any] = {}
    try:
        while pending or inflight:
            while pending and len(inflight) < window:
                task = pending.popleft()
                inflight[pool.submit(safe_call, fn, task)] = task
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
                    yield _isolated(fn, task, ctx)
                pool = ProcessPoolExecutor(workers, mp_context=ctx)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


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


def _isolated(fn: Callable[[Any], Any], task: Any, ctx: Any) -> Outcome:
    """Run one task alone in a fresh process, up to :data:`ATTEMPTS` times if the process dies."""
    statuses = []
    start = time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(fn, task, send), daemon=True)
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
        code = proc.exitcode
        statuses.append(
            f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        )
    return Outcome(
        task.key,
        False,
        attempts=ATTEMPTS,
        seconds=time.perf_counter() - start,
        error=f"worker process died {ATTEMPTS} times while running this run "
        f"({'; '.join(statuses)})",
    )


# --- Dask distributed -----------------------------------------------------------------------------


def _dask(
    tasks: list[Any], fn: Callable[[Any], Any], workers: int | None, scheduler: str | None
) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        from willsim.experiments import SpecError

        raise SpecError(
            "the dask engine needs the optional extra: pip install 'willsim[dask]'"
        ) from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            from willsim.experiments import SpecError

            raise SpecError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        nworkers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
        window = 4 * nworkers
        pending = deque(tasks)
        by_key: dict[str, Any] = {}

        def submit() -> Any:
            task = pending.popleft()
            future = client.submit(safe_call, fn, task, key=f"willsim-run-{task.key}", pure=False)
            by_key[future.key] = task
            return future

        first = [submit() for _ in range(min(window, len(pending)))]
        stream = as_completed(first, with_results=True, raise_errors=False)
        for future, result in stream:
            task = by_key.pop(future.key)
            if isinstance(result, Outcome):
                yield result
            else:  # KilledWorker, cancelled (scheduler lost) ...
                yield Outcome(task.key, False, error=f"{type(result).__name__}: {result}")
            future.release()
            if pending:
                stream.add(submit())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
