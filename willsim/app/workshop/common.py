"""Shared pieces of the workshop pages: UI strings, the service, polling and small widgets.

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
from willsim.workshop import texts
from willsim.workshop.service import WorkshopError, WorkshopService
from willsim.workshop.store import default_path
from willsim.workshop.strategy import StrategyError

POLL_SECONDS = float(os.environ.get("WILLSIM_WORKSHOP_POLL", "1.0"))
ERRORS = (WorkshopError, StrategyError)
logger = logging.getLogger(__name__)

i18n.add_strings(texts.STRINGS)
i18n.add_strings(
    {
        "workshop": ("Workshop", "Laboratorio"),
        "ws_join_title": ("Join a workshop", "Partecipa a un laboratorio"),
        "ws_join_help": (
            "Type the code the facilitator shows and your team's name.",
            "Scrivi il codice mostrato dal facilitatore e il nome della tua squadra.",
        ),
        "ws_code": ("Join code", "Codice di accesso"),
        "ws_team_name": ("Team name", "Nome della squadra"),
        "ws_join": ("Join", "Entra"),
        "ws_create_title": (
            "Run a workshop (facilitator)",
            "Conduci un laboratorio (facilitatore)",
        ),
        "ws_title": ("Workshop title", "Titolo del laboratorio"),
        "ws_envelope": ("Budget envelope per team (EUR/year)", "Dotazione per squadra (€/anno)"),
        "ws_levers_allowed": ("Levers teams may use", "Leve che le squadre possono usare"),
        "ws_rounds": ("Rounds", "Turni"),
        "ws_create": ("Create the room", "Crea la stanza"),
        "ws_reopen_title": ("Reopen a room (facilitator)", "Riapri una stanza (facilitatore)"),
        "ws_key": ("Facilitator key", "Chiave del facilitatore"),
        "ws_reopen": ("Open as facilitator", "Apri come facilitatore"),
        "ws_bad_key": (
            "Wrong code or facilitator key.",
            "Codice o chiave del facilitatore errati.",
        ),
        "ws_loading": ("Loading the workshop…", "Caricamento del laboratorio…"),
        "ws_denied": (
            "This link is not valid for this workshop: {error}",
            "Questo collegamento non è valido per questo laboratorio: {error}",
        ),
        "ws_code_big": ("Join code: {code}", "Codice di accesso: {code}"),
        "ws_share_help": (
            "Participants open {url} on their own device, type the code and their team name.",
            "I partecipanti aprono {url} sul proprio dispositivo, scrivono il codice "
            "e il nome della squadra.",
        ),
        "ws_keep_link": (
            "Keep this page's address (or the key below) private: it is the "
            "facilitator's key to the room. With it you can reopen the room later.",
            "Tieni riservato l'indirizzo di questa pagina (o la chiave qui sotto): è "
            "la chiave del facilitatore. Con essa puoi riaprire la stanza in seguito.",
        ),
        "ws_status_line": (
            "Round {n} of {total} · {event} · {phase}",
            "Turno {n} di {total} · {event} · {phase}",
        ),
        "ws_open": ("Open", "Apri"),
        "ws_lock": ("Lock", "Blocca"),
        "ws_run": ("Run", "Simula"),
        "ws_cancel": ("Cancel run", "Annulla la simulazione"),
        "ws_reveal": ("Reveal", "Svela"),
        "ws_next": ("Next round", "Turno successivo"),
        "ws_event": ("Event of the next round", "Evento del turno successivo"),
        "ws_close": ("Close the workshop", "Chiudi il laboratorio"),
        "ws_reopen_room": ("Reopen the workshop", "Riapri il laboratorio"),
        "ws_teams": ("Teams ({n})", "Squadre ({n})"),
        "ws_submitted": ("submitted (v{v})", "inviata (v{v})"),
        "ws_carried": ("carried over", "riportata"),
        "ws_not_submitted": ("not submitted", "non inviata"),
        "ws_ranking": ("Ranking", "Classifica"),
        "ws_mode_weights": ("weighted score", "punteggio pesato"),
        "ws_mode_lexicographic": (
            "lexicographic (by weight order)",
            "lessicografica (in ordine di peso)",
        ),
        "ws_weight": ("Weight: {c}", "Peso: {c}"),
        "ws_apply": ("Apply ranking", "Applica la classifica"),
        "ws_results": ("Results", "Risultati"),
        "ws_new_link": ("New link for this team", "Nuovo link per la squadra"),
        "ws_more_charts": ("More charts", "Altri grafici"),
        "ws_round_pick": ("Round", "Turno"),
        "ws_chart_indicator": ("Time series of", "Andamento di"),
        "ws_export": ("Export", "Esporta"),
        "ws_export_html": ("Workshop report (HTML)", "Rapporto del laboratorio (HTML)"),
        "ws_export_csv": ("Board (CSV)", "Tabellone (CSV)"),
        "ws_export_runs": ("All runs (CSV)", "Tutte le simulazioni (CSV)"),
        "ws_your_team": ("Team {name}", "Squadra {name}"),
        "ws_compose": ("Your strategy", "La vostra strategia"),
        "ws_fixed": ("fixed by the facilitator", "fissata dal facilitatore"),
        "ws_cost_title": (
            "Estimated cost: € {total} of € {envelope} a year",
            "Costo stimato: € {total} su € {envelope} l'anno",
        ),
        "ws_over": (
            "Over the envelope by € {over}: remove or reduce a lever.",
            "Oltre la dotazione di € {over}: togli o riduci una leva.",
        ),
        "ws_left": (
            "€ {left} a year left over buys more services.",
            "€ {left} l'anno avanzati comprano più servizi.",
        ),
        "ws_not_counted": ("(not counted)", "(non conteggiato)"),
        "ws_submit": ("Submit the strategy", "Invia la strategia"),
        "ws_submitted_ok": (
            "Strategy submitted (version {v}).",
            "Strategia inviata (versione {v}).",
        ),
        "ws_wait_open": (
            "The facilitator has not opened the round yet.",
            "Il facilitatore non ha ancora aperto il turno.",
        ),
        "ws_wait_results": (
            "Strategies are locked; wait for the facilitator to reveal the results.",
            "Le strategie sono bloccate; attendi che il facilitatore sveli i risultati.",
        ),
        "ws_keep_team_link": (
            "Keep this page's address to come back to your team.",
            "Conserva l'indirizzo di questa pagina per tornare alla tua squadra.",
        ),
        "ws_progress": ("Running… {pct}%", "Simulazione in corso… {pct}%"),
        "ws_cost_item": ("Item", "Voce"),
        "ws_cost_how": ("How it is computed", "Come si calcola"),
        "ws_cost_eur": ("EUR/year", "€/anno"),
        "ws_cost_outreach": ("Proactive outreach", "Contatto proattivo"),
        "ws_cost_marketplace": ("Marketplace platform", "Piattaforma di mercato"),
        "ws_cost_community": ("Community platform", "Piattaforma di comunità"),
        "ws_cost_outcomes": ("Outcome-based contracts", "Contratti a risultato"),
    }
)


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
                    new = {"error": str(exc)}
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
    return i18n.number(value, 0)
