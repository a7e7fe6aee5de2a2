"""Dask scaling: runs per minute of the same sweep against the number of Dask worker processes.

    .venv/bin/python benchmarks/bench_dask_scaling.py                  # 1, 2, 3 workers
    .venv/bin/python benchmarks/bench_dask_scaling.py --workers 1 2 4 --runs 48

For each worker count, a fresh cluster is started on 127.0.0.1 as separate processes (a
``dask scheduler`` and ``dask worker --nworkers N --nthreads 1``, as on a real cluster), the same
sweep (a factorial over the time per assessment, 5,000 residents x 104 weeks, every run new) runs
into a new folder, and the cluster is stopped. The local process pool with as many workers runs
the same sweep beside it, for comparison. Prints runs per minute, seconds inside a run, the
per-run overhead the sweep reports and the load average; the machine may be shared, so compare
rows of one invocation only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from willsim.experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]


def spec_text(runs: int, residents: int, weeks: int) -> str:
    values = [round(1.5 + 4.0 * i / max(runs - 1, 1), 4) for i in range(runs)]
    return textwrap.dedent(f"""
        [sweep]
        name = "dask_scaling"
        design = "factorial"
        replicates = 1
        seed = 7
        outputs = ["mean_wait_weeks", "unmet_need_share", "coverage"]
        timeseries = true
        [fixed]
        "city.population" = {residents}
        "run.weeks" = {weeks}
        "run.mesa_citizens" = false
        [vary."office.assessment_hours"]
        values = {values}
    """)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(workers: int, folder: Path) -> tuple[str, list[subprocess.Popen]]:
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "cwd": folder}
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    procs.append(
        subprocess.Popen(
            [
                dask,
                "worker",
                address,
                "--nworkers",
                str(workers),
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            **quiet,
        )
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(workers, timeout=90)
            return address, procs
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        proc.terminate()
    for proc in reversed(procs):
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--no-local", action="store_true", help="skip the local pool rows")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="willsim-dask-bench-"))
    spec = tmp / "spec.toml"
    spec.write_text(spec_text(args.runs, args.residents, args.weeks))
    print(
        f"{args.runs} runs of {args.residents:,} residents x {args.weeks} weeks; "
        f"{len(os.sched_getaffinity(0))} cores; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'engine':<8} {'workers':>7} {'runs/min':>9} {'s/run':>6} {'overhead ms':>11} {'load':>5}"
    )
    try:
        for n in args.workers:
            rows = [("dask", n)] + ([] if args.no_local else [("local", n)])
            for engine, workers in rows:
                out = tmp / f"{engine}-{n}"
                procs: list[subprocess.Popen] = []
                address = None
                if engine == "dask":
                    address, procs = start_cluster(workers, tmp)
                try:
                    report = run_sweep(
                        spec,
                        out,
                        engine=engine,
                        workers=None if engine == "dask" else workers,
                        scheduler=address,
                        progress=False,
                        compact=False,
                    )
                finally:
                    stop(procs)
                done = report.done + report.failed
                print(
                    f"{engine:<8} {report.workers:>7} {60 * done / report.wall_seconds:>9.1f} "
                    f"{report.run_seconds / done:>6.2f} {1000 * report.overhead_per_run:>11.0f} "
                    f"{os.getloadavg()[0]:>5.2f}"
                )
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
