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
from willsim.params import DOMAINS

if TYPE_CHECKING:
    from willsim.mechanisms.base import Mechanism
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
    "aware": (
        "Learned about the services and how to ask",
        "Viene a sapere dei servizi e di come chiederli",
    ),
    "policy_start": ("Policy in force: {value}", "Entra in vigore la politica: {value}"),
    "policy_stop": ("Policy ended: {value}", "Termina la politica: {value}"),
}
"""Event kinds of every journey (each mechanism adds its own: ``journey_text``)."""

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
    "initial": (
        "the resident's state when the journal began following them",
        "la situazione del residente quando il diario ha iniziato a seguirlo",
    ),
    "policy": ("policy schedule: {reason}", "calendario delle politiche: {reason}"),
    "state_change": ("{phase}", "{phase}"),
}
"""Rules behind events of every journey (each mechanism adds its own: ``journey_rules``)."""


def event_texts() -> dict[str, tuple[str, str]]:
    """Every event kind's wording: the journal's own and every phase's."""
    from willsim.phases import PHASES

    out = dict(EVENT_TEXT)
    for mech in PHASES:
        out.update(mech.journey_text)
    return out


def rule_texts() -> dict[str, tuple[str, str]]:
    """Every rule's wording: the journal's own and every phase's."""
    from willsim.phases import PHASES

    out = dict(RULES)
    for mech in PHASES:
        out.update(mech.journey_rules)
    return out


def phase_labels() -> dict[str, tuple[str, str]]:
    """The name of every phase (and of the journal's own pseudo-phases), in both languages."""
    from willsim.phases import PHASES

    return {
        "start": ("start", "inizio"),
        "policy": ("policies", "politiche"),
        **{m.name: m.label for m in PHASES},
    }


# per-resident counters kept for pickers: crises, longest wait, services, platform/peer help
STAT_CRISES, STAT_MAX_WAIT, STAT_PLACED, STAT_PLATFORM, STAT_PEER, STAT_EVENTS = range(6)
STATS = ("crises", "longest_wait_weeks", "placements", "platform_matches", "peer_help", "events")
_COUNTED = {
    "crisis": STAT_CRISES,
    "placed": STAT_PLACED,
    "platform_match": STAT_PLATFORM,
    "peer_help": STAT_PEER,
}  # event kinds counted per resident


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
        template = _pick(event_texts()[self.kind], lang)
        if not template.startswith("{domain}"):
            domain = domain.lower()
        status = _pick(STATUS_TEXT[self.status], lang) if self.status in STATUS_TEXT else ""
        return template.format(domain=domain, value=_value_text(self.value, lang), status=status)

    def rule_text(self, lang: str = "en") -> str:
        """Which rule fired, in ``lang``."""
        phase = _pick(phase_labels().get(self.phase, (self.phase,) * 2), lang)
        return _pick(rule_texts()[self.rule], lang).format(
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


# The core rows of a snapshot; each mechanism's ``journey_fields`` follow them.
_ROWS: dict[str, int | slice] = {
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
}
_BOOL = ("aware", "residential", "digital")
_FLOAT = ("since", "finger")
_CORE_ROWS = 18


def _layout(model: WelfareModel) -> list[tuple[str, str, float]]:
    """The mechanism rows of a snapshot: (mechanism, field, value while it never ran)."""
    return [
        (name, field, empty)
        for name, mech in model.mechanisms.items()
        for field, empty in mech.journey_fields.items()
    ]


def snapshot(model: WelfareModel, idx: np.ndarray) -> np.ndarray:
    """The state of residents ``idx`` the journal compares, packed in one array (rows:
    :data:`_ROWS`, then each mechanism's ``journey_fields``); cheap for a few residents. A
    mechanism that never ran reads as its fields' empty values."""
    c = model.citizens
    layout = _layout(model)
    s = np.empty((_CORE_ROWS + len(layout), idx.size))
    s[0:3] = c.need_level[:, idx]
    s[3:6] = c.status[:, idx]
    s[6:9] = c.provider[:, idx]
    s[9:12] = c.status_since[:, idx]
    s[12], s[13], s[14] = c.aware[idx], c.crises[idx], c.residential[idx]
    s[15], s[16], s[17] = c.private_propensity[idx], c.age_band[idx], c.digital[idx]
    for row, (name, field, empty) in enumerate(layout, start=_CORE_ROWS):
        mech = model.mechanisms[name]
        s[row] = getattr(mech, field)[idx] if mech.has_run() else empty
    return s


def _views(packed: np.ndarray, layout: list[tuple[str, str, float]]) -> dict[str, np.ndarray]:
    """Named, typed views of a packed snapshot (mechanism fields as floats)."""
    out = {}
    for name, row in _ROWS.items():
        rows = packed[row]
        out[name] = (
            rows != 0 if name in _BOOL else rows if name in _FLOAT else rows.astype(np.int64)
        )
    for row, (_, field, _) in enumerate(layout, start=_CORE_ROWS):
        out[field] = packed[row]
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
        mech = model.mechanisms[phase]
        if phase == model.phase_names[0]:
            self._policies(model, week)
        last_phase = phase == model.phase_names[-1]  # the week's history is recorded after it
        if mech.idle(model):
            if last_phase:
                self._record_week(week, _views(self._last, _layout(model)))
            return
        packed = snapshot(model, self.idx)
        layout = _layout(model)
        last = self._last
        dead = packed[_ROWS["finger"]] != last[_ROWS["finger"]]
        if dead.any():  # a newcomer took the place: compare with an empty slate
            last = last.copy()
            last[0:6, dead] = 0
            last[6:, dead] = packed[6:, dead]
            for p in np.flatnonzero(dead):
                self._add(p, Event(week, phase, int(self.idx[p]), "died", rule="mortality"))
        old, new = _views(last, layout), _views(packed, layout)
        mech.journey_events(model, week, self.idx, old, new, self._add)
        if not np.array_equal(packed, last):
            self._needs(mech, week, old, new, dead)
            self._status(phase, week, old, new)
        if last_phase:
            self._record_week(week, new)
        self._last = packed

    def _record_week(self, week: int, new: dict[str, np.ndarray]) -> None:
        helped = np.zeros(self.idx.size, dtype=bool)
        for name in ("match_provider",):
            if name in new:
                helped |= new[name] >= 0
        for name in ("care_hours", "isolation_met"):
            if name in new:
                helped |= new[name] > 0
        self.history.append(
            (week, new["status"].astype(np.int8), new["level"].astype(np.int8), helped)
        )

    def _add(self, p: Any, event: Event) -> None:
        events = self.events_by[p]
        if len(events) == events.maxlen:
            self.dropped += 1
        events.append(event)
        self.stats[p, STAT_EVENTS] += 1
        if event.kind == "wait":
            self.stats[p, STAT_MAX_WAIT] = max(self.stats[p, STAT_MAX_WAIT], event.value)
        elif event.kind in _COUNTED:
            self.stats[p, _COUNTED[event.kind]] += 1

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

    def _needs(self, mech: Mechanism, week: int, old: dict, new: dict, dead: np.ndarray) -> None:
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
            rule = "newcomer" if dead[p] else mech.journey_need_rules.get(kind, "state_change")
            self._add(p, Event(week, mech.name, int(self.idx[p]), kind, int(d), b or None, rule))

    def _status(self, phase: str, week: int, old: dict, new: dict) -> None:
        """Status changes of a need: a request, an assessment's outcome, taking in charge
        without a request, a suspension, a service ending (arising and ending needs are
        recorded by :meth:`_needs`)."""
        so, sn = old["status"], new["status"]
        who = self.idx
        for d, p in zip(*np.nonzero(so != sn), strict=True):
            a, b, r = int(so[d, p]), int(sn[d, p]), int(who[p])
            d = int(d)
            if b == NO_NEED or (a == NO_NEED and b == LATENT):
                continue
            if b == QUEUED:
                self._add(p, Event(week, phase, r, "request", d, rule="asking"))
            elif a == QUEUED and b in (WAITLIST, REFUSED):
                ok = b == WAITLIST
                kind, rule = ("eligible", "means_test") if ok else ("refused", "means_test_failed")
                self._add(p, Event(week, phase, r, kind, d, rule=rule))
            elif a in (LATENT, REFUSED) and b in (WAITLIST, REFUSED):  # assessed on the spot
                kind = "taken_in_charge" if b == WAITLIST else "refused"
                self._add(p, Event(week, phase, r, kind, d, rule="outreach_assess"))
            elif a == SERVED and b == WAITLIST:
                self._add(p, Event(week, phase, r, "suspended", d, rule="rationing"))
            elif a == SERVED and b == LATENT:
                self._add(p, Event(week, phase, r, "service_ended", d, rule="max_duration"))

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
        labels = phase_labels()
        rows = [
            (
                e.week,
                _pick(labels.get(e.phase, (e.phase,) * 2), lang),
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
