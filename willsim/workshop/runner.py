"""Running a round: every team's strategy (and the status quo) on the same city and seeds.

The round runs through the paired runner (:func:`willsim.experiments.paired.run_arms`): common
random numbers, replicate ``r`` of every team on the same seed, so differences between teams come
from their strategies, not from luck. What a run keeps is plain JSON (the end-of-run indicators,
the by-group indicators the equity view needs, and the weekly series of the board's charts), so
it can be stored and turned back into :class:`~willsim.experiments.compare.PairedRuns` for the
app's tables, charts and report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from willsim.experiments.compare import PairedRuns
from willsim.indicators import tagged
from willsim.runner import replicate_seeds
from willsim.scenario import Scenario

SERIES_KEYS: tuple[str, ...] = (
    "unmet_need_share",
    "mean_service_wait_weeks",
    "mean_wait_weeks",
    "crises_per_1000",
    "isolated_share",
    "coverage",
    "public_spending_eur",
)
"""Weekly series kept for the board's time-series charts."""
GROUP_KEYS: tuple[str, ...] = tagged("equity")
"""By-group indicators kept for the equity view (tag ``equity`` in the indicator registry)."""
STATUS_QUO = "__status_quo__"


class RunCancelled(Exception):
    """The facilitator cancelled the run (or another run replaced it)."""


class RunFailed(RuntimeError):
    """Some runs of the round failed (the others were run; the message names the first)."""


@dataclass(frozen=True)
class Entry:
    """One line of a round: a team (or the status quo) and the scenario it runs as."""

    team_id: str
    label: str
    scenario: Scenario


def round_seeds(base: Scenario, replicates: int) -> list[int]:
    """The seeds every team shares (spawned from the scenario's ``run.seed``)."""
    return replicate_seeds(int(base.params["run.seed"]), int(replicates))


def _clean(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def stored_run(rows: pd.DataFrame) -> dict[str, Any]:
    """One run's stored figures from its tidy rows: ``summary`` {indicator: value}, ``groups``
    [[var, group, indicator, value]], ``series`` {indicator: [weekly values]}."""
    summ = rows[rows["kind"] == "summary"]
    groups = rows[(rows["kind"] == "group") & rows["indicator"].isin(GROUP_KEYS)]
    weekly = rows[rows["kind"] == "week"].sort_values("week", kind="stable")
    return {
        "summary": {
            str(k): _clean(v) for k, v in zip(summ["indicator"], summ["value"], strict=True)
        },
        "groups": [
            [str(v), str(g), str(i), _clean(x)]
            for v, g, i, x in groups[["group_var", "group", "indicator", "value"]].itertuples(
                index=False
            )
        ],
        "series": {
            k: [_clean(x) for x in weekly.loc[weekly["indicator"] == k, "value"]]
            for k in SERIES_KEYS
        },
    }


def run_one(scenario: Scenario, seed: int) -> dict[str, Any]:
    """One run's stored figures (see :func:`stored_run`)."""
    return run_entries([Entry("one", "one", scenario)], [seed])["one"]["runs"][0]


def run_entries(
    entries: Sequence[Entry],
    seeds: Sequence[int],
    progress: Callable[[int, int], bool] = lambda done, total: True,
    engine: str = "serial",
    workers: int | None = None,
    parameter_sets: int = 0,
) -> dict[str, dict[str, Any]]:
    """Run every entry on every seed; ``progress(done, total)`` returning False cancels.

    With ``parameter_sets`` N > 0, the model's uncertain assumptions are drawn from their priors
    (:func:`willsim.experiments.uncertainty.prior_draws`; what a team sets is a lever, never
    drawn) and every entry runs on each set with ``len(seeds)`` seeds of its own: a replicate is
    then one (parameter set, seed) pair, still common to every team.

    Returns ``{team_id: {"label", "seeds", "runs": [stored_run(...) per replicate]}}`` (with
    parameter sets also ``"draws"``, each replicate's set, and ``"parameter_sets"``, the sets'
    values). A failed run does not stop the others; the round then raises :class:`RunFailed`.
    """
    from willsim.experiments.paired import Arm, collect_figures, run_arms

    wanted = {"go": True}

    def report(done: int, total: int) -> None:
        wanted["go"] = bool(progress(done, total))

    draws = draw_seeds = None
    if parameter_sets:
        from willsim.experiments.uncertainty import draw_seed_lists, prior_draws

        root = int(seeds[0]) if seeds else 0
        drawn = prior_draws([e.scenario for e in entries], parameter_sets, root)
        draws, draw_seeds = drawn.values, draw_seed_lists(root, parameter_sets, len(seeds))
    pairs = len(seeds) * max(parameter_sets, 1)
    total = len(entries) * pairs
    if not progress(0, total):
        raise RunCancelled
    out = run_arms(
        [Arm(e.team_id, e.scenario) for e in entries],
        list(seeds),
        draws=draws,
        draw_seeds=draw_seeds,
        collect=partial(collect_figures, weekly=SERIES_KEYS, groups=GROUP_KEYS),
        engine=engine,
        workers=workers,
        progress=report,
        cancel=lambda: not wanted["go"],
    )
    if out.failures:
        first = next(iter(out.failures.values())).splitlines()[0]
        raise RunFailed(f"{len(out.failures)} of {total} runs failed; the first: {first}")
    if not out.complete:
        raise RunCancelled
    seed_of = {t.pair: t.seed for t in out.tasks}
    draw_of = {t.pair: t.draw for t in out.tasks}
    results: dict[str, dict[str, Any]] = {}
    for a, e in enumerate(entries):
        results[e.team_id] = {
            "label": e.label,
            "seeds": [int(seed_of[p]) for p in range(pairs)],
            "runs": [stored_run(_rows(out.output(a, p))) for p in range(pairs)],
        }
        if draws:
            results[e.team_id]["draws"] = [int(draw_of[p]) for p in range(pairs)]
            results[e.team_id]["parameter_sets"] = draws
    return results


def _rows(output: Any) -> pd.DataFrame:
    if output is None:  # cannot happen once every run finished without failure
        raise RunFailed("a run of the round has no result")
    return output.rows


def paired_runs(results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]) -> PairedRuns:
    """Stored results as :class:`PairedRuns` (status quo first), named by ``labels[team_id]``."""
    order = sorted(results, key=lambda t: (t != STATUS_QUO, labels.get(t, t)))
    names = [labels.get(t, t) for t in order]
    rows, groups = [], []
    seeds: list[int] = []
    for team_id, name in zip(order, names, strict=True):
        data = results[team_id]
        seeds = list(data["seeds"])
        for r, (seed, run) in enumerate(zip(data["seeds"], data["runs"], strict=False)):
            for ind, value in run["summary"].items():
                rows.append((name, r, seed, ind, math.nan if value is None else value))
            for var, grp, ind, value in run["groups"]:
                groups.append((name, r, seed, var, grp, ind, math.nan if value is None else value))
    summaries = pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "indicator", "value"])
    group_df = pd.DataFrame(
        groups,
        columns=["scenario", "replicate", "seed", "group_var", "group", "indicator", "value"],
    )
    first = results[order[0]] if order else {}
    if first.get("draws"):  # parameter sets: each replicate's set, for the nested statistics
        draw = dict(enumerate(first["draws"]))
        summaries.insert(3, "draw", summaries["replicate"].map(draw))
        group_df.insert(3, "draw", group_df["replicate"].map(draw))
        return PairedRuns(names, seeds, summaries, group_df, list(first["parameter_sets"]))
    return PairedRuns(names, seeds, summaries, group_df)


def series_frames(
    results: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, str],
    key: str,
    teams: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """``{label: week x replicate}`` of ``key`` for the band chart (teams in the given order)."""
    out: dict[str, pd.DataFrame] = {}
    for team_id in teams or list(results):
        runs = results[team_id]["runs"]
        cols = {r: run["series"].get(key, []) for r, run in enumerate(runs)}
        frame = pd.DataFrame({r: pd.Series(v, dtype=float) for r, v in cols.items()})
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="week")
        out[labels.get(team_id, team_id)] = frame
    return out
