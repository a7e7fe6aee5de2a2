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
from willsim.mechanisms.draws import as_float32, below, draw_bits
from willsim.params import DOMAINS

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
        self._desk_max = float(self.desk.max()) if self.desk.size else 0.0

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
        # rng.random((3, n), dtype=np.float32) as 24-bit integers (see :mod:`draws`)
        u = draw_bits(model.streams["helpseeking"], (len(DOMAINS), c.n))
        self.requests[:] = 0
        if not self.enabled:
            return
        # Only a latent or refused need whose draw is under the highest asking probability of
        # its domain can become a request: look at those entries alone (row-major: domain by
        # domain, residents in order).
        cand = c.status == LATENT
        cand |= c.status == REFUSED
        cand &= u < below(self._ceiling(c))[:, None]
        cand = np.flatnonzero(cand)
        status = c.status.ravel()[cand]
        domain, who = np.divmod(cand, c.n)
        refused = np.flatnonzero(status == REFUSED)
        can_ask = status == LATENT
        can_ask[refused] = week - c.status_since.ravel()[cand[refused]] >= self.reapply_after
        can_ask &= ~c.residential[who]
        flat, domain, who = cand[can_ask], domain[can_ask], who[can_ask]
        p = -np.expm1(-self.propensity(model, domain, who))
        draw = as_float32(u.ravel()[flat])
        asks = draw < p
        domain, who, p, draw = domain[asks], who[asks], p[asks], draw[asks]
        times = week + np.minimum(draw / p, 1.0 - 1e-9)
        self.requests[:] = np.bincount(domain, minlength=len(DOMAINS))
        c.requested[domain, who] = True
        c.status[domain, who] = QUEUED
        c.status_since[domain, who] = times
        model.office.submit(times, who, domain)

    def _ceiling(self, citizens) -> np.ndarray:
        """Per domain, a float32 at least the weekly asking probability of every resident.

        Each factor of :meth:`propensity` is bounded by its largest value, with a relative margin
        far above rounding, and the float32 is rounded up: a draw at or above it never asks.
        """
        trust = float(citizens.trust.max()) if citizens.n else 0.0
        access = self._desk_max * max(1.0, self.frail_access)
        rate = self.rate * (trust * access)
        rate[CARE] *= self.care_severity.max()
        p = -np.expm1(-rate * (1.0 + 1e-9))
        ceiling = p.astype(np.float32)
        low = ceiling < p
        ceiling[low] = np.nextafter(ceiling[low], np.float32(np.inf))
        return ceiling
