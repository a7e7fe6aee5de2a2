"""The session's language, and the reporting layer's words and formats in that language.

The language is a per-session reactive (solara keeps module-level reactives per browser session),
set once from ``?lang=it`` or the browser's ``Accept-Language`` and switchable in the app bar.
Words come from the one catalogue per language (:mod:`willsim.reporting.i18n`), numbers and
money from :mod:`willsim.reporting.formatting`; parameter and indicator labels from their
registries, scenario descriptions from the scenario files, so nothing is translated twice.
Every function here is the reporting function with the session's language filled in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import solara

from willsim.indicators import INDICATORS
from willsim.params import PARAMETERS
from willsim.reporting import formatting
from willsim.reporting import i18n as catalogue
from willsim.reporting.formatting import LANGS

lang = solara.reactive("en")


def tr(key: str, **fmt: object) -> str:
    """The catalogue's message ``key`` in the session's language (see
    :func:`willsim.reporting.i18n.text`)."""
    return catalogue.text(key, lang.value, **fmt)


def pick(pair: Sequence[str] | Mapping[str, str], language: str | None = None) -> str:
    """A domain label's ``(en, it)`` pair or ``{en: ..., it: ...}`` entry in the language."""
    return catalogue.pick(pair, language or lang.value)


def param_label(key: str) -> str:
    p = PARAMETERS[key]
    return p.label_it if lang.value == "it" else p.label


def unit_label(unit: str) -> str:
    """A parameter unit in the session's language (the unit itself if the catalogue lacks it)."""
    return tr(f"unit_{unit}") if catalogue.has(f"unit_{unit}") else unit


def indicator_label(key: str) -> str:
    return INDICATORS[key].label_in(lang.value)


def group_label(group: str) -> str:
    """A parameter group's name (``office`` -> Social office / Sportello sociale)."""
    return tr(f"group_{group}") if catalogue.has(f"group_{group}") else group


def number(value: Any, decimals: int = 0, language: str | None = None) -> str:
    """``value`` in the language's number format: 1,234.5 / 1.234,5."""
    return formatting.number(value, decimals, language or lang.value)


def money(value: Any, language: str | None = None) -> str:
    """Euros in the language's currency format: €12,345 / 12.345 €."""
    return formatting.money(value, language or lang.value)


def plain_number(value: float, language: str | None = None) -> str:
    """A parameter bound as typed, in the language's number format (``0.25`` / ``0,25``)."""
    return formatting.plain_number(value, language or lang.value)


def fmt_value(value: Any, unit: str, language: str | None = None) -> str:
    """An indicator value as users read it: shares in %, money in €, counts with separators."""
    return formatting.value(value, unit, language or lang.value)


def city_name(city: str) -> str:
    """A bundled city profile's name as people write it: ``reggio-emilia`` -> Reggio Emilia."""
    return city.replace("-", " ").replace("_", " ").title()


def city_items(cities: Sequence[str]) -> list[dict[str, str]]:
    """Menu items for the city profiles: the name shown, the profile key as the value."""
    return [{"text": city_name(c), "value": c} for c in cities]


def initial_language(search: str | None, headers: Mapping[str, Sequence[str]] | None) -> str:
    """``?lang=xx`` if given, else the first supported language the browser accepts."""
    for part in (search or "").lstrip("?").split("&"):
        name, _, value = part.partition("=")
        if name == "lang" and value.lower()[:2] in LANGS:
            return value.lower()[:2]
    accept = ",".join((headers or {}).get("accept-language", []))
    for item in accept.split(","):
        code = item.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


__all__ = [
    "LANGS",
    "city_items",
    "city_name",
    "fmt_value",
    "group_label",
    "indicator_label",
    "initial_language",
    "lang",
    "money",
    "number",
    "param_label",
    "pick",
    "plain_number",
    "tr",
    "unit_label",
]
