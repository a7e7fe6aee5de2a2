"""Run a scenario once or as replicates, keeping only results (models are released).

Comparisons of several scenarios on common seeds use :mod:`willsim.experiments.paired`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from willsim.experiments.outputs import RunRecord, record
from willsim.model import WelfareModel
from willsim.rng import spawn_seeds
from willsim.scenario import Scenario, load_scenario


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The run seeds of ``replicates`` runs: the seed itself for one run, spawned otherwise."""
    return [int(seed)] if replicates == 1 else spawn_seeds(seed, replicates)


def run_scenario(
    scenario: str | Scenario,
    overrides: Mapping[str, Any] | None = None,
    replicates: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[RunRecord]:
    """Run ``replicates`` seeds of a scenario; ``progress`` receives each finished week."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    records = []
    for seed in replicate_seeds(base.params["run.seed"], replicates):
        model = WelfareModel(base, seed=seed)
        try:
            model.run(progress=(lambda _week: progress(1)) if progress else None)
            records.append(record(model))
        finally:
            model.release()
    return records
