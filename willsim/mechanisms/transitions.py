"""Long-run transitions WILL named: an ageing population and rising digital skills.

Each transition starts at a week (``transitions.ageing_from_week``,
``transitions.digital_from_week``; -1 = never) and then runs every week:

* **ageing** — residents move up one age band (30-64 to 65-74, 65-74 to 75-84, 75-84 to 85+) so
  that the shares aged 65+, 75+ and 85+ rise by ``transitions.ageing_flow`` a year (net ageing:
  the young bands keep their size, births and migration renewing them). Movers are drawn at
  random within their band, oldest band first so nobody moves twice in a week; those reaching 65
  retire. Their mortality and the onset of care, isolation and work needs follow their new band
  (the needs phase reads them from the band every week), so care needs rise with the ageing.
  Households, income and digital skills move with them (a cohort effect);
* **digital skills** — residents without basic digital skills acquire them with weekly
  probability ``transitions.digital_rate`` (weekly form) x a relative pace by age band
  (younger first), rescaled so the average over residents without skills is the rate.

Randomness comes only from the ``transitions`` stream, and nothing is drawn or changed before a
transition's start week, so runs without transitions are bit-identical to the engine's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.mechanisms.base import AddEvent, Mechanism
from willsim.params import AGE_BANDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel

STREAM = "transitions"
FIRST_OLD_BAND = 3  # 65-74: the first band entered by ageing; 30-64 is the band before it
RETIREMENT_BAND = 3


def active_from(start: int, week: int) -> bool:
    """A transition with start week ``start`` (-1 = never) runs in ``week``."""
    return 0 <= start <= week


class Transitions(Mechanism):
    """Ageing of the population and the spread of digital skills, each from a start week."""

    name = "transitions"
    label = ("transitions", "transizioni")
    streams = (STREAM,)
    levers = ("transitions",)
    publishes = ("aged", "digital_gained", "aged_total", "digital_total")
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "aged": ("Moved up to age band {value}", "Passa alla fascia d'età {value}"),
        "digital": ("Acquired basic digital skills", "Acquisisce competenze digitali di base"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "ageing": (
            "transitions: the population ages (transitions.ageing_flow)",
            "transizioni: la popolazione invecchia (transitions.ageing_flow)",
        ),
        "digital_spread": (
            "transitions: digital skills spread (transitions.digital_rate)",
            "transizioni: le competenze digitali si diffondono (transitions.digital_rate)",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        self.rng: np.random.Generator | None = None  # created at the first transition week
        self.aged = 0  # residents who moved up a band this week
        self.digital_gained = 0  # residents who acquired digital skills this week
        self.aged_total = 0
        self.digital_total = 0
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.ageing_from = int(p["transitions.ageing_from_week"])
        self.flow = p.weekly("transitions.ageing_flow")  # moves per resident per week
        self.digital_from = int(p["transitions.digital_from_week"])
        self.digital_rate = p.weekly("transitions.digital_rate")
        self.digital_weights = p.array("transitions.digital_age_weights")

    def step(self, model: WelfareModel, week: int) -> None:
        self.aged = self.digital_gained = 0
        ageing = active_from(self.ageing_from, week)
        digital = active_from(self.digital_from, week)
        if not (ageing or digital):
            return
        if self.rng is None:
            self.rng = model.streams[STREAM]
        if ageing:
            self._age(model, self.rng)
        if digital:
            self._digital(model, self.rng)

    def _age(self, model: WelfareModel, rng: np.random.Generator) -> None:
        """Move residents up one band; the expected number moving into band k is flow x n."""
        c = model.citizens
        expected = self.flow * c.n
        whole = np.floor(expected)
        counts = (whole + (rng.random(expected.size) < expected - whole)).astype(np.int64)
        moved = []
        for k in range(expected.size - 1, -1, -1):  # oldest first: nobody moves twice
            target = FIRST_OLD_BAND + k
            pool = np.flatnonzero(c.age_band == target - 1)
            m = int(min(counts[k], pool.size))
            if m == 0:
                continue
            who = rng.choice(pool, size=m, replace=False)
            c.age_band[who] = target
            if target == RETIREMENT_BAND:
                c.employed[who] = False
            moved.append(who)
        if moved:
            self.aged = int(sum(who.size for who in moved))
            self.aged_total += self.aged

    def _digital(self, model: WelfareModel, rng: np.random.Generator) -> None:
        """Residents without skills gain them; the pace falls with age, the mean is the rate."""
        c = model.citizens
        u = rng.random(c.n)
        without = ~c.digital
        if not without.any():
            return
        weight = self.digital_weights[c.age_band]
        mean = float(weight[without].mean())
        if mean <= 0:
            return
        hazard = np.minimum(self.digital_rate * weight / mean, 1.0)
        gain = np.flatnonzero(without & (u < hazard))
        c.digital[gain] = True
        self.digital_gained = int(gain.size)
        self.digital_total += self.digital_gained

    def idle(self, model: WelfareModel) -> bool:
        return not (self.aged or self.digital_gained)

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        from willsim.journal import Event

        for p in np.flatnonzero(new["age"] != old["age"]):
            band = AGE_BANDS[int(new["age"][p])]
            add(p, Event(week, self.name, int(who[p]), "aged", value=band, rule="ageing"))
        for p in np.flatnonzero(new["digital"] & ~old["digital"]):
            add(p, Event(week, self.name, int(who[p]), "digital", rule="digital_spread"))
