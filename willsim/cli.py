"""The ``willsim`` command line: run, validate, list scenarios and parameters; compare, sweep and
results (:mod:`willsim.experiments.commands`); workshop (:mod:`willsim.workshop.commands`).

Subcommands come in groups: each group is a function that adds its subparsers and returns their
handlers by name (:data:`COMMAND_GROUPS`); a new group (e.g. calibration) is one more function in
that list, or :func:`add_command_group`.

Bad input (an unknown scenario or parameter, an out-of-range value, a malformed file, an ``--out``
that cannot be written) prints one clear message naming the problem and the valid choices, and
exits with status 2, never with a traceback, and before any simulation. Results already written
are never removed or overwritten (``--force`` to write into a folder that holds files).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from willsim.indicators import INDICATORS, tagged
from willsim.params import PARAMETERS, ParameterError
from willsim.scenario import (
    ScenarioError,
    available_cities,
    available_scenarios,
    load_scenario,
    parse_assignment,
)

EXIT_BAD_INPUT = 2
Handler = Callable[[argparse.Namespace], int]
CommandGroup = Callable[[Any], Mapping[str, Handler]]


class CliError(Exception):
    """A user error on the command line."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command group; each subparser knows its handler."""
    parser = argparse.ArgumentParser(
        prog="willsim", description="Simulate local welfare strategies on a synthetic city."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        for name, handler in group(sub).items():
            sub.choices[name].set_defaults(handler=handler)
    return parser


def core_commands(sub: Any) -> Mapping[str, Handler]:
    """``run``, ``validate``, ``scenarios``, ``params`` and ``app``."""
    run = sub.add_parser("run", help="run a scenario and print its summary")
    run.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        help="bundled scenario name (see `willsim scenarios`) or a .toml/.yaml path",
    )
    run.add_argument("--seed", type=int, help="run seed (default: the scenario's run.seed)")
    run.add_argument("--weeks", type=int, help="weeks to simulate (default 260)")
    run.add_argument(
        "--residents",
        type=int,
        help="simulated residents; fewer than the city's draws a weighted sample",
    )
    run.add_argument("--replicates", type=int, default=1, help="independent seeds to run")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. --set office.assessment_hours=4",
    )
    run.add_argument("--out", help="folder for the time series (Parquet), summary and manifest")
    run.add_argument(
        "--force", action="store_true", help="write into an --out that already holds files"
    )
    run.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object of end-of-run indicators instead of a table",
    )

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("files", nargs="+")
    scn = sub.add_parser("scenarios", help="list the bundled scenarios and cities")
    scn.add_argument(
        "--lang",
        choices=("en", "it"),
        default="en",
        help="language of the descriptions (default en)",
    )
    par = sub.add_parser("params", help="list every parameter with default, unit, range, source")
    par.add_argument("--group", help="only this group (e.g. office)")
    par.add_argument("--json", action="store_true")

    app = sub.add_parser("app", help="start the web app on 127.0.0.1 (works offline once set up)")
    app.add_argument("scenario", nargs="?", default="baseline", help="scenario shown first")
    app.add_argument("--port", type=int, default=8765)
    app.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default loopback only)"
    )
    return {
        "app": cmd_app,
        "run": cmd_run,
        "validate": cmd_validate,
        "scenarios": cmd_scenarios,
        "params": cmd_params,
    }


def experiment_commands(sub: Any) -> Mapping[str, Handler]:
    """``compare``, ``sweep`` and ``results``."""
    from willsim.experiments.commands import register

    return register(sub)


def workshop_commands(sub: Any) -> Mapping[str, Handler]:
    """``workshop list|export``."""
    from willsim.workshop.commands import COMMANDS, add_parsers

    add_parsers(sub)
    return COMMANDS


def add_command_group(group: CommandGroup) -> None:
    """Add a group of subcommands (a function that registers subparsers and returns their
    handlers by name)."""
    if group not in COMMAND_GROUPS:
        COMMAND_GROUPS.append(group)


def calibration_commands(sub: Any) -> Mapping[str, Handler]:
    """``calibrate search|finish|ensemble|apply`` and ``calibration``."""
    from willsim.calibration.commands import COMMANDS, add_parsers

    add_parsers(sub)
    return COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``willsim`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ScenarioError, ParameterError, CliError) as exc:
        print(f"willsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("willsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``willsim params | head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def cmd_run(args: argparse.Namespace) -> int:
    from willsim.experiments.outputs import output_folder, save_runs
    from willsim.runner import run_scenario

    overrides: dict[str, Any] = dict(parse_assignment(s) for s in args.sets)
    for key, value in (
        ("run.seed", args.seed),
        ("run.weeks", args.weeks),
        ("run.residents", args.residents),
    ):
        if value is not None:
            overrides[key] = value
    if args.replicates < 1:
        raise CliError(f"--replicates must be at least 1, got {args.replicates}")
    scenario = load_scenario(args.scenario, overrides)
    weeks = int(scenario.params["run.weeks"])
    with output_folder(args.out, force=args.force) as out:  # checked before simulating
        with _progress(weeks * args.replicates) as bar:
            records = run_scenario(scenario, replicates=args.replicates, progress=bar.update)
        if out is not None:
            folder = save_runs(records, out)
            print(f"results written to {folder}", file=sys.stderr)
    summaries = [r.summary for r in records]
    if args.json:
        mean = {k: _mean([s[k] for s in summaries]) for k in INDICATORS}
        for name, values in group_estimands(records).items():
            mean[name] = _mean(values)
        print(json.dumps(mean, allow_nan=False, default=str))
    else:
        print(format_summary(scenario, records[0].manifest, summaries))
    return 0


def group_estimands(records: Sequence[Any]) -> dict[str, list[float]]:
    """The by-group estimands the calibration targets name (``isolated_share[age_band=85+]``),
    each run's value, for the indicators that are reported by group (the city-level estimands
    are indicators, already in the summary). None if the targets file cannot be read."""
    from willsim.calibration.targets import TargetsError, load_targets

    try:
        targets = load_targets()
    except (TargetsError, OSError):
        return {}
    out: dict[str, list[float]] = {}
    for target in targets.targets:
        est = target.estimand
        ind = INDICATORS.get(est.key)
        if est.group_var is None or ind is None or not ind.by_group or est.name in out:
            continue
        values = []
        for rec in records:
            g = rec.groups
            row = g[(g["indicator"] == est.key) & (g["group_var"] == est.group_var)]
            row = row[row["group"] == est.group]
            values.append(float(row["value"].iloc[0]) if len(row) else math.nan)
        out[est.name] = values
    return out


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else None


def format_summary(scenario, manifest: dict[str, Any], summaries: list[dict[str, float]]) -> str:
    """A readable table of the headline indicators (mean and 95% range over replicates)."""
    n = len(summaries)
    mode = manifest["population_mode"]
    pop = (
        f"{manifest['residents_simulated']:,} simulated residents "
        f"({'one agent per resident' if mode == 'full' else 'weighted sample, weight '}"
        f"{'' if mode == 'full' else format(manifest['weight'], '.2f')})"
    )
    lines = [
        f"Scenario {scenario.name} · {scenario.city_label} · {manifest['weeks']} weeks · "
        f"{pop} · {n} replicate{'s' if n > 1 else ''} · scenario hash {scenario.hash}",
        "",
    ]
    keys = tagged("summary")
    width = max(len(INDICATORS[k].label) for k in keys)
    header = f"{'indicator':<{width}}  {'value':>14}" + (
        "  95% range over replicates" if n > 1 else ""
    )
    lines += [header, "-" * len(header)]
    for key in keys:
        ind = INDICATORS[key]
        values = np.array([s[key] for s in summaries], dtype=float)
        finite = values[~np.isnan(values)]
        value = _fmt(float(finite.mean()), ind.unit) if finite.size else "n/a"
        extra = ""
        if n > 1 and finite.size:
            lo, hi = np.percentile(finite, [2.5, 97.5])
            extra = f"  [{_fmt(lo, ind.unit)}, {_fmt(hi, ind.unit)}]"
        lines.append(f"{ind.label:<{width}}  {value:>14}{extra}  {ind.unit}")
    return "\n".join(lines)


def _fmt(value: float, unit: str) -> str:
    if unit == "share":
        return f"{100 * value:.1f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            failed += 1
            print(f"invalid: {exc}", file=sys.stderr)
            continue
        print(f"ok: {name} (scenario {scenario.name}, city {scenario.city}, hash {scenario.hash})")
    return EXIT_BAD_INPUT if failed else 0


def first_sentence(text: str, limit: int = 100) -> str:
    """The first sentence of ``text`` (not cut at abbreviations such as "art. 55"), shortened
    to ``limit`` characters with an ellipsis."""
    sentence = re.split(r"(?<=[a-z]{4})\. ", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def cmd_scenarios(args: argparse.Namespace) -> int:
    names = available_scenarios()
    width = max(map(len, names), default=0)
    print("Scenari:" if args.lang == "it" else "Scenarios:")
    for name in names:
        try:
            sc = load_scenario(name)
            text = first_sentence(sc.description.get(args.lang) or sc.description.get("en", ""))
            print(f"  {name:<{width}}  {sc.city:<14} {text}")
        except ScenarioError as exc:
            print(f"  {name:<{width}}  INVALID: {exc}")
    print("Città:" if args.lang == "it" else "Cities:")
    for name in available_cities():
        print(f"  {name}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    params = [p for p in PARAMETERS.values() if args.group in (None, p.group)]
    if not params:
        raise CliError(
            f"unknown group {args.group!r}; valid groups: {', '.join(PARAMETERS.groups())}"
        )
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "key": p.key,
                        "type": p.type_name,
                        "default": p.default,
                        "unit": p.unit,
                        "range": p.range_text,
                        "label": p.label,
                        "label_it": p.label_it,
                        "description": p.description,
                        "source": p.source,
                        "prior": _prior_json(p),
                    }
                    for p in params
                ],
                indent=2,
            )
        )
        return 0
    for p in params:
        print(f"{p.key}  ({p.type_name}, {p.unit}, range {p.range_text})")
        print(f"    default: {p.default}")
        print(f"    {p.description}")
        print(f"    source: {p.source}")
        if p.prior is not None:
            print(f"    prior: {p.prior_text}")
            print(f"    prior basis: {p.prior.basis}")
    return 0


def _prior_json(p) -> dict[str, Any] | None:
    from dataclasses import asdict

    return None if p.prior is None else {**asdict(p.prior), "text": p.prior_text}


class _progress:
    """A tqdm bar shown only on a terminal and only once a run takes more than two seconds."""

    def __init__(self, total: int) -> None:
        self.total = total

    def __enter__(self):
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total, unit="week", delay=2.0, disable=None, leave=False, file=sys.stderr
        )
        return self.bar

    def __exit__(self, *exc) -> None:
        self.bar.close()


def cmd_app(args: argparse.Namespace) -> int:
    import os
    import subprocess

    from willsim.app import assets

    load_scenario(args.scenario)  # a bad name fails here with the usual message
    try:
        cache = assets.build()
    except assets.AssetError as exc:
        raise CliError(str(exc)) from None
    env = {**os.environ, **assets.server_env(cache), "WILLSIM_APP_SCENARIO": args.scenario}
    cmd = [
        sys.executable,
        "-m",
        "willsim.app.server",
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    print(f"willsim app: http://{args.host}:{args.port}/  (Ctrl+C to stop)", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


COMMAND_GROUPS: list[CommandGroup] = [
    core_commands,
    experiment_commands,
    workshop_commands,
    calibration_commands,
]
"""Every group of subcommands, in the order ``willsim --help`` lists them."""

if __name__ == "__main__":
    sys.exit(main())
