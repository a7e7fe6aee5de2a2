"""Calibration throughput: runs per hour and trials per hour for a Bergamo fit on 2 cores.

Two parts, printed as tables:

1. **Run cost and seed noise by run size.** For each ``--sizes`` (0 = the whole city, one agent
   per resident), ``--reps`` Bergamo baseline runs one after the other (seeds 1..reps) of the
   length a fit uses (the scenario's ``run.weeks``, plus any burn-in the model declares, unless
   ``--weeks``): wall and CPU seconds per run, runs per hour on ``--workers`` cores, and the
   standard deviation over seeds of a few estimands, which sets how many seeds a trial needs
   (n = ceil(4 (sd / tolerance)^2), methods note section 2).
2. **A search** (``willsim.calibration.search``, local engine, ``--workers`` processes on one
   Optuna journal) of ``--trials`` trials with every fitted prior of the registry free (31 for
   Bergamo) against model-generated targets on the live estimands, ``--seeds`` common seeds per
   trial, at ``--search-size`` residents: trials per hour, runs per hour, and the share of worker
   time not spent in model runs (Optuna's ask and tell, the journal, scenario set-up).

The figures depend on the load of the machine: the CPU/wall column below 0.9 flags runs slowed
by other processes.

Examples::

    python benchmarks/bench_calibration.py                       # whole city and 20,000; search
    python benchmarks/bench_calibration.py --sizes 0 --reps 5 --trials 0
    python benchmarks/bench_calibration.py --search-size 20000 --trials 24 --seeds 3
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from willsim.calibration.evaluate import (  # noqa: E402
    RunSettings,
    RunTask,
    city_scenario,
    run_task,
)
from willsim.calibration.study import Study, StudySpec, search  # noqa: E402

CITY = "bergamo"
NOISE = ("non_take_up_share", "crises_per_1000", "isolated_share", "coverage")
ROW = "non-take-up of at least one benefit | EU (subset of countries) | c.2015"
URL = "https://www.eurofound.europa.eu/en/news/2015/ensuring-citizens-receive-social-benefits"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_costs(sizes: list[int], reps: int, weeks: int | None, workers: int) -> None:
    print(f"Run cost and seed noise: Bergamo baseline, {reps} seeds per size")
    head = f"{'residents':>10} {'weeks':>6} {'wall s/run':>11} {'cpu/wall':>9} {'runs/hour':>10}"
    head += "".join(f" {'sd ' + k:>24}" for k in NOISE)
    print(head)
    for size in sizes:
        settings = RunSettings(residents=size, weeks=weeks)
        scenario = city_scenario(CITY, settings)
        walls, cpus, values = [], [], []
        for seed in range(1, reps + 1):
            t0, c0 = time.perf_counter(), _cpu()
            values.append(run_task(RunTask("b", CITY, scenario, seed, NOISE)))
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
        wall = statistics.median(walls)
        ratio = sum(cpus) / sum(walls)
        label = "city" if size == 0 else f"{size:,}"
        line = f"{label:>10} {int(scenario.params['run.weeks']):>6} {wall:>11.2f} {ratio:>9.2f}"
        line += f" {3600 * workers / wall:>10,.0f}"
        for key in NOISE:
            sd = statistics.stdev(v[key] for v in values) if reps > 1 else math.nan
            line += f" {sd:>24.4g}"
        print(line, flush=True)


def search_rate(size: int, weeks: int | None, trials: int, seeds: int, workers: int) -> None:
    settings = RunSettings(residents=size, weeks=weeks)
    scenario = city_scenario(CITY, settings)
    truth = run_task(RunTask("t", CITY, scenario, 99, ("non_take_up_share", "crises_per_1000")))
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as tmp:
        targets = Path(tmp) / "targets.toml"
        tables = []
        for key, tol in (("non_take_up_share", 0.02), ("crises_per_1000", 1.0)):
            unit = "share" if key == "non_take_up_share" else "events/1,000 residents/year"
            tables.append(
                f'[[target]]\nid = "{key.replace("_", "-")}"\nestimand = "{key}"\n'
                f'definition = "benchmark"\nvalue = {truth[key]!r}\nunit = "{unit}"\n'
                f'derivation = "the model, seed 99"\ntolerance = {tol}\n'
                f'tolerance_basis = "benchmark"\ncities = ["{CITY}"]\nrole = "fit"\n'
                f'family = "{key}"\n[[target.source]]\nrow = "{ROW}"\nurl = "{URL}"\n'
            )
        targets.write_text("\n".join(tables))
        spec = StudySpec(
            name="bench", fit_cities=(CITY,), settings=settings, seeds=seeds,
            targets_path=str(targets),
        )  # fmt: skip
        study = Study.create_or_resume(Path(tmp) / "study", spec)
        t0, c0 = time.perf_counter(), _children_cpu()
        summary = search(study, trials=trials, workers=workers, engine="local", progress=False)
        wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
        ostudy = study.optuna_study()
        trial_walls = [
            (t.datetime_complete - t.datetime_start).total_seconds()
            for t in ostudy.get_trials()
            if t.datetime_complete is not None
        ]
    runs = summary.ran * seeds
    label = "the whole city" if size == 0 else f"{size:,} residents"
    print(
        f"\nSearch: {CITY}, {label}, {int(scenario.params['run.weeks'])} weeks, "
        f"{len(study.free)} free parameters, {seeds} seeds per trial, {workers} workers"
    )
    print(f"  {summary.ran} trials ({summary.complete} complete) in {wall:.1f} s wall")
    print(f"  trials per hour: {3600 * summary.ran / wall:,.0f}")
    print(f"  runs per hour:   {3600 * runs / wall:,.0f}")
    ratio = cpu / (workers * wall)
    print(f"  worker CPU: {cpu / summary.ran:.2f} s per trial (cpu/wall {ratio:.2f})")
    quiet = 3600 * workers * summary.ran / cpu
    print(f"  on {workers} unshared cores: {quiet:,.0f} trials per hour")
    if trial_walls:
        per_trial = statistics.median(trial_walls)
        print(f"  median trial: {per_trial:.2f} s ({per_trial / seeds:.2f} s per run, in a worker)")
        busy = sum(trial_walls) / (workers * wall)
        print(f"  workers busy in trials: {100 * busy:.0f}% of their wall time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 20_000])
    parser.add_argument("--reps", type=int, default=4, help="seeds per size (default 4)")
    parser.add_argument("--weeks", type=int, help="weeks per run (default: the scenario's)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--trials", type=int, default=12, help="search trials (0: no search)")
    parser.add_argument("--seeds", type=int, default=2, help="common seeds per trial (default 2)")
    parser.add_argument(
        "--search-size", type=int, default=0, help="residents in the search (default: the city)"
    )
    args = parser.parse_args()
    if args.reps:
        run_costs(args.sizes, args.reps, args.weeks, args.workers)
    if args.trials:
        search_rate(args.search_size, args.weeks, args.trials, args.seeds, args.workers)


if __name__ == "__main__":
    main()
