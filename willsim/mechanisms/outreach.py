"""Proactive welfare ("welfare di iniziativa"): outreach finds needs before they become requests.

Each week outreach workers contact as many residents as their hours allow, chosen by a targeting
rule: at random; by a risk score from the data a municipality has (age, living alone, income
band, past crises: not the needs themselves, which it cannot see); or through community antennas,
the best-connected residents (neighbourhood sentinels, shopkeepers, pharmacists), who notice
needs without help among their ties, each week with a probability per domain (care and isolation
show more than work), and report them: workers contact the reported residents first and, with
hours left, other ties of antennas at random. In a contacted resident the information registers
with probability ``inform_effect`` (they learn about the services); the newly informed pass it
on by word of mouth, in a cascade through the network. With ``take_charge`` on, the worker also
helps with the application: a resident who accepts has a request filed for each need without
help that passes the means test (the worker pre-screens the ISEE, as the trial's letters went
to likely-eligible people). The request then goes through the social office like any other:
it queues for a social worker's assessment, is means-tested, and joins the waiting list for a
service. Outreach is paid from the municipal budget; the assessments it generates use the
office's staff time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import LATENT, QUEUED, REFUSED, tie_ranges
from willsim.mechanisms.base import AddEvent, Mechanism, PolicyType, Read, SpendingItem
from willsim.outputs import Indicator, P, Total
from willsim.params import DOMAINS

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_AGE = 4  # age bands 75-84 and above weigh most in the risk score
MAX_CASCADE_ROUNDS = 50
MAX_RISK = 6  # highest value of the risk score


def risk_levels(model: WelfareModel) -> np.ndarray:
    """What the municipality can know, as an int8 score 0..6 per resident: 65+, 75+, living
    alone, income band at most working poor (1 point each) and a past crisis (2 points)."""
    c = model.citizens
    score = (c.age_band >= 3).astype(np.int8)
    score += c.age_band >= OLD_AGE
    score += c.living_alone
    score += c.income_band <= 1
    score += 2 * (c.crises > 0)
    return score


class Outreach(Mechanism):
    """Screening by outreach workers, word of mouth, and direct taking in charge."""

    name = "outreach"
    label = ("outreach", "prossimità")
    streams = ("outreach",)
    levers = ("outreach", "eligibility")
    spending = (
        SpendingItem(
            "outreach",
            "Outreach spending",
            "Spesa per la prossimità",
            "Municipal spending on outreach workers (proactive welfare).",
        ),
    )
    publishes = ("contacts", "informed", "taken_in_charge", "reported", "last_contact")
    reads = (Read("office.submit", lag=None),)  # assisted requests are filed at the office
    policies = (
        PolicyType(
            "outreach",
            ("outreach",),
            "Proactive welfare: outreach workers screen residents and take found needs in charge.",
            "Welfare di iniziativa: operatori di prossimità individuano i bisogni e "
            "li prendono in carico.",
            switch="outreach.enabled",
        ),
    )
    indicators = (
        Indicator(
            "outreach_contacts",
            "Outreach contacts",
            "Contatti di prossimità",
            "persons/week",
            "Residents contacted by outreach workers.",
            Total(P("outreach.contacts")),
            summary="sum",
        ),
        Indicator(
            "proactive_takeups",
            "Needs taken in charge proactively",
            "Bisogni presi in carico d'iniziativa",
            "needs/week",
            "Needs found by outreach for which the worker filed a request with the resident "
            "(pre-screened on the means test; assessed by the office like any request).",
            Total(P("outreach.taken_in_charge")),
            summary="sum",
        ),
        Indicator(
            "informed_residents",
            "Residents newly informed",
            "Residenti informati",
            "persons/week",
            "Residents who learned about the services from outreach or word of mouth.",
            Total(P("outreach.informed")),
            summary="sum",
        ),
    )
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "contacted": (
            "Contacted by an outreach worker",
            "Contattato da un operatore di prossimità",
        ),
        "taken_in_charge": (
            "Request filed with an outreach worker's help ({domain})",
            "Domanda presentata con l'aiuto di un operatore di prossimità ({domain})",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "outreach_contact": (
            "outreach: chosen by the targeting rule (outreach.targeting)",
            "prossimità: scelto dal criterio di selezione (outreach.targeting)",
        ),
        "outreach_inform": (
            "outreach: the information registered (outreach.inform_effect)",
            "prossimità: l'informazione è stata recepita (outreach.inform_effect)",
        ),
        "word_of_mouth": (
            "outreach: word of mouth from an informed tie (outreach.word_of_mouth)",
            "prossimità: passaparola da un contatto informato (outreach.word_of_mouth)",
        ),
        "outreach_assess": (
            "outreach: need found, help accepted, ISEE pre-screened: request filed at the office",
            "prossimità: bisogno trovato, aiuto accettato, ISEE verificato: domanda presentata "
            "allo sportello",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        c = model.citizens
        self.last_contact = np.full(c.n, -(10**6), dtype=np.int32)
        k = max(1, round(model.params["outreach.antenna_share"] * c.n))
        self.antennas = np.argsort(-c.degree, kind="stable")[:k]
        # residents antennas watch over, and by how many antennas (ties are fixed: computed once)
        ties = c.tie_idx[tie_ranges(c.tie_ptr[self.antennas], c.tie_ptr[self.antennas + 1])]
        watchers = np.bincount(ties, minlength=c.n)
        self.near_antenna = watchers > 0
        self.watched = np.flatnonzero(self.near_antenna)
        self.watchers = watchers[self.watched].astype(float)
        self.reported = 0
        self.contacts = 0
        self.informed = 0
        self.taken_in_charge = 0
        self.cost_week = 0.0
        self.configure(model)

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        self.last_contact[idx] = -(10**6)

    def configure(self, model: WelfareModel) -> None:
        p = model.params
        self.enabled = bool(p["outreach.enabled"])
        hours = p["outreach.hours_per_1000"] * model.citizens.n / 1000.0
        self.contacts_per_week = hours / p["outreach.hours_per_contact"]
        self.weekly_cost = hours * p["outreach.hour_cost"] if self.enabled else 0.0
        self.targeting = p["outreach.targeting"]
        self.take_charge = bool(p["outreach.take_charge"])
        self.accept = p["outreach.accept"]
        self.trust_gain = p["outreach.trust_gain"]
        self.inform_effect = p["outreach.inform_effect"]
        self.word_of_mouth = p["outreach.word_of_mouth"]
        self.unnoticed = 1.0 - p.weekly("outreach.antenna_notice")  # per domain, per antenna
        self.rescreen_after = p.weekly("outreach.rescreen_after")
        self.isee_max = p.array("eligibility.isee_max")
        model.municipality.fixed_costs["outreach"] = self.weekly_cost

    def step(self, model: WelfareModel, week: int) -> None:
        self.contacts = self.informed = self.taken_in_charge = self.reported = 0
        self.cost_week = 0.0
        if not self.enabled:
            return
        rng = model.streams["outreach"]
        budget_share = model.municipality.pay("outreach", self.weekly_cost)
        self.cost_week = budget_share
        affordable = budget_share / self.weekly_cost if self.weekly_cost > 0 else 0.0
        expected = self.contacts_per_week * affordable
        count = int(expected) + int(rng.random() < expected - int(expected))
        who = self.choose(model, count, week, rng)
        self.contacts = who.size
        self.last_contact[who] = week
        self.inform(model, who, rng)
        if self.take_charge:
            self.assist(model, who, week, rng)

    def choose(
        self, model: WelfareModel, count: int, week: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Residents to contact this week under the targeting rule (in contact order)."""
        c = model.citizens
        pool = week - self.last_contact >= self.rescreen_after  # not contacted recently
        pool &= ~c.residential
        if self.targeting == "antennas":
            pool &= self.near_antenna
        if count <= 0:
            return np.empty(0, dtype=np.intp)
        if self.targeting == "antennas":
            reported = self.reports(model, week, rng)
            self.reported = reported.size
            first = _sample(reported, count, rng)
            if first.size == count:
                return first
            pool[first] = False
            return np.r_[first, _sample(np.flatnonzero(pool), count - first.size, rng)]
        if self.targeting != "risk":
            return _sample(np.flatnonzero(pool), count, rng)
        # highest risk first, at random within a level: take whole levels from the top, then
        # a random sample of the level where the contacts run out
        score = np.where(pool, risk_levels(model), np.int8(-1))  # -1: outside the pool
        level, above = MAX_RISK, 0
        while level >= 0:
            at = int(np.count_nonzero(score == level))
            if above + at >= count:
                break
            above += at
            level -= 1
        near = np.flatnonzero(score >= max(level, 0))
        top = near[score[near] > level]
        if level >= 0:
            top = np.r_[top, _sample(near[score[near] == level], count - above, rng)]
        return top[np.lexsort((rng.random(top.size), -score[top]))]

    def reports(self, model: WelfareModel, week: int, rng: np.random.Generator) -> np.ndarray:
        """Ties of antennas reported this week: each antenna notices each need without help
        (latent, or refused on the means test) with the domain's weekly probability. Residents
        contacted within ``rescreen_after`` weeks are reported only for a need begun since."""
        c, w = model.citizens, self.watched
        status, last = c.status[:, w], self.last_contact[w]
        unmet = (status == LATENT) | (status == REFUSED)
        unmet &= (c.need_since[:, w] > last) | (week - last >= self.rescreen_after)
        unmet &= ~c.residential[w]
        has = np.flatnonzero(unmet.any(axis=0))
        # missed by all k antennas in every domain with a need: prod_d (1 - p_d) ** k
        missed = np.where(unmet[:, has], self.unnoticed[:, None], 1.0).prod(axis=0)
        missed **= self.watchers[has]
        return w[has[rng.random(has.size) >= missed]]

    def inform(
        self,
        model: WelfareModel,
        who: np.ndarray,
        rng: np.random.Generator,
        shielded: np.ndarray | None = None,
    ) -> None:
        """Residents ``who`` learn about the services and pass the word on through their ties.

        Word of mouth never reaches residents marked in the boolean mask ``shielded`` (a
        trial's participants: its arms are isolated, as in the real trial).
        """
        c = model.citizens
        c.trust[who] = np.minimum(c.trust[who] + self.trust_gain, 1.0)
        registers = rng.random(who.size) < self.inform_effect
        newly = who[registers & ~c.aware[who]]
        c.aware[newly] = True
        informed = newly.size
        for _ in range(MAX_CASCADE_ROUNDS):
            if newly.size == 0 or self.word_of_mouth <= 0:
                break
            starts, ends = c.tie_ptr[newly], c.tie_ptr[newly + 1]
            ties = c.tie_idx[tie_ranges(starts, ends)]
            told = ties[rng.random(ties.size) < self.word_of_mouth]
            if shielded is not None:
                told = told[~shielded[told]]
            newly = np.unique(told[~c.aware[told]])
            c.aware[newly] = True
            informed += newly.size
        self.informed = informed

    def assist(
        self, model: WelfareModel, who: np.ndarray, week: int, rng: np.random.Generator
    ) -> None:
        """Help with the application: residents ``who`` who accept have a request filed at the
        office, at a time within the week, for each need without help (latent, or refused
        before) that passes the means test. The office assesses it like any request."""
        c = model.citizens
        accept = rng.random(who.size) < self.accept
        times = week + np.minimum(rng.random(who.size), 1.0 - 1e-9)  # when the worker calls
        for d in range(len(DOMAINS)):
            status = c.status[d][who]
            found = ((status == LATENT) | (status == REFUSED)) & (c.isee[who] <= self.isee_max[d])
            filed = found & accept
            if not found.any():
                continue
            residents = who[filed]
            c.requested[d][residents] = True
            c.status[d][residents] = QUEUED
            c.status_since[d][residents] = times[filed]
            model.office.submit(
                times[filed],
                residents,
                np.full(residents.size, d, dtype=np.int8),
                expected=self.accept * float(np.count_nonzero(found)),
            )
            self.taken_in_charge += int(residents.size)

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Contacts, and residents who learned about the services (from a worker or a tie)."""
        from willsim.journal import Event

        contact = self.last_contact[who] == week
        for p in np.flatnonzero(contact):
            add(
                p,
                Event(
                    week,
                    self.name,
                    int(who[p]),
                    "contacted",
                    value=self.targeting,
                    rule="outreach_contact",
                ),
            )
        for p in np.flatnonzero(new["aware"] & ~old["aware"]):
            rule = "outreach_inform" if contact[p] else "word_of_mouth"
            add(p, Event(week, self.name, int(who[p]), "aware", rule=rule))


def _sample(candidates: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` of ``candidates`` (all if fewer) without replacement, in random order."""
    if count >= candidates.size:
        return candidates[rng.permutation(candidates.size)]
    return candidates[rng.choice(candidates.size, count, replace=False)]
