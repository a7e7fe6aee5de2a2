"""The user interface's words: one message catalogue per language, read at run time.

Every text the app, the briefing and the workshop show (buttons, headings, help, table headers,
verdicts, chart titles) is a message in ``locale/<language>/LC_MESSAGES/willsim.po`` under a
symbolic key (``msgid "run_compare"``), looked up with :func:`text`. Domain labels are not here:
parameter, indicator, policy and scenario labels stay in their registries and files.

Why gettext ``.po`` files, read with Babel:

* it is the format translators and their tools (Poedit, Weblate, Transifex) already use, one
  plain-text file per language that reviews well in a diff;
* it carries plural forms with the language's own rule in the file's ``Plural-Forms`` header
  (Italian distinguishes "1 modificato" from "2 modificati", and CLDR gives it a third form for
  round millions), where a dictionary of string pairs has none;
* Babel (already used for number and date formats) parses it at import, so there is no compile
  step and no ``.mo`` file to keep in step with its source.

Symbolic keys rather than English source strings as ids, because the English text is itself a
translation here (it is edited by people who do not touch the code), and so that the test that
checks every key exists in every language with the same placeholders is exact.

Placeholders use :meth:`str.format` names (``{ref}``); values are inserted as given, so
quantities must be formatted by the caller (:mod:`willsim.reporting.formatting`), and
identifiers (a resident number, a seed) are never grouped by mistake. A plural message is chosen
by its ``n`` argument, which is an integer count and is shown in the language's number format.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from willsim.reporting.formatting import LANGS, check_language, number

DOMAIN = "willsim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalogue_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / check_language(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: ``key -> text`` or, for a plural message, its forms."""

    language: str
    messages: Mapping[str, str | tuple[str, ...]]
    translations: Translations

    def plural(self, key: str) -> bool:
        return isinstance(self.messages[key], tuple)


@cache
def catalogue(language: str) -> Catalogue:
    """The parsed catalogue of ``language`` (read once per process)."""
    path = catalogue_path(language)
    with open(path, "rb") as f:
        po = read_po(f, locale=language, domain=DOMAIN)
    messages: dict[str, str | tuple[str, ...]] = {}
    for m in po:
        if not m.id:
            continue  # the header
        key = m.id if isinstance(m.id, str) else m.id[0]
        messages[key] = m.string if isinstance(m.string, str) else tuple(m.string)
    mo = io.BytesIO()
    write_mo(mo, po)
    mo.seek(0)
    return Catalogue(language, messages, Translations(mo, domain=DOMAIN))


def all_keys() -> frozenset[str]:
    """Every message key (of the English catalogue, which the tests compare with the others)."""
    return frozenset(catalogue("en").messages)


def has(key: str) -> bool:
    return key in catalogue("en").messages


def text(key: str, language: str, /, **fmt: object) -> str:
    """The message ``key`` in ``language`` with ``fmt`` filled in.

    A plural message takes its form from ``n`` (an ``int``), shown in the language's number
    format. An unknown key raises :class:`KeyError` naming it.
    """
    cat = catalogue(language)
    if key not in cat.messages:
        raise KeyError(
            f"no message {key!r} in the {language!r} catalogue ({catalogue_path(language)})"
        )
    if cat.plural(key):
        count = fmt.get("n")
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"message {key!r} has plural forms: pass the count as n=<int>")
        template = cat.translations.ngettext(key, key, count)
        fmt = {**fmt, "n": number(count, 0, language)}
    else:
        template = cat.translations.gettext(key)
    return template.format(**fmt) if fmt else template


def pick(pair: Sequence[str] | Mapping[str, str], language: str) -> str:
    """A domain label given as an ``(en, it)`` pair or an ``{en: ..., it: ...}`` mapping (the
    registries' and scenario files' form), in ``language``; English when the language is
    missing."""
    if isinstance(pair, Mapping):
        return pair.get(language) or pair.get("en", "")
    return pair[LANGS.index(language)] if language in LANGS[: len(pair)] else pair[0]
