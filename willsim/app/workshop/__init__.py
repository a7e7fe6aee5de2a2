"""Workshop mode in the app: ``/workshop`` (join or create), ``?room=..&as=facilitator`` (the
facilitator), ``?room=..&view=presenter`` (the projector), ``?room=..&team=..`` (a team). The
teams' JSON API (:mod:`willsim.app.workshop.api`) is mounted beside the pages by the app's server
(:mod:`willsim.app.server`). See docs/workshop.md for the facilitator's guide.

The facilitator key never stays in an address: it is exchanged once (at creation, or when a room
is reopened) for a facilitator session of this browser (:func:`credential`), and an old link that
still carries ``key=`` is exchanged the same way and replaced by one without it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.workshop.common import ERRORS, credential, home, query, service
from willsim.app.workshop.facilitator import CreateRoom, FacilitatorRoom, ReopenRoom
from willsim.app.workshop.participant import JoinRoom, TeamRoom
from willsim.app.workshop.presenter import PresenterView


@solara.component
def WorkshopPage():
    router = solara.use_router()
    q = query(router.search)
    room = q.get("room")
    exchange_error, set_exchange_error = solara.use_state("")

    def go(**params: str) -> None:
        search = "?" + urlencode({**params, "lang": i18n.lang.value})
        home.value = "/workshop" + search
        router.push("/workshop" + search)

    def exchange_key() -> None:
        """An address with the key (an old link): exchange it for this browser's session
        and take it out of the address."""
        if room and q.get("key"):
            try:
                service().facilitator_session(room, q["key"], credential(room))
            except ERRORS as exc:
                set_exchange_error(str(exc))
                return
            go(room=room, **{"as": "facilitator"})

    solara.use_effect(exchange_key, [room, q.get("key")])

    if room and (q.get("team") or q.get("as") or q.get("view")):
        home.value = "/workshop?" + urlencode({k: v for k, v in q.items() if k != "key"})
    if room and q.get("key"):
        if exchange_error:
            solara.Error(tr("ws_denied", error=exchange_error), classes=["ws-denied"])
        else:
            solara.Text(tr("ws_loading"))
    elif room and q.get("as") == "facilitator":
        FacilitatorRoom(room, credential(room), lambda: go(room=room, view="presenter"))
    elif room and q.get("view") == "presenter":
        PresenterView(room, credential(room))
    elif room and q.get("team"):
        TeamRoom(room, q["team"])
    else:
        with solara.Column(classes=["ws-landing"]):
            solara.Markdown(f"## {tr('workshop')}")
            JoinRoom(lambda room_id, token: go(room=room_id, team=token))
            CreateRoom(lambda room_id: go(room=room_id, **{"as": "facilitator"}))
            ReopenRoom(lambda room_id: go(room=room_id, **{"as": "facilitator"}))
