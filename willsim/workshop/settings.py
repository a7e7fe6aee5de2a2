"""A room's settings, chosen by the facilitator, and the base scenario they describe.

Stored settings are validated by a schema (:class:`SettingsSchema`: unknown keys, wrong types
and unknown levers or criteria are refused with a one-line message); :func:`check_settings`
then checks the scenario and city and keeps numbers within the room's limits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field

from willsim.experiments.schema import STRICT, validate
from willsim.scenario import (
    Scenario,
    ScenarioError,
    available_cities,
    available_scenarios,
    load_scenario,
)
from willsim.workshop.strategy import DEFAULT_ENVELOPE, LEVERS, Lever, StrategyError

MAX_RESIDENTS = int(
    os.environ.get(
        "WILLSIM_WORKSHOP_MAX_RESIDENTS", os.environ.get("WILLSIM_APP_MAX_RESIDENTS", "20000")
    )
)
MAX_REPLICATES = 20
MIN_PARAMETER_SETS, MAX_PARAMETER_SETS = 4, 20
"""With parameter uncertainty, each round runs every team on this many parameter sets (each with
``replicates`` seeds of its own); 0 is seed noise only."""
MAX_ROUNDS = 6
Criterion = Literal["unmet_need", "crises", "waiting", "isolation", "equity_gap", "cost"]
CRITERIA: tuple[str, ...] = get_args(Criterion)
"""Outcomes on the results board (all lower is better) and the ranking's criteria."""
DEFAULT_WEIGHTS: dict[str, float] = {
    "unmet_need": 3.0,
    "crises": 2.0,
    "waiting": 1.0,
    "isolation": 1.0,
    "equity_gap": 1.0,
    "cost": 1.0,
}


class SettingsSchema(BaseModel):
    """The stored form of a room's settings (JSON)."""

    model_config = STRICT
    title: str = "Workshop"
    scenario: str = "baseline"
    city: str = "bergamo"
    envelope: float = Field(DEFAULT_ENVELOPE, ge=0)
    levers: list[Lever] = list(LEVERS)
    rounds: int = Field(2, ge=1)
    weeks: int = Field(52, ge=1)
    residents: int = Field(5_000, ge=1)
    replicates: int = Field(3, ge=1)
    parameter_sets: int = Field(0, ge=0)
    weights: dict[Criterion, Annotated[float, Field(ge=0)]] = dict(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class RoomSettings:
    """What the facilitator set when creating the room."""

    title: str = "Workshop"
    scenario: str = "baseline"
    city: str = "bergamo"
    envelope: float = DEFAULT_ENVELOPE  # EUR/year of extra spending per team
    levers: tuple[str, ...] = LEVERS
    rounds: int = 2
    weeks: int = 52
    residents: int = 5_000
    replicates: int = 3
    parameter_sets: int = 0  # 0: seed noise only; else parameter sets drawn from the priors
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["levers"] = list(self.levers)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoomSettings:
        """Settings from stored JSON, validated by :class:`SettingsSchema` (raises
        :class:`~willsim.workshop.strategy.StrategyError` with a one-line message)."""
        values = validate(SettingsSchema, data, "room settings", StrategyError).model_dump()
        values["levers"] = tuple(values["levers"])
        return cls(**values)


def check_settings(s: RoomSettings) -> RoomSettings:
    """Validate and clip the settings; raises ``StrategyError`` naming the problem."""
    s = RoomSettings.from_dict(s.to_dict())  # types and keys, by the schema
    if s.scenario not in available_scenarios():
        raise StrategyError(
            f"unknown scenario {s.scenario!r}; valid scenarios: {', '.join(available_scenarios())}"
        )
    if s.city not in available_cities():
        raise StrategyError(
            f"unknown city {s.city!r}; valid cities: {', '.join(available_cities())}"
        )
    unknown = [lv for lv in s.levers if lv not in LEVERS]
    if unknown:
        raise StrategyError(f"unknown lever(s) {', '.join(unknown)}; valid: {', '.join(LEVERS)}")
    weights = {c: max(0.0, float(s.weights.get(c, 0.0))) for c in CRITERIA}
    if not sum(weights.values()):
        raise StrategyError("at least one ranking weight must be above zero")
    return replace(
        s,
        title=str(s.title).strip()[:80] or "Workshop",
        envelope=max(0.0, float(s.envelope)),
        levers=tuple(lv for lv in LEVERS if lv in s.levers),
        rounds=min(max(int(s.rounds), 1), MAX_ROUNDS),
        weeks=min(max(int(s.weeks), 4), 520),
        residents=min(max(int(s.residents), 500), MAX_RESIDENTS),
        replicates=min(max(int(s.replicates), 1), MAX_REPLICATES),
        parameter_sets=0
        if not s.parameter_sets
        else min(max(int(s.parameter_sets), MIN_PARAMETER_SETS), MAX_PARAMETER_SETS),
        weights=weights,
    )


def base_scenario(s: RoomSettings) -> Scenario:
    """The room's scenario in its city, with the run length and (capped) residents."""
    overrides = {
        "run.weeks": int(s.weeks),
        "run.residents": int(s.residents),
        "run.mesa_citizens": False,
    }
    try:
        return load_scenario(s.scenario, overrides, city=s.city)
    except ScenarioError as exc:
        raise StrategyError(str(exc)) from None
