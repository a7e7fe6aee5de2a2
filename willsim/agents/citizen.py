"""The Citizen agent: a Mesa view of one resident, reading every field from the model's arrays.

A view belongs to one *person*: the resident living in row ``index`` when it was made. When that
person dies, a newcomer takes the row (a new person, with a new ``person_id``); the old view then
says the person has left (``present`` is false) and refuses to read the newcomer's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willsim.agents.base import WillsimAgent
from willsim.citizens import Status
from willsim.params import AGE_BANDS, DOMAINS, INCOME_BANDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Citizen(WillsimAgent):
    """One resident. State lives in ``model.citizens`` (arrays); this object is a live view."""

    def __init__(self, model: WelfareModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)
        self.person_id = int(model.citizens.person_id[self.index])

    @property
    def present(self) -> bool:
        """Whether this person still lives in the city (a newcomer has not taken the row)."""
        return int(self.model.citizens.person_id[self.index]) == self.person_id

    def _get(self, name: str):
        if not self.present:
            raise LookupError(
                f"person {self.person_id} (row {self.index}) has died; row {self.index} is now "
                f"person {int(self.model.citizens.person_id[self.index])}: use model.citizen("
                f"{self.index})"
            )
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
        self._get("degree")  # checks the person is still here
        return self.model.citizens.ties_of(self.index).tolist()

    @property
    def needs(self) -> dict[str, dict[str, Any]]:
        """Each domain's need: level, status and when it began."""
        self._get("degree")
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
            "person_id": self.person_id,
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
