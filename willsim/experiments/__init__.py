"""Experiments: paired comparisons, crash-safe sweeps, sensitivity analysis and their engines.

* :mod:`~willsim.experiments.compare` — scenarios on common seeds, paired differences;
* :mod:`~willsim.experiments.design` — sweep specs (TOML/YAML) and their design of runs;
* :mod:`~willsim.experiments.store` — one Parquet file per run, resume, compaction, manifest;
* :mod:`~willsim.experiments.engines` — local process pool and Dask distributed;
* :mod:`~willsim.experiments.sweep` — a sweep from spec to stored results;
* :mod:`~willsim.experiments.analysis` — bands over time, Sobol/Morris indices, figures;
* :mod:`~willsim.experiments.ema` — EMA Workbench adapter and PRIM scenario discovery (the
  ``ema`` extra).

Heavy imports (SALib, Dask, matplotlib, EMA Workbench) happen inside the functions that need
them.
"""

from willsim.scenario import ScenarioError


class SpecError(ScenarioError):
    """A sweep spec or an experiment request is invalid; the message says how to fix it."""


__all__ = ["SpecError"]
