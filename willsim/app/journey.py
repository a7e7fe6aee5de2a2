"""A citizen's journey: who they are, their needs now, and the timeline of what happened to them.

The timeline comes from the session's :class:`~willsim.journal.Journal`, which follows a sample
of residents from the start (and any other resident from the moment they are picked): needs by
domain coloured by where they stood each week, with requests, placements, platform and peer help,
crises, deaths and policy changes marked; and the event log with the rule that fired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from willsim.reporting.i18n import has, text

ATTRIBUTES: tuple[str, ...] = (
    "index",
    "age_band",
    "living_alone",
    "income_band",
    "isee_eur",
    "employed",
    "neet",
    "digital",
    "trust",
    "aware",
    "district",
    "distance_km",
    "ties",
    "residential",
    "crises",
)
"""A resident's attributes shown in the card, in order (named by the catalogue's ``attr_*``)."""
STATUS_COLOURS: dict[int, str] = {
    LATENT: "#ff8c1a",
    QUEUED: "#e6b800",
    WAITLIST: "#d62728",
    SERVED: "#2ca02c",
    REFUSED: "#8e44ad",
}
"""A need's status and its colour on the timeline (named by ``status_<name>``)."""
HELPED_COLOUR = "#17a2b8"
MARKERS: dict[str, tuple[str, str, str]] = {
    "request": ("^", "#1b6ca8", "marker_request"),
    "taken_in_charge": ("^", "#1b6ca8", "marker_request"),
    "placed": ("o", "#2ca02c", "marker_placed"),
    "platform_match": ("D", "#17a2b8", "marker_platform_match"),
    "peer_help": ("D", "#17a2b8", "marker_platform_match"),
    "crisis": ("*", "#d62728", "marker_crisis"),
    "died": ("X", "#000000", "marker_died"),
}
"""Events marked on the timeline: marker, colour and the catalogue key of its legend entry."""
INTERESTING = ("crisis", "waited", "platform", "peer", "served", "busy")
"""The journal's groups of residents worth a look (named by ``interesting_<group>``)."""


def status_name(code: int) -> str:
    return Status(code).name.lower()


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, float):
        return i18n.number(value, 2 if abs(value) < 100 else 0)
    if isinstance(value, str) and has(f"level_{value}"):
        return tr(f"level_{value}")
    return str(value)


def _week(value: Any) -> str:
    """A week number, or a dash where the model stores -1 for "not yet" / "none"."""
    return "–" if value is None or int(value) < 0 else str(int(value))


def attribute_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = [(tr(f"attr_{key}"), _show(info[key])) for key in ATTRIBUTES if key in info]
    return pd.DataFrame(rows, columns=[tr("attribute"), tr("value")])


def _status(name: Any) -> str:
    return tr(f"status_{name}") if has(f"status_{name}") else str(name)


def needs_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for domain, need in info.get("needs", {}).items():
        rows.append(
            {
                tr("need"): i18n.pick(DOMAIN_LABELS.get(domain, (domain, domain))),
                tr("level"): need.get("level"),
                tr("status"): _status(need.get("status")),
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
        for code, colour in STATUS_COLOURS.items():
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
        seen.setdefault(text(label, language), (marker, colour))
    ax.set_ylim(-0.62, rows - 0.1)
    ax.set_xlim(0, max(weeks, int(week.max()) + 1 if week.size else 1))
    ax.set_yticks(range(rows))
    ax.set_yticklabels(
        [i18n.pick(DOMAIN_LABELS[d], language) for d in reversed(DOMAINS)], fontsize=9
    )
    ax.set_xlabel(text("week", language), fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Patch(color=col, label=text(f"status_{status_name(code)}", language))
        for code, col in STATUS_COLOURS.items()
    ]
    if helped.size:
        handles.append(Patch(color=HELPED_COLOUR, label=text("helped", language)))
    handles += [
        Line2D([], [], marker=marker, ls="", color=colour, label=lab)
        for lab, (marker, colour) in seen.items()
    ]
    handles.append(Line2D([], [], color="#777777", ls="--", label=text("journey_policy", language)))
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
                {"text": f"#{r} · {text(f'interesting_{group}', language)} ({detail})", "value": r}
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
