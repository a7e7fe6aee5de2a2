"""A team's strategy in words, for the pages, the board and the export.

The words themselves are messages of the one catalogue per language
(:mod:`willsim.reporting.i18n`, keys ``ws_*``).
"""

from __future__ import annotations

from willsim.reporting.formatting import number
from willsim.reporting.i18n import text
from willsim.workshop.strategy import Strategy


def summary(s: Strategy, language: str) -> str:
    """A one-line description such as ``proactive (highest risk first, 4 h/week per 1,000) ·
    mix · co-programming · outcome-based · +3 social workers``."""
    parts = [text(f"ws_access_{s.access}", language)]
    if s.access == "proactive":
        hours = text("ws_hours_short", language, h=number(s.intensity, 1, language))
        parts[0] += f" ({text(f'ws_targeting_{s.targeting}', language)}, {hours})"
    parts.append(text(f"ws_delivery_{s.delivery}", language))
    if s.co_programming:
        parts.append(text("ws_co_programming", language))
    if s.contracts != "hourly":
        parts.append(text(f"ws_contracts_{s.contracts}", language))
    if s.social_workers:
        parts.append(text("ws_workers_short", language, n=int(s.social_workers)))
    return " · ".join(parts)
