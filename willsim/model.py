"""WelfareModel: the Mesa model of a city's welfare ecosystem.

Citizens' state lives in NumPy arrays (:class:`willsim.citizens.Citizens`) and each phase of the
week is vectorised over the population; Mesa agents are the identity and inspection layer
(``Citizen``), and the actors with few instances (``Provider``, ``Municipality``).

The week, in order: policies start or stop (:class:`~willsim.policies.PolicySchedule`), then
the phases (:data:`PHASES`):

0. ``transitions``  from their start weeks: the population ages, digital skills spread;
1. ``needs``        residents die and are replaced; needs arise, progress and recede;
2. ``outreach``     proactive welfare: outreach workers inform residents and take needs in charge;
3. ``helpseeking``  latent needs become requests at the office (welfare on demand);
4. ``office``       requests queue for assessment (continuous time) and pass the means test;
5. ``services``     eligible cases are placed with providers within capacity and budget, paid
                    for, and served needs improve;
   ``marketplace``  the marketplace platform: users join, post, are matched to providers, pay;
   ``community``    the community platform: residents join, make ties, peers meet light needs;
6. ``coverage``     family and privately bought care; which needs are met;
7. ``crises``       unmet needs escalate into crises with public costs;

then indicators are collected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mesa
import numpy as np

from willsim.agents import Citizen, Municipality, Provider
from willsim.citizens import CARE, QUEUED, WORK, Citizens
from willsim.collector import Collector
from willsim.indicators import INDICATOR_LIST
from willsim.mechanisms.community import Community
from willsim.mechanisms.coverage import Coverage
from willsim.mechanisms.crises import Crises
from willsim.mechanisms.helpseeking import HelpSeeking
from willsim.mechanisms.marketplace import Marketplace
from willsim.mechanisms.needs import NeedDynamics
from willsim.mechanisms.office import Office
from willsim.mechanisms.outreach import Outreach
from willsim.mechanisms.services import Services
from willsim.mechanisms.transitions import Transitions
from willsim.params import DOMAINS, PROVIDER_KINDS
from willsim.policies import PolicySchedule, parse_policy
from willsim.population import build_citizens
from willsim.rng import RandomStreams
from willsim.scenario import Scenario, load_scenario, with_overrides

PHASES: tuple[str, ...] = (
    "transitions",
    "needs",
    "outreach",
    "helpseeking",
    "office",
    "services",
    "marketplace",
    "community",
    "coverage",
    "crises",
)
"""The phases of a week, in the order they run. Each names a mechanism attribute of the model."""

# Domains each provider kind serves: municipal home help (care); Third Sector organisations
# alternate between care + isolation and isolation + work; private firms care + work.
_THIRD_SECTOR_DOMAINS = ([True, True, False], [False, True, True])
_KIND_DOMAINS = {"municipal": [True, False, False], "private": [True, False, True]}
MODEL_REPORTERS = (
    "unmet_need_share",
    "crises_per_1000",
    "mean_queue_length",
    "mean_wait_weeks",
    "coverage",
    "non_take_up_share",
    "public_spending_eur",
    "waiting_list",
)


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
        if seed is not None:
            values["run.seed"] = seed
        self.scenario = (
            with_overrides(scenario, values)
            if isinstance(scenario, Scenario)
            else load_scenario(scenario, values)
        )
        self.params = self.scenario.params.copy()  # the model's own: policies change this copy
        run_seed = int(self.params["run.seed"])
        super().__init__(seed=run_seed)
        self.streams = RandomStreams(run_seed)
        self.weeks = int(self.params["run.weeks"])
        self.week = 0
        self.neet_activated = 0  # NEET whose work need a service or a platform resolved
        self.citizens: Citizens = build_citizens(
            self.params, self.streams["population"], self.streams["network"]
        )
        self.municipality = Municipality(
            self, self._base_budget(), self.params["municipality.budget_multiplier"]
        )
        self.providers: list[Provider] = self._build_providers()
        self.citizen_agents: list[Citizen] = (
            list(Citizen.create_agents(self, self.citizens.n, index=list(range(self.citizens.n))))
            if self.params["run.mesa_citizens"]
            else []
        )
        self.transitions = Transitions()
        self.needs = NeedDynamics()
        self.outreach = Outreach()
        self.helpseeking = HelpSeeking()
        self.office = Office()
        self.services = Services()
        self.marketplace = Marketplace()
        self.community = Community()
        self.coverage = Coverage()
        self.crises = Crises()
        for phase in PHASES:
            getattr(self, phase).setup(self)
        self.collector = Collector(self, self.weeks)
        self.policies = PolicySchedule(
            [parse_policy(entry, i) for i, entry in enumerate(self.scenario.policies)]
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in MODEL_REPORTERS}
        )
        self.observers: list[Callable[[WelfareModel, str, int], None]] = []
        """Called as ``observer(model, phase, week)`` after every phase (e.g. a journey log)."""

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week through :data:`PHASES`, then record indicators."""
        if self.week >= self.weeks:
            self.running = False
            return
        self.municipality.start_week(self.week)
        self.policies.step(self, self.week)
        for phase in PHASES:
            getattr(self, phase).step(self, self.week)
            for observe in self.observers:
                observe(self, phase, self.week)
        self.office.flush_withdrawals()  # the queue as it stands at the end of the week
        self.collector.collect(self, self.week)
        self.datacollector.collect(self)
        self.week += 1
        if self.week >= self.weeks:
            self.running = False

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
        for phase in PHASES:
            getattr(self, phase).configure(self)

    # --- need episodes (used by several mechanisms) ---------------------------------------------

    def close_needs(self, domain: int, idx: np.ndarray, resolved: bool = True) -> None:
        """End the need episodes of residents ``idx`` in ``domain``, withdrawing open requests
        (``resolved=False``: ended by death or admission, not counted as resolved)."""
        if idx.size == 0:
            return
        if resolved:
            self.collector.record_resolved(self, domain, idx)
        queued = idx[self.citizens.status[domain][idx] == QUEUED]
        if queued.size:
            self.office.withdraw(queued, domain)
        self.citizens.end_need(domain, idx)

    def close_all_needs(self, idx: np.ndarray) -> None:
        """End every need episode of residents ``idx``."""
        has = np.take(self.citizens.need_level, idx, axis=1) > 0
        for d in range(len(DOMAINS)):
            self.close_needs(d, idx[has[d]], resolved=False)

    def forget(self, idx: np.ndarray) -> None:
        """Residents ``idx`` are being replaced: every mechanism drops its state on them."""
        for phase in PHASES:
            getattr(self, phase).forget(self, idx)
        self.collector.forget(idx)

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
        """The Citizen agent of resident ``index`` (created on demand if agents are off)."""
        if self.citizen_agents:
            return self.citizen_agents[index]
        return Citizen(self, index)

    @property
    def population_mode(self) -> str:
        """``full`` (one agent per resident) or ``sampled`` (weighted sample)."""
        return "full" if self.citizens.weight == 1.0 else "sampled"

    def release(self) -> None:
        """Drop Mesa's class-level reference to this model so it can be garbage-collected.

        Mesa 3.3 keeps every model alive in ``Agent._ids`` (mesa issue #3179); call this when a
        run is finished, as the batch runner does.
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

    def _build_providers(self) -> list[Provider]:
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
        providers: list[Provider] = []
        for k, kind in enumerate(PROVIDER_KINDS):
            for j in range(counts[k]):
                domains = (
                    _THIRD_SECTOR_DOMAINS[j % 2] if kind == "third_sector" else _KIND_DOMAINS[kind]
                )
                quality = float(np.clip(rng.lognormal(-(sd**2) / 2, sd), 0.2, 2.0))
                district = int(rng.integers(0, int(p["city.districts"])))
                providers.append(
                    Provider(
                        self,
                        len(providers),
                        kind,
                        np.array(domains),
                        hours[k] / counts[k],
                        cost[k],
                        quality,
                        district,
                    )
                )
        return providers


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
    index = [i.key for i in INDICATOR_LIST].index(key)

    def report(model: WelfareModel) -> float:
        week = model.collector.weeks_recorded - 1
        return float(model.collector.overall[week, index]) if week >= 0 else float("nan")

    report.__name__ = key
    return report
