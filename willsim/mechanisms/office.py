"""The centralised social office: requests queue for assessment, then the means test.

Requests arrive at continuous times within the week and are assessed first-come-first-served by
the social workers' assessment time, in continuous time (:class:`OfficeQueue`), so with Poisson
arrivals and exponential assessment times the office *is* an M/M/c queue. An assessed request is
eligible if the resident's ISEE is at most ``eligibility.isee_max`` for the domain: eligible
requests join the waiting list for a service; others are refused (and may ask again later).

Under sampling (each simulated resident stands for ``weight`` residents) the office is still the
whole city's office, so that its waits and its staffing lever do not depend on the sample size:
its queue has the city's assessment capacity, and each week it receives, beside the simulated
residents' requests, Poisson "shadow" requests from the residents the sample leaves out, at
``weight - 1`` times the simulated residents' expected requests of the week. Capacity is
continuous: ``c`` full-time workers (fractional: derived staff, co-programming) are
``round(c)`` desks each working at ``c / round(c)`` times a worker's rate, so total capacity is
exactly ``c`` workers' and one more social worker is one more desk at any sample size.
Published counts are divided by the queue's scale (they are per simulated resident, like
every other count, and the indicators scale them back up by the weight).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.citizens import QUEUED, REFUSED, WAITLIST
from willsim.mechanisms.base import AddEvent, Mechanism, PolicyType, SpendingItem
from willsim.mechanisms.office_queue import OfficeQueue, QueueWeek
from willsim.outputs import Indicator, P, Ratio, Total
from willsim.params import DOMAINS

if TYPE_CHECKING:
    from willsim.model import WelfareModel

EXOGENOUS = -1  # resident of a validation-mode request
SHADOW = -2  # resident of a shadow request (a resident the sample leaves out)


def city_social_workers(model: WelfareModel) -> float:
    """Social workers of the whole city: declared, or from the city's ratio."""
    declared = int(model.params["office.social_workers"])
    if declared > 0:
        return float(declared)
    return model.params["city.population"] / model.params["city.residents_per_social_worker"]


def queue_scale(model: WelfareModel) -> float:
    """Requests the office's queue handles per simulated resident's request: the sample weight,
    and 1 when there are at least as many agents as residents (then the queue is the sample's)."""
    return max(float(model.citizens.weight), 1.0)


def staffing(model: WelfareModel) -> tuple[float, float]:
    """Staff in simulated units and the queue's assessment capacity in full-time workers.

    A weighted sample is paid for, and reported, as the city's staff divided by the weight. Its
    queue is the city's office (:func:`queue_scale`): the city's staff, or the staff over the
    weight when the sample has more agents than the city has residents.
    """
    staff = city_social_workers(model) / model.citizens.weight
    return staff, staff * queue_scale(model)


def desks(capacity: float) -> tuple[int, float]:
    """Servers of the queue for ``capacity`` full-time workers, and the share of a worker's rate
    each works at: ``round(capacity)`` desks (at least one), together exactly ``capacity``."""
    if capacity <= 0:
        return 0, 1.0
    servers = max(1, round(capacity))
    return servers, capacity / servers


class Office(Mechanism):
    """Assessment queue and eligibility decisions."""

    name = "office"
    label = ("social office", "sportello")
    # exogenous: validation-mode arrivals; shadow: requests of residents a sample leaves out
    streams = ("office", "exogenous", "shadow")
    levers = ("office", "eligibility", "governance")
    spending = (
        SpendingItem(
            "staff",
            "Staff spending",
            "Spesa per il personale",
            "Municipal spending on social workers.",
            tags=("summary",),
        ),
    )
    publishes = (
        "submit",
        "isee_max",
        "staff",
        "servers",
        "arrivals",
        "queue_time",
        "assessments_started",
        "wait_total",
        "busy_time",
        "started_requests",
    )
    policies = (
        PolicyType(
            "staffing",
            ("office",),
            "Change the social office's staff.",
            "Modifica il personale dello sportello sociale.",
        ),
        PolicyType(
            "eligibility",
            ("eligibility",),
            "Change the means test.",
            "Modifica la soglia ISEE di accesso.",
        ),
    )
    indicators = (
        Indicator(
            "arrivals_per_week",
            "Requests",
            "Richieste",
            "requests/week",
            "Requests reaching the social office (arrivals of the queue).",
            Total(P("office.arrivals")),
            tags=("summary",),
        ),
        Indicator(
            "mean_queue_length",
            "Queue for assessment",
            "Coda per la valutazione",
            "requests",
            "Time-average number of requests waiting for assessment.",
            Total(P("office.queue_time")),
            better=-1,
            tags=("summary", "mesa"),
        ),
        Indicator(
            "assessments_started",
            "Assessments started",
            "Valutazioni avviate",
            "requests/week",
            "Assessments started by social workers.",
            Total(P("office.assessments_started")),
        ),
        Indicator(
            "mean_wait_weeks",
            "Wait for assessment",
            "Attesa per la valutazione",
            "weeks",
            "Mean wait from a request to the start of its assessment by a social worker; the "
            "wait on the list for a service after assessment is not included (see Wait for a "
            "service and Waiting list for services).",
            Ratio(P("office.wait_total"), P("office.assessments_started")),
            summary="ratio:wait_total_weeks/assessments_started",
            better=-1,
            tags=("key", "headline", "summary", "equity", "mesa"),
            groups=Ratio("wait_total", "assessments"),
            mid=1.0,
            mid_reason="One week: the statutory admission procedure for home help takes 30 to "
            "90 days (CSV: maximum duration of SAD admission procedure | Cassano d'Adda (MI) | "
            "2023), so a week is a noticeable share of it (an assumption).",
        ),
        Indicator(
            "wait_total_weeks",
            "Total waiting",
            "Attesa totale",
            "weeks",
            "Sum of the waits of assessments started (for averaging).",
            Total(P("office.wait_total")),
            summary="sum",
        ),
        Indicator(
            "social_workers",
            "Social workers",
            "Assistenti sociali",
            "persons",
            "Social workers in the office.",
            Total(P("office.staff")),
        ),
        Indicator(
            "office_utilisation",
            "Office utilisation",
            "Utilizzo dello sportello",
            "share",
            "Share of social workers' assessment time that is busy.",
            Ratio(P("office.busy_time"), P("office.servers")),
            tags=("summary",),
        ),
    )
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "wait": ("Waited {value} weeks", "Ha atteso {value} settimane"),
        "assessment_started": (
            "Assessment started ({domain})",
            "Inizia la valutazione ({domain})",
        ),
        "eligible": (
            "Assessed eligible ({domain}): on the waiting list",
            "Valutato idoneo ({domain}): in lista d'attesa",
        ),
        "refused": (
            "Refused on the means test ({domain})",
            "Respinto per la soglia ISEE ({domain})",
        ),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "fcfs": (
            "office: first come, first served by the social workers (M/M/c queue)",
            "sportello: in ordine di arrivo presso gli assistenti sociali (coda M/M/c)",
        ),
        "means_test": (
            "office: ISEE at or below eligibility.isee_max for the domain",
            "sportello: ISEE entro eligibility.isee_max per l'ambito",
        ),
        "means_test_failed": (
            "office: ISEE above eligibility.isee_max for the domain",
            "sportello: ISEE oltre eligibility.isee_max per l'ambito",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        p = model.params
        self.service_rate = (
            p["office.hours_per_week"] * p["office.assessment_share"] / p["office.assessment_hours"]
        )  # assessments per week per worker
        self.scale = queue_scale(model)
        self.queue = OfficeQueue(0, self.service_rate, model.streams["office"])
        self.capacity = 0.0  # full-time workers assessing, at the queue's scale
        self.exogenous_rate = p.weekly("office.exogenous_requests")
        self._expected = 0.0  # simulated residents' expected requests this week
        self.shadow_arrivals = 0  # shadow requests this week
        self._withdrawal_rng = np.random.default_rng(0)  # replaced every week (from "shadow")
        self._withdrawn: list[np.ndarray] = []  # request ids withdrawn, not yet out of the line
        self.configure(model)
        n = model.citizens.n
        self.current = np.full((len(DOMAINS), n), -1, dtype=np.int64)  # request id per need
        self._who = np.empty(1024, dtype=np.int64)
        self._domain = np.empty(1024, dtype=np.int8)
        self._next_id = 0
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.week: QueueWeek | None = None  # this week's queue figures (after the first step)

    def configure(self, model: WelfareModel) -> None:
        """Levers a policy may change: staff, salary and the means test."""
        p = model.params
        self.isee_max = p.array("eligibility.isee_max")
        self.salary = p.weekly("office.salary")
        self.staff, capacity = staffing(model)
        if p["governance.co_programming"]:  # staff time spent at co-programming tables
            capacity *= 1.0 - p["governance.co_staff_share"]
        self.set_capacity(capacity)

    def set_capacity(self, capacity: float) -> None:
        """Assess with ``capacity`` full-time workers (at the queue's scale) from now on."""
        self.flush_withdrawals()
        servers, share = desks(capacity)
        self.queue.servers = servers
        self.queue.service_rate = self.service_rate * share
        self.capacity = float(capacity)

    @property
    def servers(self) -> int:
        """Desks of the queue (at the queue's scale, not per simulated resident)."""
        return self.queue.servers

    def submit(
        self,
        times: np.ndarray,
        who: np.ndarray,
        domain: np.ndarray,
        expected: float | None = None,
    ) -> None:
        """Register requests made by residents ``who`` at ``times`` (weeks) in ``domain``.

        ``expected`` is the number of requests the submitter expected this week (the sum of its
        residents' probabilities of asking), from which the shadow requests of a sample are
        drawn; without it, the number of requests made.
        """
        ids = self._new_ids(who, domain)
        self.current[domain, who] = ids
        self._pending.append((np.asarray(times, dtype=float), ids))
        self._expected += float(len(ids) if expected is None else expected)

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """Needs that end withdraw their open requests."""
        queued = idx[model.citizens.status[domain][idx] == QUEUED]
        if queued.size:
            self.withdraw(queued, domain)

    def withdraw(self, who: np.ndarray, domain: int) -> None:
        """Drop the requests of residents ``who`` in ``domain`` (need ended, person replaced).

        The requests leave the queue's waiting line together, at :meth:`flush_withdrawals`
        (one search of the line a week instead of one per call): before the queue moves or
        its servers change, and at the end of the week.
        """
        current = self.current[domain]
        ids = current[who]
        ids = ids[ids >= 0]
        if ids.size:
            self._withdrawn.append(ids)
        current[who] = -1

    def flush_withdrawals(self) -> None:
        """Remove the requests withdrawn since the last call from the queue's waiting line.

        In a sample, waiting shadow requests leave with the simulated residents' hazard: each
        with probability (simulated requests withdrawn) / (simulated requests waiting).
        """
        if not self._withdrawn:
            return
        ids = np.concatenate(self._withdrawn)
        self._withdrawn.clear()
        shadows = None
        if self.scale > 1.0 and self.queue.n_waiting:
            items = self.queue.waiting_items
            kind = self._who[items]
            waiting = int(np.count_nonzero(kind >= 0))
            shadows = items[kind == SHADOW]  # a copy: the line changes below
        removed = int(np.count_nonzero(self.queue.withdraw(ids)))
        if removed and shadows is not None and shadows.size:
            leave = self._withdrawal_rng.random(shadows.size) < removed / waiting
            self.queue.withdraw(shadows[leave])

    def step(self, model: WelfareModel, week: int) -> None:
        self.flush_withdrawals()
        if self.exogenous_rate > 0:
            self._exogenous_arrivals(model, week)
        self._shadow_arrivals(model, week)
        times, ids = self._take_pending()
        figures = self.week = self.queue.step(week, times, ids)
        model.municipality.fixed_costs["staff"] = self.staff * self.salary
        model.municipality.pay("staff", self.staff * self.salary)
        self._decide(model, figures.completed_items, figures.completed_times)

    def end_week(self, model: WelfareModel, week: int) -> None:
        """The queue as it stands at the end of the week: withdrawn requests leave it."""
        self.flush_withdrawals()

    def started_residents(self) -> tuple[np.ndarray, np.ndarray]:
        """Residents whose assessment started this week, with their waits in weeks."""
        who, _, waits = self.started_requests()
        return who, waits

    @property
    def this_week(self) -> QueueWeek:
        """This week's queue figures (the office has stepped at least once)."""
        if self.week is None:
            raise RuntimeError("the office has not run a week yet")
        return self.week

    def started_requests(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Residents whose assessment started this week, the domain of each request and the
        waits in weeks (requests of exogenous arrivals left out)."""
        week = self.this_week
        items = week.started_items
        who = self._who[items]
        keep = who >= 0
        return who[keep], self._domain[items][keep], week.started_waits[keep]

    # --- published quantities of the week --------------------------------------------------

    # Counts are per simulated resident, like every count the indicators scale up by the
    # weight: the queue's figures over its scale; assessments and waits are the simulated
    # residents' own (so that groups of residents add up to them), plus validation-mode
    # requests over the scale. Busy time and servers are the queue's own (their ratio is the
    # utilisation).

    @property
    def arrivals(self) -> float:
        """Requests that reached the queue this week (exogenous and shadow ones included)."""
        return self.this_week.arrivals / self.scale

    @property
    def queue_time(self) -> float:
        """Time-average number of requests waiting this week."""
        return self.this_week.queue_time_integral / self.scale

    def _started_weights(self) -> np.ndarray:
        """Weight of each assessment started this week in the published counts."""
        who = self._who[self.this_week.started_items]
        return np.where(who >= 0, 1.0, np.where(who == SHADOW, 0.0, 1.0 / self.scale))

    @property
    def assessments_started(self) -> float:
        return float(self._started_weights().sum())

    @property
    def wait_total(self) -> float:
        """Sum of the waits (weeks) of the assessments started this week."""
        return float(self._started_weights() @ self.this_week.started_waits)

    @property
    def busy_time(self) -> float:
        """Desk-weeks spent assessing this week (at the queue's scale, like :attr:`servers`)."""
        return self.this_week.busy_time

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Assessments that started for followed residents, with their waits."""
        from willsim.journal import Event

        if self.week is None:
            return
        started, domain, waits = self.started_requests()
        followed = np.flatnonzero(np.isin(started, who))
        position = {int(r): p for p, r in enumerate(who)}
        for k in followed:
            p, r, d = position[int(started[k])], int(started[k]), int(domain[k])
            add(p, Event(week, self.name, r, "wait", d, float(waits[k]), "fcfs"))
            add(p, Event(week, self.name, r, "assessment_started", d, rule="fcfs"))

    def _decide(self, model: WelfareModel, ids: np.ndarray, times: np.ndarray) -> None:
        who, domain = self._who[ids], self._domain[ids]
        live = who >= 0
        live[live] = self.current[domain[live], who[live]] == ids[live]
        who, domain, times = who[live], domain[live], times[live]
        self.current[domain, who] = -1
        c = model.citizens
        eligible = c.isee[who] <= self.isee_max[domain]
        c.status[domain, who] = np.where(eligible, WAITLIST, REFUSED)
        c.status_since[domain, who] = times

    def _exogenous_arrivals(self, model: WelfareModel, week: int) -> None:
        rng = model.streams["exogenous"]
        count = rng.poisson(self.exogenous_rate)
        times = week + rng.random(count)
        self._pending.append((times, self._new_ids(np.full(count, EXOGENOUS), np.zeros(count))))

    def _shadow_arrivals(self, model: WelfareModel, week: int) -> None:
        """Requests of the residents a sample leaves out: Poisson, ``scale - 1`` times the
        simulated residents' expected requests, at uniform times within the week. One draw a
        week from the ``shadow`` stream seeds the week's generator, so the stream stays aligned
        across scenarios (common random numbers) whatever the counts."""
        seed = int(model.streams["shadow"].integers(2**63))
        self._withdrawal_rng = np.random.default_rng([seed, 1])
        expected, self._expected = self._expected, 0.0
        rate = (self.scale - 1.0) * expected
        if rate <= 0:
            self.shadow_arrivals = 0
            return
        rng = np.random.default_rng([seed, 0])
        count = int(rng.poisson(rate))
        self.shadow_arrivals = count
        times = np.minimum(week + rng.random(count), week + 1.0 - 1e-9)
        self._pending.append((times, self._new_ids(np.full(count, SHADOW), np.zeros(count))))

    def _take_pending(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._pending:
            return np.empty(0), np.empty(0, dtype=np.int64)
        times = np.concatenate([t for t, _ in self._pending])
        ids = np.concatenate([i for _, i in self._pending])
        self._pending.clear()
        return times, ids

    def _new_ids(self, who: np.ndarray, domain: np.ndarray) -> np.ndarray:
        count = len(who)
        end = self._next_id + count
        if end > self._who.size:
            size = max(end, 2 * self._who.size)
            self._who = np.resize(self._who, size)
            self._domain = np.resize(self._domain, size)
        self._who[self._next_id : end] = who
        self._domain[self._next_id : end] = domain
        ids = np.arange(self._next_id, end, dtype=np.int64)
        self._next_id = end
        return ids
