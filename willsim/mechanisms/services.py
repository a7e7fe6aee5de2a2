"""Formal services: waiting lists, placing cases with providers, paying for them, and their effects.

Each week, eligible people on the waiting list are placed by priority (the highest care level
first, then the longest wait since the request, or since eligibility for people taken in charge
by outreach) with providers that serve the domain and have spare hours (municipal service first,
then Third Sector, then private contractors, cheapest first within a kind), as long as the
municipality can afford the weekly cost for the rest of its budget year. A provider line's
capacity in hours is a real number (a sampled city keeps the city's capacity divided by the
sample weight); its whole cases are the capacity over the hours per case, rounded up or down at
random once per run (a line-specific uniform draw from the ``capacity`` stream), so the expected
number of places equals the full city's at any sample size and grows monotonically with
capacity.

Waiting lists behave like real ones: people leave them by reneging (``services.renege``), faster
once family or private care covers their care need (``services.covered_exit``), when they die,
and when they move into residential care (:meth:`Services.withdraw`). The municipality reviews
its contracted capacity every ``municipality.review_weeks``: it orders the hours that would
clear each waiting list, each domain within its service line's planned budget
(``municipality.line_shares``; :meth:`Services._line_budgets`), and the hours arrive
``municipality.expansion_lag`` weeks later (never below the calibrated hours, at most
``municipality.expansion_ceiling`` times them). Served people receive a fixed number of hours a
week; the provider's hidden quality scales the effect. When the budget cannot pay for every case
in service, the most recently placed cases are suspended back to the waiting list (rationing).
Provider load is always derived from the cases in service, never tracked separately.

**Stationary start.** The burn-in starts with nobody in service, so its first weeks fill the
providers' capacity with one cohort of cases that would all reach ``services.max_duration``
together (for care, 520 weeks: at reported week 0 after the default burn-in). With the care-need
redraw the burn-in measures each domain's weekly exit rate from service (other than at the
longest episode, :class:`ServiceExitEstimate`) and redraws the service start of every case in
service from the stationary ages under that rate (:meth:`Services.redraw_service_ages`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import CARE, ISOLATION, LATENT, QUEUED, REFUSED, SERVED, WAITLIST, WORK
from willsim.mechanisms.base import AddEvent, Mechanism, PolicyType, Read, SpendingItem
from willsim.outputs import Each, Indicator, P, Q, Ratio, Total
from willsim.params import DOMAINS, PROVIDER_KINDS
from willsim.rng import chance
from willsim.units import WEEKS_PER_YEAR

MUNICIPAL, THIRD_SECTOR = PROVIDER_KINDS.index("municipal"), PROVIDER_KINDS.index("third_sector")
OLD_BAND = 3  # age bands 65-74, 75-84, 85+
_LEVEL_RANK = 1e6  # priority key = wait start - level x this: higher level first, then oldest

if TYPE_CHECKING:
    from willsim.agents import Municipality
    from willsim.citizens import Citizens
    from willsim.model import WelfareModel


class ServiceExitEstimate:
    """The burn-in's measured weekly exits from formal service by domain: cases in service as
    a week starts that are no longer in the same episode as it ends (resolved, suspended, died,
    admitted to residential care), per case at risk; cases reaching ``services.max_duration``
    that week are left out (they are censored, not exits)."""

    def __init__(self, domains: int) -> None:
        self.exits = np.zeros(domains)
        self.at_risk = np.zeros(domains)
        self._before: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def before(self, services: Services, c: Citizens) -> None:
        self._before = [
            (who, services.service_start[d][who], c.person_id[who])
            for d, who in enumerate(services._find_served(c))
        ]

    def after(self, services: Services, c: Citizens, week: int) -> None:
        for d, (who, start, person) in enumerate(self._before):
            risk = week - start < services.max_weeks[d]
            same = (
                (c.status[d][who] == SERVED)
                & (services.service_start[d][who] == start)
                & (c.person_id[who] == person)
            )
            self.at_risk[d] += np.count_nonzero(risk)
            self.exits[d] += np.count_nonzero(risk & ~same)

    def rate(self) -> np.ndarray:
        """Weekly exit probability from service by domain (0 where nothing was measured)."""
        return np.divide(
            self.exits, self.at_risk, out=np.zeros_like(self.exits), where=self.at_risk > 0
        )


def stationary_service_ages(rate: float, longest: int, u: np.ndarray) -> np.ndarray:
    """Weeks in service of cases in the stationary state (``u`` uniform draws): ages 0 ..
    ``longest`` - 1 with weights (1 - ``rate``)^age, the share of an episode's starts still in
    service at that age when episodes end at ``rate`` a week and at ``longest`` weeks at most."""
    longest = max(int(longest), 1)
    if rate <= 0.0:
        ages = np.floor(u * longest)
    elif rate >= 1.0:
        ages = np.zeros(u.shape)
    else:
        log_q = np.log1p(-rate)
        ages = np.floor(np.log1p(-u * -np.expm1(longest * log_q)) / log_q)
    return np.clip(ages, 0, longest - 1).astype(np.int64)


class Services(Mechanism):
    """Allocation of cases to providers, delivery, payment and service effects."""

    name = "services"
    label = ("services", "servizi")
    streams = ("services", "capacity", "service_ages")
    levers = ("services", "shock", "governance", "municipality")
    spending = (
        SpendingItem(
            "services",
            "Service spending",
            "Spesa per i servizi",
            "Municipal spending on services bought from providers.",
            tags=("summary",),
        ),
        SpendingItem(
            "outcomes",
            "Outcome payments",
            "Pagamenti a risultato",
            "Municipal payments to providers for measured outcomes (outcome-based contracts).",
        ),
    )
    publishes = (
        "care_progression_factor",
        "service_start",
        "placed",
        "placed_level_total",
        "waiting_list",
        "load",
        "capacity",
        "provider_revenue",
        "resolved",
        "suspended",
        "provider_state",
        "withdraw",
        "wait_total",
        "starts",
        "new_users",
        "new_service_users",
        "new_sad_users_65",
        "residents_65",
        "withdrawn",
        "expansion",
    )
    reads = (Read("coverage.fraction", lag=1),)
    care_hours_kind = "formal"
    meets = (ISOLATION, WORK)
    policies = (
        PolicyType(
            "co_programming",
            ("governance",),
            "Co-programming and co-design with the Third Sector.",
            "Co-programmazione e co-progettazione con il Terzo Settore.",
            switch="governance.co_programming",
        ),
        PolicyType(
            "outcome_contracts",
            ("governance",),
            "Outcome-based commissioning: providers paid for measured outcomes.",
            "Affidamento a risultato: gli erogatori sono pagati per i risultati misurati.",
            switch="governance.outcome_contracts",
        ),
    )
    indicators = (
        Indicator(
            "waiting_list",
            "Waiting list for services",
            "Lista d'attesa per i servizi",
            "persons",
            "Eligible cases assessed and waiting for a provider or for budget.",
            Total(P("services.waiting_list")),
            better=-1,
            tags=("headline", "summary", "mesa"),
        ),
        Indicator(
            "provider_utilisation",
            "Provider utilisation",
            "Utilizzo degli erogatori",
            "share",
            "Hours committed to cases over providers' capacity.",
            Ratio(P("services.load", "sum"), P("services.capacity", "sum")),
            tags=("summary",),
        ),
        Indicator(
            "placed_care_level",
            "Case mix of new care cases",
            "Complessità dei nuovi casi",
            "level",
            "Mean care level (1-4) of care cases placed with providers: lower when "
            "providers pick easier cases.",
            Ratio(P("services.placed_level_total"), P("services.placed", index=CARE)),
            summary="ratio:placed_care_level_total/placed_care_cases",
        ),
        Indicator(
            "placed_care_level_total",
            "Care levels placed",
            "Livelli di cura avviati",
            "level",
            "Sum of the care levels of cases placed (for averaging).",
            Total(P("services.placed_level_total")),
            summary="sum",
        ),
        Indicator(
            "placed_care_cases",
            "Care cases placed",
            "Casi di cura avviati",
            "cases/week",
            "Care cases placed with providers.",
            Total(P("services.placed", index=CARE)),
            summary="sum",
        ),
        Indicator(
            "mean_service_wait_weeks",
            "Wait for a service",
            "Attesa per un servizio",
            "weeks",
            "Mean weeks from the request at the office (or eligibility, for people taken in "
            "charge by outreach or suspended) to the start of a municipal service, for people "
            "whose service started in the period.",
            Ratio(P("services.wait_total"), P("services.starts")),
            summary="ratio:service_wait_weeks_total/service_starts",
            better=-1,
            mid=1.0,
            mid_reason="One week: the statutory admission procedure for home help, from the "
            "request to the start of the service, takes 30 to 90 days (CSV: maximum duration of "
            "SAD admission procedure | Cassano d'Adda (MI) | 2023), so a week is a noticeable "
            "share of it (an assumption, as for the wait for assessment).",
            description_it="Settimane medie dalla domanda allo sportello (o dall'idoneità, per "
            "chi è preso in carico dalla prossimità o sospeso) all'avvio di un servizio "
            "comunale, per chi ha iniziato il servizio nel periodo.",
        ),
        Indicator(
            "service_wait_weeks_total",
            "Weeks waited by people placed",
            "Settimane attese da chi è stato inserito",
            "weeks",
            "Sum of the waits of the people whose service started (for averaging).",
            Total(P("services.wait_total")),
            summary="sum",
        ),
        Indicator(
            "service_starts",
            "Services started",
            "Servizi avviati",
            "cases",
            "People whose municipal service started, all domains (suspended cases resumed "
            "included).",
            Total(P("services.starts")),
            summary="sum",
        ),
        Indicator(
            "beneficiaries_per_1000",
            "Service users per 1,000",
            "Utenti dei servizi ogni 1.000",
            "persons/1,000 residents/year",
            "Residents who received a municipal social service at some time in the (budget) "
            "year, counted once per area of service (care, isolation, work and income) and "
            "once per structure (a day centre), per 1,000 residents: yearly users, not current "
            "cases (every mechanism's new_service_users). Weekly values are the year's new "
            "users annualised, so their mean over whole years is the yearly count.",
            Ratio(Each("new_service_users"), Q("residents"), scale=1000.0 * WEEKS_PER_YEAR),
            better=1,
            description_it="Residenti che hanno ricevuto un servizio sociale comunale in "
            "qualche momento dell'anno (di bilancio), contati una volta per area (cura, "
            "isolamento, lavoro e reddito) e una volta per struttura (un centro diurno), ogni "
            "1.000 residenti: utenti nell'anno, non casi correnti.",
        ),
        Indicator(
            "sad_users_share_65",
            "Home help users, 65+",
            "Utenti SAD, 65+",
            "share",
            "Residents 65+ who received municipal home help (a formal care service paid by the "
            "municipality, from any provider it contracts) at some time in the (budget) year, "
            "as a share of residents 65+.",
            Ratio(
                P("services.new_sad_users_65"),
                P("services.residents_65"),
                scale=float(WEEKS_PER_YEAR),
            ),
            better=1,
            description_it="Residenti di 65 anni e più che hanno ricevuto assistenza "
            "domiciliare comunale (SAD: servizio di cura formale pagato dal comune, da "
            "qualunque erogatore) nell'anno, sul totale dei residenti di 65 anni e più.",
        ),
        Indicator(
            "waiting_list_exits",
            "Left the waiting list",
            "Usciti dalla lista d'attesa",
            "persons",
            "People who left a waiting list without a service this week: reneging, family or "
            "private care, admission to residential care.",
            Total(P("services.withdrawn")),
            summary="sum",
        ),
        Indicator(
            "contracted_capacity_factor",
            "Contracted capacity",
            "Capacità a contratto",
            "multiplier",
            "Contracted service hours relative to the calibrated hours, mean over domains "
            "(extra hours the municipality bought as its waiting lists grew, within its budget).",
            Ratio(P("services.expansion", "sum"), P("services.expansion", "len")),
        ),
    )
    journey_need_rules: ClassVar[dict[str, str]] = {
        "need_receded": "service_effect",
        "need_ended": "service_effect",
    }
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "placed": ("Placed with {value} ({domain})", "Assegnato {value} ({domain})"),
        "suspended": (
            "Service suspended ({domain}): back on the waiting list",
            "Servizio sospeso ({domain}): di nuovo in lista d'attesa",
        ),
        "withdrawn": (
            "Left the waiting list ({domain})",
            "Uscito dalla lista d'attesa ({domain})",
        ),
        "service_ended": (
            "Service ended ({domain}); the need remains",
            "Servizio terminato ({domain}); il bisogno resta",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "service_effect": (
            "services: the service resolves the need at services.resolution x provider quality",
            "servizi: il servizio risolve il bisogno al tasso "
            "services.resolution x qualità dell'erogatore",
        ),
        "allocation": (
            "services: highest care level first, then the longest wait, within provider "
            "capacity and the budget",
            "servizi: prima il livello di cura più alto, poi chi attende da più tempo, entro "
            "capacità e bilancio",
        ),
        "rationing": (
            "services: the budget could not pay every case; newest cases suspended",
            "servizi: il bilancio non copre tutti i casi; sospesi i più recenti",
        ),
        "withdrawn": (
            "services: people leave waiting lists (reneging, family or private care)",
            "servizi: si esce dalla lista d'attesa (rinuncia, cura familiare o privata)",
        ),
        "max_duration": (
            "services: longest episode reached (services.max_duration)",
            "servizi: durata massima raggiunta (services.max_duration)",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.hours = p.array("services.hours_per_case")
        self.max_weeks = p.weekly("services.max_duration")
        self.resolution = p.weekly("services.resolution")
        self.progress_mult = p["services.care_progression_multiplier"]
        table = model.provider_table
        self.table = table
        self.serves = table.domains.reshape(-1, len(DOMAINS))
        lines = np.maximum(self.serves.sum(axis=1, keepdims=True), 1)
        total = table.capacity.astype(float).reshape(-1, 1)
        self.full_capacity = total * self.serves / lines  # (P, D): hours/week per service line
        self.capacity = self.full_capacity.copy()  # whole cases' hours (see _set_capacity)
        self.list_cost = table.unit_cost.astype(float)
        self.quality = table.quality.astype(float)  # hidden
        self.kind = np.array([PROVIDER_KINDS.index(k) for k in table.kind], dtype=int)
        self.order = np.lexsort((self.list_cost, self.kind)) if len(table) else np.empty(0, int)
        self.revenue_total = np.zeros(len(table))  # EUR received by each provider so far
        self.hours_delivered = np.zeros(len(table))
        self.service_start = np.full((len(DOMAINS), model.citizens.n), -1, dtype=np.int32)
        self.load = np.zeros_like(self.capacity)  # (P, D), derived from cases in service
        self.placed = np.zeros(len(DOMAINS), dtype=np.int64)
        self.suspended = 0
        self.resolved = np.zeros(len(DOMAINS), dtype=np.int64)
        self.cost_week = 0.0
        self.outcome_paid = 0.0
        self.placed_level_total = 0.0  # care levels of cases placed this week (case mix)
        self._provider = model.citizens.provider  # (D, n), updated in place by the model
        self._citizens = model.citizens
        self._served: list[np.ndarray] = self._find_served(model.citizens)
        self._open: list[np.ndarray] = []  # by domain, residents with status >= QUEUED (step)
        n = model.citizens.n
        # a line's whole cases: floor(capacity / hours + u), u fixed per line for the run
        self.rounding = model.streams["capacity"].random(self.full_capacity.shape)
        self.renege = p.weekly("services.renege")
        self.covered_exit = p.weekly("services.covered_exit")
        self.met_share = p["services.care_met_share"]
        self.asked_at = np.full((len(DOMAINS), n), -1.0)  # start of the current wait (weeks)
        self.year_counted = np.full((len(DOMAINS), n), -1, dtype=np.int32)  # budget year
        self.expansion = np.ones(len(DOMAINS))  # contracted hours / calibrated, by domain
        self._orders: list[tuple[int, np.ndarray]] = []  # (week it arrives, expansion)
        self.wait_total = 0.0
        self.starts = 0
        self.new_users = 0
        self.new_sad_users_65 = 0
        self.residents_65 = float(np.count_nonzero(model.citizens.age_band >= OLD_BAND))
        self.withdrawn = 0
        self._admitted_withdrawn = 0
        self._week = 0
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        """Levers: a pandemic cuts capacity and the budget buys more or fewer contracted hours
        (no new placements until load falls below capacity; cases in service finish);
        co-programming adds Third Sector capacity and fit; outcome-based contracts change how
        contracted (non-municipal) providers are paid, their effort and whom they pick."""
        p = model.params
        factor = p["shock.pandemic_capacity"] if p["shock.pandemic"] else 1.0
        bought = model.municipality.contracted_capacity_factor(
            p["municipality.capacity_follows_budget"], p["municipality.capacity_ceiling"]
        )
        if bought != 1.0:  # every line here is paid from the municipal budget
            factor = factor * bought
        third = (self.kind == THIRD_SECTOR)[:, None]
        co = p["governance.co_programming"]
        gain = np.where(third, 1.0 + p["governance.co_capacity_gain"], 1.0) if co else 1.0
        self.base_capacity = self.full_capacity * factor * gain  # the calibrated contract
        self._set_capacity()
        self.review_weeks = max(round(p["municipality.review_weeks"]), 0)
        self.lag = max(round(p["municipality.expansion_lag"]), 0)
        self.ceiling = max(float(p["municipality.expansion_ceiling"]), 1.0)
        self.plan_share = float(p["municipality.plan_share"])
        self.line_shares = p.array("municipality.line_shares")
        model.municipality.planned_lines["services"] = float(self.line_shares.sum())
        self.outcomes = bool(p["governance.outcome_contracts"])
        contracted = self.kind != MUNICIPAL
        fit = np.where(self.kind == THIRD_SECTOR, 1.0 + p["governance.co_fit_gain"], 1.0)
        effort = np.where(contracted, 1.0 + p["governance.outcome_effort"], 1.0)
        self.effect = self.quality * (fit if co else 1.0) * (effort if self.outcomes else 1.0)
        base = np.where(contracted, p["governance.outcome_base_share"], 1.0)
        self.unit_cost = self.list_cost * (base if self.outcomes else 1.0)
        self.outcome_price = p["governance.outcome_price"]
        self.outcome_threshold = p["governance.outcome_threshold"]
        self.case_mix = bool(p["governance.case_mix_adjusted"])

    def quality_of(self, domain: int, who: np.ndarray) -> np.ndarray:
        """Quality of the provider serving residents ``who`` in ``domain`` (0 if none)."""
        prov = self._provider[domain][who]
        if self.effect.size == 0:
            return np.zeros(prov.shape)
        return np.where(prov >= 0, self.effect[np.maximum(prov, 0)], 0.0)

    def care_progression_factor(self, who: np.ndarray) -> np.ndarray:
        """Multiplier on care-need progression for served residents ``who``."""
        q = self.quality_of(CARE, who)
        return np.clip(1.0 - (1.0 - self.progress_mult) * q, 0.0, 1.0)

    def step(self, model: WelfareModel, week: int) -> None:
        # one draw a week: reneging reads 1 - u of residents on a list, service effects u of
        # residents in service (disjoint sets in each domain)
        c = model.citizens
        self._u = model.streams["services"].random((len(DOMAINS), c.n), np.float32)
        self._review_capacity(model, week)
        # residents with an open request or case (queued, waiting, served or refused), found
        # once: the steps below move residents only within this set or out of it
        self._open = [np.flatnonzero(c.status[d] >= QUEUED) for d in range(len(DOMAINS))]
        self._track_waits(model, week)
        self._leave_lists(model, week)
        self._place(model, week)
        self._pay(model, week)
        self._effects(model, week)
        self._derive_load(self._providers_of(model.citizens))  # the load as the week ends

    # --- published quantities and coverage ---------------------------------------------------

    @property
    def waiting_list(self) -> float:
        """Eligible cases on the waiting list (now)."""
        return float(np.count_nonzero(self._citizens.status == WAITLIST))

    @property
    def new_service_users(self) -> int:
        """This week's new users of the year, all areas (``beneficiaries_per_1000``)."""
        return self.new_users

    @property
    def provider_revenue(self) -> float:
        """Paid to providers this week: fees for services and outcome payments."""
        return self.cost_week + self.outcome_paid

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Formal hours a week given to the care needs of ``idx`` (those in service)."""
        return np.where(model.citizens.status[CARE][idx] == SERVED, self.hours[CARE], 0.0)

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        """Needs in ``domain`` are met while in service."""
        return model.citizens.status[domain] == SERVED

    def has_helped(self, model: WelfareModel, domain: int, idx: np.ndarray) -> np.ndarray | None:
        """Those who received a formal service in the episode."""
        return model.citizens.first_help[domain][idx] >= 0

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Placements (with the wait on the list before them)."""
        from willsim.journal import Event

        placed = (self.service_start[:, who] == week) & (old["status"] != SERVED)
        for d, p in zip(*np.nonzero(placed), strict=True):
            r, d = int(who[p]), int(d)
            waited = float(week - old["since"][d, p])
            add(p, Event(week, self.name, r, "wait", d, waited, "allocation"))
            j = int(new["provider"][d, p])
            kind = str(self.table.kind[j]) if 0 <= j < len(self.table) else None
            add(p, Event(week, self.name, r, "placed", d, kind, "allocation"))

    def case_cost(self, domain: int, provider: np.ndarray) -> np.ndarray:
        """Weekly cost of cases in ``domain`` with the given providers."""
        return self.hours[domain] * self.unit_cost[provider]

    def served_providers(self, model: WelfareModel) -> list[np.ndarray]:
        """For each domain, the provider of every case in service."""
        c = model.citizens
        return [c.provider[d][who] for d, who in enumerate(self._find_served(c))]

    @staticmethod
    def _find_served(c: Citizens) -> list[np.ndarray]:
        """For each domain, the residents in service (ascending)."""
        return [np.flatnonzero(c.status[d] == SERVED) for d in range(len(DOMAINS))]

    def _providers_of(self, c: Citizens) -> list[np.ndarray]:
        """Providers of the cases in ``self._served`` (kept up to date within the week)."""
        return [c.provider[d][who] for d, who in enumerate(self._served)]

    def committed_cost(self, provs: list[np.ndarray]) -> float:
        """Weekly cost of the cases in service (``provs`` from :meth:`served_providers`)."""
        return sum(float(self.case_cost(d, prov).sum()) for d, prov in enumerate(provs))

    def _derive_load(self, provs: list[np.ndarray]) -> None:
        for d, prov in enumerate(provs):
            self.load[:, d] = np.bincount(prov, minlength=len(self.load)) * self.hours[d]

    def _place(self, model: WelfareModel, week: int) -> None:
        c, muni = model.citizens, model.municipality
        waiting_of, self._served = [], []
        for d in range(len(DOMAINS)):  # one pass per domain finds both lists
            status = c.status[d]
            open_ = self._open[d]
            listed = open_[status[open_] >= WAITLIST]
            waiting_of.append(listed[status[listed] == WAITLIST])
            self._served.append(listed[status[listed] == SERVED])  # only services sets SERVED
        provs = self._providers_of(c)
        self._derive_load(provs)
        committed = self.committed_cost(provs)
        weekly_allowance = muni.available_for_services(week) / muni.weeks_left_in_year(week)
        self.placed[:] = 0
        self.placed_level_total = 0.0
        self.wait_total = 0.0
        self.starts = 0
        for d in range(len(DOMAINS)):
            waiting = waiting_of[d]
            slots_d = self._slots(d) - self.load[:, d] / self.hours[d]
            most = int(np.maximum(np.rint(slots_d[self.serves[:, d]]), 0).sum())  # this week
            if waiting.size == 0 or most == 0:
                continue
            # paid for outcomes without case-mix adjustment, contractors pick the easiest cases
            skimming = self.outcomes and not self.case_mix
            waiting = waiting[~c.residential[waiting]]
            if waiting.size == 0:
                continue
            # priority: the highest need level first, then the longest wait
            key = self.asked_at[d][waiting] - _LEVEL_RANK * c.need_level[d][waiting]
            oldest = _first_in_order(key, waiting, waiting.size if skimming else most)
            placed_d = []
            easiest = (
                oldest[np.argsort(c.need_level[d][oldest], kind="stable")] if skimming else oldest
            )
            left = np.ones(c.n, dtype=bool)
            line_slots = self._slots(d)
            for j in self.order:
                if not self.serves[j, d]:
                    continue
                pool = easiest if skimming and self.kind[j] != MUNICIPAL else oldest
                pool = pool[left[pool]]
                if pool.size == 0:
                    break
                cost = self.hours[d] * self.unit_cost[j]
                slots = round(line_slots[j] - self.load[j, d] / self.hours[d])
                budget_left = weekly_allowance - committed
                affordable = int(max(budget_left, 0.0) // cost) if cost > 0 else slots
                take = max(0, min(slots, affordable, pool.size))
                if take == 0:
                    continue
                who = pool[:take]
                placed_d.append(who)
                left[who] = False
                if d == CARE:
                    self.placed_level_total += float(c.need_level[CARE][who].sum())
                # the service starts as the week ends (after the office's week of requests)
                self.wait_total += float((week + 1 - self.asked_at[d][who]).sum())
                self.starts += take
                self.asked_at[d][who] = -1.0
                c.status[d][who] = SERVED
                c.status_since[d][who] = week
                c.provider[d][who] = j
                first = who[c.first_help[d][who] < 0]
                c.first_help[d][first] = week
                self.service_start[d][who] = week
                self.load[j, d] += take * self.hours[d]
                committed += take * cost
                self.placed[d] += take
            if placed_d:
                self._served[d] = np.sort(np.concatenate([self._served[d], *placed_d]))
        self._count_users(model, week)

    def _set_capacity(self) -> None:
        """Contracted hours (real numbers: the calibrated contract times what the municipality
        bought) and the capacity in whole cases: contracted / hours per case rounded up or down
        at random (line-specific, fixed for the run), so its expectation is exact at any sample
        size; ``capacity`` is those cases' hours."""
        self.contracted = self.base_capacity * self.expansion[None, :]
        cases = np.floor(self.contracted / self.hours[None, :] + self.rounding)
        self.capacity = cases * self.hours[None, :]

    def _slots(self, d: int) -> np.ndarray:
        """Whole cases each provider line holds in domain ``d``."""
        return np.rint(self.capacity[:, d] / self.hours[d])

    def redraw_service_ages(self, model: WelfareModel, estimate: ServiceExitEstimate) -> None:
        """Burn-in: give every case in service a start week drawn from the stationary ages under
        the measured exit rates (:func:`stationary_service_ages`), so the cohort that filled the
        providers in the burn-in's first weeks does not reach the longest episode all at once."""
        c, week = model.citizens, model.week
        rate = estimate.rate()
        rng = model.streams["service_ages"]
        for d in range(len(DOMAINS)):
            who = np.flatnonzero(c.status[d] == SERVED)
            ages = stationary_service_ages(
                float(rate[d]), round(self.max_weeks[d]), rng.random(who.size)
            )
            self.service_start[d][who] = week - ages

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` died (a death takes them off every list): newcomers start afresh."""
        self.asked_at[:, idx] = -1.0
        self.year_counted[:, idx] = -1

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """A need ended: its wait, if any, ends with it."""
        self.asked_at[domain][idx] = -1.0

    def withdraw(self, who: np.ndarray) -> None:
        """Residents ``who`` leave every waiting list and service (e.g. admitted to residential
        care): their needs stay open but no longer wait for, or hold, a municipal service."""
        who = np.asarray(who, dtype=np.intp)
        if who.size == 0:
            return
        c = self._citizens
        status = c.status[:, who]
        leaving = (status == WAITLIST) | (status == SERVED)
        d, k = np.nonzero(leaving)
        rows = who[k]
        self._admitted_withdrawn += int(np.count_nonzero(status[d, k] == WAITLIST))
        c.status[d, rows] = LATENT
        c.status_since[d, rows] = self._week
        c.provider[d, rows] = -1
        self.asked_at[d, rows] = -1.0

    def _track_waits(self, model: WelfareModel, week: int) -> None:
        """Start the wait of requests and new list entries: at the request (its QUEUED time)
        for requests still at the office as a week ends, at eligibility for requests assessed
        within the week they were made (less than a week later) and for people taken in charge
        by outreach or suspended; drop it for requests refused on the means test."""
        self._week = week
        c = model.citizens
        for d in range(len(DOMAINS)):
            status = c.status[d]
            open_ = self._open[d]
            st = status[open_]
            starting = open_[((st == QUEUED) | (st == WAITLIST)) & (self.asked_at[d][open_] < 0)]
            self.asked_at[d][starting] = c.status_since[d][starting]
            self.asked_at[d][open_[st == REFUSED]] = -1.0

    def _leave_lists(self, model: WelfareModel, week: int) -> None:
        """People on a waiting list give up (``services.renege``), faster once family or
        private care covers their care need (``services.covered_exit``, last week's cover)."""
        c = model.citizens
        self.withdrawn = self._admitted_withdrawn
        self._admitted_withdrawn = 0
        covered = model.coverage.fraction
        for d in range(len(DOMAINS)):
            open_ = self._open[d]
            waiting = open_[c.status[d][open_] == WAITLIST]
            if waiting.size == 0:
                continue
            rate = np.full(waiting.size, self.renege[d])
            if d == CARE:
                rate[covered[waiting] >= self.met_share - 1e-12] = self.covered_exit
            rate[c.residential[waiting]] = 1.0  # in residential care: off the list
            leave = waiting[chance(1.0 - self._u[d][waiting], rate)]
            c.status[d][leave] = LATENT
            c.status_since[d][leave] = week
            self.asked_at[d][leave] = -1.0
            self.withdrawn += leave.size

    def _count_users(self, model: WelfareModel, week: int) -> None:
        """Users of the (budget) year: each person once per domain, the first week they are
        served in the year (``new_users``); home-help users 65+ likewise."""
        c = model.citizens
        year = week // WEEKS_PER_YEAR
        self.new_users = 0
        self.new_sad_users_65 = 0
        for d, served in enumerate(self._served):
            new = served[self.year_counted[d][served] != year]
            self.year_counted[d][new] = year
            self.new_users += new.size
            if d == CARE:
                self.new_sad_users_65 = int(np.count_nonzero(c.age_band[new] >= OLD_BAND))
        self.residents_65 = float(np.count_nonzero(c.age_band >= OLD_BAND))

    def _review_capacity(self, model: WelfareModel, week: int) -> None:
        """Capacity orders arrive after their lag; every ``review_weeks`` the municipality
        orders the hours that would clear each waiting list, within its planned budget."""
        due = [e for w, e in self._orders if w <= week]
        if due:
            self._orders = [(w, e) for w, e in self._orders if w > week]
            self.expansion = due[-1]
            self._set_capacity()
        if self.review_weeks == 0 or week == 0 or week % self.review_weeks:
            return
        c = model.citizens
        base = self.base_capacity.sum(axis=0)  # (D,) calibrated hours per domain
        cost = self.base_capacity.T @ self.unit_cost / np.maximum(base, 1e-12)  # EUR/hour
        waiting = np.array([np.count_nonzero(c.status[d] == WAITLIST) for d in range(len(DOMAINS))])
        load = np.array([len(s) for s in self._served]) * self.hours
        wanted = np.maximum(load + waiting * self.hours, base)  # hours that clear each list
        wanted = np.minimum(wanted, base * self.ceiling)
        extra = self._line_budgets(model.municipality, base * cost, (wanted - base) * cost)
        order = np.where(base > 0, 1.0 + extra / np.maximum(base * cost, 1e-12), 1.0)
        self._orders.append((week + self.lag, order))
        if self.lag == 0:  # the hours arrive at once
            self._orders.pop()
            self.expansion = order
            self._set_capacity()

    def _line_budgets(
        self, muni: Municipality, base_cost: np.ndarray, wanted_cost: np.ndarray
    ) -> np.ndarray:
        """EUR a week of extra capacity each domain may buy: its service line's plan
        (``municipality.line_shares`` x the planned budget / 52), less its calibrated contract,
        never more than its list wants. When what the plan leaves is short of the planned lines'
        plans (other spending has grown), every planned line, the day centres' included, gets
        the same share of its plan (:meth:`~willsim.agents.Municipality.planned_lines_factor`);
        a line does not spend another's plan."""
        plan = self.line_shares * self.plan_share * muni.annual_budget / WEEKS_PER_YEAR
        factor = muni.planned_lines_factor(self.plan_share)  # never below 0
        if factor < 1.0:
            plan = plan * factor
        return np.minimum(np.maximum(plan - base_cost, 0.0), wanted_cost)

    def _pay(self, model: WelfareModel, week: int) -> None:
        """Pay this week's services; suspend the newest cases if the budget cannot cover them.

        The salaries of the rest of the year are set aside first: staff are never left unpaid
        so that services can continue.
        """
        muni = model.municipality
        self.suspended = 0
        provs = self._providers_of(model.citizens)
        cost = self.committed_cost(provs)
        available = muni.available_for_services(week)
        if cost > available + 1e-9:
            self._ration(model, cost - available)
            self._served = self._find_served(model.citizens)
            provs = self._providers_of(model.citizens)
            cost = self.committed_cost(provs)
        self.cost_week = muni.pay("services", cost)
        self._derive_load(provs)
        for d, prov in enumerate(provs):  # per provider, domain by domain
            k = len(self.load)
            self.revenue_total += np.bincount(prov, weights=self.case_cost(d, prov), minlength=k)
            self.hours_delivered += np.bincount(prov, minlength=k) * self.hours[d]

    def _ration(self, model: WelfareModel, excess: float) -> None:
        """Suspend the most recently placed cases until their cost covers ``excess``."""
        c = model.citizens
        domain, who = np.nonzero(c.status == SERVED)
        cost = self.hours[domain] * self.unit_cost[c.provider[domain, who]]
        order = np.argsort(-self.service_start[domain, who], kind="stable")
        freed_before = np.cumsum(cost[order]) - cost[order]
        cut = order[freed_before < excess - 1e-9]
        c.status[domain[cut], who[cut]] = WAITLIST
        c.status_since[domain[cut], who[cut]] = model.week
        self.asked_at[domain[cut], who[cut]] = model.week  # a new wait starts
        c.provider[domain[cut], who[cut]] = -1
        self.suspended = cut.size

    def _effects(self, model: WelfareModel, week: int) -> None:
        c = model.citizens
        u = self._u
        self.resolved[:] = 0
        self.outcome_paid = 0.0
        for d in range(len(DOMAINS)):
            served = self._served[d]
            done = served[chance(u[d][served], self.resolution[d] * self.quality_of(d, served))]
            self.resolved[d] = done.size
            if self.outcomes:
                self._pay_outcomes(model, d, served, done)
            if d == CARE:
                model.lower_care_level(done)
            elif d == ISOLATION:
                model.close_needs(ISOLATION, done)
            elif d == WORK:
                model.resolve_work_needs(done, activated=True)
            served = served[c.status[d][served] == SERVED]  # resolved needs have closed
            over = week - self.service_start[d][served] >= self.max_weeks[d]
            expired = served[over]
            self._served[d] = served[~over]
            c.status[d][expired] = LATENT
            c.provider[d][expired] = -1
            c.status_since[d][expired] = week

    def _pay_outcomes(
        self, model: WelfareModel, domain: int, served: np.ndarray, done: np.ndarray
    ) -> None:
        """Pay contractors per resolved need beyond the threshold share of their cases.

        With case-mix adjustment an outcome is worth the care level it started from, relative
        to the mean level of the provider's cases, so easy cases earn no more than hard ones.
        """
        c, k = model.citizens, self.quality.size
        prov_served, prov_done = c.provider[domain][served], c.provider[domain][done]
        cases = np.bincount(prov_served, minlength=k)
        weight = np.ones(done.size)
        if self.case_mix:
            level = np.maximum(c.need_level[domain][done], 1).astype(float)
            mean_level = np.bincount(
                prov_served, weights=np.maximum(c.need_level[domain][served], 1), minlength=k
            ) / np.maximum(cases, 1)
            weight = level / np.maximum(mean_level[prov_done], 1e-9)
        earned = np.bincount(prov_done, weights=weight, minlength=k)
        paid = np.maximum(earned - self.outcome_threshold * cases, 0.0)
        paid[self.kind == MUNICIPAL] = 0.0
        amount = model.municipality.pay("outcomes", float(paid.sum()) * self.outcome_price)
        self.outcome_paid += amount

    def provider_state(self, name: str) -> np.ndarray:
        """Per provider (what :class:`~willsim.agents.Provider` views read): ``kind``,
        ``domains``, ``capacity`` and ``load`` (hours/week, now), ``unit_cost`` (list price),
        ``quality``, ``district``, ``revenue`` and ``hours_delivered`` (so far)."""
        table = self.table
        return {
            "kind": table.kind,
            "domains": self.serves,
            "capacity": self.capacity.sum(axis=1),
            "load": self.load.sum(axis=1),
            "unit_cost": self.list_cost,
            "quality": self.quality,
            "district": table.district,
            "revenue": self.revenue_total,
            "hours_delivered": self.hours_delivered,
        }[name]


def _first_in_order(keys: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` of ``idx`` in a stable sort by ``keys``, in that order.

    Exactly ``idx[np.argsort(keys, kind="stable")][:k]``, without sorting the whole list when
    only a few places are free: the ``k`` smallest keys, ties in ``idx`` order.
    """
    if k >= idx.size:
        return idx[np.argsort(keys, kind="stable")]
    kth = np.partition(keys, k - 1)[k - 1]
    below = np.flatnonzero(keys < kth)
    tied = np.flatnonzero(keys == kth)[: k - below.size]
    chosen = np.sort(np.concatenate([below, tied]))
    return idx[chosen[np.argsort(keys[chosen], kind="stable")]]
