"""The marketplace platform: aggregated demand matched to professional supply.

Residents with an unmet care or work need who know the services and can reach the platform
(digital skills, or assisted access points in a multichannel platform) join it with a weekly
probability scaled by its usefulness: the share of recent requests it matched (cross-side network
effect). Users without a match post a request; the platform matches requests to providers by
domain, spare hours, reputation and distance. A family pays the price (list price less the
aggregation discount, which grows with the hours sold) if it is within its willingness to pay;
the municipality pays a voucher share for users within the care means test. Matched users get
``hours_per_match`` hours a week for ``match_weeks`` weeks; those hours count towards covering
their need and the provider's hidden quality scales the effect on work needs.

Reputation is either municipal accreditation (quality measured once, at a cost) or ratings: each
week of service earns a rating (quality plus noise) and reputation is the running mean with a
prior. Providers whose revenue stays below break-even leave; potential providers enter when
requests exceed the hours on offer. Users whose request goes unmatched may leave. So the
platform can fail below critical mass on either side. The platform is paid by the municipality
(operating cost, accreditation, vouchers) and keeps a fee on each transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from willsim.agents import Provider
from willsim.citizens import CARE, WORK
from willsim.mechanisms.base import AddEvent, Mechanism, PolicyType, Read, SpendingItem
from willsim.outputs import Indicator, P, Ratio, Total, Value
from willsim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from willsim.model import WelfareModel

PLATFORM_DOMAINS = (CARE, WORK)
REVENUE_WINDOW = 8  # weeks over which break-even is judged
PRIOR_RATINGS = 3.0  # weight of the prior (1.0) in the ratings mean


class Marketplace(Mechanism):
    """Two-sided matching platform with entry and exit on both sides."""

    name = "marketplace"
    label = ("marketplace", "piattaforma di mercato")
    streams = ("marketplace",)
    levers = ("marketplace", "eligibility")
    spending = (
        SpendingItem(
            "marketplace",
            "Platform spending",
            "Spesa per la piattaforma",
            "Municipal spending on the marketplace platform: running costs, accreditation, "
            "vouchers.",
        ),
    )
    publishes = (
        "care_hours",
        "match_domain",
        "match_provider",
        "family_spending",
        "user",
        "active",
        "requests",
        "matches",
        "match_time_total",
        "price_shown",
        "mean_reputation",
        "survival",
        "provider_revenue",
        "started",
        "provider_state",
    )
    reads = (Read("coverage.met", lag=1),)
    care_hours_kind = "formal"
    meets = (WORK,)
    policies = (
        PolicyType(
            "marketplace",
            ("marketplace",),
            "A marketplace platform matching families' demand to Third Sector and private "
            "providers.",
            "Una piattaforma marketplace che incontra la domanda delle famiglie "
            "e l'offerta del Terzo Settore e dei professionisti.",
            switch="marketplace.enabled",
        ),
    )
    indicators = (
        Indicator(
            "platform_users",
            "Platform users",
            "Utenti della piattaforma",
            "persons",
            "Residents registered on the marketplace platform.",
            Total(P("marketplace.user", "count")),
        ),
        Indicator(
            "platform_providers",
            "Platform providers",
            "Erogatori in piattaforma",
            "providers",
            "Providers active on the marketplace platform (not scaled).",
            Value(P("marketplace.active", "count")),
        ),
        Indicator(
            "platform_requests",
            "Platform requests",
            "Richieste in piattaforma",
            "requests/week",
            "Requests posted on the platform that families can afford.",
            Total(P("marketplace.requests")),
        ),
        Indicator(
            "platform_matches",
            "Platform matches",
            "Abbinamenti in piattaforma",
            "matches/week",
            "Requests matched to a provider.",
            Total(P("marketplace.matches")),
            summary="sum",
        ),
        Indicator(
            "match_time_weeks",
            "Match time",
            "Tempo di abbinamento",
            "weeks",
            "Mean weeks from first posting to a match.",
            Ratio(P("marketplace.match_time_total"), P("marketplace.matches")),
            summary="ratio:match_time_total_weeks/platform_matches",
            better=-1,
        ),
        Indicator(
            "match_time_total_weeks",
            "Total match time",
            "Tempo totale di abbinamento",
            "weeks",
            "Sum of match times (for averaging).",
            Total(P("marketplace.match_time_total")),
            summary="sum",
        ),
        Indicator(
            "platform_price",
            "Platform price",
            "Prezzo in piattaforma",
            "EUR/hour",
            "Hourly price on the platform after the aggregation discount.",
            Value(P("marketplace.price_shown")),
        ),
        Indicator(
            "platform_reputation",
            "Platform reputation",
            "Reputazione media",
            "score",
            "Mean reputation of active providers (accreditation or ratings).",
            Value(P("marketplace.mean_reputation")),
        ),
        Indicator(
            "platform_provider_survival",
            "Platform provider survival",
            "Sopravvivenza degli erogatori in piattaforma",
            "share",
            "Among providers ever active on the marketplace platform, the share still active.",
            Value(P("marketplace.survival")),
            summary="last",
            better=1,
        ),
    )
    journey_fields: ClassVar[dict[str, float]] = {
        "match_provider": -1.0,
        "posted_since": -1.0,
        "user": 0.0,
    }
    journey_need_rules: ClassVar[dict[str, str]] = {"need_ended": "platform_effect"}
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {
        "platform_joined": (
            "Joined the marketplace platform",
            "Si iscrive alla piattaforma di mercato",
        ),
        "platform_left": ("Left the marketplace platform", "Lascia la piattaforma di mercato"),
        "platform_match": (
            "Matched on the platform with provider {value} ({domain})",
            "Abbinato sulla piattaforma all'erogatore {value} ({domain})",
        ),
        "platform_match_ended": ("Platform match ended", "Abbinamento sulla piattaforma concluso"),
    }
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {
        "platform_join": (
            "marketplace: joins with an unmet need, access and the platform's success",
            "piattaforma: si iscrive con un bisogno scoperto, accesso e successo della piattaforma",
        ),
        "platform_leave": (
            "marketplace: unmatched users may leave (marketplace.user_leave)",
            "piattaforma: chi non trova abbinamento può uscire (marketplace.user_leave)",
        ),
        "platform_matching": (
            "marketplace: matched by reputation and distance, within spare hours",
            "piattaforma: abbinamento per reputazione e distanza, entro le ore libere",
        ),
        "platform_effect": (
            "marketplace: the match ended (its weeks ran out or the need was met)",
            "piattaforma: abbinamento concluso (settimane esaurite o bisogno risolto)",
        ),
    }

    def setup(self, model: WelfareModel) -> None:
        c, p = model.citizens, model.params
        n, k = c.n, int(p["marketplace.providers"])
        self.user = np.zeros(n, dtype=bool)
        self.match_provider = np.full(n, -1, dtype=np.int32)
        self.match_domain = np.full(n, -1, dtype=np.int8)
        self.match_until = np.zeros(n, dtype=np.int32)
        self.posted_since = np.full(n, -1, dtype=np.int32)
        self.care_hours = np.zeros(n)
        self.family_spending = np.zeros(n)  # EUR paid by each family this week
        self.quality = np.ones(k)
        self.district = np.zeros(k, dtype=np.int16)
        self.active = np.zeros(k, dtype=bool)
        self.closing = np.zeros(k, dtype=bool)  # below break-even: no new matches, then leaves
        self.rating_sum = np.zeros(k)
        self.rating_count = np.zeros(k)
        self.revenue_history = np.zeros((REVENUE_WINDOW, k))
        self.success = 1.0  # share of last week's requests matched
        self.matched = np.empty(0, dtype=np.intp)  # residents matched with a provider (sorted)
        self._paid = self.matched  # residents whose hours and spending were set last week
        self.started = False
        self.ever_active = np.zeros(k, dtype=bool)  # providers ever active (for survival)
        self.revenue_total = np.zeros(k)  # EUR received by each provider so far
        self.kinds = np.full(k, "private", dtype=object)
        self.agents: list[Provider] = []
        self._reset_week()
        self.configure(model)

    def configure(self, model: WelfareModel) -> None:
        p, n = model.params, model.citizens.n
        self.enabled = bool(p["marketplace.enabled"])
        self.capacity = p["marketplace.provider_hours"] * n / 1000.0
        self.list_price = p["marketplace.price"]
        self.discount = p["marketplace.aggregation_discount"]
        self.volume_full = p["marketplace.aggregation_volume"] * n / 1000.0
        self.fee = p["marketplace.fee"]
        self.subsidy = p["marketplace.subsidy"]
        self.max_price = p.array("marketplace.max_price")
        self.isee_max_care = p.array("eligibility.isee_max")[CARE]  # voucher: care means test
        self.ratings = p["marketplace.reputation"] == "ratings"
        self.rating_noise = p["marketplace.rating_noise"]
        self.digital_only = p["marketplace.access"] == "digital"
        self.assisted = p["marketplace.assisted_access"]
        self.join = p.weekly("marketplace.user_join")
        self.leave = p.weekly("marketplace.user_leave")
        self.hours = p["marketplace.hours_per_match"]
        self.match_weeks = round(p.weekly("marketplace.match_weeks"))
        self.distance_weight = p["marketplace.distance_weight"]
        self.pooled = p["marketplace.matching"] == "pooled"
        # the providers are the city's own (not sampled), but in a weighted sample they sell to
        # simulated residents: their simulated revenue is 1/weight of the real one
        weight = model.citizens.weight
        self.min_revenue = p.weekly("marketplace.min_revenue") / weight
        self.entry = p.weekly("marketplace.provider_entry")
        self.work_effect = p.weekly("services.resolution")[WORK]
        k = self.quality.size
        accreditation = (
            p["marketplace.accreditation_cost"] * k / weight if not self.ratings else 0.0
        )  # per provider, in simulated units like the budget
        fixed = (p["marketplace.operating_cost"] * n / 1000.0 + accreditation) / WEEKS_PER_YEAR
        self.fixed_week = fixed if self.enabled else 0.0
        model.municipality.fixed_costs["marketplace"] = self.fixed_week
        if self.enabled and not self.started:
            self._launch(model)

    def _launch(self, model: WelfareModel) -> None:
        """Providers are drawn when the platform first opens (marketplace stream only)."""
        p, rng = model.params, model.streams["marketplace"]
        k = self.quality.size
        sd = p["providers.quality_sd"]
        self.quality = np.clip(rng.lognormal(-(sd**2) / 2, sd, k), 0.2, 2.0)
        self.district = rng.integers(0, int(p["city.districts"]), k).astype(np.int16)
        self.active = rng.random(k) < p["marketplace.initial_share"]
        self.accredited = self.quality + rng.normal(0, 0.05, k)
        self.kinds = np.where(np.arange(k) % 2 == 0, "third_sector", "private").astype(object)
        self.agents = [Provider(model, j, self.name) for j in range(k)]
        self.started = True

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        self.user[idx] = False
        self.match_provider[idx] = -1
        self.match_domain[idx] = -1
        self.posted_since[idx] = -1

    def _reset_week(self) -> None:
        self.requests = self.matches = 0
        self.match_time_total = 0.0
        self.payments = self.vouchers = self.fees = 0.0
        self.price_now = 0.0

    @property
    def reputation(self) -> np.ndarray:
        """What users see: accreditation score, or the mean rating with a prior of 1."""
        if not self.ratings:
            return self.accredited
        return (self.rating_sum + PRIOR_RATINGS) / (self.rating_count + PRIOR_RATINGS)

    def price(self) -> float:
        """List price less the aggregation discount earned by last week's volume."""
        load = self.load().sum()
        return self.list_price * (1.0 - self.discount * min(load / self.volume_full, 1.0))

    def load(self) -> np.ndarray:
        """Hours a week each provider sells to the residents it is matched with."""
        matched = self.match_provider[self.matched]
        return np.bincount(matched[matched >= 0], minlength=self.quality.size) * self.hours

    # --- published quantities and coverage ---------------------------------------------------

    @property
    def price_shown(self) -> float:
        """This week's hourly price (NaN while the platform is off)."""
        return self.price_now if self.enabled else float("nan")

    @property
    def mean_reputation(self) -> float:
        """Mean reputation of the active providers (NaN if none or off)."""
        if not (self.enabled and self.active.any()):
            return float("nan")
        return float(self.reputation[self.active].mean())

    @property
    def survival(self) -> float:
        """Among providers ever active, the share active now (NaN before launch)."""
        if not self.started:
            return float("nan")
        ever = int(np.count_nonzero(self.ever_active))
        return float(np.count_nonzero(self.active)) / ever if ever else float("nan")

    @property
    def provider_revenue(self) -> float:
        """Platform sales net of the fee, paid to providers this week."""
        return float(self.revenue_history[0].sum()) if self.enabled else 0.0

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Hours bought through the platform for the care needs of ``idx``."""
        return self.care_hours[idx]

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        """Work needs are met while matched with a provider for work."""
        return self.match_domain == domain

    def has_helped(self, model: WelfareModel, domain: int, idx: np.ndarray) -> np.ndarray | None:
        """Those matched on the platform for this need."""
        return self.match_domain[idx] == domain if self.started else None

    def has_run(self) -> bool:
        return self.started

    def provider_state(self, name: str) -> np.ndarray:
        """Per platform provider (what :class:`~willsim.agents.Provider` views read)."""
        k = self.quality.size
        if name == "domains":
            return np.tile([True, False, True], (k, 1))
        if name == "load":
            return np.where(self.active, self.load(), 0.0)
        if name == "hours_delivered":
            return np.zeros(k)  # not tracked for platform providers
        values = {
            "kind": self.kinds,
            "capacity": np.full(k, self.capacity),
            "unit_cost": np.full(k, self.list_price),
            "quality": self.quality,
            "district": self.district,
            "revenue": self.revenue_total,
        }
        return values[name]

    def step(self, model: WelfareModel, week: int) -> None:
        self._reset_week()
        self.care_hours[self._paid] = 0.0
        self.family_spending[self._paid] = 0.0
        self._paid = self.matched[:0]
        if not self.enabled:
            if self.started:
                self._close_all()
            return
        rng = model.streams["marketplace"]
        model.municipality.pay("marketplace", self.fixed_week)
        self._end_matches(week)
        needy, domain = self._needs(model)
        self._users_join(model, needy, rng)
        self._post_and_match(model, week, needy, domain, rng)
        self._deliver(model, week, rng)
        self._providers_enter_and_exit(model, rng)

    def _close_all(self) -> None:
        self.match_provider[:] = -1
        self.user[:] = False
        self.matched = self.matched[:0]

    def _end_matches(self, week: int) -> None:
        matched = self.matched[self.match_provider[self.matched] >= 0]  # deaths unmatched some
        done = week >= self.match_until[matched]
        self.match_provider[matched[done]] = -1
        self.match_domain[matched[done]] = -1
        self.matched = matched[~done]

    def _can_reach(self, model: WelfareModel, who: np.ndarray) -> np.ndarray:
        """Ease of reaching the platform for residents ``who`` (0 to 1)."""
        c = model.citizens
        digital = c.digital[who]
        access = (
            digital.astype(float) if self.digital_only else np.where(digital, 1.0, self.assisted)
        )
        return access * (c.aware[who] & ~c.residential[who])

    def _needs(self, model: WelfareModel) -> tuple[np.ndarray, np.ndarray]:
        """Residents with an unmet care or work need (what the platform can serve), and the
        domain each would post in (care first)."""
        c, met = model.citizens, model.coverage.met
        care = (c.need_level[CARE] > 0) & ~met[CARE]
        either = care | ((c.need_level[WORK] > 0) & ~met[WORK])
        who = np.flatnonzero(either)
        return who, np.where(care[who], np.int8(CARE), np.int8(WORK))

    def _users_join(self, model: WelfareModel, needy: np.ndarray, rng: np.random.Generator) -> None:
        who = needy[~self.user[needy]]
        u = rng.random(who.size)
        top = self.join * self.success  # reach is at most 1: only those under it can join
        maybe = u < top
        who, u = who[maybe], u[maybe]
        self.user[who[u < top * self._can_reach(model, who)]] = True

    def _post_and_match(
        self,
        model: WelfareModel,
        week: int,
        needy: np.ndarray,
        domain: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        c = model.citizens
        free = self.user[needy] & (self.match_provider[needy] < 0)
        posters, domain = needy[free], domain[free]
        self.price_now = price = self.price()
        own_share = np.where(c.isee[posters] <= self.isee_max_care, 1 - self.subsidy, 1)
        affordable = price * own_share <= self.max_price[c.income_band[posters]]
        posters, domain = posters[affordable], domain[affordable]
        self.posted_since[posters] = np.where(
            self.posted_since[posters] < 0, week, self.posted_since[posters]
        )
        self.requests = posters.size
        if posters.size == 0 or not self.active.any():
            self.success = 1.0 if posters.size == 0 else 0.0
            return
        spare = np.floor((self.capacity - self.load()) / self.hours).astype(int)
        spare[~self.active | self.closing] = 0
        distance = np.abs(
            c.district[posters, None].astype(float) - self.district[None, :].astype(float)
        )
        score = self.reputation[None, :] - self.distance_weight * distance
        score += rng.random(score.shape) * 1e-6  # break ties at random
        if not self.pooled:  # a separate queue per district: only its own providers
            score[distance > 0] = -np.inf
        priority = np.argsort(self.posted_since[posters], kind="stable")
        provider = match_requests(score, spare, priority)
        done = provider >= 0
        who = posters[done]
        self.match_provider[who] = provider[done]
        self.match_domain[who] = domain[done]
        self.match_until[who] = week + self.match_weeks
        self.match_time_total += float((week - self.posted_since[who]).sum())
        self.posted_since[who] = -1
        unmatched = ~done
        self.matches = int(who.size)
        self.success = self.matches / posters.size
        self.matched = np.sort(np.r_[self.matched, who])
        left = posters[unmatched]
        self.user[left[rng.random(left.size) < self.leave]] = False

    def _deliver(self, model: WelfareModel, week: int, rng: np.random.Generator) -> None:
        c = model.citizens
        served = self.matched
        prov = self.match_provider[served]
        hours = np.full(served.size, self.hours)
        care = self.match_domain[served] == CARE
        self.care_hours[served[care]] = hours[care]
        price = self.price_now or self.price()
        voucher = np.where(c.isee[served] <= self.isee_max_care, self.subsidy, 0.0)
        paid = hours * price
        self.payments = float((paid * (1 - voucher)).sum())
        self.vouchers = model.municipality.pay("marketplace", float((paid * voucher).sum()))
        self.fees = float(paid.sum()) * self.fee
        revenue = np.bincount(prov, weights=paid * (1 - self.fee), minlength=self.quality.size)
        self.revenue_history[1:] = self.revenue_history[:-1].copy()  # the oldest week drops
        self.revenue_history[0] = revenue
        self.family_spending[served] = paid * (1 - voucher)
        self._paid = served
        rating = self.quality[prov] + rng.normal(0, self.rating_noise, prov.size)
        self.rating_sum += np.bincount(prov, weights=rating, minlength=self.quality.size)
        self.rating_count += np.bincount(prov, minlength=self.quality.size)
        work = served[~care]
        resolved = rng.random(work.size) < self.work_effect * self.quality[prov[~care]]
        done = work[resolved]
        model.resolve_work_needs(done, activated=True)
        self.match_provider[done] = -1
        if done.size:
            self.matched = self.matched[self.match_provider[self.matched] >= 0]
        self.revenue_total += revenue

    def _providers_enter_and_exit(self, model: WelfareModel, rng: np.random.Generator) -> None:
        weeks_seen = min(model.week + 1, REVENUE_WINDOW)
        mean_revenue = self.revenue_history[:weeks_seen].mean(axis=0)
        self.closing |= (
            self.active & (weeks_seen >= REVENUE_WINDOW) & (mean_revenue < self.min_revenue)
        )
        leaving = self.closing & (self.load() == 0)  # it leaves once its current matches end
        self.active &= ~leaving
        self.closing &= ~leaving
        demand = self.requests - self.matches
        if demand > 0:
            entering = ~self.active & ~self.closing & (rng.random(self.active.size) < self.entry)
            self.active |= entering
            self.revenue_history[:, entering] = self.min_revenue  # a fresh start
        self.ever_active |= self.active

    def idle(self, model: WelfareModel) -> bool:
        return not self.enabled and not self.started

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Joining and leaving, matches (with the wait since posting) and their end."""
        from willsim.journal import Event

        name = self.name
        was, now = old["user"] > 0, new["user"] > 0
        for p in np.flatnonzero(now & ~was):
            add(p, Event(week, name, int(who[p]), "platform_joined", rule="platform_join"))
        mo, mn = old["match_provider"], new["match_provider"]
        for p in np.flatnonzero((mn >= 0) & (mo != mn)):
            r, d = int(who[p]), int(self.match_domain[who[p]])
            if old["posted_since"][p] >= 0:
                waited = float(week - old["posted_since"][p])
                add(p, Event(week, name, r, "wait", d, waited, "platform_matching"))
            add(p, Event(week, name, r, "platform_match", d, int(mn[p]), "platform_matching"))
        for p in np.flatnonzero((mo >= 0) & (mn < 0)):
            add(p, Event(week, name, int(who[p]), "platform_match_ended", rule="platform_effect"))
        for p in np.flatnonzero(was & ~now):
            add(p, Event(week, name, int(who[p]), "platform_left", rule="platform_leave"))


def match_requests(score: np.ndarray, spare: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Match requests to providers: the provider of each request (a row of ``score``), or -1.

    Each request asks for its best-scored provider with spare places (``-inf``: never that
    one); a provider asked by more requests than it has places takes them in ``priority``
    order (request indices, most urgent first) and closes, and the rest ask again. Every round
    matches all that asked or fills a provider, so it ends within one round per provider.
    """
    spare = spare.copy()
    k = spare.size
    provider = np.full(score.shape[0], -1, dtype=np.int64)
    rows = np.asarray(priority)  # requests still unmatched, most urgent first
    for _ in range(k + 1):  # rounds: at most one per provider
        open_ = spare > 0
        if not open_.any() or rows.size == 0:
            break
        masked = np.where(open_[None, :], score[rows], -np.inf)
        choice = np.argmax(masked, axis=1)
        can = masked[np.arange(rows.size), choice] > -np.inf  # providers only ever close
        rows, choice = rows[can], choice[can]
        by_provider = np.argsort(choice, kind="stable")  # urgency order within each provider
        chosen = choice[by_provider]
        first = np.searchsorted(chosen, np.arange(k))
        taken = np.arange(chosen.size) - first[chosen] < spare[chosen]
        provider[rows[by_provider[taken]]] = chosen[taken]
        spare -= np.bincount(chosen[taken], minlength=k)
        rows = rows[np.sort(by_provider[~taken])]
    return provider
