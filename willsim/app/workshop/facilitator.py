"""The facilitator's pages: create a room, then run it (open, lock, run, reveal, next round,
close), rank the teams, show the board and the debrief, and export the whole workshop."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.workshop.boardview import Results
from willsim.app.workshop.common import (
    ERRORS,
    Heading,
    client_id,
    credential,
    error_text,
    event_label,
    fresh_key,
    money,
    phase_label,
    results_key,
    service,
    use_poll,
)
from willsim.scenario import available_cities, available_scenarios
from willsim.workshop import export, texts
from willsim.workshop.ranking import Ranking
from willsim.workshop.settings import CRITERIA, MAX_REPLICATES, MAX_RESIDENTS, RoomSettings
from willsim.workshop.strategy import EVENTS, LEVERS, Strategy

LEVER_LABELS = {
    "access": "ws_access",
    "targeting": "ws_targeting",
    "intensity": "ws_intensity",
    "delivery": "ws_delivery",
    "co_programming": "ws_co_programming",
    "contracts": "ws_contracts",
    "social_workers": "ws_social_workers",
}


@solara.component
def CreateRoom(on_created):
    s, set_s = solara.use_state(RoomSettings())
    error, set_error = solara.use_state("")

    def update(**kw: Any) -> None:
        set_s(replace(s, **kw))

    def create() -> None:
        try:
            created = service().create_room(s)
            service().facilitator_session(created.room_id, created.key, credential(created.room_id))
        except ERRORS as exc:
            set_error(error_text(exc))
            return
        fresh_key.value = (created.room_id, created.key)
        on_created(created.room_id)

    def toggle(lever: str, on: bool) -> None:
        levers = [lv for lv in LEVERS if (lv in s.levers and lv != lever) or (lv == lever and on)]
        update(levers=tuple(levers))

    with solara.Card(tr("ws_create_title"), classes=["ws-create-card"]):
        solara.InputText(tr("ws_title"), value=s.title, on_value=lambda v: update(title=v or ""))
        with solara.Row():
            solara.v.Select(
                label=tr("city"),
                items=i18n.city_items(available_cities()),
                v_model=s.city,
                on_v_model=lambda v: update(city=v),
            )
            solara.v.Select(
                label=tr("scenario"),
                items=available_scenarios(),
                v_model=s.scenario,
                on_v_model=lambda v: update(scenario=v),
            )
        with solara.Row():
            solara.InputInt(
                tr("ws_envelope"),
                value=int(s.envelope),
                on_value=lambda v: update(envelope=max(0.0, float(v or 0))),
            )
            solara.InputInt(
                tr("ws_rounds"),
                value=s.rounds,
                on_value=lambda v: update(rounds=min(max(int(v or 1), 1), 6)),
            )
        with solara.Row():
            solara.InputInt(
                tr("weeks"),
                value=s.weeks,
                on_value=lambda v: update(weeks=min(max(int(v or 4), 4), 520)),
            )
            solara.InputInt(
                tr("residents"),
                value=s.residents,
                on_value=lambda v: update(residents=min(max(int(v or 500), 500), MAX_RESIDENTS)),
            )
            solara.InputInt(
                tr("replicates"),
                value=s.replicates,
                on_value=lambda v: update(replicates=min(max(int(v or 1), 1), MAX_REPLICATES)),
            )
            solara.InputInt(
                tr("ws_parameter_sets"),
                value=s.parameter_sets,
                on_value=lambda v: update(parameter_sets=max(int(v or 0), 0)),
                classes=["ws-parameter-sets"],
            )
        solara.Text(tr("ws_levers_allowed"))
        with solara.Row(style={"flex-wrap": "wrap"}):
            for lever in LEVERS:
                solara.Checkbox(
                    label=tr(LEVER_LABELS[lever]),
                    value=lever in s.levers,
                    on_value=lambda on, lv=lever: toggle(lv, on),
                )
        with solara.Div():
            if error:
                solara.Error(error, classes=["ws-error"])
        solara.Button(tr("ws_create"), color="primary", on_click=create, classes=["ws-create"])


@solara.component
def ReopenRoom(on_open):
    code, set_code = solara.use_state("")
    key, set_key = solara.use_state("")
    error, set_error = solara.use_state("")

    def go() -> None:
        svc = service()
        try:
            room_id = svc.room_for_code(code, client_id())
            svc.facilitator_session(room_id, key.strip(), credential(room_id))
        except ERRORS as exc:
            set_error(tr("ws_bad_key") + " " + error_text(exc))
            return
        on_open(room_id)

    with solara.Card(tr("ws_reopen_title"), classes=["ws-reopen-card"]):
        with solara.Row():
            solara.InputText(tr("ws_code"), value=code, on_value=set_code, continuous_update=True)
            solara.InputText(
                tr("ws_key"), value=key, on_value=set_key, password=True, continuous_update=True
            )
        with solara.Div():
            if error:
                solara.Error(error)
        solara.Button(tr("ws_reopen"), on_click=go, classes=["ws-reopen"])


@solara.component
def RankingEditor(room_id: str, key: str, current: dict, on_error):
    mode, set_mode = solara.use_state(current["mode"])
    weights, set_weights = solara.use_state(dict(current["weights"]))

    def apply() -> None:
        order = tuple(
            sorted((c for c in CRITERIA if weights.get(c, 0) > 0), key=lambda c: -weights[c])
        )
        try:
            service().set_ranking(room_id, key, Ranking(mode, dict(weights), order or CRITERIA))
            on_error("")
        except ERRORS as exc:
            on_error(error_text(exc))

    with solara.Details(tr("ws_ranking")):
        with solara.Row():
            for m in ("weights", "lexicographic"):
                solara.Button(
                    tr(f"ws_mode_{m}"),
                    on_click=lambda m=m: set_mode(m),
                    small=True,
                    outlined=m != mode,
                    color="primary" if m == mode else None,
                    classes=[f"ws-mode-{m}"],
                )
        with solara.Row(style={"flex-wrap": "wrap"}):
            for c in CRITERIA:
                solara.InputFloat(
                    tr("ws_weight", c=tr(f"ws_crit_{c}").split(" (")[0]),
                    value=float(weights.get(c, 0.0)),
                    on_value=lambda v, c=c: set_weights({**weights, c: max(0.0, v or 0.0)}),
                    style={"max-width": "200px"},
                )
        solara.Button(tr("ws_apply"), on_click=apply, classes=["ws-apply-ranking"])


def view_revealed(view: dict) -> list[int]:
    """Rounds whose results the teams (and the projector) see."""
    if view.get("status") == "closed":
        return [r["number"] for r in view["rounds"] if r["phase"] in ("done", "revealed")]
    return [r["number"] for r in view["rounds"] if r["phase"] == "revealed"]


@solara.component
def FreshKey(room_id: str, code: str):
    """The room's key, once, right after creation: to be written down, then hidden for good."""
    fresh = fresh_key.value
    if fresh is None or fresh[0] != room_id:
        return
    with solara.Card(tr("ws_key_once_title"), classes=["ws-fresh-key"]):
        solara.Warning(tr("ws_key_once_help"), dense=True)
        solara.Preformatted(
            f"{tr('ws_code')}: {code}\n{tr('ws_key')}: {fresh[1]}", class_="ws-key-text"
        )
        solara.Button(
            tr("ws_key_saved"),
            color="primary",
            on_click=lambda: fresh_key.set(None),
            classes=["ws-key-saved"],
        )


@solara.component
def FacilitatorRoom(room_id: str, key: str, on_presenter=None):
    """The facilitator's page; ``key`` is this browser's facilitator session token (the room's
    key itself is shown only once, right after creation)."""
    svc = service()
    bump, set_bump = solara.use_state(0)
    error, set_error = solara.use_state("")
    event, set_event = solara.use_state("pandemic")
    links, set_links = solara.use_state(cast(dict, {}))
    headers = solara.lab.headers.value if hasattr(solara.lab, "headers") else {}
    origin = "http://" + ((headers or {}).get("host") or ["127.0.0.1:8765"])[0]
    view = use_poll(lambda: svc.facilitator_view(room_id, key), [room_id, key, bump])
    language = i18n.lang.value
    version = (
        results_key(view, ("done", "revealed"))
        if isinstance(view, dict) and "rounds" in view
        else None
    )
    rounds = solara.use_memo(
        lambda: svc.all_rounds(room_id, key=key) if version is not None else [],
        [room_id, key, version],
    )
    if view is None:
        solara.Text(tr("ws_loading"))
        return
    if "error" in view:
        solara.Error(tr("ws_denied", error=view["error"]), classes=["ws-denied"])
        return

    def act(fn, *args) -> None:
        try:
            fn(room_id, key, *args)
            set_error("")
        except ERRORS as exc:
            set_error(error_text(exc))
        set_bump(bump + 1)

    def relink(team_id: str) -> None:
        try:
            set_links({**links, team_id: svc.new_team_token(room_id, key, team_id)})
        except ERRORS as exc:
            set_error(error_text(exc))

    s = view["settings"]
    phase = view["phase"]
    closed = view["status"] == "closed"
    with solara.Column(classes=["ws-facilitator"]):
        Heading(s["title"], 2)
        solara.Markdown(f"# {tr('ws_code_big', code=view['code'])}", style={"color": "#1b6ca8"})
        solara.Text(view["code"], classes=["ws-code"], style={"display": "none"})
        solara.Text(tr("ws_share_help", url=f"{origin}/workshop"), classes=["ws-share"])
        FreshKey(room_id, view["code"])
        with solara.Row(style={"align-items": "center"}):
            solara.Text(tr("ws_presenter_help"), style={"font-size": "0.9em"})
            if on_presenter is not None:
                solara.Button(
                    tr("ws_presenter_open"),
                    on_click=on_presenter,
                    small=True,
                    outlined=True,
                    classes=["ws-presenter-link"],
                )
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
        with solara.Div():
            if phase == "running":
                solara.ProgressLinear(view["progress"] or True)
                solara.Text(
                    tr("ws_progress", pct=f"{view['progress']:.0f}"), classes=["ws-progress"]
                )
            if phase == "failed" and view["message"]:
                solara.Error(view["message"])
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Button(
                tr("ws_open"),
                on_click=lambda: act(svc.open_round),
                disabled=closed or phase not in ("waiting", "locked"),
                classes=["ws-open"],
            )
            solara.Button(
                tr("ws_lock"),
                on_click=lambda: act(svc.lock_round),
                disabled=phase != "open",
                classes=["ws-lock"],
            )
            solara.Button(
                tr("ws_run"),
                on_click=lambda: act(svc.start_run),
                color="primary",
                disabled=phase not in ("locked", "done", "failed", "interrupted"),
                classes=["ws-run"],
            )
            solara.Button(
                tr("ws_cancel"),
                on_click=lambda: act(svc.cancel_run),
                disabled=phase not in ("running", "interrupted"),
                classes=["ws-cancel"],
            )
            solara.Button(
                tr("ws_reveal"),
                on_click=lambda: act(svc.reveal),
                color="primary",
                disabled=phase != "done",
                classes=["ws-reveal"],
            )
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            more = view["round"] < s["rounds"] and not closed
            solara.v.Select(
                label=tr("ws_event"),
                v_model=event,
                on_v_model=set_event,
                items=[{"text": event_label(e), "value": e} for e in EVENTS],
                disabled=not more,
                style_="max-width: 280px",
            )
            solara.Button(
                tr("ws_next"),
                on_click=lambda: act(svc.next_round, event),
                disabled=not more or phase not in ("done", "revealed"),
                classes=["ws-next"],
            )
            if closed:
                solara.Button(
                    tr("ws_reopen_room"),
                    on_click=lambda: act(svc.reopen_room),
                    classes=["ws-reopen-room"],
                )
            else:
                solara.Button(
                    tr("ws_close"),
                    on_click=lambda: act(svc.close_room),
                    disabled=phase == "running",
                    classes=["ws-close"],
                )
        with solara.Div():
            if error:
                solara.Error(error, classes=["ws-error"])
        solara.Markdown(f"### {tr('ws_teams', n=len(view['teams']))}")
        with solara.Column(classes=["ws-teams"]):
            for t in view["teams"]:
                sub = t["submission"]
                if sub is None:
                    status = tr("ws_not_submitted")
                else:
                    strat = Strategy.from_dict(sub["strategy"])
                    status = (
                        f"{tr('ws_submitted', v=sub['version'])}"
                        f"{' · ' + tr('ws_carried') if sub['carried'] else ''} · "
                        f"{money(sub['cost'])} · {texts.summary(strat, language)}"
                    )
                with solara.Row(style={"align-items": "center"}):
                    solara.Text(f"{t['name']}: {status}", classes=["ws-team-row"])
                    solara.Button(
                        tr("ws_new_link"),
                        small=True,
                        text=True,
                        on_click=lambda tid=t["team_id"]: relink(tid),
                    )
                    if t["team_id"] in links:
                        solara.Text(
                            f"{origin}/workshop?room={room_id}&team={links[t['team_id']]}",
                            classes=["ws-team-link"],
                        )
        RankingEditor(room_id, key, view["ranking"], set_error)
        solara.Markdown(f"### {tr('ws_results')}")
        revealed = [r for r in rounds if r["number"] in set(view_revealed(view))]
        hidden = [r for r in rounds if r["number"] not in set(view_revealed(view))]
        Results(revealed, (version, language))
        if hidden:
            with (
                solara.Div(classes=["ws-hidden-preview"]),
                solara.Details(tr("ws_preview_hidden")),
            ):
                solara.Warning(tr("ws_preview_warning"), dense=True)
                Results(hidden, (version, language, "hidden"), debrief=False)
        if rounds:
            solara.Markdown(f"### {tr('ws_export')}")
            with solara.Row():
                solara.FileDownload(
                    lambda: export.html_report(
                        service().all_rounds(room_id, key=key), language
                    ).encode("utf-8"),
                    filename=f"workshop-{room_id}.html",
                    label=tr("ws_export_html"),
                    mime_type="text/html",
                )
                solara.FileDownload(
                    lambda: export.board_csv(service().all_rounds(room_id, key=key)).encode(
                        "utf-8"
                    ),
                    filename=f"workshop-{room_id}-board.csv",
                    label=tr("ws_export_csv"),
                    mime_type="text/csv",
                )
                solara.FileDownload(
                    lambda: export.runs_csv(service().all_rounds(room_id, key=key)).encode("utf-8"),
                    filename=f"workshop-{room_id}-runs.csv",
                    label=tr("ws_export_runs"),
                    mime_type="text/csv",
                )
