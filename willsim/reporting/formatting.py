"""Numbers, shares, percentage points, money and dates as people read them, per language.

Every format comes from Babel (CLDR data): ``1,234.5`` and ``€12,345`` in English, ``1.234,5``
and ``12.345 €`` in Italian; a difference of two shares is in percentage points (``+1.2 pp``,
``+1,2 p.p.``), never in per cent. Values are rounded with Python's :func:`round` before Babel
writes them, so a figure reads the same as ``f"{x:.1f}"`` would (Babel alone rounds the decimal
text, which differs on ties such as 0.125).

A missing value (``None`` or NaN) is written as an en dash. ``language`` is ``"en"`` or ``"it"``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, get_decimal_symbol

LANGS: tuple[str, ...] = ("en", "it")
"""The languages of the interface, English first (the fallback)."""
MISSING = "–"
CURRENCY = "EUR"


def check_language(language: str) -> str:
    """``language`` if supported, else :class:`ValueError` naming the valid choices."""
    if language not in LANGS:
        raise ValueError(f"unknown language {language!r}; valid languages: {', '.join(LANGS)}")
    return language


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(check_language(language))


def missing(value: Any) -> bool:
    """True for ``None`` and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pattern(decimals: int, signed: bool) -> str:
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return f"+{body};-{body}" if signed else body


def number(value: Any, decimals: int = 0, language: str = "en", signed: bool = False) -> str:
    """``value`` with the language's grouping and decimal mark and exactly ``decimals``
    decimals; ``signed`` writes a ``+`` before positive values."""
    if missing(value):
        return MISSING
    rounded = round(float(value), decimals)
    if rounded == 0:  # no "-0.0" nor "+0.0": a figure that rounds to zero has no sign
        rounded, signed = 0.0, False
    return format_decimal(rounded, format=_pattern(decimals, signed), locale=_locale(language))


def plain_number(value: float, language: str = "en") -> str:
    """A number as typed (a parameter bound): whole numbers grouped, others with their own
    decimals (up to 6), never in scientific notation below a trillion."""
    if missing(value):
        return MISSING
    if abs(value) >= 1e12:
        return f"{value:.3g}"
    return format_decimal(value, format="#,##0.######", locale=_locale(language))


def decimal_mark(language: str = "en") -> str:
    """The language's decimal mark: ``.`` in English, ``,`` in Italian."""
    return get_decimal_symbol(_locale(language))


def percent(share: Any, decimals: int = 1, language: str = "en", signed: bool = False) -> str:
    """A share (0-1) as a percentage: ``0.6536`` -> ``65.4%`` / ``65,4%``."""
    if missing(share):
        return MISSING
    return number(100 * float(share), decimals, language, signed) + "%"


def points(diff: Any, decimals: int = 1, language: str = "en") -> str:
    """A difference of two shares in percentage points, signed: ``0.012`` -> ``+1.2 pp`` /
    ``+1,2 p.p.``."""
    from willsim.reporting.i18n import text

    if missing(diff):
        return MISSING
    return text("points", language, value=number(100 * float(diff), decimals, language, True))


@cache
def _money_pattern(language: str, decimals: int, signed: bool) -> str:
    """The language's currency pattern with ``decimals`` decimals (``¤#,##0`` / ``#,##0 ¤``)."""
    standard = _locale(language).currency_formats["standard"].pattern.split(";")[0]
    body = standard.replace("#,##0.00", "#,##0" + ("." + "0" * decimals if decimals else ""))
    return f"+{body};-{body}" if signed else body


def money(value: Any, language: str = "en", decimals: int = 0, signed: bool = False) -> str:
    """An amount in euros, in the language's currency format: ``€12,345`` / ``12.345 €``."""
    if missing(value):
        return MISSING
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded, signed = 0.0, False
    return format_currency(
        rounded,
        CURRENCY,
        format=_money_pattern(language, decimals, signed),
        locale=_locale(language),
        currency_digits=False,
    )


def date(value: datetime, language: str = "en") -> str:
    """A date: ``Dec 7, 2026`` / ``7 dic 2026``."""
    return format_date(value, "medium", locale=_locale(language))


def date_time(value: datetime, language: str = "en") -> str:
    """A date and time of day in UTC: ``Dec 7, 2026, 03:09 UTC`` / ``7 dic 2026, 03:09 UTC``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    loc = _locale(language)
    day = format_date(value, "medium", locale=loc)
    clock = format_time(value, "HH:mm", locale=loc)
    combined = str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
    return combined + (" UTC" if value.tzinfo is not None else "")


def value(value: Any, unit: str, language: str = "en") -> str:
    """An indicator's value as users read it: shares in %, money in €, other quantities with
    separators (no decimals from 100 up, else two)."""
    if missing(value):
        return MISSING
    if unit == "share":
        return percent(value, 1, language)
    if unit == "EUR":
        return money(value, language)
    return number(value, 0 if abs(value) >= 100 else 2, language)


def difference(diff: Any, unit: str, language: str = "en") -> str:
    """A signed difference between two values of an indicator: shares in percentage points,
    money in €, other quantities as :func:`value` (a difference that rounds to zero has no
    sign)."""
    if missing(diff):
        return MISSING
    if unit == "share":
        return points(diff, 1, language)
    if unit == "EUR":
        return money(diff, language, signed=True)
    return number(diff, 0 if abs(diff) >= 100 else 2, language, signed=True)


def bound(diff: Any, unit: str, language: str = "en") -> str:
    """A difference written with enough decimals (up to 6) that a non-zero value never reads
    as zero: an interval bound, or a clear difference named in a sentence."""
    shown = difference(diff, unit, language)
    if missing(diff) or diff == 0 or unit == "EUR" or any(c in "123456789" for c in shown):
        return shown
    from willsim.reporting.i18n import text

    scaled = 100 * abs(float(diff)) if unit == "share" else abs(float(diff))
    decimals = min(6, max(2 if unit == "share" else 3, -math.floor(math.log10(scaled))))
    magnitude = ("+" if diff > 0 else "-") + number(scaled, decimals, language)
    return text("points", language, value=magnitude) if unit == "share" else magnitude


def interval(low: Any, high: Any, unit: str, language: str = "en") -> str:
    """A 95% interval of a difference: ``[+0.4 pp; +2.1 pp]``."""
    if missing(low) or missing(high):
        return MISSING
    return f"[{bound(low, unit, language)}; {bound(high, unit, language)}]"


def money_compact(value: Any, language: str = "en", signed: bool = False) -> str:
    """An amount in euros in short form, one decimal: ``€1.1M`` / ``1,1 Mln €`` (CLDR's
    compact currency format), with a sign when ``signed``."""
    from babel.numbers import format_compact_currency

    if missing(value):
        return MISSING
    v = float(value)
    text = format_compact_currency(abs(v), CURRENCY, locale=_locale(language), fraction_digits=1)
    if text.lstrip("€ ").startswith(("0", "0,", "0.")) and abs(v) < 0.05:
        return text
    if v < 0:
        return "-" + text
    return ("+" + text) if signed and v > 0 else text


def about(value: Any, language: str = "en") -> str:
    """A count as people say it, to two significant figures: ``about 800`` is written ``800``,
    ``1,234`` ``1,200``, ``7`` ``7`` (no sign; the caller says fewer or more)."""
    if missing(value):
        return MISSING
    v = abs(float(value))
    if v < 10:
        return number(round(v), 0, language)
    digits = 1 - math.floor(math.log10(v))
    return number(round(v, digits), 0, language)
