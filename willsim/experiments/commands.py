"""The ``compare``, ``sweep`` and ``results`` subcommands of the ``willsim`` command line.

Errors of the user (a bad spec, an unknown scenario, a sweep folder in the wrong state) raise
:class:`~willsim.experiments.SpecError`, a ``ScenarioError``: the CLI prints the message and
exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from willsim.experiments import SpecError
from willsim.indicators import INDICATORS


def add_parsers(sub: Any) -> None:
    """Register the experiment subcommands on the CLI's subparsers."""
    cmp = sub.add_parser("compare", help="compare scenarios on common seeds (paired differences)")
    cmp.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="two or more scenarios (bundled names or paths); the first is the reference",
    )
    cmp.add_argument("--replicates", type=int, default=20, help="common seeds (default 20)")
    cmp.add_argument("--weeks", type=int, help="weeks to simulate")
    cmp.add_argument("--residents", type=int, help="simulated residents (weighted sample)")
    cmp.add_argument("--seed", type=int, help="root seed of the common seeds")
    cmp.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter in every scenario",
    )
    cmp.add_argument("--workers", type=int, help="processes (default: every core)")
    cmp.add_argument(
        "--precision",
        type=float,
        default=0.1,
        help="replication advisor: target half-width as a share of each difference (default 0.1)",
    )
    cmp.add_argument("--out", help="folder for the tables (CSV and Parquet)")

    sw = sub.add_parser("sweep", help="run a sweep spec into a crash-safe, resumable store")
    sw.add_argument("spec", help="sweep spec (.toml/.yaml), e.g. scenarios/sweeps/*.toml")
    sw.add_argument("--engine", default="local", help="local (default), dask or serial")
    sw.add_argument("--workers", type=int, help="processes (local) or local Dask workers")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://host:port")
    sw.add_argument("--out", help="sweep folder (default runs/<spec name>)")
    sw.add_argument(
        "--resume",
        action="store_true",
        help="continue a sweep in --out: run only missing and failed runs",
    )
    sw.add_argument("--shard", metavar="i/n", help="run only shard i of n (job arrays)")
    sw.add_argument(
        "--no-compact", action="store_true", help="skip writing results.parquet at the end"
    )

    res = sub.add_parser("results", help="summarise a sweep folder: bands, sensitivity, figures")
    res.add_argument("dir", help="sweep folder")
    res.add_argument("--no-figures", action="store_true", help="tables only")


def cmd_compare(args: argparse.Namespace) -> int:
    from willsim.economics import value_for_money
    from willsim.experiments.compare import (
        compare_table,
        group_table,
        replication_advice,
        run_paired,
    )
    from willsim.scenario import load_scenario, parse_assignment

    if len(args.scenarios) < 2:
        raise SpecError("compare needs at least two scenarios (the first is the reference)")
    if args.replicates < 2:
        raise SpecError(f"--replicates must be at least 2, got {args.replicates}")
    if args.precision <= 0:
        raise SpecError(f"--precision must be positive, got {args.precision}")
    overrides = dict(parse_assignment(s) for s in args.sets)
    for key, value in (("run.weeks", args.weeks), ("run.residents", args.residents)):
        if value is not None:
            overrides[key] = value
    runs = run_paired(
        args.scenarios,
        replicates=args.replicates,
        overrides=overrides,
        seed=args.seed,
        workers=args.workers,
    )
    table = compare_table(runs)
    groups = group_table(runs)
    advice = replication_advice(table, relative=args.precision)
    economics = value_for_money(runs, params=load_scenario(args.scenarios[0], overrides).params)
    print(format_compare(runs, table, groups, advice, args.precision, economics))
    if args.out:
        from willsim.experiments.store import write_parquet

        out = Path(args.out)
        for name, frame in (("summaries", runs.summaries), ("groups", runs.groups)):
            write_parquet(out / f"{name}.parquet", frame)
        for name, frame in (
            ("comparison", table),
            ("by_group", groups),
            ("advice", advice),
            ("value_for_money", economics[0]),
        ):
            frame.to_csv(out / f"{name}.csv", index=False)
        print(f"tables written to {out}", file=sys.stderr)
    return 0


def format_compare(
    runs,
    table,
    groups,
    advice,
    precision: float = 0.1,
    economics: tuple[Any, list[str]] | None = None,
) -> str:
    """The compare report as text; ``economics`` is :func:`willsim.economics.value_for_money`'s
    result, shown as a "Value for money" section when given."""
    base = runs.scenarios[0]
    lines = [f"Paired comparison on {len(runs.seeds)} common seeds; reference: {base}", ""]
    for _, block in table.groupby("indicator", sort=False):
        first = block.iloc[0]
        lines.append(f"{first['label']} ({first['unit']})")
        for row in block.itertuples():
            text = f"  {row.scenario:<24} mean {row.mean:>10.4g}"
            if row.scenario != base:
                text += (
                    f"   diff {row.diff:+.3g} [{row.ci_low:+.3g}, {row.ci_high:+.3g}]:"
                    f" {row.summary}"
                )
            lines.append(text)
    clear = groups[groups["verdict"].isin(["gains", "loses"])]
    lines += ["", "Who gains and who loses, by citizen group (95% interval excludes zero):"]
    if clear.empty:
        lines.append("  no group gains or loses clearly on these replicates")
    for (name, ind, verdict), block in clear.groupby(
        ["scenario", "indicator", "verdict"], sort=False
    ):
        who = ", ".join(f"{r.group_var}={r.group} ({r.diff:+.3g})" for r in block.itertuples())
        lines.append(f"  {name} {verdict} on {INDICATORS[ind].label.lower()}: {who}")
    need = advice.dropna(subset=["replicates_needed"])
    need = need[need["diff"] != 0]
    if not need.empty:
        lines += [
            "",
            f"Replication advisor: replicates for a 95% interval of +/- "
            f"{precision:.0%} of each difference (--precision):",
        ]
        for row in need.itertuples():
            lines.append(
                f"  {row.scenario}, {row.indicator}: {int(row.replicates_needed)} "
                f"replicates (now {int(row.pairs)})"
            )
    if economics is not None:
        lines += format_value_for_money(*economics)
    return "\n".join(lines)


_VFM_FORMATS = {"EUR": ",.0f", "events": ",.1f", "years": ",.1f", "ratio": ".3g"}


def format_value_for_money(table, assumptions: list[str]) -> list[str]:
    """Text lines of the "Value for money" section (totals over the run, 95% intervals)."""
    lines = ["", "Value for money (totals over the run; 95% paired intervals):"]
    for name, block in table.groupby("scenario", sort=False):
        lines.append(f"  {name} against {block['reference'].iloc[0]}:")
        for row in block.itertuples():
            fmt = _VFM_FORMATS.get(row.unit, ",.4g")
            value = "n/a" if row.mean != row.mean else format(row.mean, fmt)
            interval = (
                "" if row.ci_low != row.ci_low else f" [{row.ci_low:{fmt}}, {row.ci_high:{fmt}}]"
            )
            note = f"  ({row.note})" if row.note else ""
            lines.append(f"    {row.label}: {value}{interval} {row.unit}{note}")
    lines.append("  Assumptions:")
    lines += [f"  - {text}" for text in assumptions]
    return lines


def cmd_sweep(args: argparse.Namespace) -> int:
    from willsim.experiments.design import load_spec
    from willsim.experiments.sweep import parse_shard, run_sweep

    shard = parse_shard(args.shard)
    if args.scheduler and args.engine != "dask":
        raise SpecError("--scheduler applies to --engine dask")
    spec = load_spec(args.spec)
    out = Path(args.out) if args.out else Path("runs") / spec.name
    report = run_sweep(
        spec,
        out,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        shard=shard,
        compact=not args.no_compact,
    )
    print(report.text())
    return 1 if report.failed else 0


def cmd_results(args: argparse.Namespace) -> int:
    from willsim.experiments.analysis import summarise

    root = Path(args.dir)
    if not root.is_dir():
        raise SpecError(f"no sweep folder at {root}")
    written = summarise(root, figures=not args.no_figures)
    print(f"{written['runs']} of {written['design_runs']} runs stored in {root}")
    print(written["summary"].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if "sensitivity" in written:
        method, table = written["sensitivity"]
        col = {"sobol": "ST", "morris": "mu_star", "spearman": "spearman"}[method]
        print(f"\nWhat matters most ({method}, by |{col}|):")
        for output, block in table.groupby("output", sort=False):
            top = block.reindex(block[col].abs().sort_values(ascending=False).index).head(3)
            parts = ", ".join(f"{r.parameter} {getattr(r, col):.2f}" for r in top.itertuples())
            print(f"  {output}: {parts}")
    for path in [*written["tables"], *written["figures"]]:
        print(f"wrote {path}", file=sys.stderr)
    return 0


COMMANDS = {"compare": cmd_compare, "sweep": cmd_sweep, "results": cmd_results}
