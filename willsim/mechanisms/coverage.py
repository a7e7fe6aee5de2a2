"""Who covers a need: the hours and services the other mechanisms give, family and private help.

Partial help is partial. A care need of ``h`` hours a week receives the hours every mechanism
gives towards it (their declared ``care_hours_for``: municipal services, integrated home care
(ADI), platform hours, peers), family hours (more for people living with others than for people
living alone; a resident living alone has kin who help with probability
``services.family_available_alone``, drawn once per resident) and hours bought privately (an
hourly carer or a badante: a household decision, persistent for the resident, with probability
``services.private_uptake`` by income band, times ``services.private_uptake_severe`` at care
levels 3-4 and ``services.private_uptake_alone`` for residents living alone; bought whether or
not family helps too, as most badanti are hired alongside family). Its *coverage* is
``min(1, hours received / h)``: crisis risk falls in proportion to it (:mod:`crises`), and the
hours still missing are the resident's unmet care hours. A care need counts as *met* (the
``unmet_need_share`` headline and quality of life) when coverage reaches
``services.care_met_share``. Residents in residential care are fully covered by it. Private
purchases are out-of-pocket spending, less any cash support another mechanism publishes as
``cash_support`` (EUR a week per resident, :meth:`Coverage.cash_support`). A need in another
domain is met when a mechanism that declares it meets that domain (``meets``: a formal service,
a platform match, peers) meets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from willsim.citizens import CARE, ISOLATION, WORK
from willsim.mechanisms.base import Mechanism
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.params import DOMAINS
from willsim.rng import chance

if TYPE_CHECKING:
    from willsim.model import WelfareModel

OLD_BAND = 3  # age bands 65-74, 75-84, 85+
SEVERE_LEVEL = 3  # care levels 3 and 4: severe limitation in the activities of daily living

_DOMAIN_WORDS = {
    CARE: ("care", "cura", "care hours covered below services.care_met_share"),
    ISOLATION: ("isolation", "isolamento", "no service, platform or peer meeting it"),
    WORK: ("work and income", "lavoro e reddito", "no service or platform match meeting it"),
}


def _unmet_by_domain(domain: int) -> Indicator:
    name, name_it, rule = _DOMAIN_WORDS[domain]
    return Indicator(
        f"unmet_share_{DOMAINS[domain]}",
        f"Unmet need: {name}",
        f"Bisogno non coperto: {name_it}",
        "share",
        f"Among residents living in the community with a {name} need, the share whose need is "
        f"not met this week ({rule}).",
        Ratio(
            P("coverage.unmet_by_domain", index=domain), P("coverage.need_by_domain", index=domain)
        ),
        better=-1,
        description_it=f"Tra i residenti che vivono nella comunità con un bisogno di {name_it}, "
        "la quota il cui bisogno non è coperto questa settimana.",
    )


class Coverage(Mechanism):
    """Computes, each week, how much of each need is covered and what families pay out of
    pocket."""

    name = "coverage"
    label = ("coverage", "copertura")
    streams = ("coverage",)
    publishes = (
        "met",
        "fraction",
        "unmet_hours",
        "private_spending",
        "out_of_pocket",
        "need_by_domain",
        "unmet_by_domain",
        "severe_65",
        "severe_65_unmet",
        "care_65",
        "family_only_65",
    )
    indicators = (
        Indicator(
            "unmet_care_hours",
            "Unmet care hours",
            "Ore di cura mancanti",
            "hours/week",
            "Hours of care a week needed by residents living in the community and covered by "
            "nobody (services, ADI, family, peers, platforms, private help), whole city.",
            Total(P("coverage.unmet_hours", "sum")),
            better=-1,
            tags=("headline", "summary"),
            description_it="Ore di cura settimanali di cui hanno bisogno i residenti che vivono "
            "nella comunità e che nessuno copre (servizi, ADI, famiglia, pari, piattaforme, "
            "aiuto privato), intera città.",
        ),
        Indicator(
            "care_coverage",
            "Care hours covered",
            "Ore di cura coperte",
            "share",
            "Mean coverage of care needs in the community: hours received (formal, ADI, family, "
            "peers, platforms, private) over hours needed, capped at 1 for each resident.",
            Ratio(P("coverage.fraction", "sum"), P("coverage.need_by_domain", index=CARE)),
            better=1,
            description_it="Copertura media dei bisogni di cura nella comunità: ore ricevute "
            "(formali, ADI, famiglia, pari, piattaforme, private) sulle ore necessarie, al "
            "massimo 1 per residente.",
        ),
        Indicator(
            "severe_unmet_share",
            "Severe limitation, no or insufficient help",
            "Limitazione grave, aiuto assente o insufficiente",
            "share",
            "Among residents 65+ living in the community with a severe limitation (care levels 3 "
            "and 4), the share whose care hours are covered below services.care_met_share by "
            "formal, family and paid help together (no or insufficient help).",
            Ratio(P("coverage.severe_65_unmet"), P("coverage.severe_65")),
            better=-1,
            description_it="Tra i residenti di 65 anni e più che vivono nella comunità con una "
            "limitazione grave (livelli di cura 3 e 4), la quota le cui ore di cura sono "
            "coperte meno di services.care_met_share da aiuto formale, familiare e a "
            "pagamento insieme (aiuto assente o insufficiente).",
        ),
        Indicator(
            "family_only_share",
            "Reduced autonomy, family help only",
            "Autonomia ridotta, solo aiuto familiare",
            "share",
            "Among residents 65+ living in the community with a care need, the share helped by "
            "family only this week: family hours and no formal service (municipal, ADI), no "
            "platform or private paid help, no peer help. Those with no help at all stay in the "
            "denominator (ISTAT: 'si avvale in modo esclusivo del supporto dei propri "
            "familiari', among all 65+ with reduced autonomy).",
            Ratio(P("coverage.family_only_65"), P("coverage.care_65")),
            description_it="Tra i residenti di 65 anni e più che vivono nella comunità con un "
            "bisogno di cura, la quota aiutata solo dalla famiglia questa settimana: ore "
            "familiari e nessun servizio formale (comunale, ADI), nessun aiuto a pagamento "
            "tramite piattaforma o privato, nessun aiuto di pari. Chi non riceve alcun aiuto "
            "resta nel denominatore.",
        ),
        *(_unmet_by_domain(d) for d in range(len(DOMAINS))),
    )

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.level_hours = np.r_[0.0, p.array("needs.care_level_hours")]
        self.family_hours = p.array("services.informal_hours")  # [with others, alone]
        self.uptake = p.array("services.private_uptake")
        self.uptake_severe = float(p["services.private_uptake_severe"])
        self.uptake_alone = float(p["services.private_uptake_alone"])
        self.kin_alone = float(p["services.family_available_alone"])
        # a fixed draw per resident: kin who help (living alone), redrawn for newcomers
        self.kin_draw = model.streams["coverage"].random(model.citizens.n, dtype=np.float32)
        self.private_hours = p["services.private_hours"]
        self.price = p["services.private_price"]
        self.met_share = p["services.care_met_share"]
        n = model.citizens.n
        self.met = np.zeros((len(DOMAINS), n), dtype=bool)
        self.fraction = np.zeros(n)  # coverage of each resident's care need (0 without one)
        self.unmet_hours = np.zeros(n)
        self.private_spending = np.zeros(n)
        self.out_of_pocket = 0.0
        self.need_by_domain = np.zeros(len(DOMAINS))
        self.unmet_by_domain = np.zeros(len(DOMAINS))
        self.severe_65 = self.severe_65_unmet = self.care_65 = self.family_only_65 = 0.0

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` died and are replaced by newcomers: a fresh draw of their kin."""
        self.kin_draw[idx] = model.streams["coverage"].random(idx.size, dtype=np.float32)

    def has_family(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Which of residents ``idx`` have family giving care hours: everyone living with others,
        those living alone with probability ``services.family_available_alone``."""
        alone = model.citizens.living_alone[idx]
        return ~alone | chance(self.kin_draw[idx], self.kin_alone)

    def family_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Family care hours a week of residents ``idx`` (``services.informal_hours`` by living
        situation; none for a resident living alone without kin)."""
        hours = self.family_hours[model.citizens.living_alone[idx].astype(np.intp)]
        return np.where(self.has_family(model, idx), hours, 0.0)

    def uptake_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Probability that the household of each resident ``idx`` (with a care need) pays for
        private care: by income band, times the severe and living-alone ratios, at most 1.

        The hook for a cash contribution: a mechanism that pays families publishes
        ``cash_support`` (EUR a week per resident, :meth:`cash_support`); it lowers their
        out-of-pocket spending here, and its effect on this probability belongs to that
        mechanism's declared parameters (override this method's inputs there, not here)."""
        c = model.citizens
        p = self.uptake[c.income_band[idx]]
        p = p * np.where(c.need_level[CARE][idx] >= SEVERE_LEVEL, self.uptake_severe, 1.0)
        p = p * np.where(c.living_alone[idx], self.uptake_alone, 1.0)
        return np.minimum(p, 1.0)

    def cash_support(self, model: WelfareModel) -> np.ndarray | None:
        """EUR a week per resident paid to families by mechanisms publishing ``cash_support``
        (None if none does)."""
        total = None
        for mech in model.mechanisms.values():
            if mech is not self and "cash_support" in mech.publishes:
                paid = np.asarray(mech.published("cash_support"), dtype=float)
                total = paid.copy() if total is None else total + paid
        return total

    def step(self, model: WelfareModel, week: int) -> None:
        c, n = model.citizens, model.citizens.n
        level = c.need_level[CARE]
        in_care_home = c.residential
        idx = np.flatnonzero((level > 0) & ~in_care_home)  # residential care covers the rest
        need = self.level_hours[level[idx]]
        formal = np.zeros(idx.size)  # services, ADI, platforms
        family = self.family_hours_for(model, idx)
        peers = np.zeros(idx.size)
        for mech in model.mechanisms.values():
            if mech.care_hours_kind == "formal":
                formal += mech.care_hours_for(model, idx)
            elif mech.care_hours_kind == "informal":
                peers += mech.care_hours_for(model, idx)
        buys = chance(c.private_propensity[idx], self.uptake_for(model, idx))
        private = np.where(buys, np.minimum(self.private_hours, need), 0.0)
        covered = formal + family + peers + private
        share = np.minimum(covered / need, 1.0)
        self.fraction = np.zeros(n)
        self.fraction[idx] = share
        self.fraction[(level > 0) & in_care_home] = 1.0
        met = self.met
        met[CARE] = False
        met[CARE][idx] = share >= self.met_share - 1e-12
        met[CARE] |= (level > 0) & in_care_home
        met[1:] = False
        for mech in model.mechanisms.values():
            for domain in mech.meets:
                met[domain] |= mech.needs_met(model, domain)
        self.unmet_hours = np.zeros(n)
        self.unmet_hours[idx] = np.maximum(need - covered, 0.0)
        self._tally(model, idx, level[idx], share, formal, family, peers, private)
        # EUR this week, per resident: what families paid through platforms plus private help
        self.private_spending = np.zeros(n)
        for mech in model.mechanisms.values():
            if "family_spending" in mech.publishes:
                self.private_spending += mech.published("family_spending")
        self.private_spending[idx] += private * self.price
        support = self.cash_support(model)
        if support is not None:  # cash paid to families is not out of their pocket
            self.private_spending = np.maximum(self.private_spending - support, 0.0)
        self.out_of_pocket = float(self.private_spending.sum())

    def _tally(
        self,
        model: WelfareModel,
        idx: np.ndarray,
        level: np.ndarray,
        share: np.ndarray,
        formal: np.ndarray,
        family: np.ndarray,
        peers: np.ndarray,
        private: np.ndarray,
    ) -> None:
        """Counts (simulated residents) behind the coverage indicators: needs and unmet needs
        by domain in the community, severe needs at 65+ and those short of help, care needs at
        65+ and those helped by family only (family hours, nothing else; no help at all is not
        family help)."""
        c = model.citizens
        community = ~c.residential
        has = (c.need_level > 0) & community
        self.need_by_domain = np.array([np.count_nonzero(row) for row in has], dtype=float)
        has &= ~self.met
        self.unmet_by_domain = np.array([np.count_nonzero(row) for row in has], dtype=float)
        old = c.age_band[idx] >= OLD_BAND
        severe = old & (level >= SEVERE_LEVEL)
        self.severe_65 = float(np.count_nonzero(severe))
        self.severe_65_unmet = float(np.count_nonzero(severe & (share < self.met_share - 1e-12)))
        self.care_65 = float(np.count_nonzero(old))
        other = (formal > 0) | (private > 0) | (peers > 0)  # formal: platform hours too
        self.family_only_65 = float(np.count_nonzero(old & (family > 0) & ~other))

    def idle(self, model: WelfareModel) -> bool:
        """It changes no resident's state, it only works out who is covered."""
        return True
