"""WelfareModel: the Mesa model of a city's welfare ecosystem.

Citizens' state lives in NumPy arrays (:class:`willsim.citizens.Citizens`) and each phase of the
week is vectorised over the population; Mesa agents are the identity and inspection layer
(``Citizen``), and the actors with few instances (``Provider``, ``Municipality``).

The model is built from the declared list of phases (:data:`willsim.phases.PHASES`): one
mechanism of each class, available as ``model.<name>`` and in ``model.mechanisms``; the random
streams, the municipality's spending items and the indicators collected come from the
mechanisms' declarations (:mod:`willsim.mechanisms.base`).

The week, in order: policies start or stop (:class:`~willsim.policies.PolicySchedule`), then
each phase's ``step`` in the order of :data:`~willsim.phases.PHASES` (transitions, needs,
outreach, help-seeking, office, services, cash, marketplace, community, ADI, structures,
coverage, crises, residential; what each reads and publishes: ``docs/ODD.md``, schedule), then
indicators are collected.

**Burn-in.** Construction ends with ``run.burn_in_weeks`` weeks simulated under the status quo
(:func:`status_quo_params`: the scenario's values except those its own files set in lever
groups; no policy), numbered ``-burn_in .. -1``, with nothing recorded. Reported week 0 is then
the first :meth:`WelfareModel.step`: the scenario's levers and policies apply from there (start
weeks count from reported week 0), the collector and Mesa's DataCollector cover reported weeks
only, and ``model.steps`` / ``model.week`` count reported weeks (``run.weeks`` of them). Two
strategies built with the same seed share the same burn-in.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from copy import deepcopy
from types import FrameType
from typing import Any

import mesa
import numpy as np

from willsim import phases
from willsim.agents import Citizen, Municipality, Provider
from willsim.agents.provider import ProviderTable
from willsim.citizens import CARE, WORK, Citizens
from willsim.collector import Collector
from willsim.indicators import INDICATOR_LIST, tagged
from willsim.mechanisms.base import Mechanism
from willsim.mechanisms.needs import CareChainEstimate, care_chain_windows
from willsim.mechanisms.services import ServiceExitEstimate
from willsim.params import AGE_BANDS, DOMAINS, PARAMETERS, PROVIDER_KINDS
from willsim.policies import PolicySchedule, parse_policy
from willsim.population import build_citizens
from willsim.rng import RandomStreams, spawn_seeds
from willsim.scenario import (
    Parameters,
    Scenario,
    load_calibrated,
    load_city,
    load_scenario,
    with_overrides,
)

# Domains each provider kind serves: municipal home help (care); Third Sector organisations
# alternate between care + isolation and isolation + work; private firms care + work.
_THIRD_SECTOR_DOMAINS = ([True, True, False], [False, True, True])
_KIND_DOMAINS = {"municipal": [True, False, False], "private": [True, False, True]}
MODEL_REPORTERS: tuple[str, ...] = tagged("mesa")
"""Indicators Mesa's DataCollector reports every step (those tagged ``mesa``)."""
HELPED_BEFORE_REPORTING = np.iinfo(np.int32).max
"""``citizens.first_help`` of an open episode first helped during the burn-in: >= 0 (helped),
never equal to a reported week (so it is not counted as a first help again)."""


def status_quo_params(scenario: Scenario) -> Parameters:
    """The parameters of the burn-in: the scenario's values, except its strategy switches
    (:func:`willsim.phases.strategy_keys`: policy switches such as platforms, outreach,
    governance and shocks; the budget multiplier; the transitions' start weeks) set above the
    city's calibrated layer (by a scenario file or an override), which take the value of the
    layers below (defaults, the city, its calibrated values).

    Every other value is the status quo's wherever it was set: the world's parameters, a
    calibration trial or a parameter draw, and the levels of levers (staff, capacity, the means
    test), which mechanisms read when they are built. A strategy that changes such a level
    shapes its own burn-in ("as if it had always been so"); one that should start at reported
    week 0 is written as a policy (its start week counts from week 0).
    """
    keys = phases.strategy_keys()
    reverted = [
        k
        for k, layer in scenario.provenance.items()
        if k in keys and layer.startswith(("scenario:", "override"))
    ]
    params = scenario.params.copy()
    if not reverted:
        return params
    below: dict[str, Any] = {}
    _, _, city_values, _ = load_city(scenario.city_path or scenario.city)
    below.update(city_values)
    if any(layer.startswith("calibrated:") for layer in scenario.provenance.values()):
        calibrated = load_calibrated(scenario.city)
        if calibrated is not None:
            below.update(calibrated[1])
    defaults = PARAMETERS.defaults()
    for key in reverted:
        params[key] = deepcopy(below.get(key, defaults[key]))
    return params


class WelfareModel(mesa.Model):
    """A city's citizens, providers and municipality under a welfare regime.

    Args:
        scenario: a bundled scenario name, a path to a scenario file, or a loaded
            :class:`~willsim.scenario.Scenario`.
        seed: the run seed (overrides ``run.seed``).
        params: overrides by dotted key, e.g. ``{"office.assessment_hours": 4}``.
        **kwargs: the same with ``__`` for the dot (``office__assessment_hours=4``), which is
            the form ``mesa.batch_run`` and SolaraViz pass.
    """

    def __init__(
        self,
        scenario: str | Scenario = "baseline",
        seed: int | None = None,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        values = dict(params or {})
        values.update({k.replace("__", "."): v for k, v in kwargs.items()})
        if seed is None and "run.seed" not in values:
            seed = _batch_run_seed(scenario, values)
        if seed is not None:
            values["run.seed"] = seed
        self.scenario = (
            with_overrides(scenario, values)
            if isinstance(scenario, Scenario)
            else load_scenario(scenario, values)
        )
        # the model's own copy (policies change it): the status quo's until the burn-in ends
        self.params = status_quo_params(self.scenario)
        run_seed = int(self.params["run.seed"])
        super().__init__(seed=run_seed)
        self.phase_names: tuple[str, ...] = phases.phase_names()
        self.streams = RandomStreams(run_seed, phases.stream_names())
        self.weeks = int(self.params["run.weeks"])
        self.burn_in = int(self.params["run.burn_in_weeks"])
        """Weeks simulated before reported week 0 (inside construction, never reported)."""
        self.week = -self.burn_in
        self.recording = False  # True from reported week 0
        self.neet_activated = 0  # NEET whose work need a service or a platform resolved
        self.citizens: Citizens = build_citizens(
            self.params, self.streams["population"], self.streams["network"]
        )
        self.municipality = Municipality(
            self,
            self._base_budget(),
            self.params["municipality.budget_multiplier"],
            phases.spending_items(),
        )
        self.provider_table = self._build_provider_table()
        self.providers: list[Provider] = [
            Provider(self, j, "services") for j in range(len(self.provider_table))
        ]
        """Mesa views of the providers the municipality contracts (``services``)."""
        self._citizen_views: dict[int, Citizen] = {}  # row -> the view of its current person
        self._vacated: set[int] = set()  # rows whose view `forget` removed (eager agents only)
        self.eager_citizens = bool(self.params["run.mesa_citizens"])
        if self.eager_citizens:  # every resident in Mesa's agent set from the start
            self._make_citizen_agents()
        self.mechanisms: dict[str, Mechanism] = {}
        """The mechanism of each phase, by name, in the order they run."""
        for cls in phases.PHASES:
            mechanism = cls()
            self.mechanisms[cls.name] = mechanism
            setattr(self, cls.name, mechanism)  # model.outreach, model.services, ...
        for mechanism in self.mechanisms.values():
            mechanism.setup(self)
        self.indicators = tuple(INDICATOR_LIST)
        """The indicators this model collects (the registry when it was built)."""
        self.collector = Collector(self, self.weeks)
        self.policies = PolicySchedule(
            [parse_policy(entry, i) for i, entry in enumerate(self.scenario.policies)]
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in MODEL_REPORTERS}
        )
        self.observers: list[Callable[[WelfareModel, str, int], None]] = []
        """Called as ``observer(model, phase, week)`` after every phase (e.g. a journey log)."""
        self._burn_in()

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one reported week through the phases, then record indicators."""
        if self.week >= self.weeks:
            self.running = False
            return
        self.municipality.start_week(self.week)
        self.policies.step(self, self.week)
        self._phases()
        if self.eager_citizens:
            self._make_citizen_agents()  # newcomers join Mesa's agent set
        self.collector.collect(self, self.week)
        self.datacollector.collect(self)
        self.week += 1
        if self.week >= self.weeks:
            self.running = False

    def _phases(self) -> None:
        """Every phase of the current week, then each mechanism's end of week."""
        week = self.week
        for name, mechanism in self.mechanisms.items():
            mechanism.step(self, week)
            for observe in self.observers:
                observe(self, name, week)
        for mechanism in self.mechanisms.values():
            mechanism.end_week(self, week)

    def _burn_in(self) -> None:
        """Simulate weeks ``-burn_in .. -1`` under the status quo, recording nothing; then
        switch to the scenario's own parameters for reported week 0."""
        wall, cpu = time.perf_counter(), time.process_time()
        # after a year, two years of care transitions are measured and the care levels redrawn
        # from their stationary state (the level mix relaxes over decades otherwise), and again
        # in a second window once the first redraw has settled (care_chain_windows); so are the
        # exits from services and the weeks in service of the cases in service (the cohort
        # that filled the providers as the burn-in began would reach the longest episode at once)
        measure = range(-self.burn_in + 52, -self.burn_in + 52 + 104)
        redraw = self.burn_in >= 52 + 104 + 104 and "needs" in self.mechanisms
        estimate = CareChainEstimate(len(AGE_BANDS)) if redraw else None
        care_windows = care_chain_windows(self.burn_in) if redraw else ()
        served = "services" in self.mechanisms and self.burn_in >= 52 + 104 + 104
        exits = ServiceExitEstimate(len(DOMAINS)) if served else None
        while self.week < 0:
            self.municipality.start_week(self.week)
            measuring = self.week in measure
            care_window = any(self.week in window for window in care_windows)
            if estimate is not None and care_window:
                estimate.before(self.citizens)
            if exits is not None and measuring:
                exits.before(self.services, self.citizens)
            self._phases()
            if estimate is not None and care_window:
                estimate.after(self.citizens)
                if any(self.week == window[-1] for window in care_windows):
                    self.needs.redraw_care_levels(self, estimate)
                    estimate = CareChainEstimate(len(AGE_BANDS))  # the next window's own
            if exits is not None and measuring:
                exits.after(self.services, self.citizens, self.week)
                if self.week == measure[-1]:
                    self.services.redraw_service_ages(self, exits)
            self.week += 1
        if self.burn_in:
            c = self.citizens
            open_needs = c.need_level > 0
            helped = open_needs & ((c.first_help < -1) | ((c.first_help == -1) & (c.provider >= 0)))
            c.first_help[helped] = HELPED_BEFORE_REPORTING
            if self.eager_citizens:
                self._make_citizen_agents()
        self.burn_in_wall_s = time.perf_counter() - wall
        """Wall seconds the burn-in took (its weeks are agent-steps, as reported weeks are)."""
        self.burn_in_cpu_s = time.process_time() - cpu
        self.recording = True
        self.collector.start_reporting()
        spent = self.municipality.total_spending
        spent.update(dict.fromkeys(spent, 0.0))
        if dict(self.params) != dict(self.scenario.params):
            self.params.clear()
            self.params.update(self.scenario.params.copy())
            self.reconfigure()

    def run(self, progress: Any = None) -> WelfareModel:
        """Run every remaining week; ``progress`` is called with the week number if given."""
        while self.running and self.week < self.weeks:
            self.step()
            if progress is not None:
                progress(self.week)
        return self

    def reconfigure(self) -> None:
        """Let every mechanism re-read the levers a policy has just changed."""
        self.municipality.set_budget_multiplier(
            self.params["municipality.budget_multiplier"], self.week
        )
        for mechanism in self.mechanisms.values():
            mechanism.configure(self)

    # --- need episodes (used by several mechanisms) ---------------------------------------------

    def close_needs(self, domain: int, idx: np.ndarray, resolved: bool = True) -> None:
        """End the need episodes of residents ``idx`` in ``domain``, withdrawing open requests
        (``resolved=False``: ended by death or admission, not counted as resolved)."""
        if idx.size == 0:
            return
        if resolved and self.recording:
            self.collector.record_resolved(self, domain, idx)
        for mechanism in self.mechanisms.values():
            mechanism.need_ended(self, domain, idx)
        self.citizens.end_need(domain, idx)

    def close_all_needs(self, idx: np.ndarray) -> None:
        """End every need episode of residents ``idx``."""
        has = np.take(self.citizens.need_level, idx, axis=1) > 0
        for d in range(len(DOMAINS)):
            self.close_needs(d, idx[has[d]], resolved=False)

    def forget(self, idx: np.ndarray) -> None:
        """Residents ``idx`` are being replaced: every mechanism drops its state on them, and
        their Citizen agents leave Mesa's agent set (a newcomer is a new person)."""
        for mechanism in self.mechanisms.values():
            mechanism.forget(self, idx)
        self.collector.forget(idx)
        if self._citizen_views:
            for i in idx.tolist():
                view = self._citizen_views.pop(i, None)
                if view is not None:
                    view.remove()
                    if self.eager_citizens:
                        self._vacated.add(i)

    def lower_care_level(self, idx: np.ndarray) -> None:
        """Lower the care need of residents ``idx`` by one level; at zero the need ends."""
        c = self.citizens
        level = c.need_level[CARE]  # a row view: faster to index than the (D, n) array
        level[idx] -= 1
        self.close_needs(CARE, idx[level[idx] <= 0])

    def resolve_work_needs(self, idx: np.ndarray, activated: bool = False) -> None:
        """A work/income need ends: the person finds work (NEET leave that state).

        ``activated``: a service or a platform match resolved it (not a spontaneous recovery),
        so the NEET among ``idx`` count as activated.
        """
        c = self.citizens
        if activated:
            self.neet_activated += int(np.count_nonzero(c.neet[idx]))
        self.close_needs(WORK, idx)
        c.neet[idx] = False
        c.employed[idx] = c.age_band[idx] <= 2

    # --- inspection -------------------------------------------------------------------------------

    def citizen(self, index: int) -> Citizen:
        """The Citizen agent of the person living in row ``index`` now: created on first use
        (and registered with Mesa), the same object on every call while that person lives."""
        index = int(index)
        if not 0 <= index < self.citizens.n:
            raise IndexError(f"resident index must be in 0..{self.citizens.n - 1}, got {index}")
        view = self._citizen_views.get(index)
        if view is None or not view.present:
            view = self._citizen_views[index] = Citizen(self, index)
        return view

    @property
    def citizen_agents(self) -> list[Citizen]:
        """The Citizen agents made so far, in row order (every resident with
        ``run.mesa_citizens``, which also makes newcomers' agents as they arrive)."""
        return [self._citizen_views[i] for i in sorted(self._citizen_views)]

    def _make_citizen_agents(self) -> None:
        """A Citizen agent for every resident who has none (at build, and for newcomers), in
        row order. Newcomers take the rows ``forget`` vacated, so a week looks at those only,
        not at every row."""
        views = self._citizen_views
        missing = [i for i in sorted(self._vacated) if i not in views]
        self._vacated.clear()
        if len(views) + len(missing) < self.citizens.n:  # rows never given one (at build)
            missing = [i for i in range(self.citizens.n) if i not in views]
        for i in missing:
            views[i] = Citizen(self, i)

    @property
    def population_mode(self) -> str:
        """``full`` (one agent per resident) or ``sampled`` (weighted sample)."""
        return "full" if self.citizens.weight == 1.0 else "sampled"

    def release(self) -> None:
        """Drop any Mesa class-level reference to this model so it can be garbage-collected.

        willsim's own agents never create one (:mod:`willsim.agents.base`); Mesa 3.3 makes one
        in ``Agent._ids`` for agents of other classes added to the model (mesa issue #3179).
        """
        mesa.Agent._ids.pop(self, None)

    # --- construction -----------------------------------------------------------------------------

    def _base_budget(self) -> float:
        p = self.params
        return (
            self.citizens.n
            * p["city.social_spending_per_capita"]
            * p["city.modelled_spending_share"]
        )

    def _build_provider_table(self) -> ProviderTable:
        """The city's providers: how many of each kind, their domains, hours, cost, quality
        and district (from the ``providers`` stream)."""
        p, rng = self.params, self.streams["providers"]
        hours = p.array("providers.hours_per_1000") * self.citizens.n / 1000.0
        counts = provider_counts(
            p.array("providers.count"),
            hours,
            p.array("services.hours_per_case"),
            p["providers.min_cases_per_line"],
        )
        cost = p.array("providers.unit_cost")
        sd = p["providers.quality_sd"]
        rows: list[tuple[str, list[bool], float, float, float, int]] = []
        for k, kind in enumerate(PROVIDER_KINDS):
            for j in range(counts[k]):
                domains = (
                    _THIRD_SECTOR_DOMAINS[j % 2] if kind == "third_sector" else _KIND_DOMAINS[kind]
                )
                quality = float(np.clip(rng.lognormal(-(sd**2) / 2, sd), 0.2, 2.0))
                district = int(rng.integers(0, int(p["city.districts"])))
                rows.append((kind, domains, hours[k] / counts[k], cost[k], quality, district))
        return ProviderTable(
            kind=np.array([r[0] for r in rows], dtype=object),
            domains=np.array([r[1] for r in rows], dtype=bool).reshape(-1, len(DOMAINS)),
            capacity=np.array([r[2] for r in rows], dtype=float),
            unit_cost=np.array([r[3] for r in rows], dtype=float),
            quality=np.array([r[4] for r in rows], dtype=float),
            district=np.array([r[5] for r in rows], dtype=np.int64),
        )


def _batch_run_seed(scenario: Any, values: Mapping[str, Any]) -> int | None:
    """A fresh seed for each iteration of ``mesa.batch_run`` called without seeds.

    Mesa 3.3's ``batch_run(..., iterations=k)`` builds the model ``k`` times with the same
    keywords, so without a seed every iteration would repeat the scenario's ``run.seed``. When
    the model is built by ``mesa.batchrunner`` (the caller's frame), iteration ``i > 0`` runs with
    the ``i``-th seed spawned from the run seed (:func:`willsim.rng.spawn_seeds`): iterations
    differ and stay reproducible; iteration 0 keeps the run seed. Otherwise None.
    """
    frame: FrameType | None = sys._getframe(2)  # above WelfareModel.__init__
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None or not frame.f_globals.get("__name__", "").startswith("mesa.batchrunner"):
        return None
    iteration = frame.f_locals.get("iteration")
    if not isinstance(iteration, int) or iteration <= 0:
        return None
    base = (
        scenario if isinstance(scenario, Scenario) else load_scenario(scenario, dict(values))
    ).params["run.seed"]
    return spawn_seeds(int(base), iteration + 1)[iteration]


def _domain_sets(kind: str) -> tuple[list[bool], ...]:
    """The domain sets providers of ``kind`` serve, in the order they are created."""
    return _THIRD_SECTOR_DOMAINS if kind == "third_sector" else (_KIND_DOMAINS[kind],)


def provider_counts(
    declared: np.ndarray, hours: np.ndarray, hours_per_case: np.ndarray, min_cases: float
) -> list[int]:
    """Providers of each kind: the declared number, fewer in a small city so that each provider
    keeps room for ``min_cases`` cases on each of its service lines (capacity is split equally
    over the domains a provider serves), but never fewer than the kind's domain sets (so every
    domain the kind serves keeps a provider) unless none is declared."""
    counts = []
    for k, kind in enumerate(PROVIDER_KINDS):
        sets = _domain_sets(kind)
        need = max(sum(d) * float(hours_per_case[np.array(d)].max()) for d in sets) * min_cases
        n = int(declared[k])
        if n > 0 and need > 0:
            n = min(n, max(int(hours[k] // need), len(sets)))
        counts.append(n)
    return counts


def _reporter(key: str):
    def report(model: WelfareModel) -> float:
        week = model.collector.weeks_recorded - 1
        index = model.collector.index[key]
        return float(model.collector.overall[week, index]) if week >= 0 else float("nan")

    report.__name__ = key
    return report
