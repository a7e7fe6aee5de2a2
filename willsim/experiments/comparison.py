"""A comparison of strategies from start to finish, in either uncertainty mode: what the command
line's ``compare``, the app's Compare page and a notebook run.

:func:`plan` decides what to run: the strategies (with, for each demand-side strategy when asked,
a second arm at the capacity that keeps its waiting list from growing,
:mod:`willsim.experiments.capacity`), the seeds, and in ``parameters`` mode the parameter sets
(:mod:`willsim.experiments.uncertainty`) with each set's own seeds. :func:`run` runs the plan with
the one paired runner and returns a :class:`Comparison`, whose methods give the decision table,
value for money, the acceptability curve and the parameters the result depends on most, and
whose :meth:`Comparison.mode_line` says which mode every output used.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.capacity import CapacitySearch, clearing_capacity, is_demand_side
from willsim.experiments.decisions import MODE_TEXT, CityScale, decision_table
from willsim.experiments.paired import Arm, PairedRuns, labels_of
from willsim.experiments.uncertainty import (
    DEFAULT_DRAWS,
    DEFAULT_SEEDS_PER_DRAW,
    MIN_DRAWS,
    MODES,
    DrawSet,
    by_draw,
    draw_means,
    ensemble_draws,
    influence,
    prior_draws,
)
from willsim.indicators import tagged
from willsim.runner import replicate_seeds
from willsim.scenario import Scenario, with_overrides

DEFAULT_REPLICATES = 20
CAPACITY_SEEDS = 3


@dataclass
class Plan:
    """What a comparison runs."""

    arms: list[Arm]
    mode: str
    seeds: list[int]  # seeds mode: every pair's seed; parameters mode: unused (see draw_seeds)
    draws: DrawSet | None = None
    draw_seeds: list[list[int]] | None = None
    capacity: dict[str, CapacitySearch] = field(default_factory=dict)  # arm label -> search
    capacity_of: dict[str, str] = field(default_factory=dict)  # capacity arm -> its strategy
    seed: int = 0

    @property
    def scenarios(self) -> list[Scenario]:
        return [a.scenario for a in self.arms]

    @property
    def runs(self) -> int:
        if self.draws is not None and self.draw_seeds is not None:
            return len(self.arms) * sum(len(s) for s in self.draw_seeds)
        return len(self.arms) * len(self.seeds)

    def request(self) -> dict[str, Any]:
        """What identifies the plan (for a store's request hash)."""
        return {
            "mode": self.mode,
            "scenarios": [[a.label, a.scenario.hash] for a in self.arms],
            "seeds": self.seeds,
            "draws": self.draws.values if self.draws is not None else [],
            "draw_seeds": self.draw_seeds or [],
        }


def plan(
    scenarios: Sequence[Scenario],
    mode: str = "seeds",
    replicates: int | None = None,
    seed: int | None = None,
    draws: int = DEFAULT_DRAWS,
    ensemble: str | Path | None = None,
    params: Sequence[str] | None = None,
    capacity: bool = False,
    capacity_criterion: str = "reference",
    engine: str = "serial",
    workers: int | None = None,
    cancel: Callable[[], bool] | None = None,
    labels: Sequence[str] | None = None,
) -> Plan:
    """The plan of a comparison of ``scenarios`` (the first is the reference), named by
    ``labels`` (default: the scenarios' names, made unique).

    ``replicates``: common seeds (seeds mode, default 20) or seeds per parameter set
    (parameters mode, default 2). ``draws``, ``ensemble``, ``params``: the parameter sets
    (``params`` restricts the drawn parameters). ``capacity``: add, for each demand-side
    strategy, an arm at the capacity that keeps its waiting list from growing (searched now,
    on the first common seeds, at the scenarios' parameter values).
    """
    if mode not in MODES:
        raise SpecError(f"unknown uncertainty mode {mode!r}; valid: {', '.join(MODES)}")
    if len(scenarios) < 2:
        raise SpecError("compare needs at least two scenarios (the first is the reference)")
    if mode == "seeds" and (ensemble is not None or params):
        raise SpecError("--ensemble and --params apply to --uncertainty parameters")
    reps = replicates or (DEFAULT_REPLICATES if mode == "seeds" else DEFAULT_SEEDS_PER_DRAW)
    if reps < 2:
        raise SpecError(f"--replicates must be at least 2, got {reps}")
    if mode == "parameters" and draws < MIN_DRAWS:
        raise SpecError(f"--draws must be at least {MIN_DRAWS}, got {draws}")
    scenarios = list(scenarios)
    root = int(scenarios[0].params["run.seed"]) if seed is None else int(seed)
    names = list(labels) if labels is not None else labels_of(scenarios)
    if len(set(names)) != len(names) or len(names) != len(scenarios):
        raise SpecError("every strategy needs its own name")
    arms = [Arm(label, sc) for label, sc in zip(names, scenarios, strict=True)]
    out = Plan(arms, mode, replicate_seeds(root, reps), seed=root)
    if capacity:
        search_seeds = replicate_seeds(root, min(CAPACITY_SEEDS, reps))
        for arm in list(arms[1:]):
            if not is_demand_side(arm.scenario):
                continue
            found = clearing_capacity(
                arm.scenario,
                arms[0].scenario,
                search_seeds,
                criterion=capacity_criterion,
                engine=engine,
                workers=workers,
                cancel=cancel,
                label=arm.label,
            )
            if not found.found or found.multiplier == 1.0:
                out.capacity[arm.label] = found
                continue
            label = f"{arm.label} + capacity x{found.multiplier:.2f}"
            sc = with_overrides(arm.scenario, found.overrides(arm.scenario))
            out.arms.append(Arm(label, sc))
            out.capacity[label] = found
            out.capacity_of[label] = arm.label
    if mode == "parameters":
        every = out.scenarios
        if ensemble is not None:
            out.draws = ensemble_draws(ensemble, every, draws, root, params)
        else:
            out.draws = prior_draws(every, draws, root, params)
        from willsim.experiments.uncertainty import draw_seed_lists

        out.draw_seeds = draw_seed_lists(root, draws, reps)
    return out


@dataclass
class Comparison:
    """The runs of a plan and everything computed from them (``result``: what the paired
    runner returned, with whatever each run's collector kept)."""

    plan: Plan
    runs: PairedRuns
    seconds: float = 0.0
    result: Any = None

    @property
    def mode(self) -> str:
        return self.plan.mode

    @property
    def weeks(self) -> int:
        return int(self.plan.arms[0].scenario.params["run.weeks"])

    @property
    def scale(self) -> CityScale:
        return CityScale.of(self.runs, self.weeks)

    def mode_line(self) -> str:
        """Which uncertainty every output of this comparison includes, in one line."""
        if self.mode == "seeds":
            return f"Uncertainty: {MODE_TEXT['seeds']}; {len(self.runs.seeds)} common seeds."
        d = self.plan.draws
        per = len(self.plan.draw_seeds[0]) if self.plan.draw_seeds else 0
        assert d is not None
        return f"Uncertainty: {MODE_TEXT['parameters']}; {d.describe()}; {per} seeds each."

    def decisions(
        self, indicators: Sequence[str] | None = None, multiplicity: str = "holm"
    ) -> pd.DataFrame:
        return decision_table(self.runs, self.mode, indicators, multiplicity, self.scale)

    def value_for_money(
        self, language: str = "en", params: Mapping[str, Any] | None = None
    ) -> tuple[pd.DataFrame, list[str]]:
        from willsim.economics import value_for_money

        params = self.plan.arms[0].scenario.params if params is None else params
        return value_for_money(self.runs, language=language, params=params, mode=self.mode)

    def ceac(self) -> pd.DataFrame | None:
        """The acceptability curve (parameters mode only)."""
        if self.mode != "parameters":
            return None
        from willsim.economics import ceac

        return ceac(self.runs)

    def influence(self, indicators: Sequence[str] | None = None, top: int = 3) -> pd.DataFrame:
        """Per strategy and indicator, the drawn parameters its difference from the reference
        depends on most (Spearman correlation over parameter sets): ``scenario, indicator,
        parameter, rho, beyond_noise``; empty in seeds mode. ``beyond_noise``: |rho| is at
        least twice the correlation's standard error with no relation, 1/sqrt(N - 1)."""
        cols = ["scenario", "indicator", "parameter", "rho", "beyond_noise"]
        if self.mode != "parameters" or self.plan.draws is None:
            return pd.DataFrame(columns=cols)
        keys = list(tagged("card") if indicators is None else indicators)
        s = self.runs.summaries
        ref = self.runs.scenarios[0]
        rows = []
        for key in keys:
            sub = s[s["indicator"] == key]
            if sub.empty:
                continue
            wide = sub.pivot_table(index=["draw", "replicate"], columns="scenario", values="value")
            for name in self.runs.scenarios[1:]:
                diff = (wide[name] - wide[ref]).rename("value").reset_index()
                means = draw_means(by_draw(diff[["draw", "value"]]))
                table = self.plan.draws.table.iloc[: len(means)]
                found = influence(table, means).head(top)
                noise = 2 / math.sqrt(max(int(np.isfinite(means).sum()) - 1, 1))
                rows += [
                    {
                        "scenario": name,
                        "indicator": key,
                        "parameter": p,
                        "rho": float(r),
                        "beyond_noise": bool(abs(r) >= noise),
                    }
                    for p, r in found.items()
                ]
        return pd.DataFrame(rows, columns=cols)


def run(
    p: Plan,
    engine: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
    store: Any = None,
    collect: Callable[..., Any] | None = None,
) -> Comparison:
    """Run a plan with the paired runner (complete pairs only; failures are listed);
    ``collect``: what each run keeps (default: every end-of-run and by-group figure)."""
    from willsim.experiments.paired import collect_figures, run_arms

    started = time.perf_counter()
    result = run_arms(
        p.arms,
        p.seeds,
        draws=p.draws.values if p.draws is not None else None,
        draw_seeds=p.draw_seeds,
        collect=collect or collect_figures,
        engine=engine,
        workers=None if engine == "serial" else workers,
        scheduler=scheduler,
        progress=progress,
        cancel=cancel,
        store=store,
    )
    return Comparison(p, result.paired(), time.perf_counter() - started, result)


def parameter_label(name: str, language: str = "en") -> str:
    """A drawn number's label: the parameter's label, with its element (``Ask rate (care)``)."""
    from willsim.params import PARAMETERS

    key, _, element = name.partition("[")
    param = PARAMETERS.get(key)
    if param is None:
        return name
    label = (param.label_it if language == "it" and param.label_it else param.label) or key
    return f"{label} ({element[:-1]})" if element else label
