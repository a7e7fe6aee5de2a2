"""A small JSON API for teams on the app server (scripts, kiosks, the HTTP load test).

* ``POST /api/workshop/join`` ``{"code": "K7QM-3XRT", "team": "Orchids"}`` →
  ``{"room_id", "team_id", "name", "token"}``;
* ``GET /api/workshop/team?room=ID`` with ``Authorization: Bearer TOKEN`` → the team's view;
* ``POST /api/workshop/submit?room=ID`` with the token and a strategy as the JSON body →
  ``{"version": n}``.

Teams only: the facilitator's controls stay in the pages. Errors answer 400 (bad input or a
closed round) or 403 (wrong token) with ``{"error": message}``. Bodies are limited to 16 KB.
The app's server (:mod:`willsim.app.server`) mounts :func:`routes` beside the pages.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from willsim.workshop.service import AccessDenied, WorkshopError
from willsim.workshop.strategy import StrategyError

PREFIX = "/api/workshop"
MAX_BODY = 16 * 1024


def _service():
    from willsim.app.workshop.common import service

    return service()


def _error(exc: Exception, request: Request | None = None) -> JSONResponse:
    """The error as JSON, in the language the client accepts first (English otherwise)."""
    from willsim.app.i18n import initial_language
    from willsim.reporting.errors import message

    status = 403 if isinstance(exc, AccessDenied) else 400
    headers = {"accept-language": [request.headers.get("accept-language", "")]} if request else {}
    return JSONResponse({"error": message(exc, initial_language("", headers))}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise WorkshopError("wse_body_size", kb=MAX_BODY // 1024)
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise WorkshopError("wse_body_json") from None
    if not isinstance(data, dict):
        raise WorkshopError("wse_body_json")
    return data


def _token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        raise AccessDenied("wse_bearer")
    return auth[7:].strip()


async def join(request: Request) -> JSONResponse:
    try:
        data = await _body(request)
        client = "ip:" + (request.client.host if request.client else "")
        joined = await run_in_threadpool(
            _service().join, str(data.get("code", "")), str(data.get("team", "")), client
        )
    except (WorkshopError, StrategyError) as exc:
        return _error(exc, request)
    return JSONResponse(
        {
            "room_id": joined.room_id,
            "team_id": joined.team_id,
            "name": joined.name,
            "token": joined.token,
        }
    )


async def team(request: Request) -> JSONResponse:
    try:
        view = await run_in_threadpool(
            _service().team_view, request.query_params.get("room", ""), _token(request)
        )
    except (WorkshopError, StrategyError) as exc:
        return _error(exc, request)
    return JSONResponse(view)


async def submit(request: Request) -> JSONResponse:
    try:
        token = _token(request)
        data = await _body(request)
        version = await run_in_threadpool(
            _service().submit, request.query_params.get("room", ""), token, data
        )
    except (WorkshopError, StrategyError) as exc:
        return _error(exc, request)
    return JSONResponse({"version": version})


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/join", join, methods=["POST"]),
        Route(f"{PREFIX}/team", team, methods=["GET"]),
        Route(f"{PREFIX}/submit", submit, methods=["POST"]),
    ]
