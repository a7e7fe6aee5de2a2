"""A team's strategy: the levers it chose, their estimated cost, and the scenario it runs as.

A :class:`Strategy` is plain data (JSON in the store). :func:`estimate_cost` prices it before any
run, from the levers' own parameters in the base scenario, line by line, so teams see where the
money goes. :func:`strategy_changes` maps it to parameter overrides and ``[[policies]]`` entries
(a pure function), and :func:`strategy_scenario` applies them to the base scenario, validated by
the parameter and policy registries like any scenario file.

Money rule: every team receives the facilitator's envelope (EUR/year) as a top-up of the municipal
social budget. The fixed yearly costs of its levers (outreach hours, platforms, extra social
workers) must fit in the envelope; whatever they leave buys more services, because all municipal
spending in the model comes out of that one budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from willsim.experiments.schema import STRICT, validate
from willsim.policies.week0 import week0_entry
from willsim.reporting.errors import Translatable, Word
from willsim.scenario import Scenario, validate_policies, with_overrides
from willsim.units import WEEKS_PER_YEAR

Access = Literal["on_demand", "proactive"]
Targeting = Literal["random", "risk", "antennas"]
Delivery = Literal["centralised", "marketplace", "community", "mix"]
Contracts = Literal["hourly", "outcome", "outcome_case_mix"]
Lever = Literal[
    "access",
    "targeting",
    "intensity",
    "delivery",
    "co_programming",
    "contracts",
    "social_workers",
]
ACCESS: tuple[str, ...] = get_args(Access)
TARGETING: tuple[str, ...] = get_args(Targeting)
DELIVERY: tuple[str, ...] = get_args(Delivery)
CONTRACTS: tuple[str, ...] = get_args(Contracts)
LEVERS: tuple[str, ...] = get_args(Lever)
"""Levers a facilitator may allow; a lever not allowed keeps the default value."""
DEFAULT_ENVELOPE = 500_000.0
"""EUR/year of extra spending per team, the room's default (assumption "Workshop envelope" in
docs/ODD.md): enough for one of the priced levers at its default in the default city, never two
of the large ones, so teams must choose. In Bergamo it is 5.8% of the modelled social budget
(:func:`base_budget`: 121,316 residents x 224 EUR x 31.5% = 8.56M EUR since issue 12; 8.4% of
5.96M EUR at the 156 EUR used before), and the status quo leaves 1.3-3.2M EUR of that budget
unspent in a year (default room, 3 seeds), so no affordable strategy runs the budget out in a
round without event. The prices come from the registry (:func:`estimate_cost`), never from here:
outreach 3 h a week per 1,000 residents 473,132 EUR, 12 extra social workers 480,000 EUR, the
community platform 315,422 EUR, the marketplace 112,790 EUR."""
INTENSITY_RANGE = (0.5, 40.0)  # outreach hours a week per 1,000 residents
DEFAULT_INTENSITY = 3.0
"""Outreach hours a week per 1,000 residents when a team chooses Proactive: within the default
envelope in the default city (Bergamo, 121,316 residents: 3 h x 121.3 x 25 EUR/h x 52 =
473,132 EUR/year; 4 h cost 630,843 EUR). A larger city or a smaller envelope starts lower (the
team page picks the most hours that fit)."""
MAX_EXTRA_WORKERS = 100
EVENTS: dict[str, str | None] = {
    "none": None,
    "pandemic": "pandemic",
    "budget_cut": "budget-cut",
    "heatwave": "heatwave",
}
"""Round events and the bundled scenario whose first policy each one replays."""


class StrategyError(Translatable):
    """A strategy is invalid (a lever not allowed, a value out of range, over budget). Raised
    with a catalogue key and its values (``str()`` is the English message, :meth:`message` the
    message in any language); a plain English message also works (schema errors)."""


class StrategySchema(BaseModel):
    """The stored and sent form of a strategy (JSON): unknown keys and wrong types are refused
    with a one-line message; ranges and allowed levers are checked by :func:`check`."""

    model_config = STRICT
    access: Access = "on_demand"
    targeting: Targeting = "risk"
    intensity: float = DEFAULT_INTENSITY
    delivery: Delivery = "centralised"
    co_programming: bool = False
    contracts: Contracts = "hourly"
    social_workers: int = Field(0, ge=0)
    note: str = ""


@dataclass(frozen=True)
class Strategy:
    """What a team chose. Defaults are 'as today': on demand, centralised, hourly contracts."""

    access: str = "on_demand"
    targeting: str = "risk"
    intensity: float = DEFAULT_INTENSITY
    delivery: str = "centralised"
    co_programming: bool = False
    contracts: str = "hourly"
    social_workers: int = 0  # extra social workers (city level)
    note: str = ""  # the team's rationale, shown in the debrief

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Strategy:
        """A strategy from stored or sent JSON, validated by :class:`StrategySchema` (raises
        :class:`StrategyError` naming the problem and the valid choices); then :func:`check`."""
        checked = validate(StrategySchema, dict(data or {}), "strategy", StrategyError)
        return check(cls(**checked.model_dump()))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT = Strategy()


def check(s: Strategy, allowed: Sequence[str] = LEVERS) -> Strategy:
    """Validate and normalise ``s``; levers not in ``allowed`` must keep their defaults."""

    def one_of(name: str, valid: Sequence[str]) -> None:
        if getattr(s, name) not in valid:
            raise StrategyError(
                "wse_strategy_choice",
                lever=Word(f"ws_{name}"),
                value=repr(getattr(s, name)),
                valid=", ".join(valid),
            )

    one_of("access", ACCESS)
    one_of("targeting", TARGETING)
    one_of("delivery", DELIVERY)
    one_of("contracts", CONTRACTS)
    try:
        intensity = float(s.intensity)
        workers = int(s.social_workers)
    except (TypeError, ValueError):
        raise StrategyError("wse_strategy_numbers") from None
    if not (INTENSITY_RANGE[0] <= intensity <= INTENSITY_RANGE[1]) or math.isnan(intensity):
        raise StrategyError(
            "wse_strategy_intensity",
            value=f"{intensity:g}",
            low=f"{INTENSITY_RANGE[0]:g}",
            high=f"{INTENSITY_RANGE[1]:g}",
        )
    if not 0 <= workers <= MAX_EXTRA_WORKERS:
        raise StrategyError("wse_strategy_workers", n=workers, high=MAX_EXTRA_WORKERS)
    s = replace(
        s,
        intensity=intensity,
        social_workers=workers,
        co_programming=bool(s.co_programming),
        note=str(s.note)[:500],
    )
    for name in LEVERS:
        if name not in allowed and getattr(s, name) != getattr(DEFAULT, name):
            raise StrategyError("wse_strategy_lever", lever=Word(f"ws_{name}"))
    return s


# --- cost ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One line of the estimate: what, how it is computed (English, Italian), EUR/year, and
    whether it counts against the envelope."""

    item: str
    formula: str
    eur_per_year: float
    counted: bool = True
    formula_it: str = ""

    def how(self, language: str) -> str:
        return self.formula_it if language == "it" and self.formula_it else self.formula


@dataclass(frozen=True)
class CostEstimate:
    lines: tuple[CostLine, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        """Fixed yearly costs counted against the envelope."""
        return float(sum(line.eur_per_year for line in self.lines if line.counted))

    def fits(self, envelope: float) -> bool:
        return self.total <= envelope + 1e-6


def _n(value: float, decimals: int = 0, language: str = "en") -> str:
    out = f"{value:,.{decimals}f}"
    if language == "it":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out


def estimate_cost(s: Strategy, params: Mapping[str, Any]) -> CostEstimate:
    """Yearly cost of ``s`` for the city of ``params`` (a scenario's resolved parameters).

    Fixed costs use the same formulas as the model's mechanisms; outcome payments and
    co-programming staff time are shown but not counted (variable / no new money).
    """
    pop = float(params["city.population"])
    k = pop / 1000.0
    lines: list[CostLine] = []

    def both(en: str, it: str, **values: tuple[float, int]) -> tuple[str, str]:
        return (
            en.format(**{n: _n(v, d, "en") for n, (v, d) in values.items()}),
            it.format(**{n: _n(v, d, "it") for n, (v, d) in values.items()}),
        )

    thousands = (k, 0)
    if s.access == "proactive":
        cost = s.intensity * k * params["outreach.hour_cost"] * WEEKS_PER_YEAR
        en, it = both(
            "{h} h/week × {k} thousand residents × €{c}/h × 52",
            "{h} h/settimana × {k} mila residenti × €{c}/h × 52",
            h=(s.intensity, 1),
            k=thousands,
            c=(params["outreach.hour_cost"], 0),
        )
        lines.append(CostLine("outreach", en, cost, formula_it=it))
    if s.delivery in ("marketplace", "mix"):
        providers = int(params["marketplace.providers"])
        accredit = (
            params["marketplace.accreditation_cost"] * providers
            if params["marketplace.reputation"] == "accreditation"
            else 0.0
        )
        cost = params["marketplace.operating_cost"] * k + accredit
        en, it = both(
            "€{o}/year × {k} thousand residents + accreditation €{a} × {p} providers "
            "(vouchers come from the service budget)",
            "€{o}/anno × {k} mila residenti + accreditamento €{a} × {p} erogatori "
            "(i voucher sono pagati dal bilancio dei servizi)",
            o=(params["marketplace.operating_cost"], 0),
            k=thousands,
            a=(params["marketplace.accreditation_cost"], 0),
            p=(providers, 0),
        )
        lines.append(CostLine("marketplace", en, cost, formula_it=it))
    if s.delivery in ("community", "mix"):
        channel = params["community.channel"]
        weekly = (params["community.cost_physical"] if channel in ("physical", "both") else 0.0) + (
            params["community.cost_digital"] if channel in ("digital", "both") else 0.0
        )
        en, it = both(
            "€{w}/week per thousand residents × {k} × 52",
            "€{w}/settimana ogni mille residenti × {k} × 52",
            w=(weekly, 0),
            k=thousands,
        )
        lines.append(CostLine("community", en, weekly * k * WEEKS_PER_YEAR, formula_it=it))
    if s.social_workers:
        en, it = both(
            "{n} × €{s}/year",
            "{n} × €{s}/anno",
            n=(s.social_workers, 0),
            s=(params["office.salary"], 0),
        )
        lines.append(
            CostLine(
                "social_workers", en, s.social_workers * params["office.salary"], formula_it=it
            )
        )
    if s.co_programming:
        workers = base_social_workers(params) + s.social_workers
        cost = (
            workers
            * params["office.salary"]
            * params["office.assessment_share"]
            * params["governance.co_staff_share"]
        )
        share = 100 * params["governance.co_staff_share"]
        en, it = both(
            "staff time at the tables: {w} workers × {p}% of assessment time (no new money)",
            "tempo del personale ai tavoli: {w} assistenti sociali × {p}% del tempo "
            "di valutazione (nessuna spesa nuova)",
            w=(workers, 0),
            p=(share, 0),
        )
        lines.append(CostLine("co_programming", en, cost, counted=False, formula_it=it))
    if s.contracts != "hourly":
        base = 100 * params["governance.outcome_base_share"]
        en, it = both(
            "€{p} per need resolved above the threshold, hourly pay falls to {b}% "
            "(paid from the service budget as outcomes come)",
            "€{p} per bisogno risolto oltre la soglia, la paga oraria scende al {b}% "
            "(pagati dal bilancio dei servizi man mano che arrivano i risultati)",
            p=(params["governance.outcome_price"], 0),
            b=(base, 0),
        )
        lines.append(CostLine("outcome_contracts", en, 0.0, counted=False, formula_it=it))
    return CostEstimate(tuple(lines))


def base_social_workers(params: Mapping[str, Any]) -> float:
    """The city's social workers before the strategy (declared, or from the city's ratio)."""
    declared = int(params["office.social_workers"])
    if declared > 0:
        return float(declared)
    return params["city.population"] / params["city.residents_per_social_worker"]


def base_budget(params: Mapping[str, Any]) -> float:
    """The city's modelled social budget before any multiplier, EUR/year."""
    return (
        params["city.population"]
        * params["city.social_spending_per_capita"]
        * params["city.modelled_spending_share"]
    )


# --- strategy -> scenario -----------------------------------------------------------------------


def strategy_changes(
    s: Strategy, params: Mapping[str, Any], envelope: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parameter overrides and policy entries that make the base scenario run ``s``.

    Pure: depends only on its arguments. The envelope becomes a budget multiplier top-up.
    Every lever starts at reported week 0 (a policy, or a strategy key such as the budget
    multiplier), so all teams share the status quo's burn-in and their replicates stay paired
    from the same city state; an override of a staffing level would instead shape the team's
    own burn-in ("as if it had always been so", :func:`willsim.model.status_quo_params`).
    The entries are built by :func:`willsim.policies.week0.week0_entry`, as the app's are.
    """
    overrides: dict[str, Any] = {}
    policies: list[dict[str, Any]] = []
    if envelope:
        overrides["municipality.budget_multiplier"] = budget_multiplier(params, envelope)
    if s.social_workers:  # hired at reported week 0: the burn-in stays the status quo's
        staff = max(1, round(base_social_workers(params) + s.social_workers))
        policies.append(
            week0_entry(
                "staffing",
                _label("extra social workers", "assistenti sociali in più"),
                {"office.social_workers": staff},
            )
        )
    if s.access == "proactive":
        policies.append(
            week0_entry(
                "outreach",
                _label("outreach", "contatto proattivo"),
                {"outreach.targeting": s.targeting, "outreach.hours_per_1000": s.intensity},
            )
        )
    if s.delivery in ("marketplace", "mix"):
        policies.append(week0_entry("marketplace", _label("marketplace", "marketplace")))
    if s.delivery in ("community", "mix"):
        policies.append(
            week0_entry("community", _label("community platform", "piattaforma di comunità"))
        )
    if s.co_programming:
        policies.append(
            week0_entry("co_programming", _label("co-programming", "co-programmazione"))
        )
    if s.contracts != "hourly":
        case_mix = s.contracts == "outcome_case_mix"
        policies.append(
            week0_entry(
                "outcome_contracts",
                _label("outcome contracts", "contratti a risultato"),
                {"governance.case_mix_adjusted": case_mix},
            )
        )
    return overrides, policies


def _label(english: str, italian: str) -> dict[str, str]:
    """A workshop policy's label in English and Italian ("Workshop: ..." / "Laboratorio: ...")."""
    return {"en": f"Workshop: {english}", "it": f"Laboratorio: {italian}"}


def budget_multiplier(params: Mapping[str, Any], envelope: float) -> float:
    """The budget multiplier once ``envelope`` EUR/year are added to the city's budget."""
    base = base_budget(params)
    top_up = envelope / base if base > 0 else 0.0
    return float(params["municipality.budget_multiplier"]) + top_up


@lru_cache(maxsize=8)
def _event_template(event: str) -> dict[str, Any] | None:
    from willsim.scenario import load_scenario

    name = EVENTS.get(event, "?")
    if name == "?":
        raise StrategyError("wse_unknown_event", event=repr(event), valid=", ".join(EVENTS))
    if name is None:
        return None
    return dict(load_scenario(name).policies[0])


def event_policies(event: str, weeks: int, multiplier: float = 1.0) -> list[dict[str, Any]]:
    """The event's policy (from its bundled scenario), moved to start a quarter into the run
    and kept within it; a budget cut scales the strategy's own budget ``multiplier``."""
    template = _event_template(event)
    if template is None:
        return []
    start = max(1, weeks // 4)
    entry: dict[str, Any] = {
        "type": template["type"],
        "label": template.get("label", event),
        "start": start,
        "set": dict(template.get("set", {})),
    }
    if "stop" in template:
        length = template["stop"] - template.get("start", 0)
        stop = min(start + length, weeks)
        if stop > start:
            entry["stop"] = stop
    if template["type"] == "budget":
        cut = entry["set"].get("municipality.budget_multiplier", 1.0)
        entry["set"]["municipality.budget_multiplier"] = round(cut * multiplier, 6)
    return [entry]


def strategy_scenario(
    base: Scenario,
    s: Strategy | None,
    envelope: float,
    event: str = "none",
    name: str | None = None,
) -> Scenario:
    """``base`` running strategy ``s`` (``None``: the status quo, no extra money) in a round
    with ``event``; validated by the registries (raises ``ScenarioError``)."""
    if s is None:
        overrides, policies = {}, []
    else:
        overrides, policies = strategy_changes(s, base.params, envelope)
    scenario = with_overrides(base, overrides)
    weeks = int(scenario.params["run.weeks"])
    policies += event_policies(event, weeks, scenario.params["municipality.budget_multiplier"])
    checked = validate_policies([*base.policies, *policies], "strategy")
    return replace(scenario, policies=checked, name=name or base.name)
