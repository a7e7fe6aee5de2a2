"""Shared fixtures: small, fast models and helpers to read their recorded indicators.

Models are built small (``city.population`` shrinks the default Bergamo city) and released at the
end of each test, because Mesa 3.3 keeps every model alive in ``mesa.Agent._ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from willsim import WelfareModel
from willsim.collector import OVERALL_KEYS

SMALL_DEFAULTS: dict[str, Any] = {
    "seed": 1,
    "run__weeks": 20,
    "city__population": 5000,
    "run__mesa_citizens": False,
    "run__burn_in_weeks": 0,
}
"""Keyword arguments of the small test model; any of them can be overridden. No burn-in: a
mechanism's rules are tested from the drawn population (the invariants, the burn-in and the
stationarity tests set their own)."""


@pytest.fixture
def small_model() -> Callable[..., WelfareModel]:
    """Factory: ``small_model(**overrides)`` builds a small model; all are released afterwards.

    Defaults are :data:`SMALL_DEFAULTS` (seed 1, 20 weeks, 5,000 residents, no Mesa citizen
    agents, no burn-in). Keyword overrides use ``__`` for the dot, as :class:`WelfareModel`
    accepts them.
    """
    made: list[WelfareModel] = []

    def make(**overrides: Any) -> WelfareModel:
        model = WelfareModel(**{**SMALL_DEFAULTS, **overrides})
        made.append(model)
        return model

    yield make
    for model in made:
        model.release()


@pytest.fixture
def series() -> Callable[[WelfareModel, str], np.ndarray]:
    """``series(model, key)``: the weekly values recorded so far for indicator ``key``."""
    index = {key: k for k, key in enumerate(OVERALL_KEYS)}

    def get(model: WelfareModel, key: str) -> np.ndarray:
        return model.collector.overall[: model.collector.weeks_recorded, index[key]].copy()

    return get


@pytest.fixture
def phase_hook() -> Callable[..., None]:
    """``phase_hook(model, phase, before=None, after=None)`` wraps one phase of one model.

    ``before(model, week)`` runs just before the phase's ``step`` and ``after(model, week)`` just
    after it, every week. Only this model instance's mechanism is wrapped.
    """

    def hook(model: WelfareModel, phase: str, before=None, after=None) -> None:
        mechanism = getattr(model, phase)
        original = mechanism.step

        def step(m: WelfareModel, week: int) -> None:
            if before is not None:
                before(m, week)
            original(m, week)
            if after is not None:
                after(m, week)

        mechanism.step = step

    return hook
