"""A citizen's journey: who they are, their needs now, and the timeline of what happened to them.

The timeline comes from the session's :class:`~willsim.journal.Journal`, which follows a sample
of residents from the start (and any other resident from the moment they are picked): needs by
domain coloured by where they stood each week, with requests, placements, platform and peer help,
crises, deaths and policy changes marked; and the event log with the rule that fired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.citizens import LATENT, QUEUED, REFUSED, SERVED, WAITLIST, Status
from willsim.journal import DOMAIN_LABELS, MAX_TRACKED, Event, Journal
from willsim.params import DOMAINS

ATTRIBUTES: dict[str, tuple[str, str]] = {
    "index": ("Resident", "Residente"),
    "age_band": ("Age band", "Fascia d'età"),
    "living_alone": ("Lives alone", "Vive da solo"),
    "income_band": ("Income band", "Fascia di reddito"),
    "isee_eur": ("ISEE (€)", "ISEE (€)"),
    "employed": ("Employed", "Occupato"),
    "neet": ("NEET", "NEET"),
    "digital": ("Digital skills", "Competenze digitali"),
    "trust": ("Trust in institutions", "Fiducia nelle istituzioni"),
    "aware": ("Knows the services", "Conosce i servizi"),
    "district": ("District", "Quartiere"),
    "distance_km": ("Distance to the office (km)", "Distanza dallo sportello (km)"),
    "ties": ("Social ties", "Legami sociali"),
    "residential": ("In residential care", "In RSA"),
    "crises": ("Crises so far", "Crisi finora"),
}
STATUS_STYLE: dict[int, tuple[str, tuple[str, str]]] = {
    LATENT: ("#ff8c1a", ("need not asked about", "bisogno non espresso")),
    QUEUED: ("#e6b800", ("request at the office", "domanda allo sportello")),
    WAITLIST: ("#d62728", ("waiting list", "lista d'attesa")),
    SERVED: ("#2ca02c", ("in service", "in servizio")),
    REFUSED: ("#8e44ad", ("refused", "respinto")),
}
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "none": ("no need", "nessun bisogno"),
    **{Status(code).name.lower(): label for code, (_colour, label) in STATUS_STYLE.items()},
}
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "absolute_poor": ("absolute poor", "povertà assoluta"),
    "working_poor": ("working poor", "lavoratori poveri"),
    "middle": ("middle income", "reddito medio"),
    "comfortable": ("comfortable", "benestanti"),
}
HELPED_COLOUR = "#17a2b8"
HELPED_LABEL = ("helped by a platform or peers", "aiutato da piattaforma o pari")
MARKERS: dict[str, tuple[str, str, tuple[str, str]]] = {
    "request": ("^", "#1b6ca8", ("request", "domanda")),
    "taken_in_charge": ("^", "#1b6ca8", ("request", "domanda")),
    "placed": ("o", "#2ca02c", ("placed", "assegnato")),
    "platform_match": ("D", "#17a2b8", ("platform or peer help", "piattaforma o pari")),
    "peer_help": ("D", "#17a2b8", ("platform or peer help", "piattaforma o pari")),
    "crisis": ("*", "#d62728", ("crisis", "crisi")),
    "died": (
        "X",
        "#000000",
        ("death (a newcomer follows)", "decesso (subentra un nuovo residente)"),
    ),
}
INTERESTING: dict[str, tuple[str, str]] = {
    "crisis": ("most crises", "più crisi"),
    "waited": ("waited longest", "attese più lunghe"),
    "platform": ("matched on the platform", "abbinati sulla piattaforma"),
    "peer": ("helped by peers", "aiutati da pari"),
    "served": ("placed in a service", "assegnati a un servizio"),
    "busy": ("most events", "più eventi"),
}

i18n.add_strings(
    {
        "journey_pick": ("Residents worth a look", "Residenti da guardare"),
        "journey_followed_from": ("Followed from week {week}.", "Seguito dalla settimana {week}."),
        "journey_timeline": ("Timeline", "Cronologia"),
        "journey_events": (
            "What happened, and which rule fired",
            "Cosa è successo, e quale regola è scattata",
        ),
        "journey_no_events": (
            "Nothing has happened to this resident yet.",
            "A questo residente non è ancora successo nulla.",
        ),
        "journey_selected": ("Resident {i}", "Residente {i}"),
        "journey_not_followed": (
            "Not followed: this session already follows {n} residents.",
            "Non seguito: questa sessione segue già {n} residenti.",
        ),
    }
)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, float):
        return i18n.number(value, 2 if abs(value) < 100 else 0)
    if isinstance(value, str) and value in VALUE_LABELS:
        return i18n.pick(VALUE_LABELS[value])
    return str(value)


def _week(value: Any) -> str:
    """A week number, or a dash where the model stores -1 for "not yet" / "none"."""
    return "–" if value is None or int(value) < 0 else str(int(value))


def attribute_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = [
        (i18n.pick(label), _show(info[key])) for key, label in ATTRIBUTES.items() if key in info
    ]
    return pd.DataFrame(rows, columns=[tr("attribute"), tr("value")])


def needs_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for domain, need in info.get("needs", {}).items():
        rows.append(
            {
                tr("need"): i18n.pick(DOMAIN_LABELS.get(domain, (domain, domain))),
                tr("level"): need.get("level"),
                tr("status"): i18n.pick(
                    STATUS_NAMES.get(need.get("status"), (need.get("status"),) * 2)
                ),
                tr("since_week"): _week(need.get("since_week")),
                tr("first_help_week"): _week(need.get("first_help_week")),
                tr("provider"): _week(need.get("provider")),
            }
        )
    return pd.DataFrame(rows)


def journey_figure(
    timeline: dict[str, np.ndarray], events: list[Event], weeks: int, language: str
) -> Figure:
    """Needs by domain (bands coloured by status, care level as a line) and events over weeks."""
    fig = Figure(figsize=(9.0, 3.4), dpi=90)
    fig.subplots_adjust(left=0.16, right=0.98, top=0.95, bottom=0.32)
    ax = fig.add_subplot(1, 1, 1)
    week, status, level = timeline["week"], timeline["status"], timeline["level"]
    rows = len(DOMAINS)
    for d in range(rows):
        y = rows - 1 - d
        for code, (colour, _) in STATUS_STYLE.items():
            on = week[status[d] == code] if week.size else week
            if on.size:
                ax.broken_barh(_runs(on), (y - 0.35, 0.7), facecolors=colour, alpha=0.85)
        if d == 0 and week.size and level[0].any():  # care level 0-4 drawn inside its band
            ax.step(
                week + 0.5, y - 0.35 + 0.7 * level[0] / 4.0, where="mid", color="#333333", lw=1.2
            )
    helped = week[timeline["helped"]] if week.size else week
    if helped.size:  # weeks helped through a platform match or by peers: a strip underneath
        ax.broken_barh(_runs(helped), (-0.55, 0.12), facecolors=HELPED_COLOUR)
    seen: dict[str, tuple[str, str]] = {}
    for e in events:
        if e.kind in ("policy_start", "policy_stop"):
            ax.axvline(e.week, color="#777777", ls=":" if e.kind == "policy_stop" else "--", lw=1)
            continue
        if e.kind not in MARKERS:
            continue
        marker, colour, label = MARKERS[e.kind]
        y = rows - 1 - e.domain if e.domain >= 0 else rows - 0.5
        ax.scatter(
            [e.week + 0.5],
            [y + 0.42],
            marker=marker,
            c=colour,
            s=90 if e.kind == "crisis" else 36,
            zorder=5,
            clip_on=False,
        )
        seen.setdefault(i18n.pick(label, language), (marker, colour))
    ax.set_ylim(-0.62, rows - 0.1)
    ax.set_xlim(0, max(weeks, int(week.max()) + 1 if week.size else 1))
    ax.set_yticks(range(rows))
    ax.set_yticklabels(
        [i18n.pick(DOMAIN_LABELS[d], language) for d in reversed(DOMAINS)], fontsize=9
    )
    ax.set_xlabel("settimana" if language == "it" else "week", fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Patch(color=col, label=i18n.pick(lab, language)) for col, lab in STATUS_STYLE.values()
    ]
    if helped.size:
        handles.append(Patch(color=HELPED_COLOUR, label=i18n.pick(HELPED_LABEL, language)))
    handles += [
        Line2D([], [], marker=marker, ls="", color=colour, label=lab)
        for lab, (marker, colour) in seen.items()
    ]
    handles.append(
        Line2D([], [], color="#777777", ls="--", label="politica" if language == "it" else "policy")
    )
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8.5, frameon=False)
    return fig


def _runs(weeks: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive weeks as ``(start, length)`` bars."""
    breaks = np.flatnonzero(np.diff(weeks) != 1) + 1
    return [(int(part[0]), int(part[-1] - part[0] + 1)) for part in np.split(weeks, breaks)]


def picker_items(journal: Journal, language: str) -> list[dict[str, Any]]:
    """Menu items for residents worth a look (crises, long waits, platform and peer help)."""
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    stats = journal.summary().set_index("resident")
    for group, residents in journal.interesting(limit=4).items():
        for r in residents:
            if r in seen:
                continue
            seen.add(r)
            row = stats.loc[r]
            detail = {
                "crisis": f"{int(row['crises'])}",
                "waited": i18n.number(row["longest_wait_weeks"], 1, language),
                "platform": f"{int(row['platform_matches'])}",
                "peer": f"{int(row['peer_help'])}",
                "served": f"{int(row['placements'])}",
                "busy": f"{int(row['events'])}",
            }[group]
            items.append(
                {"text": f"#{r} · {i18n.pick(INTERESTING[group], language)} ({detail})", "value": r}
            )
    return items


@solara.component
def CitizenCard(
    run: Any,
    token: int,
    selected: int | None = None,
    on_select: Callable[[int], None] | None = None,
):
    """Pick a resident of the session's live model; show their state, timeline and events."""
    own, set_own = solara.use_state(0)
    index = own if selected is None else selected
    choose = on_select or set_own
    language = i18n.lang.value

    def read() -> tuple[int, dict[str, Any], list[dict[str, Any]], int, int, int] | None:
        if run is None:
            return None
        n = run.model.citizens.n
        i = min(max(int(index), 0), n - 1)
        journal: Journal = run.journal
        with run.lock:
            if not journal.follows(i) and journal.idx.size < MAX_TRACKED:
                journal.follow([i])
            since = int(journal.since_week[journal._position(i)]) if journal.follows(i) else -1
            return (
                i,
                run.model.citizen(i).describe(),
                picker_items(journal, language),
                run.model.weeks,
                run.model.week,
                since,
            )

    data = solara.use_memo(read, [id(run), index, token, language])
    with solara.Card(tr("citizen"), classes=["citizen-card"]):
        if data is None:
            solara.Text(tr("citizen_none"))
            return
        index, info, items, weeks, now, since = data
        n = run.model.citizens.n
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            with solara.Div(classes=["journey-picker"], style={"min-width": "320px"}):
                solara.v.Select(
                    label=tr("journey_pick"),
                    items=items,
                    v_model=index if any(i["value"] == index for i in items) else None,
                    on_v_model=lambda v: v is not None and choose(int(v)),
                )
            solara.InputInt(
                tr("citizen_index", n=n - 1),
                value=index,
                on_value=lambda v: choose(min(max(int(v or 0), 0), n - 1)),
            )
        followed = (
            tr("journey_followed_from", week=since)
            if since >= 0
            else tr("journey_not_followed", n=i18n.number(MAX_TRACKED))
        )
        solara.Text(
            tr("journey_selected", i=index)
            + " · "
            + tr("week_of", week=now, weeks=weeks)
            + " · "
            + followed,
            classes=["journey-title"],
        )
        with solara.Columns([1, 2]):
            solara.DataFrame(attribute_table(info), items_per_page=20)
            solara.DataFrame(needs_table(info))
        if since >= 0:
            JourneyTimeline(run, index, token, weeks)


@solara.component
def JourneyTimeline(run: Any, index: int, token: int, weeks: int):
    """The timeline chart and the event table of resident ``index``."""
    language = i18n.lang.value

    def build() -> tuple[Figure, pd.DataFrame]:
        with run.lock:
            journal: Journal = run.journal
            line = journal.timeline(index)
            events = journal.events(index)
            table = journal.table(index, language)
        return journey_figure(line, events, weeks, language), table

    fig, table = solara.use_memo(build, [id(run), index, token, language])
    with solara.Div(classes=["journey-timeline"]):
        solara.Text(tr("journey_timeline"), style={"font-weight": "bold", "display": "block"})
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(fig)])
    with solara.Div(classes=["journey-events"]):
        solara.Text(tr("journey_events"), style={"font-weight": "bold", "display": "block"})
        if len(table):
            solara.DataFrame(table.iloc[::-1].reset_index(drop=True), items_per_page=12)
        else:
            solara.Text(tr("journey_no_events"))
