"""The presenter view: what the projector shows. The join code in large type, the round and its
phase, which teams have joined and submitted, and a round's board only once it is revealed: no
key, no strategies before the reveal, no hidden results, no facilitator controls."""

from __future__ import annotations

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.workshop.boardview import Results
from willsim.app.workshop.common import (
    Heading,
    event_label,
    phase_label,
    results_key,
    service,
    use_poll,
)


@solara.component
def PresenterView(room_id: str, key: str):
    """``key``: this browser's facilitator session (the projector is the facilitator's
    laptop); results are read with the teams' visibility (revealed rounds only)."""
    svc = service()
    view = use_poll(lambda: svc.facilitator_view(room_id, key), [room_id, key])
    language = i18n.lang.value
    version = (
        results_key(view, ("revealed",)) if isinstance(view, dict) and "rounds" in view else None
    )
    rounds = solara.use_memo(
        lambda: svc.revealed_rounds(room_id, key) if version is not None else [],
        [room_id, key, version],
    )
    if view is None:
        solara.Text(tr("ws_loading"))
        return
    if "error" in view:
        solara.Error(tr("ws_denied", error=view["error"]), classes=["ws-denied"])
        return
    s = view["settings"]
    phase = view["phase"]
    headers = solara.lab.headers.value if hasattr(solara.lab, "headers") else {}
    origin = "http://" + ((headers or {}).get("host") or ["127.0.0.1:8765"])[0]
    with solara.Column(classes=["ws-presenter"]):
        Heading(s["title"], 2)
        solara.Markdown(
            f"# {tr('ws_code_big', code=view['code'])}",
            style={"color": "#1b6ca8", "font-size": "2em"},
        )
        solara.Text(tr("ws_share_help", url=f"{origin}/workshop"), classes=["ws-share"])
        solara.Text(
            tr(
                "ws_status_line",
                n=view["round"],
                total=s["rounds"],
                event=event_label(view["event"]),
                phase=phase_label(phase),
            ),
            classes=["ws-phase", f"ws-phase-{phase}"],
            style={"font-weight": "bold", "font-size": "1.4em"},
        )
        if phase == "running":
            solara.ProgressLinear(view["progress"] or True)
        solara.Markdown(f"### {tr('ws_teams', n=len(view['teams']))}")
        with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}, classes=["ws-presenter-teams"]):
            for t in view["teams"]:
                done = t["submission"] is not None
                solara.Button(
                    ("✓ " if done else "… ") + t["name"],
                    outlined=not done,
                    color="success" if done else None,
                    small=True,
                )
        solara.Markdown(f"### {tr('ws_results')}")
        if not rounds:
            solara.Info(tr("ws_presenter_wait"), classes=["ws-presenter-wait"])
        else:
            Results(rounds, (version, language))
