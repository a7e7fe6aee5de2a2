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
* **peer help** — light needs of participants are routed to volunteers and helpers within their
  weekly hours, isolated participants first: isolation, and care needs up to
  ``community.max_care_level`` for the hours their family does not cover, when those are at
  most ``community.max_peer_hours`` a week. Heavier care is never taken on;
* **helpers** — some participants who were helped become helpers and give hours in turn;
* **volunteers** — the volunteer base shrinks at ``community.volunteer_decline`` a year.

Only the residents who could ever take part (interested at launch, seeded participants and
residents with platform ties: the *pool*) are looked at each week, so the cost scales with the
pool, not the city. The number of participating ties of every resident is kept up to date as
residents join and leave. The municipality pays the running cost of the channels every week
(reserved like outreach). All randomness comes from the ``community`` stream, and nothing is
drawn while the platform is off, so a run without it is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, SERVED, WORK, tie_ranges
from willsim.mechanisms.base import AddEvent, Mechanism, PolicyType, SpendingItem
from willsim.mechanisms.coverage import Coverage
from willsim.outputs import Indicator, P, Total
from willsim.units import WEEKS_PER_YEAR, weekly_probability

if TYPE_CHECKING:
    from willsim.citizens import Citizens
    from willsim.model import WelfareModel

ADULT_BAND = 1  # 15-29 and above can take part
VOLUNTEER_MAX_BAND = 3  # volunteers are 15-74
LIGHT_CARE = 1  # helpers have at most a light care need themselves
RECRUIT_TRIES = 20  # rounds of random candidates before recruiting from a full scan


def _hazard(rate_per_year: np.ndarray | float) -> np.ndarray:
    """Weekly probability of an event with a yearly Poisson rate."""
    return weekly_probability(rate_per_year, "events/year")


class Community(Mechanism):
    """Participation with network effects, platform ties, peer help, helpers and volunteers."""

    name = "community"
    label = ("community", "comunità")
    streams = ("community",)
    levers = ("community",)
    spending = (
        SpendingItem(
            "community",
            "Community platform spending",
            "Spesa per la piattaforma di comunità",
            "Municipal spending on running the community platform (places, digital space).",
        ),
    )
    publishes = (
        "care_hours",
        "isolation_met",
        "helped",
        "participant",
        "volunteer",
        "helper",
        "ties_made",
        "peer_hours",
        "enabled",
    )
    care_hours_kind = "informal"
    meets = (ISOLATION,)
    policies = (
        PolicyType(
            "community",
            ("community",),
            "A community platform: groups, activities and neighbourly help create ties among "
            "isolated residents; volunteers and peers meet light needs.",
            "Una piattaforma di comunità: gruppi, attività e vicinato creano legami tra le "
            "persone isolate; volontari e pari rispondono ai bisogni leggeri.",
            switch="community.enabled",
        ),
    )
    indicators = (
        Indicator(
            "community_participants",
            "Community participants",
            "Partecipanti alla comunità",
            "persons",
            "Residents taking part in the community platform (groups, activities).",
            Total(P("community.participant", "count")),
        ),
        Indicator(
            "community_volunteers",
            "Community volunteers",
            "Volontari della comunità",
            "persons",
            "Volunteers giving peer help through the community platform (helpers excluded).",
            Total(P("community.volunteer", "count")),
        ),
        Indicator(
            "community_helpers",
            "Beneficiaries turned helpers",
            "Beneficiari diventati volontari",
            "persons",
            "Participants who were helped and now help others in turn.",
            Total(P("community.helper", "count")),
        ),
        Indicator(
            "community_ties_made",
            "Ties made in the community",
            "Legami creati nella comunità",
            "ties/week",
            "New ties between participants made through the platform.",
            Total(P("community.ties_made")),
            summary="sum",
        ),
        Indicator(
            "peer_help_hours",
            "Peer help hours",
            "Ore di aiuto tra pari",
            "hours/week",
            "Hours of volunteers and helpers meeting light needs (isolation, light care).",
            Total(P("community.peer_hours")),
        ),
    )
    journey_fields: ClassVar[dict[str, float]] = {
        "participant": 0.0,
        "care_hours": 0.0,
        "isolation_met": 0.0,
    }
    journey_need_rules: ClassVar[dict[str, str]] = {"need_ended": "community_ties"}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "community_joined": (
            "Joined the community platform",
            "Entra nella piattaforma di comunità",
        ),
        "community_left": ("Left the community platform", "Lascia la piattaforma di comunità"),
        "peer_help": (
            "Helped by peers and volunteers ({domain})",
            "Aiutato da pari e volontari ({domain})",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "community_join": (
            "community: joins with interest, access and the network effect",
            "comunità: entra per interesse, accesso ed effetto rete",
        ),
        "community_leave": (
            "community: drop-out, lower where participation is high",
            "comunità: abbandono, minore dove la partecipazione è alta",
        ),
        "community_ties": (
            "community: platform ties and taking part lift isolation",
            "comunità: i legami e la partecipazione fanno uscire dall'isolamento",
        ),
        "peer_help": (
            "community: light needs met by volunteers and helpers, isolated first",
            "comunità: bisogni leggeri coperti da volontari e aiutanti, prima gli isolati",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        c = model.citizens
        n = c.n
        self.participant = np.zeros(n, dtype=bool)
        self.volunteer = np.zeros(n, dtype=bool)
        self.helper = np.zeros(n, dtype=bool)
        self.helped = np.zeros(n, dtype=bool)  # received peer help or left isolation on it
        self.community_ties = np.zeros(n, dtype=np.int32)
        self.care_hours = np.zeros(n)  # peer hours towards care needs this week (read by coverage)
        self.isolation_met = np.zeros(n, dtype=bool)  # isolation met by peers this week
        self.tie_part = np.zeros(n, dtype=np.int32)  # ties (with multiplicity) taking part
        self.interest_u: np.ndarray | None = None  # drawn at launch
        self.pool = np.empty(0, dtype=np.intp)  # residents who could ever take part
        self._pool_interested = np.empty(0, dtype=bool)
        self._district = c.district.astype(np.intp)
        self._others: np.ndarray | None = None  # last week's children and residential care
        self._others_d = np.zeros(0, dtype=np.int64)  # their count per district
        self._volunteers_idx = np.empty(0, dtype=np.intp)
        self._care_idx = np.empty(0, dtype=np.intp)  # residents given peer care this week
        self._iso_idx = np.empty(0, dtype=np.intp)  # residents whose isolation peers met
        self.launch_week = -1
        self.volunteers_at_launch = 0.0
        self._clear_week()
        self.ties_made_total = 0
        self.districts = int(c.district.max()) + 1 if n else 1
        self.residents_d = np.bincount(c.district, minlength=self.districts)
        p = model.params
        self.level_hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.family_hours = p.array("services.informal_hours")  # [with others, alone]
        self.met_share = p["services.care_met_share"]
        self.configure(model)

    def _clear_week(self) -> None:
        self.joined = self.left = self.ties_made = self.recovered = self.new_helpers = 0
        self.peer_hours = 0.0
        self.care_peer_hours = 0.0
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
        self.volunteers_base = (
            p["community.volunteers_per_1000"] * p["community.volunteer_active_share"] * per_1000
        )
        self.volunteer_hours = p["community.volunteer_hours"]
        self.volunteer_decline = p["community.volunteer_decline"]
        self.helper_conversion = p.weekly("community.helper_conversion")
        self.helper_hours = p["community.helper_hours"]
        self.isolation_hours = p["community.isolation_hours"]
        self.max_care_level = int(p["community.max_care_level"])
        self.max_peer_hours = p["community.max_peer_hours"]
        if self.launch_week >= 0:
            self._refresh_pool()

    # --- participation bookkeeping ---------------------------------------------------------------

    def _refresh_pool(self) -> None:
        """Residents who could take part or still feel the platform: interested, in, or tied."""
        assert self.interest_u is not None
        interested = self.interest_u < self.interest
        self.pool = np.flatnonzero(interested | self.participant | (self.community_ties > 0))
        self._pool_interested = interested[self.pool]

    def _set_participation(self, c: Citizens, idx: np.ndarray, joining: bool) -> None:
        """Residents ``idx`` join (or leave); their ties' counts of participating ties follow."""
        if idx.size == 0:
            return
        self.participant[idx] = joining
        ties = c.tie_idx[tie_ranges(c.tie_ptr[idx], c.tie_ptr[idx + 1])]
        np.add.at(self.tie_part, ties, np.int32(1 if joining else -1))  # typed: fast path
        if not joining:
            self.helper[idx] = False

    # --- the week ------------------------------------------------------------------------------

    def step(self, model: WelfareModel, week: int) -> None:
        self._clear_week()
        self.care_hours[self._care_idx] = 0.0
        self.isolation_met[self._iso_idx] = False
        self._care_idx = self._iso_idx = np.empty(0, dtype=np.intp)
        if not self.enabled:
            return
        c, rng = model.citizens, model.streams["community"]
        if self.launch_week < 0:
            self._launch(model, week, rng)
        paid = model.municipality.pay("community", self.weekly_cost)
        self.cost_week = paid
        activity = paid / self.weekly_cost if self.weekly_cost > 0 else 1.0
        pool = self.pool
        part = self.participant[pool]
        members = pool[part]
        gone = ~self._is_adult(c, members)  # moved to residential care
        if gone.any():
            self._set_participation(c, members[gone], False)
            part[np.searchsorted(pool, members[gone])] = False
        ties = self.community_ties[pool]
        lapsing = pool[self._lapses(ties, rng)]  # drawn before this week's new ties
        part = self._join_and_leave(model, part, activity, rng)
        members = pool[part]
        self._make_ties(model, members, activity, rng)
        np.subtract.at(self.community_ties, lapsing, np.int32(1))
        has_ties = ties > 0
        self._isolation(model, pool[part | has_ties], rng)
        self._volunteers(model, week, rng)
        self._peer_help(model, members, activity, rng)
        self._helpers(model, members, rng)

    def _launch(self, model: WelfareModel, week: int, rng: np.random.Generator) -> None:
        """Draw who is interested and the initial participants when the platform opens."""
        c = model.citizens
        self.launch_week = week
        self.interest_u = rng.random(c.n)
        start = rng.random(c.n)
        adult = (c.age_band >= ADULT_BAND) & ~c.residential
        self._set_participation(
            c, np.flatnonzero(adult & self.access(model) & (start < self.seed_share)), True
        )
        self.volunteers_at_launch = self.volunteers_base
        self._refresh_pool()

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` died and are replaced by newcomers, who start afresh."""
        self._set_participation(model.citizens, idx[self.participant[idx]], False)
        for flags in (self.volunteer, self.helper, self.helped):
            flags[idx] = False
        self.community_ties[idx] = 0

    def access(self, model: WelfareModel, idx: np.ndarray | None = None) -> np.ndarray:
        """Who (of ``idx``, default everyone) can reach the platform through its channel(s)."""
        c = model.citizens
        who = slice(None) if idx is None else idx
        if self.channel == "digital":
            return c.digital[who].copy()
        return np.ones(c.n if idx is None else idx.size, dtype=bool)

    def district_share(self, model: WelfareModel, members: np.ndarray | None = None) -> np.ndarray:
        """Per district, the share of adults (15+, not in residential care) taking part."""
        c = model.citizens
        others = c.age_band < ADULT_BAND  # children, or in residential care
        others |= c.residential
        if self._others is None:
            self._others_d = np.bincount(self._district[others], minlength=self.districts)
        else:  # update last week's counts with the residents whose status changed
            changed = np.flatnonzero(others != self._others)
            if changed.size:
                self._others_d = self._others_d + np.bincount(
                    self._district[changed],
                    weights=np.where(others[changed], 1, -1),
                    minlength=self.districts,
                ).astype(np.int64)
        self._others = others
        adults_d = self.residents_d - self._others_d
        if members is None:
            members = self.pool[self.participant[self.pool]]
        part_d = np.bincount(self._district[members], minlength=self.districts)
        return np.divide(part_d, adults_d, out=np.zeros(self.districts), where=adults_d > 0)

    def _exposure(self, model: WelfareModel, who: np.ndarray, share_d: np.ndarray) -> np.ndarray:
        degree = model.citizens.degree[who]
        district_share = share_d[self._district[who]]
        tie_share = np.divide(
            self.tie_part[who], degree, out=district_share.copy(), where=degree > 0
        )
        return self.tie_weight * tie_share + (1 - self.tie_weight) * district_share

    def _lapses(self, ties: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Ties lapsing this week out of ``ties`` per resident, each with probability
        ``tie_decay``: a binomial total spread over the ties at random (the same law as one
        binomial per resident, at a fraction of the cost). The owner (index into ``ties``) of
        each lapsing tie; an owner appears once per tie lost."""
        total = int(ties.sum())
        lost = int(rng.binomial(total, self.tie_decay)) if total else 0
        if lost == 0:
            return np.empty(0, dtype=np.intp)
        units = rng.choice(total, lost, replace=False)
        return np.searchsorted(np.cumsum(ties), units, side="right")

    @staticmethod
    def _is_adult(c: Citizens, who: np.ndarray) -> np.ndarray:
        return (c.age_band[who] >= ADULT_BAND) & ~c.residential[who]

    def _join_and_leave(
        self, model: WelfareModel, part: np.ndarray, activity: float, rng: np.random.Generator
    ) -> np.ndarray:
        """Participants leave, interested adults with access join. ``part`` and the result flag
        the participants among the pool, before and after.

        Joining probabilities have an upper bound ``p`` (exposure is at most 1, the district
        share at most the largest): a binomial number of the pool outside the platform, chosen
        at random, is under ``p``, and each of them joins with probability (own rate) / ``p`` —
        the same law as one uniform number each, computed only for a few.
        """
        c, pool = model.citizens, self.pool
        members = pool[part]
        share_d = self.district_share(model, members)
        leave_p = _hazard(
            self.leave_floor + self.leave_rate * self.critical_mass / (self.critical_mass + share_d)
        )
        stays = rng.random(members.size, dtype=np.float32) >= leave_p[self._district[members]]
        bound = _hazard(
            activity
            * max(self.isolated_join, 1.0)
            * (
                self.base_join * (1.0 + max(self.aware_join, 0.0))
                + self.network_effect * (self.tie_weight + (1 - self.tie_weight) * share_d.max())
            )
        )
        outside = np.flatnonzero(~part & self._pool_interested)  # positions in the pool
        count = int(rng.binomial(outside.size, bound)) if bound > 0 else 0
        pick = np.sort(outside[rng.choice(outside.size, count, replace=False)])
        who = pool[pick]
        can = self._is_adult(c, who)
        if self.channel == "digital":
            can &= c.digital[who]
        pick, who = pick[can], who[can]
        exposure = self._exposure(model, who, share_d)
        isolated = c.need_level[ISOLATION][who] > 0
        rate = (
            activity
            * np.where(isolated, self.isolated_join, 1.0)
            * (
                self.base_join * (1.0 + self.aware_join * c.aware[who])
                + self.network_effect * exposure
            )
        )
        join = rng.random(who.size) * bound < _hazard(rate)
        joins = who[join]
        leaves = members[~stays]
        self._set_participation(c, leaves, False)
        self._set_participation(c, joins, True)
        self.joined, self.left = int(joins.size), int(leaves.size)
        after = part.copy()
        after[part] = stays
        after[pick[join]] = True
        return after

    def _make_ties(
        self, model: WelfareModel, members: np.ndarray, activity: float, rng: np.random.Generator
    ) -> None:
        """Participants meet another participant of their district in a group or activity."""
        c = model.citizens
        if members.size < 2:
            return
        u = rng.random(members.size, dtype=np.float32)
        makers = members[u < _hazard(activity * self.ties_per_year)]
        if makers.size == 0:
            return
        v = rng.random(makers.size, dtype=np.float32)
        order = members[np.argsort(c.district[members], kind="stable")]
        counts = np.bincount(c.district[order], minlength=self.districts)
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        d = c.district[makers]
        pick = np.minimum((v * counts[d]).astype(np.int64), counts[d] - 1)
        partners = order[starts[d] + pick]
        ok = (counts[d] > 1) & (partners != makers)
        makers, partners = makers[ok], partners[ok]
        self.community_ties[makers] += 1  # makers are distinct
        np.add.at(self.community_ties, partners, np.int32(1))
        self.ties_made = int(makers.size)
        self.ties_made_total += self.ties_made

    def _isolation(
        self, model: WelfareModel, touched: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Platform ties and taking part lift isolated residents out of isolation.

        ``touched``: participants and residents with platform ties (nobody else is affected).
        """
        c = model.citizens
        who = touched[(c.need_level[ISOLATION][touched] > 0) & ~c.residential[touched]]
        stay = (1.0 - self.tie_recovery) ** self.community_ties[who]
        stay = stay * np.where(self.participant[who], 1.0 - self.participant_recovery, 1.0)
        affected = stay < 1.0
        who, stay = who[affected], stay[affected]
        out = who[rng.random(who.size, dtype=np.float32) < 1.0 - stay]
        self.helped[out[self.participant[out]]] = True
        self.recovered = int(out.size)
        model.close_needs(ISOLATION, out)

    def volunteer_target(self, week: int) -> int:
        """Volunteers active this week: the base at launch, shrinking at the declared rate."""
        years = (week - self.launch_week) / WEEKS_PER_YEAR
        return round(self.volunteers_at_launch * (1.0 - self.volunteer_decline) ** years)

    @staticmethod
    def _can_volunteer(c: Citizens, idx: np.ndarray) -> np.ndarray:
        return (
            (c.age_band[idx] >= ADULT_BAND)
            & (c.age_band[idx] <= VOLUNTEER_MAX_BAND)
            & ~c.residential[idx]
            & (c.need_level[CARE][idx] == 0)
        )

    def _volunteers(self, model: WelfareModel, week: int, rng: np.random.Generator) -> None:
        """Keep the volunteer base at its target: drop the surplus, recruit after deaths."""
        c = model.citizens
        current = self._volunteers_idx
        current = current[self.volunteer[current]]  # deaths cleared the flag
        gone = current[c.residential[current]]
        self.volunteer[gone] = False
        current = current[~c.residential[current]]
        target = self.volunteer_target(week)
        if current.size > target:
            keep = np.sort(rng.choice(current.size, target, replace=False))
            self.volunteer[current] = False
            current = current[keep]
            self.volunteer[current] = True
        elif current.size < target:
            new = self._recruit(c, target - current.size, rng)
            current = np.r_[current, new]
        self._volunteers_idx = current

    def _recruit(self, c: Citizens, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` residents chosen at random among those who can volunteer and do not yet."""
        taken: list[np.ndarray] = []
        for _ in range(RECRUIT_TRIES):
            draw = rng.integers(0, c.n, 2 * count + 16)
            _, first = np.unique(draw, return_index=True)
            draw = draw[np.sort(first)]  # distinct, in random order
            draw = draw[self._can_volunteer(c, draw) & ~self.volunteer[draw]][:count]
            self.volunteer[draw] = True
            taken.append(draw)
            count -= draw.size
            if count == 0:
                return np.concatenate(taken)
        pool = np.flatnonzero(~self.volunteer)  # few can volunteer: choose from all of them
        pool = pool[self._can_volunteer(c, pool)]
        draw = pool[rng.permutation(pool.size)[:count]]
        self.volunteer[draw] = True
        taken.append(draw)
        return np.concatenate(taken)

    def care_gap(self, model: WelfareModel, who: np.ndarray) -> np.ndarray:
        """Hours peers would give to the care needs of ``who``: 0 unless the need is light.

        Light: level 1..``max_care_level``, not served formally, and the hours family leaves
        uncovered (``care_met_share`` of the need's hours less family hours) are positive and at
        most ``max_peer_hours`` a week.
        """
        c = model.citizens
        level = c.need_level[CARE][who]
        coverage = model.mechanisms.get("coverage")
        if isinstance(coverage, Coverage):  # no family hours for the kinless living alone
            family = coverage.family_hours_for(model, who)
        else:
            family = self.family_hours[c.living_alone[who].astype(np.intp)]
        gap = self.met_share * self.level_hours[level] - family
        light = (
            (level > 0)
            & (level <= self.max_care_level)
            & (c.status[CARE][who] != SERVED)
            & (gap > 0)
            & (gap <= self.max_peer_hours)
        )
        return np.where(light, gap, 0.0)

    def _peer_help(
        self, model: WelfareModel, members: np.ndarray, activity: float, rng: np.random.Generator
    ) -> None:
        """Route participants' light needs to volunteers and helpers, isolated first."""
        c = model.citizens
        capacity = activity * (
            self._volunteers_idx.size * self.volunteer_hours
            + np.count_nonzero(self.helper[members]) * self.helper_hours
        )
        self.peer_capacity = float(capacity)
        gap = self.care_gap(model, members)
        care_who, gap = members[gap > 0], gap[gap > 0]
        isolated = c.need_level[ISOLATION][members] > 0
        iso_who = members[isolated & (c.status[ISOLATION][members] != SERVED)]
        who = np.r_[iso_who, care_who]
        hours = np.r_[np.full(iso_who.size, self.isolation_hours), gap]
        is_care = np.r_[np.zeros(iso_who.size, dtype=bool), np.ones(care_who.size, dtype=bool)]
        if who.size == 0 or capacity <= 0:
            return
        u = rng.random(who.size, dtype=np.float32)
        first = c.need_level[ISOLATION][who] > 0
        order = np.lexsort((u, ~first))  # isolated residents first, then at random
        cum = np.cumsum(hours[order])
        served = order[cum <= capacity]
        care = served[is_care[served]]
        self._care_idx = who[care]
        self.care_hours[self._care_idx] = hours[care]
        self._iso_idx = who[served[~is_care[served]]]
        self.isolation_met[self._iso_idx] = True
        self.helped[who[served]] = True
        self.peer_hours = float(hours[served].sum())
        self.care_peer_hours = float(hours[care].sum())

    def _helpers(self, model: WelfareModel, members: np.ndarray, rng: np.random.Generator) -> None:
        """Some participants who were helped become helpers themselves."""
        c = model.citizens
        can = members[
            self.helped[members]
            & ~self.helper[members]
            & ~self.volunteer[members]
            & (c.need_level[CARE][members] <= LIGHT_CARE)
        ]
        new = can[rng.random(can.size, dtype=np.float32) < self.helper_conversion]
        self.helper[new] = True
        self.new_helpers = int(new.size)

    # --- coverage and journey ---------------------------------------------------------------

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Peer hours given this week to the care needs of ``idx``."""
        return self.care_hours[idx]

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        """Isolation met by peers this week."""
        return self.isolation_met

    def has_helped(self, model: WelfareModel, domain: int, idx: np.ndarray) -> np.ndarray | None:
        """Participants given peer help, or who left isolation on it (not for work needs)."""
        return self.helped[idx] if self.enabled and domain != WORK else None

    def has_run(self) -> bool:
        return self.launch_week >= 0

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled and self.launch_week < 0

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Joining, leaving and peer help."""
        from willsim.journal import Event

        name = self.name
        was, now = old["participant"] > 0, new["participant"] > 0
        for p in np.flatnonzero(now & ~was):
            add(p, Event(week, name, int(who[p]), "community_joined", rule="community_join"))
        for p in np.flatnonzero(was & ~now):
            add(p, Event(week, name, int(who[p]), "community_left", rule="community_leave"))
        for key, d in (("care_hours", CARE), ("isolation_met", ISOLATION)):
            for p in np.flatnonzero((new[key] > 0) & ~(old[key] > 0)):
                add(p, Event(week, name, int(who[p]), "peer_help", d, rule="peer_help"))
