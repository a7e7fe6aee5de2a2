"""The paired runner: every arm (strategy) on the same seeds, and on the same parameter draws.

One runner for the command line's ``compare``, the app's Compare page and the workshop:

* **common random numbers**: replicate *r* of every arm runs on seed *r*; willsim's random
  streams are named per mechanism, so two arms differ only by their policy;
* **parameter draws** (optional): a list of parameter sets; each draw runs every arm on every
  seed (draws × seeds × arms), so differences stay paired under parameter uncertainty too. A
  *pair* is one (draw, seed): the unit every paired difference is taken over;
* **progress** ``progress(done, total)`` after every finished run, **cancellation** by
  ``cancel()`` returning True (checked between runs and, in this process, every 13 weeks inside
  a run), a failed run is **reported and the others go on**;
* **engines**: ``serial`` (this process; the app), ``local`` (a process pool), ``dask``;
* **a store** (optional, :class:`~willsim.experiments.store.SweepStore`): each finished run is
  written as it lands, so an interrupted comparison keeps its runs and resumes.

Runs are ordered pair by pair, so a comparison stopped early still has complete pairs.

>>> result = run_arms([Arm("A", a), Arm("B", b)], seeds=[1, 2, 3])  # doctest: +SKIP
>>> result.paired().summaries  # scenario, replicate, seed, draw, indicator, value
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from willsim.experiments.engines import Cancelled, EngineStats, open_engine
from willsim.experiments.runs import check_source, run_meta, run_model, tidy_rows
from willsim.scenario import Scenario, with_overrides

if TYPE_CHECKING:
    from willsim.experiments.store import SweepStore
    from willsim.model import WelfareModel

IDENTITY = ("run_key", "arm", "scenario", "draw", "replicate", "pair", "seed")


@dataclass(frozen=True)
class Arm:
    """One strategy of a comparison: a label and the scenario it runs."""

    label: str
    scenario: Scenario


@dataclass
class RunOutput:
    """What a collector keeps of one run: tidy ``rows`` (see
    :func:`~willsim.experiments.runs.tidy_rows`) and anything ``extra`` a caller asked for."""

    rows: pd.DataFrame
    extra: Any = None
    meta: dict[str, Any] = field(default_factory=dict)


def collect_figures(
    model: WelfareModel,
    weekly: Sequence[str] = (),
    groups: Sequence[str] | bool = True,
    keep_series: bool = False,
    keep_policy_log: bool = False,
) -> RunOutput:
    """Every end-of-run indicator, by-group indicators (``groups``: True for all), weekly rows
    of ``weekly``; ``extra`` holds the weekly city frame (``wide``) and the policy log when
    asked."""
    rows = tidy_rows(model, None, weekly=weekly, groups=groups)
    extra: dict[str, Any] = {}
    if keep_series:
        from willsim.results import wide

        extra["wide"] = wide(model)
    if keep_policy_log:
        extra["policy_log"] = model.policies.to_frame()
    return RunOutput(rows, extra or None)


@dataclass
class PairedTask:
    """One run of a paired design (picklable when ``collect`` is a module-level function)."""

    key: str
    run: int
    arm: int
    label: str
    draw: int
    replicate: int
    pair: int
    seed: int
    scenario: Scenario
    collect: Callable[..., RunOutput] = collect_figures
    digest: str | None = None


def execute_pair(task: PairedTask, should_stop: Callable[[], bool] | None = None) -> RunOutput:
    """Run one arm on one seed (and draw) and collect it."""
    check_source(task.digest)
    model = run_model(task.scenario, task.seed, should_stop)
    try:
        out = task.collect(model)
    finally:
        model.release()
    out.meta = run_meta(task.scenario, task.seed)
    return out


@dataclass
class PairedRuns:
    """End-of-run figures of every arm on common seeds (and draws), in tidy form.

    ``summaries``: ``scenario, replicate, seed, indicator, value``; ``groups``:
    ``scenario, replicate, seed, group_var, group, indicator, value``; with parameter draws both
    also have ``draw`` (the draw's index in ``draws``). ``replicate`` numbers the pairs (one per
    draw and seed), so a paired difference is always taken per replicate.
    """

    scenarios: list[str]
    seeds: list[int]
    summaries: pd.DataFrame
    groups: pd.DataFrame
    draws: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    complete: bool = True


@dataclass
class PairedResult:
    """What :func:`run_arms` returns."""

    labels: list[str]
    seeds: list[int]
    draws: list[dict[str, Any]]
    tasks: list[PairedTask]
    outputs: dict[str, RunOutput] = field(default_factory=dict)  # by run key
    failures: dict[str, str] = field(default_factory=dict)  # run key -> error
    complete: bool = True  # every run was tried (False: cancelled, or cut short)
    stats: EngineStats = field(default_factory=EngineStats)
    resumed: int = 0  # runs read back from the store

    def complete_pairs(self) -> list[int]:
        """Pairs (draw, seed) where every arm finished."""
        done: dict[int, int] = {}
        for t in self.tasks:
            if t.key in self.outputs:
                done[t.pair] = done.get(t.pair, 0) + 1
        return sorted(p for p, n in done.items() if n == len(self.labels))

    def output(self, arm: int, pair: int) -> RunOutput | None:
        for t in self.tasks:
            if t.arm == arm and t.pair == pair:
                return self.outputs.get(t.key)
        return None

    def paired(self) -> PairedRuns:
        """The complete pairs as :class:`PairedRuns` (pairs renumbered 0, 1, ...)."""
        pairs = self.complete_pairs()
        index = {p: i for i, p in enumerate(pairs)}
        summaries, groups = [], []
        seeds: dict[int, int] = {}
        for t in self.tasks:
            if t.pair not in index or t.key not in self.outputs:
                continue
            rows = self.outputs[t.key].rows
            seeds[index[t.pair]] = t.seed
            ident = {
                "scenario": t.label,
                "replicate": index[t.pair],
                "seed": t.seed,
                "draw": t.draw,
            }
            summ = rows[rows["kind"] == "summary"][["indicator", "value"]]
            summaries.append(summ.assign(**ident))
            grp = rows[rows["kind"] == "group"][["group_var", "group", "indicator", "value"]]
            groups.append(grp.assign(**ident))
        # ``draw`` only when parameter draws were run (seeds-only tables keep their columns)
        d = ["draw"] if self.draws else []
        s_cols = ["scenario", "replicate", "seed", *d, "indicator", "value"]
        g_cols = ["scenario", "replicate", "seed", *d, "group_var", "group", "indicator", "value"]
        summ_df = (
            pd.concat(summaries, ignore_index=True)[s_cols]
            if summaries
            else pd.DataFrame(columns=s_cols)
        )
        grp_df = (
            pd.concat(groups, ignore_index=True)[g_cols] if groups else pd.DataFrame(columns=g_cols)
        )
        rank = {name: i for i, name in enumerate(self.labels)}
        summ_df = summ_df.sort_values(
            ["scenario", "replicate"],
            key=lambda c: c.map(rank) if c.name == "scenario" else c,
            kind="stable",
        ).reset_index(drop=True)
        grp_df = grp_df.sort_values(
            ["scenario", "replicate", "group_var", "group", "indicator"],
            key=lambda c: c.map(rank) if c.name == "scenario" else c,
            kind="stable",
        ).reset_index(drop=True)
        return PairedRuns(
            scenarios=list(self.labels),
            seeds=[seeds[i] for i in range(len(pairs))],
            summaries=summ_df,
            groups=grp_df,
            draws=list(self.draws),
            failures=dict(self.failures),
            complete=self.complete,
        )


def labels_of(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique ("baseline", "baseline (2)")."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
        labels.append(sc.name if seen[sc.name] == 1 else f"{sc.name} ({seen[sc.name]})")
    return labels


def plan_pairs(
    arms: Sequence[Arm],
    seeds: Sequence[int],
    draws: Sequence[Mapping[str, Any]] | None = None,
    collect: Callable[..., RunOutput] = collect_figures,
    digest: str | None = None,
    draw_seeds: Sequence[Sequence[int]] | None = None,
) -> list[PairedTask]:
    """Every run of a paired design, pair by pair: draws × seeds × arms.

    ``draw_seeds`` gives each draw its own seeds (``draw_seeds[d]``, all of one length) instead
    of ``seeds`` for every draw: the nested design of parameter uncertainty, where seed noise
    must be independent between draws for the variance split to hold (arms stay paired within
    each draw and seed)."""
    from willsim.experiments.design import run_key

    if digest is None:
        from willsim.experiments.provenance import source_digest

        digest = source_digest()
    draws = list(draws) if draws else [{}]
    if draw_seeds is not None and (
        len(draw_seeds) != len(draws) or len({len(s) for s in draw_seeds}) > 1
    ):
        raise ValueError("draw_seeds needs one list of seeds per draw, all of one length")
    tasks: list[PairedTask] = []
    for d, values in enumerate(draws):
        scenarios = [with_overrides(a.scenario, dict(values)) for a in arms]
        these = list(draw_seeds[d]) if draw_seeds is not None else list(seeds)
        for r, seed in enumerate(these):
            pair = d * len(these) + r
            for i, (arm, sc) in enumerate(zip(arms, scenarios, strict=True)):
                tasks.append(
                    PairedTask(
                        key=run_key(sc.hash, seed, digest),
                        run=len(tasks),
                        arm=i,
                        label=arm.label,
                        draw=d,
                        replicate=r,
                        pair=pair,
                        seed=int(seed),
                        scenario=sc,
                        collect=collect,
                        digest=digest,
                    )
                )
    return tasks


def design_frame(tasks: Sequence[PairedTask]) -> pd.DataFrame:
    """The paired design as a table (for a store's ``design.parquet``)."""
    return pd.DataFrame(
        {
            "run": [t.run for t in tasks],
            "run_key": [t.key for t in tasks],
            "arm": [t.arm for t in tasks],
            "scenario": [t.label for t in tasks],
            "draw": [t.draw for t in tasks],
            "replicate": [t.replicate for t in tasks],
            "pair": [t.pair for t in tasks],
            "seed": pd.array([t.seed for t in tasks], dtype="uint64"),
            "scenario_hash": [t.scenario.hash for t in tasks],
        }
    )


def stored_rows(task: PairedTask, out: RunOutput) -> pd.DataFrame:
    """A run's rows with its identity in front (what a store keeps)."""
    ident = {
        "run_key": task.key,
        "arm": task.arm,
        "scenario": task.label,
        "draw": task.draw,
        "replicate": task.replicate,
        "pair": task.pair,
        "seed": task.seed,
    }
    frame = out.rows.reset_index(drop=True).assign(**ident)
    frame["seed"] = frame["seed"].astype("uint64")
    return frame[[*IDENTITY, *out.rows.columns]]


def read_stored(store: SweepStore, tasks: Sequence[PairedTask]) -> dict[str, RunOutput]:
    """Runs of ``tasks`` already in ``store`` (unreadable files are quarantined first)."""
    store.verify()
    done = store.done_keys()
    out = {}
    for t in tasks:
        if t.key in done and t.key not in out:
            frame = pd.read_parquet(store.run_path(t.key))
            out[t.key] = RunOutput(frame.drop(columns=[c for c in IDENTITY if c in frame]))
    return out


def run_arms(
    arms: Sequence[Arm],
    seeds: Sequence[int],
    draws: Sequence[Mapping[str, Any]] | None = None,
    collect: Callable[..., RunOutput] = collect_figures,
    engine: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
    store: SweepStore | None = None,
    draw_seeds: Sequence[Sequence[int]] | None = None,
) -> PairedResult:
    """Run every arm on every seed (and draw); see the module docstring. ``draw_seeds``: each
    draw's own seeds (see :func:`plan_pairs`).

    With ``store``, runs already stored are read back instead of run again and each new run is
    written as it finishes. ``collect`` must be picklable (a module-level function or a
    ``functools.partial`` of one) for the local and Dask engines.
    """
    labels = [a.label for a in arms]
    tasks = plan_pairs(arms, seeds, draws, collect, draw_seeds=draw_seeds)
    result = PairedResult(labels, [int(s) for s in seeds], [dict(d) for d in draws or []], tasks)
    if store is not None:
        result.outputs.update(read_stored(store, tasks))
        result.resumed = len(result.outputs)
    by_key: dict[str, list[PairedTask]] = {}
    for t in tasks:
        by_key.setdefault(t.key, []).append(t)
    total = len(tasks)
    done = sum(1 for t in tasks if t.key in result.outputs)
    if progress is not None:
        progress(done, total)

    def todo() -> Iterator[PairedTask]:
        seen: set[str] = set()
        for t in tasks:
            if t.key in result.outputs or t.key in seen:
                continue
            seen.add(t.key)
            yield t

    # in this process a run looks at ``cancel`` every 13 weeks; in worker processes it cannot,
    # so the runner looks before handing out each run and after each one lands
    fn: Callable[[PairedTask], RunOutput] = execute_pair
    between = cancel if engine != "serial" else None
    if engine == "serial" and cancel is not None:
        fn = functools.partial(execute_pair, should_stop=cancel)
    with open_engine(engine, workers, scheduler) as eng:
        try:
            for outcome in eng.map(_stop_when(todo(), between), fn):
                same = by_key[outcome.key]
                if outcome.ok:
                    result.outputs[outcome.key] = outcome.result
                    if store is not None:
                        store.save_run(
                            outcome.key,
                            stored_rows(same[0], outcome.result),
                            outcome.result.meta,
                        )
                else:
                    error = outcome.error or "unknown error"
                    result.failures[outcome.key] = error
                    if store is not None:
                        store.save_failure(outcome.key, error, outcome.attempts, outcome.seconds)
                done += len(same)
                if progress is not None:
                    progress(done, total)
                if between is not None and between():
                    result.complete = False
                    break
        except Cancelled:
            result.complete = False
        result.stats = eng.stats
    if len(result.outputs) + len(result.failures) < len({t.key for t in tasks}):
        result.complete = False
    return result


def _stop_when(
    tasks: Iterable[PairedTask], cancel: Callable[[], bool] | None
) -> Iterator[PairedTask]:
    """``tasks`` until ``cancel()`` says stop (checked before each new run is handed out)."""
    for t in tasks:
        if cancel is not None and cancel():
            return
        yield t
