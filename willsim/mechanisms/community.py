"""Community platform ("ricomposizione sociale"): ties, peer help and helpers among residents.

A platform of groups, activities and neighbourly help, reached through a physical place in each
district, a digital space (only for residents with basic digital skills), or both. Each week:

* **joining and leaving** — an interested adult with access joins at a rate that grows with the
  share of their ties and of their district already taking part (the network effect) and with
  awareness of the services; isolated residents are invited first. Participants drop out at a
  rate that falls as district participation grows, so below a critical mass the platform empties
  and above it it grows to a plateau;
* **ties** — participants make new ties with other participants (same district first). Platform
  ties are kept as a count per resident, not added to the social network; they lapse slowly;
* **isolation** — each platform tie, and taking part at all, raise the chance that an isolated
  resident stops being isolated;
* **peer help** — light needs of participants (isolation, and care up to
  ``community.max_care_level``) are met by volunteers and helpers within their weekly hours,
  isolated participants first; heavier care is never taken on. :mod:`coverage` counts them met;
* **helpers** — some participants who were helped become helpers and give hours in turn;
* **volunteers** — the volunteer base shrinks at ``community.volunteer_decline`` a year.

The municipality pays the running cost of the channels every week (reserved like outreach). All
randomness comes from the ``community`` stream, in fixed-size draws, and nothing is drawn while
the platform is off, so a run without it is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, ISOLATION, SERVED
from willsim.mechanisms.base import Mechanism
from willsim.mechanisms.outreach import _ranges
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

ADULT_BAND = 1  # 15-29 and above can take part
VOLUNTEER_MAX_BAND = 3  # volunteers are 15-74
_DRAWS = 7  # rows of uniform numbers drawn every week the platform runs


def _hazard(rate_per_year: np.ndarray | float) -> np.ndarray:
    """Weekly probability of an event with a yearly Poisson rate."""
    return -np.expm1(-np.asarray(rate_per_year, dtype=float) / WEEKS_PER_YEAR)


class Community(Mechanism):
    """Participation with network effects, platform ties, peer help, helpers and volunteers."""

    name = "community"

    def setup(self, model: WelfareModel) -> None:
        n = model.citizens.n
        self.participant = np.zeros(n, dtype=bool)
        self.volunteer = np.zeros(n, dtype=bool)
        self.helper = np.zeros(n, dtype=bool)
        self.helped = np.zeros(n, dtype=bool)  # received peer help or left isolation on it
        self.community_ties = np.zeros(n, dtype=np.int32)
        self.care_hours = np.zeros(n)  # peer hours towards care needs this week (read by coverage)
        self.isolation_met = np.zeros(n, dtype=bool)  # isolation met by peers this week
        self.interest_u: np.ndarray | None = None  # drawn at launch
        self.launch_week = -1
        self.volunteers_at_launch = 0.0
        self._clear_week()
        self.ties_made_total = 0
        p = model.params
        self.level_hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.family_hours = p.array("services.informal_hours")  # [with others, alone]
        self.met_share = p["services.care_met_share"]
        self.configure(model)

    def _clear_week(self) -> None:
        self.joined = self.left = self.ties_made = self.recovered = self.new_helpers = 0
        self.peer_hours = 0.0
        self.peer_capacity = 0.0
        self.cost_week = 0.0

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.enabled = bool(p["community.enabled"])
        self.channel = p["community.channel"]
        per_1000 = model.citizens.n / 1000.0
        cost = 0.0
        if self.channel in ("physical", "both"):
            cost += p.weekly("community.cost_physical")
        if self.channel in ("digital", "both"):
            cost += p.weekly("community.cost_digital")
        self.weekly_cost = cost * per_1000 if self.enabled else 0.0
        model.municipality.fixed_costs["community"] = self.weekly_cost
        self.interest = p["community.interest"]
        self.seed_share = p["community.seed_share"]
        self.base_join = p["community.base_join"]
        self.aware_join = p["community.aware_join"]
        self.isolated_join = p["community.isolated_join"]
        self.network_effect = p["community.network_effect"]
        self.tie_weight = p["community.tie_weight"]
        self.leave_rate = p["community.leave_rate"]
        self.leave_floor = p["community.leave_floor"]
        self.critical_mass = p["community.critical_mass"]
        self.ties_per_year = p["community.ties_per_year"]
        self.tie_decay = p.weekly("community.tie_decay")
        self.tie_recovery = p.weekly("community.tie_recovery")
        self.participant_recovery = p.weekly("community.participant_recovery")
        self.volunteers_base = (p["community.volunteers_per_1000"]
                                * p["community.volunteer_active_share"] * per_1000)
        self.volunteer_hours = p["community.volunteer_hours"]
        self.volunteer_decline = p["community.volunteer_decline"]
        self.helper_conversion = p.weekly("community.helper_conversion")
        self.helper_hours = p["community.helper_hours"]
        self.isolation_hours = p["community.isolation_hours"]
        self.max_care_level = int(p["community.max_care_level"])

    # --- the week ------------------------------------------------------------------------------

    def step(self, model: WelfareModel, week: int) -> None:
        self._clear_week()
        self.care_hours[:] = 0.0
        self.isolation_met[:] = False
        if not self.enabled:
            return
        c, rng = model.citizens, model.streams["community"]
        if self.launch_week < 0:
            self._launch(model, week, rng)
        paid = model.municipality.pay("community", self.weekly_cost)
        self.cost_week = paid
        activity = paid / self.weekly_cost if self.weekly_cost > 0 else 1.0
        u = rng.random((_DRAWS, c.n), dtype=np.float32)
        tied = np.flatnonzero(self.community_ties)
        lapse = rng.binomial(self.community_ties[tied], self.tie_decay)
        adult = (c.age_band >= ADULT_BAND) & ~c.residential
        self.participant &= adult
        self.helper &= self.participant
        self._join_and_leave(model, adult, activity, u[0])
        self._make_ties(model, activity, u[1], u[2])
        self.community_ties[tied] -= lapse.astype(np.int32)
        np.maximum(self.community_ties, 0, out=self.community_ties)
        self._isolation(model, u[3])
        self._volunteers(model, week, u[4])
        self._peer_help(model, activity, u[6])
        self._helpers(model, u[5])

    def _launch(self, model: WelfareModel, week: int, rng: np.random.Generator) -> None:
        """Draw who is interested and the initial participants when the platform opens."""
        c = model.citizens
        self.launch_week = week
        self.interest_u = rng.random(c.n)
        start = rng.random(c.n)
        adult = (c.age_band >= ADULT_BAND) & ~c.residential
        self.participant = adult & self.access(model) & (start < self.seed_share)
        self.volunteers_at_launch = self.volunteers_base

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` died and are replaced by newcomers, who start afresh."""
        for flags in (self.participant, self.volunteer, self.helper, self.helped):
            flags[idx] = False
        self.community_ties[idx] = 0

    def access(self, model: WelfareModel) -> np.ndarray:
        """Who can reach the platform through its channel(s)."""
        c = model.citizens
        if self.channel == "digital":
            return c.digital.copy()
        return np.ones(c.n, dtype=bool)

    def exposure(self, model: WelfareModel, adult: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per resident, the weighted share of ties and of district taking part; and the latter."""
        c = model.citizens
        districts = int(c.district.max()) + 1
        adults_d = np.bincount(c.district, weights=adult, minlength=districts)
        part_d = np.bincount(c.district, weights=self.participant, minlength=districts)
        share_d = np.divide(part_d, adults_d, out=np.zeros(districts), where=adults_d > 0)
        district_share = share_d[c.district]
        members = np.flatnonzero(self.participant)  # ties are symmetric: count from members
        ties = c.tie_idx[_ranges(c.tie_ptr[members], c.tie_ptr[members + 1])]
        ties_part = np.bincount(ties, minlength=c.n)
        degree = c.tie_ptr[1:] - c.tie_ptr[:-1]
        tie_share = np.divide(ties_part, degree, out=district_share.copy(), where=degree > 0)
        return self.tie_weight * tie_share + (1 - self.tie_weight) * district_share, district_share

    def _join_and_leave(self, model: WelfareModel, adult: np.ndarray, activity: float,
                        u: np.ndarray) -> None:
        c = model.citizens
        exposure, district_share = self.exposure(model, adult)
        isolated = c.need_level[ISOLATION] > 0
        interested = self.interest_u < self.interest
        can_join = adult & ~self.participant & interested & self.access(model)
        rate = activity * np.where(isolated, self.isolated_join, 1.0) * (
            self.base_join * (1.0 + self.aware_join * c.aware) + self.network_effect * exposure)
        joins = can_join & (u < _hazard(rate))
        leave_rate = self.leave_floor + self.leave_rate * self.critical_mass / (
            self.critical_mass + district_share)
        leaves = self.participant & (u < _hazard(leave_rate))
        self.participant[leaves] = False
        self.helper[leaves] = False
        self.participant[joins] = True
        self.joined, self.left = int(joins.sum()), int(leaves.sum())

    def _make_ties(self, model: WelfareModel, activity: float, u: np.ndarray,
                   v: np.ndarray) -> None:
        """Participants meet another participant of their district in a group or activity."""
        c = model.citizens
        members = np.flatnonzero(self.participant)
        if members.size < 2:
            return
        makers = members[u[members] < _hazard(activity * self.ties_per_year)]
        if makers.size == 0:
            return
        order = members[np.argsort(c.district[members], kind="stable")]
        districts = int(c.district.max()) + 1
        counts = np.bincount(c.district[order], minlength=districts)
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        d = c.district[makers]
        pick = np.minimum((v[makers] * counts[d]).astype(np.int64), counts[d] - 1)
        partners = order[starts[d] + pick]
        ok = (counts[d] > 1) & (partners != makers)
        makers, partners = makers[ok], partners[ok]
        np.add.at(self.community_ties, makers, 1)
        np.add.at(self.community_ties, partners, 1)
        self.ties_made = int(makers.size)
        self.ties_made_total += self.ties_made

    def _isolation(self, model: WelfareModel, u: np.ndarray) -> None:
        """Platform ties and taking part lift isolated residents out of isolation."""
        c = model.citizens
        isolated = (c.need_level[ISOLATION] > 0) & ~c.residential
        stay = (1.0 - self.tie_recovery) ** self.community_ties
        stay = stay * np.where(self.participant, 1.0 - self.participant_recovery, 1.0)
        out = np.flatnonzero(isolated & (u < 1.0 - stay))
        self.helped[out[self.participant[out]]] = True
        self.recovered = int(out.size)
        model.close_needs(ISOLATION, out)

    def volunteer_target(self, week: int) -> int:
        """Volunteers active this week: the base at launch, shrinking at the declared rate."""
        years = (week - self.launch_week) / WEEKS_PER_YEAR
        return round(self.volunteers_at_launch * (1.0 - self.volunteer_decline) ** years)

    def _volunteers(self, model: WelfareModel, week: int, u: np.ndarray) -> None:
        """Keep the volunteer base at its target: drop the surplus, recruit after deaths."""
        c = model.citizens
        eligible = ((c.age_band >= ADULT_BAND) & (c.age_band <= VOLUNTEER_MAX_BAND)
                    & ~c.residential & (c.need_level[CARE] == 0))
        self.volunteer &= ~c.residential
        target = self.volunteer_target(week)
        current = np.flatnonzero(self.volunteer)
        if current.size > target:
            drop = current[np.argsort(-u[current], kind="stable")[: current.size - target]]
            self.volunteer[drop] = False
        elif current.size < target:
            pool = np.flatnonzero(eligible & ~self.volunteer)
            take = pool[np.argsort(u[pool], kind="stable")[: target - current.size]]
            self.volunteer[take] = True

    def _peer_help(self, model: WelfareModel, activity: float, u: np.ndarray) -> None:
        """Route participants' light needs to volunteers and helpers, isolated first."""
        c = model.citizens
        capacity = activity * (self.volunteer.sum() * self.volunteer_hours
                               + self.helper.sum() * self.helper_hours)
        self.peer_capacity = float(capacity)
        level = c.need_level[CARE]
        light = (self.participant & (level > 0) & (level <= self.max_care_level)
                 & (c.status[CARE] != SERVED))
        care_who = np.flatnonzero(light)
        alone = c.living_alone[care_who].astype(np.intp)
        gap = self.met_share * self.level_hours[level[care_who]] - self.family_hours[alone]
        care_who, gap = care_who[gap > 0], gap[gap > 0]
        isolated = c.need_level[ISOLATION] > 0
        iso_who = np.flatnonzero(self.participant & isolated & (c.status[ISOLATION] != SERVED))
        who = np.r_[iso_who, care_who]
        hours = np.r_[np.full(iso_who.size, self.isolation_hours), gap]
        is_care = np.r_[np.zeros(iso_who.size, dtype=bool), np.ones(care_who.size, dtype=bool)]
        if who.size == 0 or capacity <= 0:
            return
        order = np.lexsort((u[who], ~isolated[who]))  # isolated residents first, then at random
        cum = np.cumsum(hours[order])
        served = order[cum <= capacity]
        care = who[served[is_care[served]]]
        self.care_hours[care] = hours[served[is_care[served]]]
        self.isolation_met[who[served[~is_care[served]]]] = True
        self.helped[who[served]] = True
        self.peer_hours = float(hours[served].sum())

    def _helpers(self, model: WelfareModel, u: np.ndarray) -> None:
        """Some participants who were helped become helpers themselves."""
        c = model.citizens
        can = (self.helped & self.participant & ~self.helper & ~self.volunteer
               & (c.need_level[CARE] <= self.max_care_level))
        new = can & (u < self.helper_conversion)
        self.helper |= new
        self.new_helpers = int(new.sum())

