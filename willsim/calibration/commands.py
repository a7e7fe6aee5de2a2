"""The ``calibrate`` and ``calibration`` subcommands of the ``willsim`` command line.

* ``willsim calibrate search CITY... [--holdout CITY...]`` fits the free parameters to the
  cities' targets (resumable: the same command continues the study in ``--out``);
* ``willsim calibrate finish DIR`` re-scores the best trials on fresh seeds, writes the top-k
  ensemble, each city's calibrated layer, the fit report and its figure;
* ``willsim calibrate ensemble DIR`` runs the likelihood-weighted design over the prior;
* ``willsim calibrate apply DIR`` installs the layers in ``scenarios/calibrated/``;
* ``willsim calibration CITY...`` prints the fit table of any city, calibrated or not.

Errors of the user (an unknown city, a study folder that does not match, a malformed targets
file) raise a ``ScenarioError``: the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from willsim.experiments.engines import default_workers


def _run_options(p: argparse.ArgumentParser, seeds: int) -> None:
    p.add_argument(
        "--scenario", default="baseline", help="base scenario run in every city (default baseline)"
    )
    p.add_argument(
        "--residents",
        type=int,
        help="simulated residents (default: the whole city; a smaller number draws a sample)",
    )
    p.add_argument(
        "--weeks",
        type=int,
        help="weeks to report (default: the scenario's, plus any burn-in the model declares)",
    )
    p.add_argument(
        "--seeds", type=int, default=seeds, help=f"common seeds per run (default {seeds})"
    )
    p.add_argument("--targets", help="targets file (default scenarios/calibration/targets.toml)")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter in every city",
    )


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", default="local", help="local (default), dask or serial")
    p.add_argument("--workers", type=int, help="processes or Dask workers (default: every core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://host:port")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_parsers(sub: Any) -> None:
    """Register ``calibrate`` (with its actions) and ``calibration`` on the CLI's subparsers."""
    cal = sub.add_parser(
        "calibrate", help="fit the parameters with priors to the cities' targets (Optuna)"
    )
    actions = cal.add_subparsers(dest="action", required=True, metavar="ACTION")

    search = actions.add_parser("search", help="search (resumable): rerun to continue")
    search.add_argument("cities", nargs="+", metavar="CITY", help="cities to fit")
    search.add_argument(
        "--holdout", nargs="+", default=[], metavar="CITY", help="cities evaluated, never fitted"
    )
    search.add_argument("--out", help="study folder (default runs/calibration/STUDY)")
    search.add_argument("--study", help="study name (default: the fitted cities)")
    search.add_argument("--trials", type=int, default=200, help="trials in all (default 200)")
    search.add_argument(
        "--params",
        nargs="+",
        metavar="KEY",
        help="calibrate only these parameters (default: every parameter with a fitted prior)",
    )
    search.add_argument("--seed", type=int, default=20261201, help="root of the common seeds")
    _run_options(search, seeds=3)
    _engine_options(search)

    fin = actions.add_parser(
        "finish", help="re-score the best trials; write ensemble, layers, fit report"
    )
    fin.add_argument("dir", help="study folder")
    fin.add_argument("--top", type=int, default=20, help="trials re-scored (default 20)")
    fin.add_argument(
        "--fresh-seeds", type=int, default=5, help="new seeds per re-scoring (default 5)"
    )
    fin.add_argument("--name", default="ensemble-topk", help="ensemble file name (no suffix)")
    _engine_options(fin)

    ens = actions.add_parser(
        "ensemble", help="likelihood-weighted design over the prior (scrambled Sobol)"
    )
    ens.add_argument("dir", help="study folder")
    ens.add_argument("--points", type=int, default=1024, help="design points (default 1024)")
    ens.add_argument("--seeds", type=int, default=1, help="fresh seeds per point (default 1)")
    ens.add_argument("--name", default="ensemble-prior", help="ensemble file name (no suffix)")
    _engine_options(ens)

    lst = actions.add_parser("targets", help="list the targets with their sources and status")
    lst.add_argument("--targets", help="targets file (default scenarios/calibration/targets.toml)")
    lst.add_argument("--city", help="only the targets of this city")
    lst.add_argument("--format", choices=("text", "md", "csv"), default="text")

    app = actions.add_parser("apply", help="install a study's layers in scenarios/calibrated/")
    app.add_argument("dir", help="study folder")
    app.add_argument("--city", nargs="+", help="only these cities")

    tab = sub.add_parser(
        "calibration", help="the fit table of a city against its targets (calibrated or not)"
    )
    tab.add_argument("cities", nargs="+", metavar="CITY")
    _run_options(tab, seeds=3)
    tab.add_argument(
        "--uncalibrated", action="store_true", help="ignore the city's calibrated layer"
    )
    tab.add_argument(
        "--format", choices=("text", "md", "csv"), default="text", help="output (default text)"
    )
    tab.add_argument("--figure", metavar="PATH", help="also draw the z of every target (PNG)")
    _engine_options(tab)


def _settings(args: argparse.Namespace, calibrated: bool):
    from willsim.calibration.evaluate import RunSettings
    from willsim.calibration.study import StudyError

    if args.residents is not None and args.residents < 0:
        raise StudyError(f"--residents must be 0 (the whole city) or more, got {args.residents}")
    if args.weeks is not None and args.weeks < 1:
        raise StudyError(f"--weeks must be at least 1, got {args.weeks}")
    if args.seeds < 1:
        raise StudyError(f"--seeds must be at least 1, got {args.seeds}")
    return RunSettings(
        scenario=args.scenario,
        residents=args.residents,
        weeks=args.weeks,
        sets=tuple(args.sets),
        calibrated=calibrated,
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    return {
        "search": _search,
        "finish": _finish,
        "ensemble": _ensemble,
        "apply": _apply,
        "targets": _targets,
    }[args.action](args)


def _targets(args: argparse.Namespace) -> int:
    import pandas as pd

    from willsim.calibration.study import StudyError
    from willsim.calibration.targets import load_targets
    from willsim.scenario import available_cities

    targets = load_targets(args.targets)
    if args.city and args.city not in available_cities():
        valid = ", ".join(available_cities())
        raise StudyError(f"unknown city {args.city!r}; valid cities: {valid}")
    chosen = targets.for_city(args.city) if args.city else targets.targets
    table = pd.DataFrame(
        [
            {
                "id": t.id,
                "source": "; ".join(s.row for s in t.sources),
                "estimand": t.estimand.name,
                "cities": "all" if "*" in t.cities else ", ".join(t.cities),
                "value": t.value,
                "tolerance": t.tolerance,
                "unit": t.unit,
                "role": t.role,
                "family": t.family,
                "status": t.status,
            }
            for t in chosen
        ]
    )
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
        return 0
    if args.format == "md":
        cols = list(table.columns)
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for row in table.itertuples(index=False):
            cells = [f"{v:g}" if isinstance(v, float) else str(v) for v in row]
            print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return 0
    checked = (
        f"rows checked against {targets.csv_path}"
        if targets.csv_path
        else ("calibration table not found: rows not checked")
    )
    print(f"{targets.path}: {len(chosen)} targets, hash {targets.hash}; {checked}")
    for t in chosen:
        cities = "all cities" if "*" in t.cities else ", ".join(t.cities)
        print(
            f"  {t.id} ({t.role}, {t.family}): {t.estimand.name} = {t.value:g} ± {t.tolerance:g}"
            f" {t.unit}; {cities}; {t.status}"
        )
        print(f"      {t.source_text}")
    return 0


def _search(args: argparse.Namespace) -> int:
    from willsim.calibration.study import Study, StudySpec, search

    name = args.study or "-".join(args.cities)
    spec = StudySpec(
        name=name,
        fit_cities=tuple(args.cities),
        holdout_cities=tuple(args.holdout),
        settings=_settings(args, calibrated=False),
        seeds=args.seeds,
        seed_root=args.seed,
        params=tuple(args.params) if args.params else None,
        targets_path=str(Path(args.targets).resolve()) if args.targets else None,
    )
    out = Path(args.out) if args.out else Path("runs") / "calibration" / name
    study = Study.create_or_resume(out, spec)
    print(
        f"study {study.spec.name} in {out}: {len(study.free)} free parameters, "
        f"{len(study.fit_scores_template())} fitted targets, seeds {study.seeds}",
        file=sys.stderr,
    )
    summary = search(
        study,
        trials=args.trials,
        workers=args.workers or default_workers(),
        engine=args.engine,
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    print(summary.text())
    print(f"next: willsim calibrate finish {out}", file=sys.stderr)
    return 0


def _finish(args: argparse.Namespace) -> int:
    from willsim.calibration.ensemble import finish
    from willsim.calibration.study import Study

    study = Study.open(args.dir)
    report = finish(
        study,
        top=args.top,
        fresh_seeds=args.fresh_seeds,
        name=args.name,
        engine=args.engine,
        workers=args.workers or default_workers(),
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    print(report.text)
    print(f"wrote {report.ensemble}", file=sys.stderr)
    for path in report.layers:
        print(f"wrote {path}", file=sys.stderr)
    print(f"next: willsim calibrate apply {args.dir}", file=sys.stderr)
    return 0


def _ensemble(args: argparse.Namespace) -> int:
    from willsim.calibration.ensemble import prior_design
    from willsim.calibration.study import Study

    study = Study.open(args.dir)
    path, ess = prior_design(
        study,
        points=args.points,
        seeds=args.seeds,
        name=args.name,
        engine=args.engine,
        workers=args.workers or default_workers(),
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    print(f"wrote {path}: {args.points} points, effective sample size {ess:.1f}")
    if ess < 100:
        print(
            "warning: ESS below 100: the weighted design is not a usable posterior; add points "
            "or narrow the priors (docs/calibration.md)",
            file=sys.stderr,
        )
    return 0


def _apply(args: argparse.Namespace) -> int:
    from willsim.calibration.layer import apply_layers

    for path, replaced in apply_layers(args.dir, args.city):
        print(f"{'replaced' if replaced else 'installed'} {path}")
    return 0


def cmd_calibration(args: argparse.Namespace) -> int:
    from willsim.calibration.evaluate import CityRuns, run_task
    from willsim.calibration.report import (
        fit_table,
        format_fit_table,
        loss_lines,
        plot_fit,
        to_markdown,
    )
    from willsim.calibration.study import StudyError
    from willsim.calibration.targets import load_targets
    from willsim.experiments.engines import run_tasks
    from willsim.rng import spawn_seeds
    from willsim.scenario import available_cities, load_calibrated

    cities = available_cities()
    unknown = [c for c in args.cities if c not in cities]
    if unknown:
        raise StudyError(f"unknown city {', '.join(unknown)}; valid cities: {', '.join(cities)}")
    settings = _settings(args, calibrated=not args.uncalibrated)
    targets = load_targets(args.targets)
    runs = CityRuns(args.cities, settings, targets)
    seeds = spawn_seeds(int(runs.bases[args.cities[0]].params["run.seed"]), args.seeds)
    tasks = runs.tasks([], {}, seeds, tag="table")
    results: dict[str, list[dict[str, float]]] = {}
    by_key = {t.key: t for t in tasks}
    engine = "serial" if args.workers == 1 else args.engine
    for out in run_tasks(
        tasks, run_task, engine=engine, workers=args.workers, scheduler=args.scheduler
    ):
        if not out.ok:
            raise RuntimeError(f"run {out.key} failed: {out.error}")
        results.setdefault(by_key[out.key].city, []).append(out.result)
    results = {c: results[c] for c in args.cities}
    scores = runs.score(results)
    table = fit_table(targets, scores, args.cities)
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    elif args.format == "md":
        print(to_markdown(table), end="")
    else:
        header = []
        for city in args.cities:
            base = runs.bases[city]
            layer = None if args.uncalibrated else load_calibrated(city)
            header.append(
                f"{base.city_label} · scenario {base.name} · {len(seeds)} seeds · "
                f"{_size(base.params)} · {_provenance(city, layer, targets.hash)}"
            )
        header += loss_lines(scores)
        print(format_fit_table(table, header))
    if args.figure:
        path = plot_fit(table, args.figure, ", ".join(args.cities))
        print(f"wrote {path}" if path else "no measured target: no figure", file=sys.stderr)
    return 0


def _size(params: Any) -> str:
    residents = int(params["run.residents"])
    who = "the whole city" if residents == 0 else f"{residents:,} residents"
    burn_in = params.get("run.burn_in_weeks")
    extra = f" after {int(burn_in)} weeks of burn-in" if burn_in else ""
    return f"{who} · {int(params['run.weeks'])} weeks{extra}"


def _provenance(city: str, layer: tuple[str, dict[str, Any]] | None, targets_hash: str) -> str:
    from willsim.calibration.study import model_hash
    from willsim.scenario import CALIBRATED_DIR, read_data_file

    if layer is None:
        return "not calibrated (no scenarios/calibrated/" + city + ".toml)"
    meta = read_data_file(CALIBRATED_DIR / f"{city}.toml").get("calibrated", {})
    text = f"{layer[0]} of {str(meta.get('date', '?'))[:10]}, commit {meta.get('commit', '?')}"
    if meta.get("targets_hash") != targets_hash:
        text += " (WARNING: calibrated against other targets)"
    if meta.get("model_hash") not in (None, model_hash()):
        text += " (the model changed since: re-scored here, not refitted)"
    return text


COMMANDS = {"calibrate": cmd_calibrate, "calibration": cmd_calibration}
