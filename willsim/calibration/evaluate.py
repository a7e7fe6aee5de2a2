"""Running cities and measuring them against their targets.

:class:`CityRuns` holds each city's base scenario (the base scenario, e.g. ``baseline``, with the
city's profile) and the estimands its live targets need. Given parameter values and seeds it makes
one :class:`RunTask` per (city, seed); :func:`run_task` runs one and returns its estimands;
:meth:`CityRuns.score` turns the estimands of several seeds into one :class:`TargetScore` per
target and city.

Runs use the scenario's own length (``run.weeks``, plus whatever burn-in the model declares) unless
``weeks`` is given, and no Mesa citizen agents (the state is the same; it is faster).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from willsim.calibration.loss import TargetScore
from willsim.calibration.space import FreeParam, city_overrides
from willsim.calibration.targets import Estimand, Target, TargetSet
from willsim.scenario import Scenario, load_scenario, parse_assignment, with_overrides


@dataclass(frozen=True)
class RunSettings:
    """How every city is run: the base scenario, size, length and extra overrides."""

    scenario: str = "baseline"
    residents: int | None = None
    weeks: int | None = None
    sets: tuple[str, ...] = ()
    """Extra ``KEY=VALUE`` overrides applied to every city (as ``--set``)."""
    calibrated: bool = False
    """Apply each city's calibrated layer (``willsim calibration``), or not (the calibrator)."""

    def overrides(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(parse_assignment(s) for s in self.sets)
        out["run.mesa_citizens"] = False
        if self.residents is not None:
            out["run.residents"] = int(self.residents)
        if self.weeks is not None:
            out["run.weeks"] = int(self.weeks)
        return out


def city_scenario(city: str, settings: RunSettings) -> Scenario:
    """The base scenario of ``settings`` moved to ``city`` (with the city's calibrated layer if
    ``settings.calibrated``), with the run overrides applied."""
    return load_scenario(
        settings.scenario, settings.overrides(), city=city, calibrated=settings.calibrated
    )


@dataclass
class RunTask:
    """One run: a city's scenario with the trial's overrides, one seed, the estimands to read."""

    key: str
    city: str
    scenario: Scenario
    seed: int
    estimands: tuple[str, ...]
    tag: Any = None
    """The caller's label for the run's group (a trial number, a design point)."""


def run_task(task: RunTask) -> dict[str, float]:
    """Run one task; return its estimands by name (NaN where the model gives no number)."""
    from willsim.model import WelfareModel

    model = WelfareModel(task.scenario, seed=task.seed)
    try:
        model.run()
        return measure(model, task.estimands)
    finally:
        model.release()


def measure(model: Any, names: Iterable[str]) -> dict[str, float]:
    """The estimands ``names`` of a finished model (see :class:`~willsim.calibration.targets.
    Estimand`); a by-group estimand is read from the group summary."""
    from willsim.results import group_summary, summary

    names = list(names)
    city = summary(model)
    groups = group_summary(model) if any("[" in n for n in names) else None
    out: dict[str, float] = {}
    for name in names:
        est = Estimand.parse(name)
        if est.group_var is None:
            out[name] = float(city[est.key])
            continue
        assert groups is not None
        rows = groups[
            (groups["indicator"] == est.key)
            & (groups["group_var"] == est.group_var)
            & (groups["group"] == est.group)
        ]
        if rows.empty:
            levels = sorted(groups.loc[groups["group_var"] == est.group_var, "group"].unique())
            raise ValueError(
                f"{name}: no group {est.group!r} of {est.group_var}; groups: {', '.join(levels)}"
            )
        out[name] = float(rows["value"].iloc[0])
    return out


@dataclass
class CityRuns:
    """The cities of a study (or of one fit report), ready to run at any parameter values."""

    cities: Sequence[str]
    settings: RunSettings
    targets: TargetSet
    bases: dict[str, Scenario] = field(init=False)
    estimands: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.bases = {c: city_scenario(c, self.settings) for c in self.cities}
        self.estimands = {
            c: tuple(sorted({t.estimand.name for t in self.targets.for_city(c) if t.live}))
            for c in self.cities
        }

    def tasks(
        self,
        free: Sequence[FreeParam],
        values: Mapping[str, float],
        seeds: Sequence[int],
        cities: Sequence[str] | None = None,
        tag: Any = None,
    ) -> list[RunTask]:
        """One task per (city, seed) at parameter ``values`` (by free-parameter name)."""
        tasks = []
        for city in cities if cities is not None else self.cities:
            base = self.bases[city]
            scenario = with_overrides(base, city_overrides(free, values, city, base.params))
            wanted = self.estimands[city]
            for k, seed in enumerate(seeds):
                tasks.append(RunTask(f"{tag}:{city}:{k}", city, scenario, int(seed), wanted, tag))
        return tasks

    def score(
        self,
        results: Mapping[str, Sequence[Mapping[str, float]]],
        roles: Iterable[str] = ("fit", "holdout", "check"),
    ) -> list[TargetScore]:
        """Scores of every live target with one of ``roles``, for the cities in ``results`` (city ->
        the estimands of each seed's run)."""
        roles = tuple(roles)
        scores = []
        for city, runs in results.items():
            for target in self.targets.for_city(city, roles):
                if target.live:
                    values = [r[target.estimand.name] for r in runs]
                    scores.append(score_target(target, city, values))
        return scores

    def evaluate(
        self,
        free: Sequence[FreeParam],
        values: Mapping[str, float],
        seeds: Sequence[int],
        cities: Sequence[str] | None = None,
        roles: Iterable[str] = ("fit",),
        after_run: Callable[[], None] | None = None,
    ) -> list[TargetScore]:
        """Run ``cities`` on ``seeds`` here, one after another, and score them."""
        results: dict[str, list[dict[str, float]]] = {}
        for task in self.tasks(free, values, seeds, cities):
            results.setdefault(task.city, []).append(run_task(task))
            if after_run is not None:
                after_run()
        return self.score(results, roles)


def score_target(target: Target, city: str, values: Sequence[float]) -> TargetScore:
    """A target's score from the values of several seeds (non-numbers left out of the mean)."""
    finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    mean = float(finite.mean()) if finite.size else math.nan
    sd = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
    return TargetScore(
        target=target.id,
        city=city,
        role=target.role,
        family=target.family,
        weight=target.weight,
        value=target.value,
        tolerance=target.tolerance,
        mean=mean,
        sd=sd,
        n=int(finite.size),
    )
