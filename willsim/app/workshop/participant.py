"""A team's pages: join with the code, compose a strategy within the budget envelope with its
cost estimated live, submit it, and see the results board once the facilitator reveals it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.workshop.boardview import Results
from willsim.app.workshop.common import (
    ERRORS,
    Choice,
    Heading,
    client_id,
    error_text,
    event_label,
    money,
    phase_label,
    results_key,
    service,
    use_poll,
)
from willsim.workshop.service import room_base
from willsim.workshop.settings import RoomSettings
from willsim.workshop.strategy import (
    ACCESS,
    CONTRACTS,
    DELIVERY,
    INTENSITY_RANGE,
    MAX_EXTRA_WORKERS,
    TARGETING,
    CostEstimate,
    Strategy,
    estimate_cost,
)


@solara.component
def JoinRoom(on_joined):
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")

    def join() -> None:
        try:
            joined = service().join(code, name, client_id())
        except ERRORS as exc:
            set_error(error_text(exc))
            return
        on_joined(joined.room_id, joined.token)

    with solara.Card(tr("ws_join_title"), classes=["ws-join-card"]):
        solara.Text(tr("ws_join_help"))
        with solara.Row():
            solara.InputText(tr("ws_code"), value=code, on_value=set_code, continuous_update=True)
            solara.InputText(
                tr("ws_team_name"), value=name, on_value=set_name, continuous_update=True
            )
        with solara.Div():
            if error:
                solara.Error(error, classes=["ws-error"])
        solara.Button(
            tr("ws_join"),
            color="primary",
            on_click=join,
            classes=["ws-join"],
            disabled=not code.strip() or not name.strip(),
        )


COST_ITEMS = {
    "outreach": "ws_cost_outreach",
    "marketplace": "ws_cost_marketplace",
    "community": "ws_cost_community",
    "social_workers": "ws_social_workers",
    "co_programming": "ws_co_programming",
    "outcome_contracts": "ws_cost_outcomes",
}


@solara.component
def CostPanel(est: CostEstimate, envelope: float):
    rows = [
        {
            tr("ws_cost_item"): tr(COST_ITEMS[line.item]) if line.item in COST_ITEMS else line.item,
            tr("ws_cost_how"): line.how(i18n.lang.value),
            tr("ws_cost_eur"): money(line.eur_per_year)
            + ("" if line.counted else f" {tr('ws_not_counted')}"),
        }
        for line in est.lines
    ]
    with solara.Column(classes=["ws-cost"]):
        solara.Text(
            tr("ws_cost_title", total=money(est.total), envelope=money(envelope)),
            classes=["ws-cost-total"],
            style={"font-weight": "bold"},
        )
        if rows:
            solara.DataFrame(pd.DataFrame(rows), items_per_page=10)
        if est.fits(envelope):
            solara.Success(tr("ws_left", left=money(envelope - est.total)))
        else:
            solara.Error(tr("ws_over", over=money(est.total - envelope)), classes=["ws-over"])


def fitting_intensity(draft: Strategy, settings: RoomSettings) -> Strategy:
    """``draft`` with its outreach hours lowered, in half-hour steps, until the strategy fits
    the envelope (never below the smallest allowed), so choosing Proactive never starts over
    budget; the team can still raise the hours within what is left."""
    params = room_base(settings).params
    low = INTENSITY_RANGE[0]
    s = draft
    while not estimate_cost(s, params).fits(settings.envelope) and s.intensity - 0.5 >= low:
        s = replace(s, intensity=round(s.intensity - 0.5, 1))
    return s


@solara.component
def StrategyEditor(view: dict, token: str, on_submitted):
    settings = RoomSettings.from_dict(view["settings"])
    initial = view["submission"]["strategy"] if view["submission"] else view["last_strategy"]
    draft, set_draft = solara.use_state(Strategy.from_dict(initial))
    error, set_error = solara.use_state("")
    editable = view["phase"] == "open"
    allowed = set(settings.levers)

    def update(**kw: Any) -> None:
        new = replace(draft, **kw)
        if kw.get("access") == "proactive" and draft.access != "proactive":
            new = fitting_intensity(new, settings)
        set_draft(new)

    def submit() -> None:
        try:
            version = service().submit(view["room_id"], token, draft)
            set_error("")
            on_submitted(version)
        except ERRORS as exc:
            set_error(error_text(exc))

    def fixed(lever: str) -> bool:
        return not editable or lever not in allowed

    with solara.Card(tr("ws_compose"), classes=["ws-editor"]):
        solara.Text(tr("ws_access"), style={"font-weight": "bold"})
        Choice("access", ACCESS, draft.access, lambda v: update(access=v), fixed("access"))
        if draft.access == "proactive":
            Choice(
                "targeting",
                TARGETING,
                draft.targeting,
                lambda v: update(targeting=v),
                fixed("targeting"),
            )
            solara.InputFloat(
                tr("ws_intensity"),
                value=draft.intensity,
                on_value=lambda v: update(
                    intensity=min(
                        max(float(v or INTENSITY_RANGE[0]), INTENSITY_RANGE[0]), INTENSITY_RANGE[1]
                    )
                ),
                disabled=fixed("intensity"),
                classes=["ws-intensity"],
            )
        solara.Text(tr("ws_delivery"), style={"font-weight": "bold"})
        Choice(
            "delivery", DELIVERY, draft.delivery, lambda v: update(delivery=v), fixed("delivery")
        )
        solara.Text(tr("ws_governance"), style={"font-weight": "bold"})
        solara.Checkbox(
            label=tr("ws_co_programming"),
            value=draft.co_programming,
            on_value=lambda v: update(co_programming=bool(v)),
            disabled=fixed("co_programming"),
        )
        solara.Text(tr("ws_contracts"), style={"font-weight": "bold"})
        Choice(
            "contracts",
            CONTRACTS,
            draft.contracts,
            lambda v: update(contracts=v),
            fixed("contracts"),
        )
        solara.InputInt(
            tr("ws_social_workers"),
            value=draft.social_workers,
            on_value=lambda v: update(social_workers=min(max(int(v or 0), 0), MAX_EXTRA_WORKERS)),
            disabled=fixed("social_workers"),
            classes=["ws-workers"],
        )
        closed = [
            tr(f"ws_{lv}")
            for lv in ("access", "delivery", "contracts", "social_workers", "co_programming")
            if lv not in allowed
        ]
        if closed:
            solara.Text(
                f"{', '.join(closed)}: {tr('ws_fixed')}",
                style={"font-size": "0.85em", "color": "#666"},
            )
        solara.InputTextArea(
            tr("ws_note"),
            value=draft.note,
            rows=2,
            on_value=lambda v: update(note=v or ""),
            disabled=not editable,
        )
        est = solara.use_memo(
            lambda: estimate_cost(draft, room_base(settings).params),
            [draft, repr(view["settings"])],
        )
        CostPanel(est, settings.envelope)
        with solara.Div():
            if error:
                solara.Error(error, classes=["ws-error"])
        solara.Button(
            tr("ws_submit"),
            color="primary",
            on_click=submit,
            classes=["ws-submit"],
            disabled=not editable or not est.fits(settings.envelope),
        )


@solara.component
def TeamRoom(room_id: str, token: str):
    svc = service()
    bump, set_bump = solara.use_state(0)
    submitted, set_submitted = solara.use_state(None)

    view = use_poll(lambda: svc.team_view(room_id, token), [room_id, token, bump])
    language = i18n.lang.value
    version = (
        results_key(view, ("revealed",)) if isinstance(view, dict) and "rounds" in view else None
    )
    rounds = solara.use_memo(
        lambda: svc.all_rounds(room_id, token=token) if version and version[0] else [],
        [room_id, token, version],
    )
    if view is None:
        solara.Text(tr("ws_loading"))
        return
    if "error" in view:
        solara.Error(tr("ws_denied", error=view["error"]), classes=["ws-denied"])
        return

    def on_submitted(version: int) -> None:
        set_submitted(version)
        set_bump(bump + 1)

    s = view["settings"]
    phase = view["phase"]
    with solara.Column(classes=["ws-team"]):
        Heading(f"{tr('ws_your_team', name=view['team']['name'])} · {s['title']}", 2)
        solara.Text(
            tr(
                "ws_status_line",
                n=view["round"],
                total=s["rounds"],
                event=event_label(view["event"]),
                phase=phase_label(phase),
            ),
            classes=["ws-phase", f"ws-phase-{phase}"],
            style={"font-weight": "bold", "font-size": "1.1em"},
        )
        solara.Text(tr("ws_keep_team_link"), style={"font-size": "0.85em", "color": "#666"})
        with solara.Div():
            if phase == "waiting":
                solara.Info(tr("ws_wait_open"))
            elif phase in ("locked", "running", "done", "interrupted", "failed"):
                solara.Info(tr("ws_wait_results"))
            sub = view["submission"]
            if sub is not None and phase == "open":
                solara.Success(tr("ws_submitted_ok", v=sub["version"]), classes=["ws-submitted"])
        # a new round (or a change of phase) restarts the editor from the stored strategy; once
        # the results are out the editor is folded, so the board comes first
        editor_key = f"editor-{view['round']}-{phase}-{submitted}"
        if phase in ("revealed", "closed"):
            with (
                solara.Div(classes=["ws-editor-folded"]),
                solara.Details(tr("ws_your_strategy")),
            ):
                StrategyEditor(view, token, on_submitted).key(editor_key)
        else:
            StrategyEditor(view, token, on_submitted).key(editor_key)
        solara.Markdown(f"### {tr('ws_results')}")
        Results(rounds, (version, language))
