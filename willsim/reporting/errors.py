"""Error messages of the engine in the reader's language.

The parameter registry, the scenario loader and the workshop's strategy checks write their
messages in English (they are also the command line's messages). For a page in another language,
:func:`translate` recognises the common forms (a value out of range, not a finite number, the
wrong type, an unknown parameter, a file that is not valid TOML or YAML) and writes them from the
catalogue, with ranges in the language's number format; a message it does not recognise is shown
as it is, never dropped. Messages from the workshop service carry their own catalogue key
(:class:`Translatable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from willsim.reporting.formatting import plain_number
from willsim.reporting.i18n import text


class Word(str):
    """A value of a message that is itself a catalogue key (a phase, an action): written in
    the message's language."""


class Money(float):
    """A value of a message that is an amount in euros: written in the language's format."""


class Translatable(ValueError):
    """An error with a catalogue key: ``str()`` is the English message, :meth:`message` the
    message in any language. A ``key`` that is not in the catalogue is a message as it is
    (translated by :func:`translate` where its form is known)."""

    def __init__(self, key: str, /, **fmt: Any) -> None:
        self.key, self.fmt = key, fmt
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        from willsim.reporting.i18n import has

        if not has(self.key):
            return translate(self.key, language)
        from willsim.reporting.formatting import money

        values = {
            k: text(v, language)
            if isinstance(v, Word)
            else money(v, language)
            if isinstance(v, Money)
            else v
            for k, v in self.fmt.items()
        }
        return text(self.key, language, **values)


def range_in(key: str, language: str) -> str | None:
    """A parameter's valid range in ``language``'s number format (``[0; 5.000.000]``)."""
    from willsim.params import PARAMETERS

    if key not in PARAMETERS:
        return None
    p = PARAMETERS[key]
    if p.choices:
        return " | ".join(p.choices)
    if isinstance(p.default, bool):
        return None

    def num(x: float | None) -> str:
        return "–∞" if x is None else ("∞" if abs(x) >= 1e12 else plain_number(x, language))

    if p.nonzero_low is not None:
        return f"0 | [{plain_number(p.nonzero_low, language)}; {num(p.high)}]"
    return f"[{num(p.low)}; {num(p.high)}]"


def _unit(key: str, language: str) -> str:
    from willsim.params import PARAMETERS
    from willsim.reporting.i18n import has

    if key not in PARAMETERS:
        return ""
    unit = PARAMETERS[key].unit
    return text(f"unit_{unit}", language) if has(f"unit_{unit}") else unit


def _key(name: str) -> str:
    return name.split(" item ")[0]


def _value(raw: str, language: str) -> str:
    try:
        return plain_number(float(raw.replace(",", "")), language)
    except ValueError:
        return raw


PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], str]]] = [
    (
        re.compile(r"^(?P<name>[\w.]+(?: item \d+)?): (?P<value>\S+) is not a finite number;.*$"),
        lambda m, lang: text(
            "err_not_finite",
            lang,
            name=m["name"],
            value=m["value"],
            range=range_in(_key(m["name"]), lang) or "",
            unit=_unit(_key(m["name"]), lang),
        ),
    ),
    (
        re.compile(r"^(?P<name>[\w.]+(?: item \d+)?): (?P<value>\S+) is out of range;.*$"),
        lambda m, lang: text(
            "err_out_of_range",
            lang,
            name=m["name"],
            value=_value(m["value"], lang),
            range=range_in(_key(m["name"]), lang) or "",
            unit=_unit(_key(m["name"]), lang),
        ),
    ),
    (
        re.compile(r"^(?P<name>[\w.]+(?: item \d+)?): (?P<value>\S+) is too small;.*$"),
        lambda m, lang: text(
            "err_out_of_range",
            lang,
            name=m["name"],
            value=_value(m["value"], lang),
            range=range_in(_key(m["name"]), lang) or "",
            unit=_unit(_key(m["name"]), lang),
        ),
    ),
    (
        re.compile(
            r"^(?P<name>[\w.]+(?: item \d+)?): expected (an integer|a whole number), "
            r"got (?P<value>.+)$"
        ),
        lambda m, lang: text("err_whole_number", lang, name=m["name"], value=m["value"]),
    ),
    (
        re.compile(r"^(?P<name>[\w.]+(?: item \d+)?): expected a number, got (?P<value>.+)$"),
        lambda m, lang: text("err_number", lang, name=m["name"], value=m["value"]),
    ),
    (
        re.compile(r"^(?P<name>[\w.]+): expected true or false, got (?P<value>.+)$"),
        lambda m, lang: text("err_flag", lang, name=m["name"], value=m["value"]),
    ),
    (
        re.compile(r"^(?P<name>[\w.]+): expected a list of (?P<n>\d+) numbers, got (?P<value>.+)$"),
        lambda m, lang: text("err_list", lang, name=m["name"], count=m["n"], value=m["value"]),
    ),
    (
        re.compile(
            r"^(?P<name>[\w.]+): (?P<value>'[^']*') is not a valid choice; "
            r"valid choices: (?P<choices>.+)$"
        ),
        lambda m, lang: text(
            "err_choice", lang, name=m["name"], value=m["value"], choices=m["choices"]
        ),
    ),
    (
        re.compile(
            r"^unknown parameter (?P<key>'[^']*')\.(?: Did you mean (?P<close>[^?]+)\?)?.*$"
        ),
        lambda m, lang: (
            text("err_unknown_parameter", lang, key=m["key"])
            + (" " + text("err_did_you_mean", lang, close=m["close"]) if m["close"] else "")
        ),
    ),
    (
        re.compile(r"^(?P<file>[^:]+): invalid (?P<kind>TOML|YAML): (?P<detail>.+)$", re.S),
        lambda m, lang: text(
            "err_syntax", lang, file=m["file"], kind=m["kind"], detail=m["detail"]
        ),
    ),
    (
        re.compile(
            r"^unknown (?P<kind>city|scenario) (?P<value>'[^']*'); "
            r"valid \w+: (?P<valid>.+?)(?: \(or a .*\))?$"
        ),
        lambda m, lang: text(f"err_unknown_{m['kind']}", lang, value=m["value"], valid=m["valid"]),
    ),
]


def translate(message: str, language: str) -> str:
    """``message`` in ``language``; a prefix ending in ``: `` (a file or strategy name) is kept,
    and what follows is translated when its form is known."""
    if language == "en":
        return message
    for pattern, write in PATTERNS:
        m = pattern.match(message)
        if m:
            return write(m, language)
    head, sep, tail = message.partition(": ")
    if sep and tail and head and " " not in head.strip():
        inner = translate(tail, language)
        if inner != tail:
            return f"{head}: {inner}"
    return message


def message(exc: BaseException, language: str) -> str:
    """The message of ``exc`` in ``language`` (a :class:`Translatable` from its key)."""
    if isinstance(exc, Translatable):
        return exc.message(language)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, Translatable):
        return cause.message(language)
    return translate(str(exc), language)
