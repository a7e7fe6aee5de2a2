"""Workshop mode in the app: ``/workshop`` (join or create), ``?room=..&key=..`` (facilitator),
``?room=..&team=..`` (a team). The teams' JSON API (:mod:`willsim.app.workshop.api`) is mounted
beside the pages by the app's server (:mod:`willsim.app.server`).
See docs/workshop.md for the facilitator's guide."""

from __future__ import annotations

import solara

from willsim.app.i18n import tr
from willsim.app.workshop.common import query
from willsim.app.workshop.facilitator import CreateRoom, FacilitatorRoom, ReopenRoom
from willsim.app.workshop.participant import JoinRoom, TeamRoom


@solara.component
def WorkshopPage():
    router = solara.use_router()
    q = query(router.search)
    room = q.get("room")

    def go(**params: str) -> None:
        lang = query(router.search).get("lang")
        extra = {**params, **({"lang": lang} if lang else {})}
        router.push("/workshop?" + "&".join(f"{k}={v}" for k, v in extra.items()))

    if room and q.get("key"):
        FacilitatorRoom(room, q["key"])
    elif room and q.get("team"):
        TeamRoom(room, q["team"])
    else:
        with solara.Column(classes=["ws-landing"]):
            solara.Markdown(f"## {tr('workshop')}")
            JoinRoom(lambda room_id, token: go(room=room_id, team=token))
            CreateRoom(lambda room_id, key: go(room=room_id, key=key))
            ReopenRoom(lambda room_id, key: go(room=room_id, key=key))
