"""The ``compare``, ``sweep`` and ``results`` subcommands of the ``willsim`` command line.

Errors of the user (a bad spec, an unknown scenario, a folder in the wrong state, an ``--out``
that cannot be written) raise :class:`~willsim.experiments.SpecError`, a ``ScenarioError``: the
CLI prints the message and exits with status 2, without a traceback, before any simulation.
Losing a Dask scheduler exits with status 3 (:data:`EXIT_ENGINE_LOST`) once the finished runs are
stored; failed runs give status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from willsim.experiments import SpecError
from willsim.experiments.engines import ENGINES, SchedulerLost
from willsim.experiments.stats import sci
from willsim.indicators import INDICATORS

EXIT_ENGINE_LOST = 3
COMPARE_MANIFEST = "manifest.json"


def register(sub: Any) -> Mapping[str, Callable[[argparse.Namespace], int]]:
    """Register ``compare``, ``sweep`` and ``results`` on the CLI's subparsers; returns their
    handlers by name."""
    cmp = sub.add_parser("compare", help="compare scenarios on common seeds (paired differences)")
    cmp.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="two or more scenarios (bundled names or paths); the first is the reference",
    )
    cmp.add_argument(
        "--replicates",
        type=int,
        help="common seeds (default 20); with --uncertainty parameters, the seeds of each "
        "parameter set (default 2)",
    )
    cmp.add_argument(
        "--uncertainty",
        choices=("seeds", "parameters"),
        default="seeds",
        help="seeds: seed noise only, at the scenarios' parameter values (quick; the default); "
        "parameters: the assumptions drawn from their priors or --ensemble too, nested with seeds",
    )
    cmp.add_argument(
        "--draws", type=int, default=20, help="parameter sets with --uncertainty parameters (20)"
    )
    cmp.add_argument(
        "--ensemble",
        metavar="PATH",
        help="a calibration ensemble (Parquet) to draw the parameter sets from, instead of the "
        "priors",
    )
    cmp.add_argument(
        "--params",
        action="append",
        metavar="KEY",
        help="draw only these parameters (with a prior); repeat for more",
    )
    cmp.add_argument(
        "--capacity",
        action="store_true",
        help="also run each demand-side strategy (outreach) with the service capacity that "
        "keeps its waiting list from growing, found by bisection on common seeds",
    )
    cmp.add_argument(
        "--capacity-criterion",
        choices=("reference", "trend"),
        default="reference",
        help="the list does not grow: no longer than the reference's (default), or no upward "
        "trend over the second half of the run",
    )
    cmp.add_argument(
        "--json",
        action="store_true",
        help="print, per strategy and indicator, the mean, the paired difference from the first "
        "strategy, its interval, the probability of being better and the verdict, as JSON",
    )
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
    cmp.add_argument("--engine", default="local", help="local (default), dask or serial")
    cmp.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://host:port")
    cmp.add_argument(
        "--precision",
        type=float,
        default=0.1,
        help="replication advisor: target half-width as a share of each difference (default 0.1)",
    )
    cmp.add_argument(
        "--max-replicates",
        type=int,
        default=200,
        help="replication advisor: never advise more than this (default 200)",
    )
    cmp.add_argument(
        "--multiplicity",
        choices=("holm", "bh", "none"),
        default="holm",
        help="adjustment of the key indicators' verdicts (default holm); groups use "
        "Benjamini-Hochberg unless 'none'",
    )
    cmp.add_argument(
        "--out", help="folder for the runs, tables (CSV, Parquet) and manifest; resumable"
    )
    cmp.add_argument("--resume", action="store_true", help="continue a comparison stored in --out")
    cmp.add_argument(
        "--force", action="store_true", help="write into an --out that already holds files"
    )

    sw = sub.add_parser("sweep", help="run a sweep spec into a crash-safe, resumable store")
    sw.add_argument("spec", help="sweep spec (.toml/.yaml), e.g. scenarios/sweeps/*.toml")
    sw.add_argument("--engine", default="local", help="local (default), dask or serial")
    sw.add_argument("--workers", type=int, help="processes (local) or local Dask workers")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://host:port")
    sw.add_argument("--out", help="sweep folder (default runs/<spec name>)")
    sw.add_argument(
        "--resume",
        action="store_true",
        help="continue a sweep in --out: run only missing, failed and unreadable runs",
    )
    sw.add_argument(
        "--shard",
        metavar="i/n",
        help="run only runs i, i+n, i+2n... (job arrays: every shard joins the same --out)",
    )
    sw.add_argument(
        "--new-generation",
        action="store_true",
        help="if --out was made by another version of the model, run the sweep again in a "
        "new folder beside it (OUT.gen2, ...) instead of refusing",
    )
    sw.add_argument(
        "--no-compact", action="store_true", help="skip writing results.parquet at the end"
    )

    res = sub.add_parser("results", help="summarise a sweep folder: bands, sensitivity, figures")
    res.add_argument("dir", help="sweep folder")
    res.add_argument("--no-figures", action="store_true", help="tables only")
    return {"compare": cmd_compare, "sweep": cmd_sweep, "results": cmd_results}


def add_parsers(sub: Any) -> None:
    """Register the experiment subcommands (see :func:`register`)."""
    register(sub)


# --- compare ----------------------------------------------------------------------------------


def _check_compare_args(args: argparse.Namespace) -> None:
    from willsim.experiments.engines import check_engine

    if len(args.scenarios) < 2:
        raise SpecError("compare needs at least two scenarios (the first is the reference)")
    if args.replicates is not None and args.replicates < 2:
        raise SpecError(f"--replicates must be at least 2, got {args.replicates}")
    if args.uncertainty == "seeds" and (args.ensemble or args.params):
        raise SpecError("--ensemble and --params apply to --uncertainty parameters")
    if not args.precision > 0:
        raise SpecError(f"--precision must be positive, got {args.precision}")
    if args.max_replicates < 2:
        raise SpecError(f"--max-replicates must be at least 2, got {args.max_replicates}")
    if args.engine not in ENGINES:
        raise SpecError(f"unknown engine {args.engine!r}; valid engines: {', '.join(ENGINES)}")
    check_engine(args.engine, args.workers, args.scheduler)
    if args.engine == "dask":
        _quiet_dask()
    if args.resume and not args.out:
        raise SpecError("--resume needs the --out folder of the comparison to continue")


def request_hash(plan: Any) -> str:
    """A hash of what a comparison runs: every arm (resolved), the seeds and the parameter sets
    (:meth:`willsim.experiments.comparison.Plan.request`)."""
    blob = json.dumps(plan.request(), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _compare_store(args: argparse.Namespace, plan: Any) -> Any:
    """The comparison's store in ``--out``: checked (and created) before any simulation."""
    from willsim.experiments.outputs import check_out
    from willsim.experiments.provenance import provenance, source_digest
    from willsim.experiments.store import SweepStore, write_json

    if not args.out:
        return None
    out = Path(args.out)
    store = SweepStore(out, manifest_name=COMPARE_MANIFEST)
    key = request_hash(plan)
    if store.exists() and not args.force:
        old = store.manifest()
        if old.get("kind") != "willsim-compare":
            raise SpecError(
                f"--out {out} holds other results ({COMPARE_MANIFEST} of another kind); "
                "add --force to replace willsim's files there, or choose another folder"
            )
        if old.get("request_hash") != key:
            raise SpecError(
                f"--out {out} holds another comparison (other scenarios, seeds or parameter "
                "sets); "
                "add --force to replace it, or choose another folder"
            )
        if old.get("source_digest") != source_digest():
            raise SpecError(
                f"--out {out} was made by another version of the model (source digest "
                f"{old.get('source_digest')}, this one {source_digest()}); its runs cannot be "
                "mixed with new ones: choose another --out"
            )
        if not args.resume:
            raise SpecError(
                f"--out {out} already holds this comparison ({len(store.done_keys())} runs "
                "stored); add --resume to finish it, --force to replace it, or choose "
                "another folder"
            )
        check_out(out, force=True)
        store.clean_temporary()
        return store
    check_out(out, force=args.force or args.resume)
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "willsim-compare",
        "request_hash": key,
        "command": ["willsim", *sys.argv[1:]],
        **provenance(),
        "uncertainty": plan.mode,
        "seeds": plan.seeds,
        "draws": plan.draws.values if plan.draws is not None else [],
        "draw_seeds": plan.draw_seeds or [],
        "draw_source": plan.draws.describe() if plan.draws is not None else None,
        "capacity": {k: v.describe() for k, v in plan.capacity.items()},
        "scenarios": [a.scenario.to_dict() for a in plan.arms],
    }
    from willsim.experiments.paired import design_frame, plan_pairs

    draws = plan.draws.values if plan.draws is not None else None
    tasks = plan_pairs(plan.arms, plan.seeds, draws, draw_seeds=plan.draw_seeds)
    store.write_design(design_frame(tasks))
    write_json(out / COMPARE_MANIFEST, manifest)
    return store


def cmd_compare(args: argparse.Namespace) -> int:
    from willsim.experiments import comparison
    from willsim.experiments.compare import compare_table, group_table, replication_advice
    from willsim.experiments.decisions import draws_advice
    from willsim.scenario import load_scenario, parse_assignment

    _check_compare_args(args)
    overrides = dict(parse_assignment(s) for s in args.sets)
    for key, value in (("run.weeks", args.weeks), ("run.residents", args.residents)):
        if value is not None:
            overrides[key] = value
    scenarios = [load_scenario(s, overrides) for s in args.scenarios]
    engine = "serial" if args.engine == "local" and args.workers == 1 else args.engine
    plan = comparison.plan(
        scenarios,
        mode=args.uncertainty,
        replicates=args.replicates,
        seed=args.seed,
        draws=args.draws,
        ensemble=args.ensemble,
        params=args.params,
        capacity=args.capacity,
        capacity_criterion=args.capacity_criterion,
        engine="serial" if engine == "serial" else "local",
        workers=args.workers,
    )
    made = not Path(args.out).exists() if args.out else False
    store = _compare_store(args, plan)
    try:
        with _Progress(plan.runs) as bar:
            result = comparison.run(
                plan,
                engine=engine,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=bar.set,
                store=store,
            )
    except KeyboardInterrupt:
        if store is not None:
            print(
                f"willsim: {len(store.done_keys())} finished runs are kept in {store.root}; "
                "run the same command with --resume to finish the comparison",
                file=sys.stderr,
            )
        raise
    except SchedulerLost as exc:
        print(f"willsim: {exc}", file=sys.stderr)
        return EXIT_ENGINE_LOST
    except SpecError:
        _discard_unstarted(store, made)  # e.g. an unreachable scheduler: nothing left behind
        raise
    runs = result.runs
    if store is not None and store.quarantined:
        print(f"willsim: {store.quarantine_message(rerun=True)}", file=sys.stderr)
    if len(runs.seeds) < 2:
        failed = "; ".join(e.splitlines()[0] for e in list(runs.failures.values())[:3])
        raise SpecError(f"fewer than two complete pairs of runs: {failed or 'no run finished'}")
    decisions = result.decisions(multiplicity=args.multiplicity)
    table = compare_table(runs, multiplicity=args.multiplicity)
    groups = group_table(runs, multiplicity="none" if args.multiplicity == "none" else "bh")
    if result.mode == "seeds":
        advice = replication_advice(
            table, relative=args.precision, max_replicates=args.max_replicates
        )
    else:
        advice = draws_advice(decisions)
    economics = result.value_for_money()
    curve = result.ceac()
    drivers = result.influence()
    if store is not None:  # written before printing: a closed pipe cannot lose them
        _write_compare_tables(
            store, runs, table, groups, advice, economics[0], decisions, curve, drivers
        )
    if args.json:
        print(json.dumps(compare_json(result, decisions, advice, economics, curve, drivers)))
    else:
        print(
            format_report(
                result, decisions, groups, advice, args.precision, economics, curve, drivers
            )
        )
    if store is not None:
        print(f"tables written to {store.root}", file=sys.stderr)
    return 1 if runs.failures else 0


def compare_json(
    result: Any, decisions: Any, advice: Any, economics: Any, curve: Any, drivers: Any
) -> dict[str, Any]:
    """The ``--json`` output: the decision table per strategy and indicator, with the mode, the
    draws and the value for money."""
    from willsim.experiments.decisions import as_json

    plan = result.plan
    reference = plan.arms[0].scenario
    meta: dict[str, Any] = {
        "uncertainty": result.mode,
        "uncertainty_text": result.mode_line(),
        "reference": result.runs.scenarios[0],
        "population": _population(reference),
        "weeks": result.weeks,
        "pairs": len(result.runs.seeds),
    }
    extra: dict[str, Any] = {}
    if plan.draws is not None:
        meta["draws"] = len(plan.draws.values)
        meta["seeds_per_draw"] = len(plan.draw_seeds[0]) if plan.draw_seeds else None
        extra["parameters"] = {
            "source": plan.draws.describe(),
            "drawn": list(plan.draws.table.columns),
            "not_drawn": plan.draws.excluded,
        }
    if plan.capacity:
        extra["capacity"] = {
            label: {
                "strategy": plan.capacity_of.get(label, label),
                "multiplier": None if s.multiplier != s.multiplier else s.multiplier,
                "found": s.found,
                "criterion": s.criterion,
                "text": s.describe(),
            }
            for label, s in plan.capacity.items()
        }
    if advice is not None and len(advice):
        extra["advice"] = [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in advice.to_dict("records")
            if r.get("advice") not in ("enough", None)
        ]
    if curve is not None:
        extra["ceac"] = curve.to_dict("records")
    if drivers is not None and len(drivers):
        extra["depends_most_on"] = drivers.to_dict("records")
    return as_json(decisions, meta, economics[0], extra)


def _discard_unstarted(store: Any, made: bool) -> None:
    """Remove what ``_compare_store`` wrote if no run was stored (the folder too if it made it)."""
    if store is None or store.done_keys() or store.failed():
        return
    for name in (COMPARE_MANIFEST, "design.parquet"):
        (store.root / name).unlink(missing_ok=True)
    for folder in (store.runs_dir, store.failed_dir, *([store.root] if made else [])):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _write_compare_tables(
    store: Any,
    runs: Any,
    table: Any,
    groups: Any,
    advice: Any,
    vfm: Any,
    decisions: Any = None,
    curve: Any = None,
    drivers: Any = None,
) -> None:
    from willsim.experiments.provenance import provenance
    from willsim.experiments.store import write_parquet
    from willsim.fileio import write_text

    meta = {**provenance(), "request_hash": store.manifest().get("request_hash")}
    for name, frame in (("summaries", runs.summaries), ("groups", runs.groups)):
        write_parquet(store.root / f"{name}.parquet", frame, meta)
    for name, frame in (
        ("comparison", table),
        ("by_group", groups),
        ("advice", advice),
        ("value_for_money", vfm),
        ("decisions", decisions),
        ("ceac", curve),
        ("depends_most_on", drivers),
    ):
        if frame is not None:
            write_text(store.root / f"{name}.csv", frame.to_csv(index=False))
    store.update_manifest(
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        pairs=len(runs.seeds),
        failures=runs.failures,
        verdicts=str(table["multiplicity"].iloc[0]) if "multiplicity" in table else None,
        groups=str(groups["multiplicity"].iloc[0]) if len(groups) else None,
    )


def _population(scenario: Any) -> str:
    from willsim.population import simulated_size

    n, weight = simulated_size(scenario.params)
    if weight == 1.0:
        return f"{n:,} residents (one agent per resident)"
    city = scenario.city_label or scenario.city
    return f"{n:,} simulated residents, a weighted sample (weight {weight:.1f}) of {city}"


def format_report(
    result: Any,
    decisions: Any,
    groups: Any,
    advice: Any,
    precision: float = 0.1,
    economics: tuple[Any, list[str]] | None = None,
    curve: Any = None,
    drivers: Any = None,
) -> str:
    """The compare report as text, from a :class:`~willsim.experiments.comparison.Comparison`
    and its tables: the mode, then per key indicator the mean, the difference, its interval, the
    verdict against the MID, the effect for the city and how sure; who gains and who loses;
    advice; the capacity searches; value for money and what the result depends on most."""
    runs = result.runs
    lines = format_compare(
        runs,
        decisions,
        groups,
        advice,
        precision,
        economics,
        result.plan.arms[0].scenario,
        mode_line=result.mode_line(),
    ).split("\n")
    if result.plan.capacity:
        lines += ["", "Capacity that keeps the waiting list from growing:"]
        lines += [f"  {s.describe()}" for s in result.plan.capacity.values()]
    if curve is not None and len(curve):
        lines += format_ceac(curve)
    if drivers is not None and len(drivers):
        lines += format_drivers(drivers)
    return "\n".join(lines)


def format_compare(
    runs: Any,
    table: Any,
    groups: Any,
    advice: Any,
    precision: float = 0.1,
    economics: tuple[Any, list[str]] | None = None,
    reference: Any = None,
    mode_line: str | None = None,
) -> str:
    """The key indicators (a :func:`~willsim.experiments.decisions.decision_table`), who gains
    and who loses, the advisor and value for money as text; ``reference`` (the first scenario)
    adds the population line."""
    from willsim.experiments.decisions import MODE_TEXT

    base = runs.scenarios[0]
    mode = str(table["mode"].iloc[0]) if "mode" in table and len(table) else "seeds"
    pairs = f"{len(runs.seeds)} paired runs" if runs.draws else f"{len(runs.seeds)} common seeds"
    lines = [f"Paired comparison on {pairs}; reference: {base}"]
    if reference is not None:
        lines.append(f"  {_population(reference)}")
    lines.append(f"  {mode_line or 'Uncertainty: ' + MODE_TEXT[mode]}")
    if "multiplicity" in table and len(table):
        lines.append(
            "  Verdicts: the interval against each indicator's minimal important difference "
            f"(MID); {table['multiplicity'].iloc[0]}"
        )
    lines.append("")
    for _, block in table.groupby("indicator", sort=False):
        first = block.iloc[0]
        lines.append(_indicator_heading(first))
        for row in block.itertuples():
            text = f"  {row.scenario:<30} mean {_value(row.mean, row.unit):>12}"
            if row.scenario != base:
                text += f"   {_decision_line(row)}"
            lines.append(text)
    clear = groups[groups["verdict"].isin(["gains", "loses"])]
    note = f"; {groups['multiplicity'].iloc[0]}" if len(groups) else ""
    lines += ["", f"Who gains and who loses, by citizen group (95% interval excludes zero{note}):"]
    if clear.empty:
        lines.append("  no group gains or loses clearly on these runs")
    for (name, ind, verdict), block in clear.groupby(
        ["scenario", "indicator", "verdict"], sort=False
    ):
        who = ", ".join(f"{r.group_var}={r.group} ({sci(r.diff)})" for r in block.itertuples())
        lines.append(f"  {name} {verdict} on {INDICATORS[ind].label.lower()}: {who}")
    if mode == "parameters":
        lines += format_draws_advice(advice)
    else:
        lines += format_advice(advice, precision)
    if runs.failures:
        lines += ["", f"{len(runs.failures)} run(s) failed and are left out of the pairs:"]
        lines += [f"  {k}: {e.splitlines()[0]}" for k, e in list(runs.failures.items())[:5]]
    if economics is not None:
        lines += format_value_for_money(*economics)
    return "\n".join(lines)


def _indicator_heading(row: Any) -> str:
    """``Unmet need (share; lower is better; MID 1 pp)``."""
    from willsim.reporting.formatting import difference

    ind = INDICATORS.get(row["indicator"])
    parts = [str(row["unit"])]
    if ind is not None and ind.better:
        parts.append("lower is better" if ind.better < 0 else "higher is better")
    mid = row.get("mid")
    if mid is not None and mid == mid:
        parts.append(f"MID {difference(mid, str(row['unit'])).lstrip('+')}")
    return f"{row['label']} ({'; '.join(parts)})"


def _value(value: float, unit: str) -> str:
    from willsim.reporting.formatting import value as show

    return show(value, unit)


def _decision_line(row: Any) -> str:
    """``diff -4.4 pp [-4.7 pp; -4.2 pp]: clearly better, by enough to matter; about 800 fewer
    residents with an unmet need [...]; better in 100% of 20 parameter sets (±0%); 62% of the
    spread from parameters``: the words of the decision card, in English."""
    from willsim.reporting.card import (
        certainty,
        effect_phrase,
        interval_text,
        quantity,
        verdict_words,
    )

    r = row._asdict()
    unit = str(r["unit"])
    interval = interval_text(r.get("ci_low"), r.get("ci_high"), unit, "en")
    interval = f" {interval}" if interval else ""
    parts = [verdict_words(r, "en")]
    effect = r.get("effect")
    if effect is not None and effect == effect and r["diff"] != 0:
        parts.append(
            effect_phrase(
                r["indicator"], effect, r["effect_low"], r["effect_high"], r["effect_unit"], "en"
            )
        )
    sure = certainty(r, "en")
    if sure:
        parts.append(sure)
    share = r.get("share_parameters")
    if share is not None and share == share:
        parts.append(f"{share:.0%} of the spread from parameters")
    return f"diff {quantity(r['diff'], unit, 'en')}{interval}: {'; '.join(parts)}"


def format_advice(advice: Any, precision: float) -> list[str]:
    """The replication advisor's lines (only differences that call for an action)."""
    if advice.empty:
        return []
    lines = [
        "",
        f"Replication advisor (target: a 95% interval of +/- {precision:.0%} of each "
        "difference, --precision; never more than --max-replicates):",
    ]
    shown = 0
    for row in advice.itertuples():
        if row.diff == 0 and row.sd_diff == 0:
            continue  # identical in every pair: nothing to estimate
        if row.advice == "more":
            lines.append(
                f"  {row.scenario}, {row.indicator}: {int(row.replicates_needed)} replicates "
                f"(now {int(row.pairs)})"
            )
        elif row.advice == "impractical":
            lines.append(
                f"  {row.scenario}, {row.indicator}: more replicates than practical; treat the "
                "difference as not shown"
            )
        elif row.advice == "too small to matter":
            lines.append(
                f"  {row.scenario}, {row.indicator}: the difference ({sci(row.diff)}) is too "
                f"small to matter (below {sci(row.minimal_difference)}); more replicates would "
                "not change a decision"
            )
        else:
            continue
        shown += 1
    if not shown:
        lines.append("  every difference is estimated precisely enough")
    return lines


def format_draws_advice(advice: Any) -> list[str]:
    """The advisor's lines for parameter uncertainty: more parameter sets when the Monte Carlo
    error is not small against the MID, more seeds per set when seed noise still widens it."""
    if advice is None or advice.empty:
        return []
    lines = [
        "",
        "Draws advisor (Monte Carlo error at most a quarter of the MID; seed noise at most a "
        "quarter of the parameter variance):",
    ]
    needs = advice[advice["advice"] != "enough"]
    for row in needs.itertuples():
        parts = []
        if row.draws_needed == row.draws_needed:
            parts.append(f"{int(row.draws_needed)} parameter sets (now {int(row.draws)})")
        if row.seeds_per_draw_needed == row.seeds_per_draw_needed:
            parts.append(
                f"{int(row.seeds_per_draw_needed)} seeds per set (now {row.seeds_per_draw:g})"
            )
        lines.append(f"  {row.scenario}, {row.indicator}: {' and '.join(parts)}")
    if needs.empty:
        lines.append("  every difference is estimated precisely enough")
    return lines


def format_ceac(curve: Any) -> list[str]:
    """The acceptability curve at a few willingness-to-pay values."""
    values = sorted(curve["wtp"].unique())
    picks = [values[i] for i in sorted({0, len(values) // 4, len(values) // 2, len(values) - 1})]
    lines = [
        "",
        "Cost-effectiveness acceptability (cost per crisis avoided): the share of parameter sets "
        "in which each strategy gives the most net benefit, at a willingness to pay of",
    ]
    for lam in picks:
        block = curve[curve["wtp"] == lam]
        shares = ", ".join(f"{r.scenario} {r.probability:.0%}" for r in block.itertuples())
        lines.append(f"  EUR {lam:,.0f} per crisis avoided: {shares}")
    return lines


def format_drivers(drivers: Any) -> list[str]:
    """The parameters each strategy's headline differences depend on most."""
    from willsim.experiments.comparison import parameter_label

    lines = ["", "What the result depends on most (Spearman correlation over parameter sets):"]
    for (name, ind), block in drivers.groupby(["scenario", "indicator"], sort=False):
        found = ", ".join(
            f"{parameter_label(r.parameter)} ({r.rho:+.2f})" for r in block.itertuples()
        )
        lines.append(f"  {name}, {INDICATORS[ind].label.lower()}: {found}")
    return lines


_VFM_FORMATS = {"EUR": ",.0f", "events": ",.1f", "years": ",.1f", "ratio": ".3g"}


def format_value_for_money(table, assumptions: list[str]) -> list[str]:
    """Text lines of the "Value for money" section (totals over the run, 95% intervals)."""
    lines = ["", "Value for money (totals over the run; the intervals of the uncertainty mode):"]
    for name, block in table.groupby("scenario", sort=False):
        lines.append(f"  {name} against {block['reference'].iloc[0]}:")
        for row in block.itertuples():
            if row.unit == "probability":
                shown = "n/a" if row.mean != row.mean else f"{row.mean:.0%}"
                note = f"  ({row.note})" if row.note else ""
                lines.append(f"    {row.label}: {shown}{note}")
                continue
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


class _Progress:
    """A tqdm bar of runs, shown only on a terminal and only after two seconds."""

    def __init__(self, total: int) -> None:
        self.total = total

    def __enter__(self) -> _Progress:
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total, unit="run", delay=2.0, disable=None, leave=False, file=sys.stderr
        )
        return self

    def set(self, done: int, total: int) -> None:
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


# --- sweep and results ------------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace) -> int:
    from willsim.experiments.design import load_spec
    from willsim.experiments.sweep import parse_shard, run_sweep

    shard = parse_shard(args.shard)
    from willsim.experiments.engines import check_engine

    check_engine(args.engine, args.workers, args.scheduler)
    if args.engine == "dask":
        _quiet_dask()
    spec = load_spec(args.spec)
    out = Path(args.out) if args.out else Path("runs") / spec.name
    try:
        report = run_sweep(
            spec,
            out,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            shard=shard,
            compact=not args.no_compact,
            new_generation=args.new_generation,
        )
    except SchedulerLost as exc:
        partial = getattr(exc, "report", None)
        if partial is not None:
            print(partial.text())
        print(f"willsim: {exc} (with --resume)", file=sys.stderr)
        return EXIT_ENGINE_LOST
    print(report.text())
    return 1 if report.failed else 0


def cmd_results(args: argparse.Namespace) -> int:
    from willsim.experiments.analysis import sensitivity_text, summarise
    from willsim.experiments.store import SweepStore

    root = Path(args.dir)
    if not root.is_dir():
        raise SpecError(f"no sweep folder at {root}")
    if not SweepStore(root).exists():
        raise SpecError(
            f"{root} is not a sweep folder (no sweep.json); make one with `willsim sweep`"
        )
    written = summarise(root, figures=not args.no_figures)
    for note in written["notes"]:
        print(f"willsim: {note}", file=sys.stderr)
    distinct = written.get("distinct_runs") or written["design_runs"]
    rows = written["design_runs"]
    extra = f" ({rows} design rows: repeated points share a run)" if distinct != rows else ""
    print(f"{written['runs']} of {distinct} runs stored in {root}{extra}")
    print(written["summary"].to_string(index=False, float_format=sci))
    if "sensitivity" in written:
        method, table = written["sensitivity"]
        print()
        print(sensitivity_text(method, table, written.get("common_seeds")))
        noise = written["noise"]
        if not noise.empty:
            parts = ", ".join(f"{r.output} {_percent(r.noise_share)}" for r in noise.itertuples())
            print(f"  share of the point means' variance that is replicate noise: {parts}")
    for path in [*written["tables"], *written["figures"]]:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _quiet_dask() -> None:
    try:
        import distributed  # noqa: F401 - its logging configuration is set up on import
    except ImportError:  # the engine says which extra to install
        return
    from willsim.experiments.engines import quiet_dask_logs

    quiet_dask_logs()


def _percent(share: float) -> str:
    if share != share:
        return "n/a"
    value = 100 * share
    return f"{value:.0f}%" if value >= 10 else f"{value:.2g}%"


COMMANDS = {"compare": cmd_compare, "sweep": cmd_sweep, "results": cmd_results}
