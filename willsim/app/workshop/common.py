"""Shared pieces of the workshop pages: the service, polling and small widgets.

Pages hold no workshop state of their own: every browser session polls the database through
:func:`use_poll` (a per-session thread, stopped when the session or page goes away), so every
facilitator and team screen sees the same room within about a second.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast
from urllib.parse import parse_qs

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.reporting.errors import message as error_message
from willsim.workshop.service import WorkshopError, WorkshopService
from willsim.workshop.store import default_path
from willsim.workshop.strategy import StrategyError

POLL_SECONDS = float(os.environ.get("WILLSIM_WORKSHOP_POLL", "1.0"))
home = solara.reactive("")
"""This browser session's workshop page (a team's room, the facilitator's or the presenter's):
the app bar's Workshop tab goes back to it instead of the landing page."""
fresh_key: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
"""``(room_id, key)`` of a room this session has just created: its key is shown once, until the
facilitator hides it."""


def _session_secret() -> str:
    try:
        return solara.get_session_id()
    except Exception:  # outside a browser session (tests)
        return "no-session"


def credential(room_id: str) -> str:
    """This browser's facilitator session token for ``room_id``: derived from solara's session
    cookie, so it survives a reload and a server restart, differs per room, and is never shown
    or put in an address (the service stores only its digest)."""
    import hashlib

    return hashlib.sha256(f"willsim-facilitator:{_session_secret()}:{room_id}".encode()).hexdigest()


def client_id() -> str:
    """Who is asking, for the per-client limit on wrong join codes: this browser session."""
    import hashlib

    return "session:" + hashlib.sha256(_session_secret().encode()).hexdigest()[:16]


ERRORS = (WorkshopError, StrategyError)
logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _service(path: str) -> WorkshopService:
    return WorkshopService(path)


def service() -> WorkshopService:
    """The service on the configured database (``WILLSIM_WORKSHOP_DB``); it holds no state."""
    return _service(str(default_path()))


def query(search: str | None) -> dict[str, str]:
    """``?room=..&key=..`` as a dict of the first values."""
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items() if v}


def use_poll(
    fetch: Callable[[], Any], dependencies: Sequence[Any], interval: float = POLL_SECONDS
) -> Any:
    """``fetch()`` now and then every ``interval`` seconds in one thread per page (stopped when
    the page goes away); the page re-renders only when the value changes, and at once when a
    dependency changes. Errors come back as ``{"error": message}``."""
    value, set_value = solara.use_state(cast(Any, None))
    latest = solara.use_ref(fetch)
    latest.current = fetch
    wake = solara.use_memo(threading.Event, [])

    def start() -> Callable[[], None]:
        stop = threading.Event()

        def loop() -> None:
            last: Any = object()
            while not stop.is_set():
                try:
                    new = latest.current()
                except ERRORS as exc:
                    new = {"error": ErrorBox(exc)}
                except Exception:  # a transient database error must not stop the polling
                    logger.exception("workshop poll failed; retrying")
                    new = last
                if new != last and not stop.is_set():
                    last = new
                    set_value(new)
                wake.wait(interval)
                wake.clear()

        threading.Thread(target=loop, daemon=True, name="workshop-poll").start()

        def cleanup() -> None:
            stop.set()
            wake.set()

        return cleanup

    solara.use_effect(start, [])
    solara.use_effect(wake.set, list(dependencies))
    return value


def results_key(view: dict, phases: tuple[str, ...]) -> tuple:
    """Changes only when results the caller may see (or the ranking) change: the key of the
    results memo and of the board's figures."""
    return (
        tuple(
            (r["number"], r["phase"], r["finished"]) for r in view["rounds"] if r["phase"] in phases
        ),
        repr(view["ranking"]),
    )


class ErrorBox:
    """An error kept to be written in the page's language when shown (equal to another with
    the same English message, so polling does not re-render for the same error)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorBox) and str(other.exc) == str(self.exc)

    def __hash__(self) -> int:
        return hash(str(self.exc))

    def __str__(self) -> str:
        return error_text(self.exc)


def error_text(exc: BaseException) -> str:
    """An error of the workshop in the session's language."""
    return error_message(exc, i18n.lang.value)


def phase_label(phase: str) -> str:
    return tr(f"ws_phase_{phase}")


def event_label(event: str) -> str:
    return tr(f"ws_event_{event}")


@solara.component
def Choice(
    name: str,
    options: Sequence[str],
    value: str,
    on_value: Callable[[str], None],
    disabled: bool = False,
    label_prefix: str | None = None,
):
    """A row of buttons, one per option (the chosen one filled): ``.ws-{name}-{option}``."""
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "4px"}):
        for option in options:
            chosen = option == value
            solara.Button(
                tr(f"{label_prefix or 'ws_' + name}_{option}"),
                on_click=lambda o=option: on_value(o),
                disabled=disabled,
                color="primary" if chosen else None,
                outlined=not chosen,
                small=True,
                classes=[f"ws-{name}-{option}"] + (["ws-chosen"] if chosen else []),
            )


@solara.component
def Heading(text: str, level: int = 2, classes: Sequence[str] = ()):
    """A heading of text that may come from users (team names, titles): always escaped."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text), classes=list(classes))


@solara.component
def Lines(lines: Sequence[str], classes: Sequence[str] = ()):
    """A bulleted list of (escaped) text lines."""
    solara.HTML(
        tag="ul",
        unsafe_innerHTML="".join(f"<li>{html.escape(line)}</li>" for line in lines),
        classes=list(classes),
    )


def money(value: float) -> str:
    """Euros in the session's currency format (€12,345 / 12.345 €)."""
    return i18n.money(value)
