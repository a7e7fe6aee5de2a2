"""Journey log: what happens to chosen residents, phase by phase, and which rule fired.

A :class:`Journal` is a model observer (``model.observers``, called after every phase). It follows
a set of residents (a few, or all of a small model) and, after each phase, compares their state
with what it saw after the previous phase, on the followed residents only: needs that arose,
progressed or receded, becoming aware of the services, requests, assessments, waits, placements
with providers, platform matches, peer help, crises, deaths and policy changes. Each
:class:`Event` carries the week, the phase and the rule that fired (a key into :data:`RULES`),
worded in English and Italian.

It only reads the model: attaching it never changes a run. Memory is bounded: at most
``max_events`` events per resident and ``max_history_weeks`` weeks of status history.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from willsim.citizens import LATENT, NO_NEED, QUEUED, REFUSED, SERVED, WAITLIST
from willsim.params import AGE_BANDS, DOMAINS

if TYPE_CHECKING:
    from willsim.model import WelfareModel

MAX_TRACKED = 5000
"""Most residents one journal follows (its cost and memory grow with them)."""

DOMAIN_LABELS: dict[str, tuple[str, str]] = {
    "care": ("Care", "Cura"),
    "isolation": ("Isolation", "Isolamento"),
    "work": ("Work and income", "Lavoro e reddito"),
}
PROVIDER_LABELS: dict[str, tuple[str, str]] = {
    "municipal": ("the municipal service", "al servizio comunale"),
    "third_sector": ("a Third Sector organisation", "a un ente del Terzo Settore"),
    "private": ("a private firm", "a un'impresa privata"),
}
PHASE_LABELS: dict[str, tuple[str, str]] = {
    "start": ("start", "inizio"),
    "policy": ("policies", "politiche"),
    "transitions": ("transitions", "transizioni"),
    "needs": ("needs", "bisogni"),
    "outreach": ("outreach", "prossimità"),
    "helpseeking": ("help-seeking", "richiesta di aiuto"),
    "office": ("social office", "sportello"),
    "services": ("services", "servizi"),
    "marketplace": ("marketplace", "piattaforma di mercato"),
    "community": ("community", "comunità"),
    "coverage": ("coverage", "copertura"),
    "crises": ("crises", "crisi"),
}

EVENT_TEXT: dict[str, tuple[str, str]] = {
    "need_arose": (
        "{domain} need arose (level {value})",
        "Nasce un bisogno: {domain} (livello {value})",
    ),
    "need_present": (
        "{domain} need (level {value}), {status}",
        "Bisogno di {domain} (livello {value}), {status}",
    ),
    "need_progressed": (
        "{domain} need rose to level {value}",
        "Bisogno di {domain} aggravato al livello {value}",
    ),
    "need_receded": (
        "{domain} need fell to level {value}",
        "Bisogno di {domain} ridotto al livello {value}",
    ),
    "need_ended": ("{domain} need ended", "Bisogno di {domain} concluso"),
    "contacted": ("Contacted by an outreach worker", "Contattato da un operatore di prossimità"),
    "aware": (
        "Learned about the services and how to ask",
        "Viene a sapere dei servizi e di come chiederli",
    ),
    "request": (
        "Filed a request at the social office ({domain})",
        "Presenta una domanda allo sportello sociale ({domain})",
    ),
    "wait": ("Waited {value} weeks", "Ha atteso {value} settimane"),
    "assessment_started": ("Assessment started ({domain})", "Inizia la valutazione ({domain})"),
    "eligible": (
        "Assessed eligible ({domain}): on the waiting list",
        "Valutato idoneo ({domain}): in lista d'attesa",
    ),
    "refused": ("Refused on the means test ({domain})", "Respinto per la soglia ISEE ({domain})"),
    "taken_in_charge": (
        "Taken in charge by outreach ({domain}): on the waiting list",
        "Preso in carico dalla prossimità ({domain}): in lista d'attesa",
    ),
    "placed": ("Placed with {value} ({domain})", "Assegnato {value} ({domain})"),
    "suspended": (
        "Service suspended ({domain}): back on the waiting list",
        "Servizio sospeso ({domain}): di nuovo in lista d'attesa",
    ),
    "service_ended": (
        "Service ended ({domain}); the need remains",
        "Servizio terminato ({domain}); il bisogno resta",
    ),
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
    "community_joined": ("Joined the community platform", "Entra nella piattaforma di comunità"),
    "community_left": ("Left the community platform", "Lascia la piattaforma di comunità"),
    "peer_help": (
        "Helped by peers and volunteers ({domain})",
        "Aiutato da pari e volontari ({domain})",
    ),
    "crisis": ("Crisis: {value}", "Crisi: {value}"),
    "residential": ("Admitted to residential care", "Ricoverato in RSA"),
    "died": (
        "Died; a newcomer of the same age band takes their place",
        "Decede; subentra un nuovo residente della stessa fascia d'età",
    ),
    "aged": ("Moved up to age band {value}", "Passa alla fascia d'età {value}"),
    "digital": ("Acquired basic digital skills", "Acquisisce competenze digitali di base"),
    "policy_start": ("Policy in force: {value}", "Entra in vigore la politica: {value}"),
    "policy_stop": ("Policy ended: {value}", "Termina la politica: {value}"),
}
STATUS_TEXT: dict[int, tuple[str, str]] = {
    LATENT: ("not asked about", "non espresso"),
    QUEUED: ("request at the office", "domanda allo sportello"),
    WAITLIST: ("on the waiting list", "in lista d'attesa"),
    SERVED: ("in service", "in servizio"),
    REFUSED: ("refused on the means test", "respinto per l'ISEE"),
}
VALUE_TEXT: dict[str, tuple[str, str]] = {
    "hospital": ("hospital admission", "ricovero in ospedale"),
    "housing": ("loss of housing", "perdita della casa"),
}

RULES: dict[str, tuple[str, str]] = {
    "onset": (
        "needs: weekly onset probability of the age band, set to keep its prevalence",
        "bisogni: probabilità settimanale di insorgenza della fascia d'età, tarata sulla "
        "prevalenza",
    ),
    "newcomer": (
        "needs: initial needs of a newcomer",
        "bisogni: bisogni iniziali del nuovo residente",
    ),
    "initial": (
        "the resident's state when the journal began following them",
        "la situazione del residente quando il diario ha iniziato a seguirlo",
    ),
    "progression": (
        "needs: a care need rises one level with probability "
        "needs.care_progression (slower when served)",
        "bisogni: il bisogno di cura sale di un livello con probabilità "
        "needs.care_progression (più lenta se servito)",
    ),
    "recovery": (
        "needs: spontaneous recovery (needs.*_recovery)",
        "bisogni: recupero spontaneo (needs.*_recovery)",
    ),
    "mortality": (
        "needs: weekly mortality of the age band, higher with a care need",
        "bisogni: mortalità settimanale della fascia d'età, più alta con bisogno di cura",
    ),
    "service_effect": (
        "services: the service resolves the need at services.resolution x provider quality",
        "servizi: il servizio risolve il bisogno al tasso "
        "services.resolution x qualità dell'erogatore",
    ),
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
        "outreach: need found, accepted and assessed on the spot (ISEE test)",
        "prossimità: bisogno trovato, accettato e valutato sul posto (soglia ISEE)",
    ),
    "asking": (
        "help-seeking: asking rate x severity x awareness x trust x access",
        "richiesta di aiuto: propensione x gravità x conoscenza x fiducia x accesso",
    ),
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
    "allocation": (
        "services: oldest waiting first, within provider capacity and the budget",
        "servizi: prima chi attende da più tempo, entro capacità e bilancio",
    ),
    "rationing": (
        "services: the budget could not pay every case; newest cases suspended",
        "servizi: il bilancio non copre tutti i casi; sospesi i più recenti",
    ),
    "max_duration": (
        "services: longest episode reached (services.max_duration)",
        "servizi: durata massima raggiunta (services.max_duration)",
    ),
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
    "crisis_care": (
        "crises: risk by care level, lower if met, higher if isolated",
        "crisi: rischio per livello di cura, minore se coperto, maggiore se isolato",
    ),
    "crisis_work": (
        "crises: an unmet work/income need may end in loss of housing",
        "crisi: un bisogno di lavoro/reddito scoperto può portare a perdere la casa",
    ),
    "crisis_level": (
        "crises: a crisis raises the care level by one",
        "crisi: una crisi alza di un livello il bisogno di cura",
    ),
    "discharge": (
        "crises: hospital discharge links the resident to services",
        "crisi: la dimissione ospedaliera mette in contatto con i servizi",
    ),
    "admission": (
        "crises: a crisis at the top care level may end in residential care",
        "crisi: una crisi al livello massimo può portare in RSA",
    ),
    "ageing": (
        "transitions: the population ages (transitions.ageing_flow)",
        "transizioni: la popolazione invecchia (transitions.ageing_flow)",
    ),
    "digital_spread": (
        "transitions: digital skills spread (transitions.digital_rate)",
        "transizioni: le competenze digitali si diffondono (transitions.digital_rate)",
    ),
    "policy": ("policy schedule: {reason}", "calendario delle politiche: {reason}"),
    "state_change": ("{phase}", "{phase}"),
}

_NEED_RULES = {  # (kind, phase) -> rule; a missing pair falls back to the phase name
    ("need_arose", "needs"): "onset",
    ("need_progressed", "needs"): "progression",
    ("need_receded", "needs"): "recovery",
    ("need_ended", "needs"): "recovery",
    ("need_receded", "services"): "service_effect",
    ("need_ended", "services"): "service_effect",
    ("need_ended", "marketplace"): "platform_effect",
    ("need_ended", "community"): "community_ties",
    ("need_progressed", "crises"): "crisis_level",
    ("need_ended", "crises"): "admission",
}
# per-resident counters kept for pickers: crises, longest wait, services, platform/peer help
STAT_CRISES, STAT_MAX_WAIT, STAT_PLACED, STAT_PLATFORM, STAT_PEER, STAT_EVENTS = range(6)
STATS = ("crises", "longest_wait_weeks", "placements", "platform_matches", "peer_help", "events")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a resident (``resident`` -1: to the whole city)."""

    week: int
    phase: str
    resident: int
    kind: str
    domain: int = -1  # index into DOMAINS, -1 if none
    value: Any = None  # level, weeks waited, provider, crisis kind, policy label...
    rule: str = "state_change"  # key into RULES
    reason: str = ""  # free text from the model (policy triggers)
    status: int = -1  # a need's status (initial state only)

    def text(self, lang: str = "en") -> str:
        """What happened, in ``lang``."""
        domain = _pick(DOMAIN_LABELS[DOMAINS[self.domain]], lang) if self.domain >= 0 else ""
        template = _pick(EVENT_TEXT[self.kind], lang)
        if not template.startswith("{domain}"):
            domain = domain.lower()
        status = _pick(STATUS_TEXT[self.status], lang) if self.status in STATUS_TEXT else ""
        return template.format(domain=domain, value=_value_text(self.value, lang), status=status)

    def rule_text(self, lang: str = "en") -> str:
        """Which rule fired, in ``lang``."""
        phase = _pick(PHASE_LABELS.get(self.phase, (self.phase,) * 2), lang)
        return _pick(RULES[self.rule], lang).format(
            reason=_reason_text(self.reason, lang), phase=phase
        )


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "it" else pair[0]


def _reason_text(reason: str, lang: str) -> str:
    """A policy trigger (``week N reached``, ``condition '...' held``) in ``lang``."""
    if lang != "it":
        return reason
    reason = re.sub(r"^week (\d+) reached$", r"raggiunta la settimana \1", reason)
    return re.sub(r"^condition (.*) held$", r"condizione \1 verificata", reason)


def _value_text(value: Any, lang: str) -> str:
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "it" else text
    if isinstance(value, str):
        for table in (VALUE_TEXT, PROVIDER_LABELS):
            if value in table:
                return _pick(table[value], lang)
    return "" if value is None else str(value)


_ROWS = {
    "level": slice(0, 3),
    "status": slice(3, 6),
    "provider": slice(6, 9),
    "since": slice(9, 12),
    "aware": 12,
    "crises": 13,
    "residential": 14,
    "finger": 15,
    "age": 16,
    "digital": 17,
    "match": 18,
    "posted": 19,
    "user": 20,
    "participant": 21,
    "peer_care": 22,
    "peer_iso": 23,
}
_BOOL = ("aware", "residential", "digital", "user", "participant", "peer_care", "peer_iso")
_FLOAT = ("since", "finger")
_N_ROWS = 24
_READ_ONLY_PHASES = ("coverage",)  # phases that only compute who is covered: nothing to diff


def _read(obj: Any, name: str, idx: np.ndarray) -> np.ndarray | None:
    """``obj.name[idx]`` if the mechanism has that per-resident array, else None."""
    arr = getattr(obj, name, None)
    return arr[idx] if isinstance(arr, np.ndarray) and arr.ndim == 1 else None


def snapshot(model: WelfareModel, idx: np.ndarray) -> np.ndarray:
    """The state of residents ``idx`` the journal compares, packed in one ``(24, k)`` array
    (rows: :data:`_ROWS`); cheap for a few residents. Platforms never opened read as empty."""
    c, mp, cm = model.citizens, model.marketplace, model.community
    s = np.empty((_N_ROWS, idx.size))
    s[0:3] = c.need_level[:, idx]
    s[3:6] = c.status[:, idx]
    s[6:9] = c.provider[:, idx]
    s[9:12] = c.status_since[:, idx]
    s[12], s[13], s[14] = c.aware[idx], c.crises[idx], c.residential[idx]
    s[15], s[16], s[17] = c.private_propensity[idx], c.age_band[idx], c.digital[idx]
    s[18:24] = np.array([-1.0, -1.0, 0.0, 0.0, 0.0, 0.0])[:, None]
    if getattr(mp, "started", False):
        for row, name in ((18, "match_provider"), (19, "posted_since"), (20, "user")):
            value = _read(mp, name, idx)
            if value is not None:
                s[row] = value
    if getattr(cm, "launch_week", -1) >= 0:
        for row, name in ((21, "participant"), (22, "care_hours"), (23, "isolation_met")):
            value = _read(cm, name, idx)
            if value is not None:
                s[row] = value > 0 if name == "care_hours" else value
    return s


def _idle(model: WelfareModel, phase: str) -> bool:
    """The phase changed nobody this week: a mechanism that is off (and never ran), or
    transitions that moved nobody. Skipping it saves the snapshot."""
    mech = getattr(model, phase, None)
    if phase == "transitions":
        return not (getattr(mech, "aged", 1) or getattr(mech, "digital_gained", 1))
    if phase == "outreach":
        return getattr(mech, "enabled", True) is False
    if phase == "marketplace":
        return getattr(mech, "enabled", True) is False and not getattr(mech, "started", True)
    if phase == "community":
        return getattr(mech, "enabled", True) is False and getattr(mech, "launch_week", 0) < 0
    return False


def _views(packed: np.ndarray) -> dict[str, np.ndarray]:
    """Named, typed views of a packed snapshot."""
    out = {}
    for name, row in _ROWS.items():
        rows = packed[row]
        out[name] = (
            rows != 0 if name in _BOOL else rows if name in _FLOAT else rows.astype(np.int64)
        )
    return out


class Journal:
    """Follows residents through the weeks and records what happened to them, and why.

    Args:
        residents: indices of the residents to follow (at most :data:`MAX_TRACKED`).
        max_events: events kept per resident (the oldest are dropped beyond it).
        max_history_weeks: weeks of status history kept for timelines.
    """

    def __init__(
        self, residents: Iterable[int], max_events: int = 300, max_history_weeks: int = 1040
    ) -> None:
        idx = np.unique(np.asarray(list(residents), dtype=np.int64))
        if idx.size > MAX_TRACKED:
            raise ValueError(
                f"a journal follows at most {MAX_TRACKED} residents, got {idx.size}; "
                "follow a sample"
            )
        self.idx = idx
        self.max_events = int(max_events)
        self.events_by: list[deque[Event]] = [deque(maxlen=self.max_events) for _ in idx]
        self.stats = np.zeros((idx.size, len(STATS)), dtype=np.float64)
        self.since_week = np.zeros(idx.size, dtype=np.int32)
        self.policy_events: deque[Event] = deque(maxlen=200)
        self.history: deque[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = deque(
            maxlen=int(max_history_weeks)
        )
        self.dropped = 0
        self._pos = {int(r): p for p, r in enumerate(idx)}
        self._last: np.ndarray | None = None
        self._policy_seen = 0
        self._model: WelfareModel | None = None
        self._followed = np.zeros(0, dtype=bool)  # (n,) mask, set when attached

    # --- attaching -------------------------------------------------------------------------------

    def attach(self, model: WelfareModel) -> Journal:
        """Start following in ``model`` (from its current week); returns ``self``."""
        n = model.citizens.n
        if self.idx.size and (self.idx.min() < 0 or self.idx.max() >= n):
            raise ValueError(f"resident indices must be in 0..{n - 1}")
        self._model = model
        self._followed = np.zeros(n, dtype=bool)
        self._followed[self.idx] = True
        self._last = snapshot(model, self.idx)
        self._policy_seen = len(model.policies.log)
        self.since_week[:] = model.week
        self._initial(model, np.arange(self.idx.size))
        model.observers.append(self)
        return self

    def _initial(self, model: WelfareModel, positions: np.ndarray) -> None:
        """Record the needs residents have when following begins."""
        c = model.citizens
        who = self.idx[positions]
        level, status = c.need_level[:, who], c.status[:, who]
        for d, k in zip(*np.nonzero(level > 0), strict=True):
            self._add(
                int(positions[k]),
                Event(
                    model.week,
                    "start",
                    int(who[k]),
                    "need_present",
                    int(d),
                    int(level[d, k]),
                    "initial",
                    status=int(status[d, k]),
                ),
            )

    def detach(self) -> None:
        """Stop following (the events recorded so far stay)."""
        if self._model is not None and self in self._model.observers:
            self._model.observers.remove(self)
        self._model = None

    def follow(self, residents: Iterable[int]) -> None:
        """Also follow ``residents`` from now on (in an attached journal)."""
        model = self._model
        new = [int(r) for r in residents if int(r) not in self._pos]
        if not new:
            return
        if self.idx.size + len(new) > MAX_TRACKED:
            raise ValueError(f"a journal follows at most {MAX_TRACKED} residents")
        if min(new) < 0 or (model is not None and max(new) >= model.citizens.n):
            raise ValueError("resident index out of range")
        add = np.asarray(new, dtype=np.int64)
        for r in new:
            self._pos[r] = len(self._pos)
            self.events_by.append(deque(maxlen=self.max_events))
        self.idx = np.r_[self.idx, add]
        if model is not None:
            self._followed[add] = True
        self.stats = np.vstack([self.stats, np.zeros((add.size, len(STATS)))])
        self.since_week = np.r_[
            self.since_week, np.full(add.size, model.week if model else 0, dtype=np.int32)
        ]
        if model is not None and self._last is not None:
            extra = snapshot(model, add)
            self._last = np.concatenate([self._last, extra], axis=1)
            self._initial(model, np.arange(self.idx.size - add.size, self.idx.size))

    def follows(self, resident: int) -> bool:
        return int(resident) in self._pos

    # --- the observer ----------------------------------------------------------------------------

    def __call__(self, model: WelfareModel, phase: str, week: int) -> None:
        if self._last is None or self.idx.size == 0:
            return
        if phase == "transitions":
            self._policies(model, week)
        if phase in _READ_ONLY_PHASES or _idle(model, phase):
            return
        packed = snapshot(model, self.idx)
        if np.array_equal(packed, self._last):  # nothing changed for them (the common case)
            if phase == "office":
                self._assessments(model, week)
            elif phase == "outreach":
                self._contacts(model, week)
            elif phase == "crises":
                self._record_week(week, _views(packed))
            return
        last = self._last
        dead = packed[_ROWS["finger"]] != last[_ROWS["finger"]]
        if dead.any():  # a newcomer took the place: compare with an empty slate
            last = last.copy()
            last[0:6, dead] = 0
            last[6:, dead] = packed[6:, dead]
            for p in np.flatnonzero(dead):
                self._add(p, Event(week, phase, int(self.idx[p]), "died", rule="mortality"))
        old, new = _views(last), _views(packed)
        if phase == "crises":
            self._crises(model, week, old, new)
        self._needs(model, phase, week, old, new, dead)
        self._status(model, phase, week, old, new)
        self._flags(model, phase, week, old, new)
        if phase == "crises":
            self._record_week(week, new)
        self._last = packed

    def _record_week(self, week: int, new: dict[str, np.ndarray]) -> None:
        helped = (new["match"] >= 0) | new["peer_care"] | new["peer_iso"]
        self.history.append(
            (week, new["status"].astype(np.int8), new["level"].astype(np.int8), helped)
        )

    def _contacts(self, model: WelfareModel, week: int) -> np.ndarray:
        """Followed residents contacted by outreach this week (recorded); returns the mask."""
        last_contact = _read(model.outreach, "last_contact", self.idx)
        if last_contact is None:
            return np.zeros(self.idx.size, dtype=bool)
        contact = last_contact == week
        for p in np.flatnonzero(contact):
            self._add(
                p,
                Event(
                    week,
                    "outreach",
                    int(self.idx[p]),
                    "contacted",
                    value=model.outreach.targeting,
                    rule="outreach_contact",
                ),
            )
        return contact

    def _add(self, p: int, event: Event) -> None:
        events = self.events_by[p]
        if len(events) == events.maxlen:
            self.dropped += 1
        events.append(event)
        self.stats[p, STAT_EVENTS] += 1

    def _policies(self, model: WelfareModel, week: int) -> None:
        log = model.policies.log
        for entry in log[self._policy_seen :]:
            kind = "policy_start" if entry.action == "start" else "policy_stop"
            self.policy_events.append(
                Event(
                    entry.week,
                    "policy",
                    -1,
                    kind,
                    value=entry.policy,
                    rule="policy",
                    reason=entry.reason,
                )
            )
        self._policy_seen = len(log)

    def _needs(
        self, model: WelfareModel, phase: str, week: int, old: dict, new: dict, dead: np.ndarray
    ) -> None:
        lo, ln = old["level"], new["level"]
        for d, p in zip(*np.nonzero(lo != ln), strict=True):
            a, b = int(lo[d, p]), int(ln[d, p])
            kind = (
                "need_arose"
                if a == 0
                else "need_ended"
                if b == 0
                else "need_progressed"
                if b > a
                else "need_receded"
            )
            rule = "newcomer" if dead[p] else _NEED_RULES.get((kind, phase), "state_change")
            self._add(p, Event(week, phase, int(self.idx[p]), kind, int(d), b or None, rule))

    def _status(self, model: WelfareModel, phase: str, week: int, old: dict, new: dict) -> None:
        so, sn = old["status"], new["status"]
        who = self.idx
        if phase == "office" and getattr(model.office, "week", None) is not None:
            self._assessments(model, week)
        if phase == "services":
            start = model.services.service_start[:, who]
            placed = (start == week) & (so != SERVED)
            for d, p in zip(*np.nonzero(placed), strict=True):
                self._placed(model, week, int(d), int(p), old, new)
        for d, p in zip(*np.nonzero(so != sn), strict=True):
            a, b, r = int(so[d, p]), int(sn[d, p]), int(who[p])
            d = int(d)
            if b == NO_NEED or (a == NO_NEED and b == LATENT):
                continue  # need ended or arose: recorded by _needs
            if b == QUEUED:
                self._add(p, Event(week, phase, r, "request", d, rule="asking"))
            elif a == QUEUED and b in (WAITLIST, REFUSED):
                ok = b == WAITLIST
                self._add(
                    p,
                    Event(
                        week,
                        phase,
                        r,
                        "eligible" if ok else "refused",
                        d,
                        rule="means_test" if ok else "means_test_failed",
                    ),
                )
            elif phase == "outreach" and b in (WAITLIST, REFUSED):
                self._add(
                    p,
                    Event(
                        week,
                        phase,
                        r,
                        "taken_in_charge" if b == WAITLIST else "refused",
                        d,
                        rule="outreach_assess",
                    ),
                )
            elif a == SERVED and b == WAITLIST:
                self._add(p, Event(week, phase, r, "suspended", d, rule="rationing"))
            elif a == SERVED and b == LATENT:
                self._add(p, Event(week, phase, r, "service_ended", d, rule="max_duration"))

    def _placed(self, model: WelfareModel, week: int, d: int, p: int, old: dict, new: dict) -> None:
        r = int(self.idx[p])
        waited = float(week - old["since"][d, p])
        self._add(p, Event(week, "services", r, "wait", d, waited, "allocation"))
        self.stats[p, STAT_MAX_WAIT] = max(self.stats[p, STAT_MAX_WAIT], waited)
        j = int(new["provider"][d, p])
        kind = model.providers[j].kind if 0 <= j < len(model.providers) else None
        self._add(p, Event(week, "services", r, "placed", d, kind, "allocation"))
        self.stats[p, STAT_PLACED] += 1

    def _assessments(self, model: WelfareModel, week: int) -> None:
        office, qweek = model.office, model.office.week
        ids = qweek.started_items
        if ids.size == 0:
            return
        who = office._who[ids]
        hit = np.flatnonzero(self._followed[np.maximum(who, 0)] & (who >= 0))
        for k in hit:
            p, d = self._pos[int(who[k])], int(office._domain[ids[k]])
            waited = float(qweek.started_waits[k])
            self._add(p, Event(week, "office", int(who[k]), "wait", d, waited, "fcfs"))
            self._add(p, Event(week, "office", int(who[k]), "assessment_started", d, rule="fcfs"))
            self.stats[p, STAT_MAX_WAIT] = max(self.stats[p, STAT_MAX_WAIT], waited)

    def _flags(self, model: WelfareModel, phase: str, week: int, old: dict, new: dict) -> None:
        who = self.idx

        def changed(key: str) -> tuple[np.ndarray, np.ndarray]:
            return np.flatnonzero(~old[key] & new[key]), np.flatnonzero(old[key] & ~new[key])

        contact = (
            self._contacts(model, week) if phase == "outreach" else np.zeros(who.size, dtype=bool)
        )
        up, _ = changed("aware")
        for p in up:
            rule = (
                "discharge"
                if phase == "crises"
                else "state_change"
                if phase != "outreach"
                else "outreach_inform"
                if contact[p]
                else "word_of_mouth"
            )
            self._add(p, Event(week, phase, int(who[p]), "aware", rule=rule))
        if phase == "transitions":
            for p in np.flatnonzero(new["age"] != old["age"]):
                self._add(
                    p,
                    Event(
                        week,
                        phase,
                        int(who[p]),
                        "aged",
                        value=AGE_BANDS[int(new["age"][p])],
                        rule="ageing",
                    ),
                )
            for p in changed("digital")[0]:
                self._add(p, Event(week, phase, int(who[p]), "digital", rule="digital_spread"))
        if phase == "marketplace":
            joined, left = changed("user")
            for p in joined:
                self._add(
                    p, Event(week, phase, int(who[p]), "platform_joined", rule="platform_join")
                )
            mo, mn = old["match"], new["match"]
            for p in np.flatnonzero((mn >= 0) & (mo != mn)):
                d = int(model.marketplace.match_domain[who[p]])
                if old["posted"][p] >= 0:
                    waited = float(week - old["posted"][p])
                    self._add(
                        p, Event(week, phase, int(who[p]), "wait", d, waited, "platform_matching")
                    )
                    self.stats[p, STAT_MAX_WAIT] = max(self.stats[p, STAT_MAX_WAIT], waited)
                self._add(
                    p,
                    Event(
                        week,
                        phase,
                        int(who[p]),
                        "platform_match",
                        d,
                        int(mn[p]),
                        "platform_matching",
                    ),
                )
                self.stats[p, STAT_PLATFORM] += 1
            for p in np.flatnonzero((mo >= 0) & (mn < 0)):
                self._add(
                    p,
                    Event(week, phase, int(who[p]), "platform_match_ended", rule="platform_effect"),
                )
            for p in left:
                self._add(
                    p, Event(week, phase, int(who[p]), "platform_left", rule="platform_leave")
                )
        if phase == "community":
            joined, left = changed("participant")
            for p in joined:
                self._add(
                    p, Event(week, phase, int(who[p]), "community_joined", rule="community_join")
                )
            for p in left:
                self._add(
                    p, Event(week, phase, int(who[p]), "community_left", rule="community_leave")
                )
            for key, d in (("peer_care", 0), ("peer_iso", 1)):
                for p in changed(key)[0]:
                    self._add(p, Event(week, phase, int(who[p]), "peer_help", d, rule="peer_help"))
                    self.stats[p, STAT_PEER] += 1

    def _crises(self, model: WelfareModel, week: int, old: dict, new: dict) -> None:
        who, cr = self.idx, model.crises
        care, work = _read(cr, "care_crisis", who), _read(cr, "work_crisis", who)
        none = np.zeros(who.size, dtype=bool)
        care, work = (none if care is None else care), (none if work is None else work)
        for p in np.flatnonzero(new["crises"] > old["crises"]):
            if care[p]:
                self._add(
                    p, Event(week, "crises", int(who[p]), "crisis", 0, "hospital", "crisis_care")
                )
            if work[p]:
                self._add(
                    p, Event(week, "crises", int(who[p]), "crisis", 2, "housing", "crisis_work")
                )
            self.stats[p, STAT_CRISES] += int(new["crises"][p] - old["crises"][p])
        for p in np.flatnonzero(~old["residential"] & new["residential"]):
            self._add(p, Event(week, "crises", int(who[p]), "residential", 0, rule="admission"))

    # --- reading ---------------------------------------------------------------------------------

    def events(self, resident: int, policies: bool = True) -> list[Event]:
        """Events of ``resident`` in order, with the city's policy changes if ``policies``."""
        own = list(self.events_by[self._position(resident)])
        if not policies:
            return own
        merged = own + [
            e for e in self.policy_events if e.week >= self.since_week[self._position(resident)]
        ]
        return sorted(merged, key=lambda e: e.week)  # stable: phase order kept within a week

    def table(self, resident: int, lang: str = "en") -> pd.DataFrame:
        """The events of ``resident`` as a table: week, phase, what happened, rule that fired."""
        it = lang == "it"
        cols = (
            ["settimana", "fase", "evento", "regola"] if it else ["week", "phase", "event", "rule"]
        )
        rows = [
            (
                e.week,
                _pick(PHASE_LABELS.get(e.phase, (e.phase,) * 2), lang),
                e.text(lang),
                e.rule_text(lang),
            )
            for e in self.events(resident)
        ]
        return pd.DataFrame(rows, columns=cols)

    def timeline(self, resident: int) -> dict[str, np.ndarray]:
        """Weekly status and need level by domain of ``resident`` (weeks they were followed)."""
        p = self._position(resident)
        rows = [(w, s[:, p], lv[:, p], h[p]) for w, s, lv, h in self.history if s.shape[1] > p]
        if not rows:
            empty = np.zeros((len(DOMAINS), 0), dtype=np.int8)
            return {
                "week": np.zeros(0, dtype=int),
                "status": empty,
                "level": empty,
                "helped": np.zeros(0, dtype=bool),
            }
        return {
            "week": np.array([r[0] for r in rows]),
            "status": np.stack([r[1] for r in rows], axis=1),
            "level": np.stack([r[2] for r in rows], axis=1),
            "helped": np.array([r[3] for r in rows], dtype=bool),
        }

    def summary(self) -> pd.DataFrame:
        """Per followed resident: crises, longest wait, placements, platform and peer help."""
        frame = pd.DataFrame(self.stats, columns=list(STATS))
        frame.insert(0, "resident", self.idx)
        return frame

    def interesting(self, limit: int = 5) -> dict[str, list[int]]:
        """Residents worth a look: most crises, longest waits, helped by platforms or peers."""
        out: dict[str, list[int]] = {}
        for name, col in (
            ("crisis", STAT_CRISES),
            ("waited", STAT_MAX_WAIT),
            ("platform", STAT_PLATFORM),
            ("peer", STAT_PEER),
            ("served", STAT_PLACED),
            ("busy", STAT_EVENTS),
        ):
            values = self.stats[:, col]
            order = np.argsort(-values, kind="stable")[:limit]
            out[name] = [int(self.idx[p]) for p in order if values[p] > 0]
        return out

    def _position(self, resident: int) -> int:
        try:
            return self._pos[int(resident)]
        except KeyError:
            raise KeyError(f"resident {resident} is not followed by this journal") from None


def sample_residents(n: int, k: int) -> np.ndarray:
    """``k`` residents spread evenly over ``0..n-1`` (all if ``n <= k``); residents are drawn
    independently, so an even spread is an unbiased sample without using any random stream."""
    if n <= k:
        return np.arange(n, dtype=np.int64)
    return np.unique(np.linspace(0, n - 1, k).round().astype(np.int64))


def follow(
    model: WelfareModel, residents: Sequence[int] | None = None, k: int = 10, **kwargs: Any
) -> Journal:
    """Attach a journal following ``residents`` (default: ``k`` residents spread over the city)."""
    chosen = sample_residents(model.citizens.n, k) if residents is None else residents
    return Journal(chosen, **kwargs).attach(model)
