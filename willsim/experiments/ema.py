"""Scenario discovery with EMA Workbench: willsim as an EMA model, experiments and PRIM.

* :func:`parameters` — EMA uncertainties or levers from the parameter registry (its ranges and
  choices, or narrower ones);
* :func:`outcomes` — one ``ScalarOutcome`` per indicator (its end-of-run summary), plus the
  reference run and the difference when a reference scenario is given;
* :func:`build_model` — an EMA ``Model`` whose function runs willsim (:class:`WillsimFunction`);
* :func:`run_experiments` — ``perform_experiments`` with a seed, the sequential or the
  multiprocessing evaluator, tidy DataFrames back;
* :func:`policy_fails` — which experiments count as a failure of the policy;
* :func:`discover` — PRIM on those failures: the boxes of conditions under which it fails;
* :func:`outreach_failure` — the worked example: when does proactive outreach fail?

EMA names must be Python identifiers, so ``office.assessment_hours`` is ``office__assessment_hours``
inside EMA (the form :class:`~willsim.model.WelfareModel` also accepts); the DataFrames returned
here use the dotted keys again. Needs the ``ema`` extra (``pip install 'willsim[ema]'``).
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.indicators import INDICATORS
from willsim.params import PARAMETERS, ParameterError
from willsim.scenario import Scenario, load_scenario, with_overrides

DEFAULT_INDICATORS = (
    "unmet_need_share",
    "crises_per_1000",
    "non_take_up_share",
    "mean_wait_weeks",
    "public_spending_eur",
)
REF, DELTA = "ref_", "delta_"
EVALUATORS = ("sequential", "multiprocessing")
PRIM_META = ("scenario", "policy", "model")


def ema():
    """Import ``ema_workbench`` (quietly: it warns when the optional ipyparallel is missing)."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="ipyparallel not installed")
            import ema_workbench
    except ImportError:
        raise SpecError(
            "scenario discovery needs EMA Workbench: pip install 'willsim[ema]'"
        ) from None
    return ema_workbench


def ema_name(key: str) -> str:
    """The EMA name of a parameter: ``office.assessment_hours`` → ``office__assessment_hours``."""
    return key.replace(".", "__")


def param_key(name: str) -> str:
    """The dotted key of an EMA parameter name (inverse of :func:`ema_name`)."""
    return name.replace("__", ".", 1)


# --- uncertainties, levers, outcomes ----------------------------------------------------------

Bounds = tuple[float, float] | Sequence[Any] | None


def parameters(keys: Iterable[str] | Mapping[str, Bounds]) -> list[Any]:
    """EMA parameters for registry keys, with the registry's range or choices.

    ``keys`` is a list of dotted keys, or a mapping from key to ``None`` (the registry's range),
    ``(low, high)`` (a narrower range, checked against the registry) or a list of choices (for
    choice parameters). Numbers become ``RealParameter`` or ``IntegerParameter``, flags
    ``BooleanParameter``, choices ``CategoricalParameter``. Unknown keys, list-valued
    parameters and open ranges without bounds raise :class:`~willsim.params.ParameterError`.
    """
    wb = ema()
    spec = dict(keys) if isinstance(keys, Mapping) else dict.fromkeys(keys)
    out = []
    for key, bounds in spec.items():
        param = PARAMETERS[key]  # ParameterError naming close matches and the valid groups
        name = ema_name(key)
        if param.length is not None:
            raise ParameterError(
                f"{key} is a list of {param.length} numbers; EMA parameters are "
                "single values: vary a single-number parameter instead"
            )
        if isinstance(param.default, bool):
            if bounds is not None:
                raise ParameterError(f"{key} is a flag (true | false); give no range for it")
            out.append(wb.BooleanParameter(name))
        elif param.choices:
            choices = list(param.choices) if bounds is None else list(bounds)
            bad = [c for c in choices if c not in param.choices]
            if bad or len(choices) < 2:
                raise ParameterError(
                    f"{key}: choices must be two or more of {param.range_text}, got {choices!r}"
                )
            out.append(wb.CategoricalParameter(name, choices))
        elif isinstance(param.default, str):
            raise ParameterError(f"{key} is free text; it cannot be sampled")
        else:
            low, high = _bounds(key, bounds)
            if isinstance(param.default, int):
                out.append(wb.IntegerParameter(name, math.ceil(low), math.floor(high)))
            else:
                out.append(wb.RealParameter(name, low, high))
    return out


def _bounds(key: str, bounds: Bounds) -> tuple[float, float]:
    param = PARAMETERS[key]
    if bounds is None:
        low, high = param.low, param.high
        if low is None or high is None:
            raise ParameterError(
                f"{key} has an open range {param.range_text}; give (low, high) for it"
            )
        return float(low), float(high)
    if len(bounds) != 2:
        raise ParameterError(f"{key}: expected (low, high), got {bounds!r}")
    low, high = (float(param.validate(b)) for b in bounds)
    if not low < high:
        raise ParameterError(f"{key}: low must be below high, got ({low:g}, {high:g})")
    return low, high


def _check_indicators(indicators: Iterable[str]) -> tuple[str, ...]:
    indicators = tuple(indicators)
    for key in indicators:
        if key not in INDICATORS:
            close = difflib.get_close_matches(key, list(INDICATORS), n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise SpecError(
                f"unknown indicator {key!r}.{hint} Valid indicators: {', '.join(INDICATORS)}"
            )
    if not indicators:
        raise SpecError("give at least one indicator as an outcome")
    return indicators


def outcome_names(indicators: Iterable[str], reference: bool = False) -> list[str]:
    """Outcome names: each indicator, and with a reference also ``ref_<key>`` and
    ``delta_<key>`` (policy minus reference, on the same seeds)."""
    names = list(_check_indicators(indicators))
    if reference:
        names += [REF + k for k in names] + [DELTA + k for k in names]
    return names


def outcomes(indicators: Iterable[str] = DEFAULT_INDICATORS, reference: bool = False) -> list[Any]:
    """One EMA ``ScalarOutcome`` per name of :func:`outcome_names`."""
    wb = ema()
    return [wb.ScalarOutcome(name) for name in outcome_names(indicators, reference)]


# --- the model -------------------------------------------------------------------------------


@dataclass
class WillsimFunction:
    """The function EMA calls: parameter values by EMA name → end-of-run indicators.

    Each call runs ``scenario`` (and ``reference``, if any) with the values on every seed of
    ``seeds`` (the same seeds in every experiment: common random numbers) and returns the mean
    over seeds. Picklable, so it also runs in EMA's multiprocessing workers.
    """

    scenario: Scenario
    indicators: tuple[str, ...]
    seeds: tuple[int, ...]
    reference: Scenario | None = None

    def __call__(self, **values: Any) -> dict[str, float]:
        overrides = {param_key(k): _plain(v) for k, v in values.items()}
        out = self.run(self.scenario, overrides)
        if self.reference is not None:
            ref = self.run(self.reference, overrides)
            for key in self.indicators:
                out[REF + key] = ref[key]
                out[DELTA + key] = out[key] - ref[key]
        return out

    def run(self, scenario: Scenario, overrides: Mapping[str, Any]) -> dict[str, float]:
        """Mean end-of-run indicators of ``scenario`` with ``overrides`` over the seeds."""
        from willsim.model import WelfareModel
        from willsim.results import summary

        resolved = with_overrides(scenario, overrides)
        rows = []
        for seed in self.seeds:
            model = WelfareModel(resolved, seed=seed)
            try:
                model.run()
                rows.append(summary(model))
            finally:
                model.release()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an indicator undefined in all seeds
            return {k: float(np.nanmean([r[k] for r in rows])) for k in self.indicators}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _policy_keys(scenario: Scenario) -> dict[str, str]:
    """Keys that the scenario's policies set while active, with the policy's label."""
    from willsim.policies import POLICY_TYPES

    keys = {}
    for policy in scenario.policies:
        label = policy.get("label") or policy["type"]
        switch = POLICY_TYPES[policy["type"]].switch
        for key in [*policy.get("set", {}), *([switch] if switch else [])]:
            keys[key] = label
    return keys


def _as_parameters(spec: Iterable[str] | Mapping[str, Bounds] | Sequence[Any]) -> list[Any]:
    items = list(spec.items()) if isinstance(spec, Mapping) else list(spec)
    if items and all(hasattr(p, "name") and not isinstance(p, str) for p in items):
        return items  # already EMA parameters
    return parameters(dict(items) if isinstance(spec, Mapping) else items)


def build_model(
    uncertainties: Iterable[str] | Mapping[str, Bounds],
    levers: Iterable[str] | Mapping[str, Bounds] = (),
    indicators: Iterable[str] = DEFAULT_INDICATORS,
    scenario: str | Scenario = "baseline",
    reference: str | Scenario | None = None,
    fixed: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    replicates: int = 1,
    seed: int | None = None,
    name: str = "willsim",
) -> Any:
    """An EMA ``Model`` that runs willsim.

    ``uncertainties`` and ``levers``: see :func:`parameters` (EMA parameters are also accepted).
    ``fixed`` values apply to every run (e.g. ``{"run.weeks": 104}``), ``overrides`` to
    ``scenario`` only (e.g. ``{"outreach.enabled": True}``). With ``reference`` (a scenario),
    every experiment also runs the reference with the same values and seeds, and the outcomes
    include ``ref_<key>`` and ``delta_<key>``. ``replicates`` seeds are spawned from
    ``seed`` (default the scenario's ``run.seed``) and shared by every experiment.
    """
    from willsim.runner import replicate_seeds

    wb = ema()
    if replicates < 1:
        raise SpecError(f"replicates must be at least 1, got {replicates}")
    fixed = dict(fixed or {})
    unc, lev = _as_parameters(uncertainties), _as_parameters(levers)
    keys = [param_key(p.name) for p in [*unc, *lev]]
    overrides = dict(overrides or {})
    repeated = sorted(
        {k for k in keys if keys.count(k) > 1} | (set(keys) & (set(fixed) | set(overrides)))
    )
    if repeated:
        raise SpecError(
            f"{', '.join(repeated)} given more than once (uncertainty, lever or "
            "fixed); each parameter may appear once"
        )
    if not unc and not lev:
        raise SpecError("give at least one uncertainty or lever")
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    base = with_overrides(base, {**fixed, **overrides})
    ref = None
    if reference is not None:
        ref = reference if isinstance(reference, Scenario) else load_scenario(reference)
        ref = with_overrides(ref, fixed)
    for sc in [base, *([ref] if ref else [])]:
        clash = {k: v for k, v in _policy_keys(sc).items() if k in keys}
        if clash:
            key, label = next(iter(clash.items()))
            raise SpecError(
                f"{key} is set by the policy {label!r} of scenario {sc.name!r}, "
                "which would override the sampled value; vary it in a scenario "
                "without that policy (e.g. baseline with outreach.enabled fixed "
                "true)"
            )
    indicators = _check_indicators(indicators)
    root = int(base.params["run.seed"]) if seed is None else int(seed)
    function = WillsimFunction(base, indicators, tuple(replicate_seeds(root, replicates)), ref)
    model = wb.Model(name, function=function)
    model.uncertainties = unc
    model.levers = lev
    model.outcomes = outcomes(indicators, reference=ref is not None)
    return model


# --- experiments -----------------------------------------------------------------------------


def lhs_sampler(seed: int) -> Any:
    """EMA's Latin hypercube sampler, drawing from its own seeded ``numpy.random.Generator``.

    EMA's own ``LHSSampler`` shuffles with NumPy's global random state; this one gives the same
    design (one value in each of ``size`` equal-probability strata, strata shuffled per
    parameter) from a private stream, so a seed reproduces the design and nothing else is touched.
    """
    ema()
    from ema_workbench.em_framework.samplers import LHSSampler

    class SeededLHSSampler(LHSSampler):
        def __init__(self, rng: np.random.Generator) -> None:
            self.rng = rng

        def sample(self, distribution: Any, size: int) -> np.ndarray:
            # (0, 1]: a discrete distribution's ppf(0) is below its support
            strata = (self.rng.permutation(size) + 1.0 - self.rng.random(size)) / size
            return distribution.ppf(strata)

    return SeededLHSSampler(np.random.default_rng(seed))


def run_experiments(
    model: Any,
    scenarios: int = 16,
    policies: int = 0,
    evaluator: str = "sequential",
    processes: int | None = None,
    seed: int = 0,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``perform_experiments`` on ``model``: ``scenarios`` Latin-hypercube samples of the
    uncertainties (× ``policies`` samples of the levers, if any).

    The sampling is reproducible for a given ``seed`` and leaves NumPy's global random state
    alone (:func:`lhs_sampler`). ``evaluator="multiprocessing"`` runs on ``processes`` worker
    processes; ``progress`` shows EMA's progress bar. Returns ``(experiments, outcomes)``: one
    row per experiment, parameters under their dotted keys, one column per outcome.
    """
    wb = ema()
    if evaluator not in EVALUATORS:
        raise SpecError(f"unknown evaluator {evaluator!r}; valid: {', '.join(EVALUATORS)}")
    if scenarios < 1 and not model.levers:
        raise SpecError(f"scenarios must be at least 1, got {scenarios}")
    if model.levers and policies < 1:
        raise SpecError("the model has levers: give policies >= 1 (lever samples)")
    sampler = lhs_sampler(seed)
    if evaluator == "sequential":
        ev = wb.SequentialEvaluator(model)
    else:
        ev = wb.MultiprocessingEvaluator(model, n_processes=processes)
    with ev:
        experiments, results = ev.perform_experiments(
            scenarios=scenarios,
            policies=policies or None,
            uncertainty_sampling=sampler,
            lever_sampling=sampler,
            log_progress=not progress,
        )
    names = {p.name: param_key(p.name) for p in [*model.uncertainties, *model.levers]}
    experiments = experiments.rename(columns=names)
    # EMA numbers scenarios with a process-wide counter: number them from 0 in every call
    experiments["scenario"] = pd.factorize(experiments["scenario"], sort=True)[0]
    return experiments, pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in results.items()})


def policy_fails(
    outcomes: pd.DataFrame,
    not_better: Iterable[str] = (),
    above: Mapping[str, float] | None = None,
    margin: float = 0.0,
) -> np.ndarray:
    """Which experiments count as a failure of the policy (a boolean array).

    An experiment fails when, for any indicator of ``not_better``, the policy does not improve
    on the reference by more than ``margin`` (in the indicator's good direction, from the
    ``delta_<key>`` outcome), or when any outcome of ``above`` exceeds its threshold.
    """
    from willsim.indicators import INDICATORS

    fails = np.zeros(len(outcomes), dtype=bool)
    for key in not_better:
        col = DELTA + key
        if col not in outcomes:
            raise SpecError(
                f"no outcome {col!r}: build the model with a reference scenario and "
                f"{key!r} among its indicators"
            )
        better = INDICATORS[key].better if key in INDICATORS else 0
        if better < 0:
            fails |= ~(outcomes[col].to_numpy() < -margin)
        elif better > 0:
            fails |= ~(outcomes[col].to_numpy() > margin)
        else:
            raise SpecError(f"{key!r} has no better direction; use `above` with a threshold")
    for key, limit in (above or {}).items():
        if key not in outcomes:
            raise SpecError(f"no outcome {key!r}; outcomes: {', '.join(outcomes.columns)}")
        fails |= ~(outcomes[key].to_numpy() <= limit)
    return fails


@dataclass
class Box:
    """One PRIM box: the restricted parameters and how well the box captures the failures."""

    limits: pd.DataFrame  # parameter, lower, upper (numbers) or values (choices)
    coverage: float  # share of all failures that fall in the box
    density: float  # share of the experiments in the box that fail
    mass: float  # share of all experiments in the box
    prim_box: Any  # the EMA PrimBox, for inspect() and show_tradeoff(); None if all fail

    def text(self) -> str:
        """The box in one plain sentence per restriction."""
        lines = [f"coverage {self.coverage:.0%}, density {self.density:.0%}, mass {self.mass:.0%}"]
        if self.limits.empty:
            lines.append("  no restriction: failures are spread over the whole space")
        for row in self.limits.itertuples():
            if isinstance(row.values, (set, frozenset, list, tuple)):
                lines.append(f"  {row.parameter} in {{{', '.join(map(str, sorted(row.values)))}}}")
            else:
                lines.append(f"  {row.lower:.4g} <= {row.parameter} <= {row.upper:.4g}")
        return "\n".join(lines)


def discover(
    experiments: pd.DataFrame,
    fails: np.ndarray | pd.Series,
    threshold: float | None = None,
    max_boxes: int = 1,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    columns: Sequence[str] | None = None,
) -> list[Box]:
    """PRIM on the failures: up to ``max_boxes`` boxes of parameter values where they
    concentrate.

    ``columns`` are the candidate parameters (default: every column but EMA's scenario, policy
    and model). On each peeling trajectory the box kept is the one with the highest coverage
    among those that restrict at least one parameter and have density >= ``threshold``; a
    trajectory without such a box ends the search. The default ``threshold`` is 0.7, or halfway
    from the overall failure rate to 1 when that is higher (a box must concentrate failures).
    When every experiment fails, the one box is the whole space.
    """
    ema()
    from ema_workbench.analysis import prim

    y = np.asarray(fails, dtype=bool)
    if y.shape != (len(experiments),):
        raise SpecError(f"fails has {y.size} values for {len(experiments)} experiments")
    if not y.any():
        raise SpecError("no experiment fails: PRIM has nothing to explain")
    if y.all():  # PRIM needs both classes; the whole space is the (trivial) box
        return [
            Box(
                pd.DataFrame(columns=["parameter", "lower", "upper", "values"]),
                coverage=1.0,
                density=1.0,
                mass=1.0,
                prim_box=None,
            )
        ]
    if threshold is None:
        threshold = max(0.7, (1.0 + y.mean()) / 2)
    if columns is None:
        columns = [c for c in experiments.columns if c not in PRIM_META]
    x = experiments[list(columns)].copy()
    for col in x.columns:
        if x[col].dtype == bool:  # PRIM peels categories, not booleans
            x[col] = x[col].astype(str)
    with warnings.catch_warnings():  # EMA 2.5 drops a column in place, which pandas 3 deprecates
        warnings.filterwarnings("ignore", message="The inplace keyword")
        finder = prim.Prim(
            x.reset_index(drop=True),
            y,
            threshold=threshold,
            peel_alpha=peel_alpha,
            mass_min=mass_min,
        )
    boxes = []
    for _ in range(max_boxes):
        found = finder.find_box()
        if found is None:
            break
        traj = found.peeling_trajectory
        ok = traj[(traj["density"] >= threshold) & (traj["res_dim"] > 0)]
        if ok.empty:
            break
        found.select(int(ok["coverage"].idxmax()))
        boxes.append(_box(found, finder.box_init))
    return boxes


def _box(found: Any, init: pd.DataFrame) -> Box:
    lim = found.box_lim
    rows = []
    for col in lim.columns:
        lo, hi = lim[col].iloc[0], lim[col].iloc[1]
        if isinstance(lo, (set, frozenset)):
            if set(lo) != set(init[col].iloc[0]):
                rows.append({"parameter": col, "lower": np.nan, "upper": np.nan, "values": set(lo)})
        elif lo > init[col].iloc[0] or hi < init[col].iloc[1]:
            rows.append({"parameter": col, "lower": float(lo), "upper": float(hi), "values": None})
    limits = pd.DataFrame(rows, columns=["parameter", "lower", "upper", "values"])
    return Box(
        limits=limits,
        coverage=float(found.coverage),
        density=float(found.density),
        mass=float(found.mass),
        prim_box=found,
    )


# --- the worked example: when does proactive outreach fail? ---------------------------------

OUTREACH_UNCERTAINTIES: dict[str, Bounds] = {
    "outreach.accept": (0.05, 0.6),
    "outreach.hours_per_1000": (0.5, 8.0),
    "outreach.take_charge": None,
    "helpseeking.awareness": (0.4, 0.95),
    "office.assessment_hours": (1.0, 5.0),
}
"""Uncertainties of :func:`outreach_failure`: plausible ranges, narrower than the registry's."""

OUTREACH_INDICATORS = (
    "time_to_first_help_weeks",
    "mean_wait_weeks",
    "non_take_up_share",
    "unmet_need_share",
    "public_spending_eur",
)

FAILURES: dict[str, tuple[str, dict[str, Any]]] = {
    "wait": (
        "outreach lengthens the wait for assessment by more than 0.1 weeks",
        {"above": {DELTA + "mean_wait_weeks": 0.1}},
    ),
    "first_help": (
        "outreach does not shorten the time to first help",
        {"not_better": ["time_to_first_help_weeks"]},
    ),
}
"""Failure criteria of :func:`outreach_failure`: a plain description and :func:`policy_fails`
arguments."""


@dataclass
class Discovery:
    """The experiments, which of them fail, and the PRIM boxes that explain the failures."""

    criterion: str
    experiments: pd.DataFrame
    outcomes: pd.DataFrame
    fails: np.ndarray
    boxes: list[Box]

    def text(self) -> str:
        """A plain summary: the failure rate and each box."""
        lines = [
            f"Failure: {self.criterion}; {int(self.fails.sum())} of {self.fails.size} "
            "experiments fail."
        ]
        if not self.boxes:
            lines.append("PRIM found no box dense enough in failures.")
        for k, box in enumerate(self.boxes, 1):
            lines.append(f"Box {k}: {box.text()}")
        return "\n".join(lines)


def outreach_failure(
    criterion: str = "wait",
    residents: int = 5000,
    weeks: int = 52,
    scenarios: int = 32,
    replicates: int = 1,
    seed: int = 0,
    uncertainties: Mapping[str, Bounds] | None = None,
    threshold: float | None = None,
    max_boxes: int = 2,
    evaluator: str = "sequential",
    processes: int | None = None,
    progress: bool = False,
) -> Discovery:
    """When does proactive outreach fail? Scenario discovery with EMA Workbench and PRIM.

    Each experiment runs the baseline city with risk-targeted outreach switched on and the
    same city on demand (the reference), on the same seeds, for values of ``uncertainties``
    (default :data:`OUTREACH_UNCERTAINTIES`) drawn by Latin hypercube. An experiment fails by
    ``criterion`` (a key of :data:`FAILURES`); PRIM then finds up to ``max_boxes`` boxes of
    conditions where failures concentrate (see :func:`discover`). ``residents`` and
    ``weeks`` size the city and the run; ``seed`` fixes both the sample and the run seeds.
    """
    if criterion not in FAILURES:
        raise SpecError(f"unknown failure criterion {criterion!r}; valid: {', '.join(FAILURES)}")
    description, rule = FAILURES[criterion]
    model = build_model(
        dict(uncertainties or OUTREACH_UNCERTAINTIES),
        indicators=OUTREACH_INDICATORS,
        scenario="baseline",
        reference="baseline",
        overrides={"outreach.enabled": True},
        fixed={"city.population": residents, "run.weeks": weeks, "run.mesa_citizens": False},
        replicates=replicates,
        seed=seed,
        name="outreach",
    )
    experiments, results = run_experiments(
        model,
        scenarios=scenarios,
        evaluator=evaluator,
        processes=processes,
        seed=seed,
        progress=progress,
    )
    fails = policy_fails(results, **rule)
    boxes = (
        discover(experiments, fails, threshold=threshold, max_boxes=max_boxes)
        if fails.any()
        else []
    )
    return Discovery(description, experiments, results, fails, boxes)


__all__ = [
    "DEFAULT_INDICATORS",
    "FAILURES",
    "OUTREACH_UNCERTAINTIES",
    "Box",
    "Discovery",
    "WillsimFunction",
    "build_model",
    "discover",
    "ema",
    "ema_name",
    "lhs_sampler",
    "outcome_names",
    "outcomes",
    "outreach_failure",
    "param_key",
    "parameters",
    "policy_fails",
    "run_experiments",
]
