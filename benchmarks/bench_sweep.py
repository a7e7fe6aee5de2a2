"""Sweep throughput: runs per minute and per-run overhead of the local and Dask engines.

    .venv/bin/python benchmarks/bench_sweep.py                       # local engine, every core
    .venv/bin/python benchmarks/bench_sweep.py --engine dask --scheduler tcp://127.0.0.1:8786
    .venv/bin/python benchmarks/bench_sweep.py --spec scenarios/sweeps/office_staffing.toml

Overhead per run = (wall x workers - time inside the runs) / runs: dispatch, pickling and the
atomic Parquet write, against the runs themselves. The machine may be shared: the script prints
the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

from willsim.experiments.sweep import run_sweep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default="scenarios/sweeps/office_staffing.toml")
    ap.add_argument("--engine", default="local")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--scheduler")
    ap.add_argument("--out", help="sweep folder (default: a temporary one, removed after)")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="willsim-bench-")
    if not args.out:
        shutil.rmtree(out)
    load0 = os.getloadavg()[0]
    start = time.perf_counter()
    report = run_sweep(
        args.spec,
        out,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=True,
    )
    total = time.perf_counter() - start
    n = report.done + report.failed
    print(report.text())
    print(
        f"engine {args.engine}: {n} runs, {60 * n / report.wall_seconds:.1f} runs/minute "
        f"(wall {report.wall_seconds:.1f} s, {total:.1f} s with design and compaction); "
        f"time in a run {report.run_seconds / n:.3f} s; overhead "
        f"{1000 * report.overhead_per_run:.1f} ms per run "
        f"({100 * report.overhead_per_run * n / report.run_seconds:.1f}% of run time); "
        f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
