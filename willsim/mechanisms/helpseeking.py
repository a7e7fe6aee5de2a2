"""Help-seeking on demand: whether, and when in the week, a need becomes a request.

A resident with an unexpressed need asks at the social office at a weekly rate

    ask_rate[d] x severity x aware x trust x (1 - stigma[d]) x access

where ``aware`` is 0 or 1 (knows the service and how to ask), ``access`` falls with distance to
the desk and for frail people living alone. Non-take-up emerges: unaware, distrustful, distant or
stigmatised residents keep their needs latent. One uniform per resident and domain is drawn every
week from the ``helpseeking`` stream; for those who ask, ``u / p`` (uniform given ``u < p``) places
the request within the week, so arrivals are a Poisson process in continuous time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, LATENT, QUEUED, REFUSED
from willsim.mechanisms.base import Mechanism, PolicyType, Read
from willsim.params import DOMAINS
from willsim.rng import chance
from willsim.units import weekly_probability

if TYPE_CHECKING:
    from willsim.model import WelfareModel

FRAIL_LEVEL = 3  # care level (32+ hours a week) from which getting to the desk is hard alone
REFERENCE_CARE_HOURS = 16.0


class HelpSeeking(Mechanism):
    """Turns latent needs into requests at the office (welfare on demand)."""

    name = "helpseeking"
    label = ("help-seeking", "richiesta di aiuto")
    streams = ("helpseeking",)
    levers = ("helpseeking", "shock")
    publishes = ("requests", "propensity", "access")
    reads = (Read("office.submit", lag=None),)
    policies = (
        PolicyType(
            "information",
            ("helpseeking",),
            "Information campaigns: awareness, asking.",
            "Campagne informative: conoscenza dei servizi e propensione a chiedere.",
        ),
    )
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "request": (
            "Filed a request at the social office ({domain})",
            "Presenta una domanda allo sportello sociale ({domain})",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "asking": (
            "help-seeking: asking rate x severity x awareness x trust x access",
            "richiesta di aiuto: propensione x gravità x conoscenza x fiducia x accesso",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.decay_km = p["helpseeking.distance_decay_km"]
        self.requests = np.zeros(len(DOMAINS), dtype=np.int64)
        hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.care_severity = np.sqrt(hours / REFERENCE_CARE_HOURS)
        self.enabled = p["office.exogenous_requests"] <= 0
        self.desk_base = np.exp(-model.citizens.distance_km / self.decay_km)  # distance is fixed
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        """Levers: asking rates and stigma (information campaigns); offices closed by a shock."""
        p = model.params
        self.rate = p.weekly("helpseeking.ask_rate") * (1.0 - p.array("helpseeking.stigma"))
        self.reapply_after = p.weekly("helpseeking.reapply_after")
        self.frail_access = p["helpseeking.frail_access"]
        closed = p["shock.pandemic_office_access"] if p["shock.pandemic"] else 1.0
        self.desk = self.desk_base * closed if closed != 1.0 else self.desk_base

    def access(self, model: WelfareModel, who: np.ndarray) -> np.ndarray:
        """Ease of reaching the desk for residents ``who`` (office hours, distance, frailty)."""
        c = model.citizens
        frail = c.living_alone[who] & (c.need_level[CARE][who] >= FRAIL_LEVEL)
        desk = self.desk[who]
        return np.where(frail, desk * self.frail_access, desk)

    def propensity(self, model: WelfareModel, domain: np.ndarray, who: np.ndarray) -> np.ndarray:
        """Weekly asking rate of residents ``who`` for needs in ``domain`` (paired arrays)."""
        c = model.citizens
        rate = self.rate[domain] * (c.aware[who] * c.trust[who] * self.access(model, who))
        care = domain == CARE
        rate[care] *= self.care_severity[c.need_level[CARE][who[care]]]
        return rate

    def step(self, model: WelfareModel, week: int) -> None:
        c = model.citizens
        u = model.streams["helpseeking"].random((len(DOMAINS), c.n), dtype=np.float32)
        self.requests[:] = 0
        if not self.enabled:
            return
        # latent needs, and refused ones once ``reapply_after`` has passed, outside care homes
        # (flat positions: domain by domain, residents in order)
        status = c.status.ravel()
        cand = np.flatnonzero((status == LATENT) | (status == REFUSED))
        domain, who = np.divmod(cand, c.n)
        can_ask = status[cand] == LATENT
        refused = np.flatnonzero(~can_ask)
        can_ask[refused] = week - c.status_since.ravel()[cand[refused]] >= self.reapply_after
        can_ask &= ~c.residential[who]
        flat, domain, who = cand[can_ask], domain[can_ask], who[can_ask]
        p = weekly_probability(self.propensity(model, domain, who))  # of asking this week
        expected = float(p.sum(dtype=np.float64))  # a sample's office adds shadow requests
        draw = u.ravel()[flat]
        asks = chance(draw, p)
        domain, who, p, draw = domain[asks], who[asks], p[asks], draw[asks]
        times = week + np.minimum(draw / p, 1.0 - 1e-9)  # uniform within the week
        self.requests[:] = np.bincount(domain, minlength=len(DOMAINS))
        c.requested[domain, who] = True
        model.collector.note_requests(domain, who)  # yearly take-up, even if the need ends
        c.status[domain, who] = QUEUED
        c.status_since[domain, who] = times
        model.office.submit(times, who, domain, expected=expected)
