"""The Provider agent: a Mesa view of one provider, reading everything from its mechanism's arrays.

Providers are rows of arrays kept by the mechanism that contracts them (``services`` for the
municipality's own service, Third Sector organisations and private contractors; ``marketplace``
for providers on the marketplace platform). The agent holds only its row and the name of that
mechanism, so its capacity and load are always the mechanism's: during a pandemic, under
co-programming or after a budget change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from willsim.agents.base import WillsimAgent
from willsim.params import DOMAINS, PROVIDER_KINDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


@dataclass
class ProviderTable:
    """The providers a mechanism contracts, one row each (built with the city)."""

    kind: np.ndarray  # str, one of PROVIDER_KINDS
    domains: np.ndarray  # bool (P, D): the domains each serves
    capacity: np.ndarray  # hours per week (before any policy)
    unit_cost: np.ndarray  # EUR per hour (list price)
    quality: np.ndarray  # multiplies the effect of an hour; hidden from citizens
    district: np.ndarray  # int

    def __post_init__(self) -> None:
        unknown = set(self.kind.tolist()) - set(PROVIDER_KINDS)
        if unknown:
            raise ValueError(
                f"unknown provider kind(s) {sorted(unknown)}; valid: {', '.join(PROVIDER_KINDS)}"
            )

    def __len__(self) -> int:
        return int(self.kind.size)


class Provider(WillsimAgent):
    """Delivers hours of service in some domains, within a weekly capacity, at a unit cost.

    A live view of row ``index`` of the providers of mechanism ``source``, which publishes
    ``provider_state(name)`` for ``kind``, ``domains``, ``capacity``, ``load``, ``unit_cost``,
    ``quality``, ``district``, ``revenue`` and ``hours_delivered``. ``quality`` multiplies the
    effect of an hour of service; it is hidden from citizens and the municipality.
    """

    FIELDS = (
        "kind",
        "domains",
        "capacity",
        "load",
        "unit_cost",
        "quality",
        "district",
        "revenue",
        "hours_delivered",
    )

    def __init__(self, model: WelfareModel, index: int, source: str) -> None:
        super().__init__(model)
        self.index = int(index)
        self.source = source

    def _get(self, name: str) -> Any:
        return self.model.mechanisms[self.source].provider_state(name)[self.index]

    @property
    def kind(self) -> str:
        return str(self._get("kind"))

    @property
    def domains(self) -> np.ndarray:
        """One flag per domain."""
        return np.asarray(self._get("domains"), dtype=bool)

    @property
    def capacity(self) -> float:
        """Hours per week it can give now."""
        return float(self._get("capacity"))

    @property
    def load(self) -> float:
        """Hours per week committed to cases."""
        return float(self._get("load"))

    @property
    def unit_cost(self) -> float:
        """EUR per hour (list price)."""
        return float(self._get("unit_cost"))

    @property
    def quality(self) -> float:
        return float(self._get("quality"))

    @property
    def district(self) -> int:
        return int(self._get("district"))

    @property
    def revenue(self) -> float:
        """EUR received so far."""
        return float(self._get("revenue"))

    @property
    def hours_delivered(self) -> float:
        return float(self._get("hours_delivered"))

    @property
    def utilisation(self) -> float:
        capacity = self.capacity
        return self.load / capacity if capacity > 0 else 0.0

    def __repr__(self) -> str:
        names = ",".join(d for d, on in zip(DOMAINS, self.domains, strict=True) if on)
        return (
            f"Provider({self.index}, {self.kind}, {names}, {self.load:.0f}/"
            f"{self.capacity:.0f} h/week, {self.unit_cost:.2f} EUR/h)"
        )
