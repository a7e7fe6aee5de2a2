"""The Provider agent: a municipal service, a Third Sector organisation or a private firm."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from willsim.params import DOMAINS, PROVIDER_KINDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Provider(mesa.Agent):
    """Delivers hours of service in some domains, within a weekly capacity, at a unit cost.

    ``quality`` multiplies the effect of an hour of service; it is hidden from citizens and the
    municipality (only outcomes reveal it).
    """

    def __init__(
        self,
        model: WelfareModel,
        index: int,
        kind: str,
        domains: np.ndarray,
        capacity: float,
        unit_cost: float,
        quality: float,
        district: int,
    ) -> None:
        super().__init__(model)
        if kind not in PROVIDER_KINDS:
            raise ValueError(f"unknown provider kind {kind!r}; valid: {', '.join(PROVIDER_KINDS)}")
        self.index = index
        self.kind = kind
        self.domains = np.asarray(domains, dtype=bool)  # one flag per domain
        self.capacity = float(capacity)  # hours per week
        self.unit_cost = float(unit_cost)  # EUR per hour
        self.quality = float(quality)
        self.district = int(district)
        self.load = 0.0  # hours per week committed to cases
        self.revenue = 0.0  # EUR received so far
        self.hours_delivered = 0.0

    @property
    def spare(self) -> float:
        """Uncommitted hours this week."""
        return max(self.capacity - self.load, 0.0)

    @property
    def utilisation(self) -> float:
        return self.load / self.capacity if self.capacity > 0 else 0.0

    def serves(self, domain: int) -> bool:
        return bool(self.domains[domain])

    def __repr__(self) -> str:
        names = ",".join(d for d, on in zip(DOMAINS, self.domains, strict=True) if on)
        return (
            f"Provider({self.index}, {self.kind}, {names}, {self.load:.0f}/"
            f"{self.capacity:.0f} h/week, {self.unit_cost:.2f} EUR/h)"
        )
