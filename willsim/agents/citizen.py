"""The Citizen agent: a Mesa identity for one simulated resident, reading the model's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from willsim.citizens import Status
from willsim.params import AGE_BANDS, DOMAINS, INCOME_BANDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Citizen(mesa.Agent):
    """One resident. State lives in ``model.citizens`` (arrays); this object is a live view."""

    def __init__(self, model: WelfareModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    def _get(self, name: str):
        return getattr(self.model.citizens, name)[self.index]

    @property
    def age_band(self) -> str:
        return AGE_BANDS[int(self._get("age_band"))]

    @property
    def income_band(self) -> str:
        return INCOME_BANDS[int(self._get("income_band"))]

    @property
    def living_alone(self) -> bool:
        return bool(self._get("living_alone"))

    @property
    def neet(self) -> bool:
        return bool(self._get("neet"))

    @property
    def digital(self) -> bool:
        return bool(self._get("digital"))

    @property
    def aware(self) -> bool:
        return bool(self._get("aware"))

    @property
    def trust(self) -> float:
        return float(self._get("trust"))

    @property
    def district(self) -> int:
        return int(self._get("district"))

    @property
    def residential(self) -> bool:
        return bool(self._get("residential"))

    @property
    def ties(self) -> list[int]:
        """Indices of this resident's social ties."""
        return self.model.citizens.ties_of(self.index).tolist()

    @property
    def needs(self) -> dict[str, dict[str, Any]]:
        """Each domain's need: level, status and when it began."""
        c, i = self.model.citizens, self.index
        return {
            domain: {
                "level": int(c.need_level[d, i]),
                "status": Status(int(c.status[d, i])).name.lower(),
                "since_week": int(c.need_since[d, i]),
                "first_help_week": int(c.first_help[d, i]),
                "provider": int(c.provider[d, i]),
            }
            for d, domain in enumerate(DOMAINS)
        }

    def describe(self) -> dict[str, Any]:
        """A plain dict of everything known about this resident (for inspection and the app)."""
        return {
            "index": self.index,
            "age_band": self.age_band,
            "living_alone": self.living_alone,
            "income_band": self.income_band,
            "isee_eur": float(self._get("isee")),
            "employed": bool(self._get("employed")),
            "neet": self.neet,
            "digital": self.digital,
            "trust": self.trust,
            "aware": self.aware,
            "district": self.district,
            "distance_km": float(self._get("distance_km")),
            "ties": int(self._get("degree")),
            "residential": self.residential,
            "crises": int(self._get("crises")),
            "needs": self.needs,
        }
