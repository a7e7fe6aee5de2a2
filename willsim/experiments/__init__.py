"""Experiments: paired comparisons, crash-safe sweeps, sensitivity analysis and their engines.

* :mod:`~willsim.experiments.paired` — the one paired runner (common seeds, parameter draws,
  progress, cancellation, failures reported) behind the CLI, the app and the workshop;
* :mod:`~willsim.experiments.compare` — paired differences, verdicts, replication advice;
* :mod:`~willsim.experiments.stats` — intervals, tests, multiplicity control;
* :mod:`~willsim.experiments.design` — sweep specs (TOML/YAML, a pydantic schema) and designs;
* :mod:`~willsim.experiments.store` — one Parquet file per run, resume, quarantine, compaction;
* :mod:`~willsim.experiments.engines` — serial, local process pool and Dask distributed;
* :mod:`~willsim.experiments.runs` — one run as every experiment executes it;
* :mod:`~willsim.experiments.sweep` — a sweep from spec to stored results;
* :mod:`~willsim.experiments.analysis` — bands, Sobol/Morris indices with noise floors, figures;
* :mod:`~willsim.experiments.provenance` — the model's source digest, versions, git state;
* :mod:`~willsim.experiments.outputs` — run folders and ``--out`` checks;
* :mod:`~willsim.experiments.schema` — pydantic schemas with one-line messages;
* :mod:`~willsim.experiments.ema` — EMA Workbench adapter and PRIM scenario discovery (the
  ``ema`` extra).

Heavy imports (SALib, Dask, matplotlib, EMA Workbench) happen inside the functions that need
them.
"""

from willsim.scenario import ScenarioError


class SpecError(ScenarioError):
    """A sweep spec or an experiment request is invalid; the message says how to fix it."""


__all__ = ["SpecError"]
