"""Numbers, shares, percentage points, money and dates per language (Babel), and the rules the
tables rely on: no "-0.0", no bound that reads as zero, a dash for a missing value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from willsim.reporting import formatting as f


@pytest.mark.parametrize(
    ("call", "en", "it"),
    [
        (lambda lang: f.number(1234567.891, 2, lang), "1,234,567.89", "1.234.567,89"),
        (lambda lang: f.number(1234.5, 0, lang), "1,234", "1.234"),
        (lambda lang: f.number(3.5, 1, lang, signed=True), "+3.5", "+3,5"),
        (lambda lang: f.percent(0.6536, 1, lang), "65.4%", "65,4%"),
        (lambda lang: f.points(0.012, 1, lang), "+1.2 pp", "+1,2 p.p."),
        (lambda lang: f.points(-0.0734, 1, lang), "-7.3 pp", "-7,3 p.p."),
        (lambda lang: f.money(12345.4, lang), "€12,345", "12.345\xa0€"),
        (lambda lang: f.money(-1234, lang, signed=True), "-€1,234", "-1.234\xa0€"),
        (lambda lang: f.money(1234, lang, signed=True), "+€1,234", "+1.234\xa0€"),
        (lambda lang: f.plain_number(0.25, lang), "0.25", "0,25"),
        (lambda lang: f.plain_number(5_000_000, lang), "5,000,000", "5.000.000"),
        (lambda lang: f.value(0.25, "share", lang), "25.0%", "25,0%"),
        (lambda lang: f.value(1234.0, "persons", lang), "1,234", "1.234"),
        (lambda lang: f.value(3.14159, "weeks", lang), "3.14", "3,14"),
        (lambda lang: f.difference(0.02, "share", lang), "+2.0 pp", "+2,0 p.p."),
        (lambda lang: f.difference(-0.5, "weeks", lang), "-0.50", "-0,50"),
        (
            lambda lang: f.date_time(datetime(2026, 12, 7, 3, 9, tzinfo=UTC), lang),
            "Dec 7, 2026, 03:09 UTC",
            "7 dic 2026, 03:09 UTC",
        ),
        (lambda lang: f.date(datetime(2026, 12, 7), lang), "Dec 7, 2026", "7 dic 2026"),
    ],
)
def test_formats_in_english_and_italian(call, en, it):
    assert call("en") == en
    assert call("it") == it


def test_rounding_is_pythons():
    """Babel alone would round the decimal text (0.125 -> 0.13 half-even on '0.125'...); the
    figures read as f-strings do, from the binary value."""
    for x in (0.125, 2.675, 1.005, 65.35, -0.045):
        assert f.number(x, 2, "en") == f"{x:,.2f}".replace("-0.00", "0.00")
        assert f.number(x, 1, "en") == f"{x:,.1f}".replace("-0.0", "0.0")


def test_a_figure_that_rounds_to_zero_has_no_sign():
    assert f.number(-0.0001, 1, "en") == "0.0"
    assert f.number(0.0001, 1, "en", signed=True) == "0.0"
    assert f.points(-0.00001, 1, "it") == "0,0 p.p."
    assert f.money(0.4, "en", signed=True) == "€0"


def test_an_interval_that_excludes_zero_never_ends_at_zero():
    assert f.interval(0.0001, 0.002, "share", "en") == "[+0.01 pp; +0.2 pp]"
    assert f.interval(-3.2, -0.0004, "weeks", "en") == "[-3.20; -0.0004]"
    assert f.interval(-0.00004, 0.0003, "share", "it") == "[-0,004 p.p.; +0,03 p.p.]"
    assert f.bound(-0.000021, "score", "en") == "-0.00002"
    assert f.interval(float("nan"), 1.0, "weeks", "en") == "–"


def test_missing_values_are_a_dash():
    for call in (f.number, f.percent, f.points, f.money, f.plain_number):
        assert call(float("nan")) == "–" and call(None) == "–"
    assert f.value(None, "share") == f.difference(float("nan"), "EUR") == "–"


def test_an_unknown_language_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown language 'de'; valid languages: en, it"):
        f.number(1, 0, "de")
