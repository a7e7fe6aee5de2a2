"""Every registry parameter is sourced: a row of the calibration table or a named assumption.

The brief: every mechanism choice has a source (a row of ``shared/data/calibration.csv``, which
carries its URL) or is a *named* assumption written in ``docs/ODD.md``. A source that is just
"assumption" names nothing a reader can look up, so it fails here; so does an
``assumption: <Name>`` whose name is not an entry of the ODD's Assumptions table, and a
``CSV: <quantity> | <geography> | <year>`` reference that is not a row of the table.
"""

from __future__ import annotations

import csv
import re

import pytest

from willsim.params import PARAMETERS
from willsim.scenario import PACKAGE_ROOT

ODD = PACKAGE_ROOT.parent / "docs" / "ODD.md"
# The shared data sit beside the clone (``../shared``), as in tests/test_cities.py.
CALIBRATION_CSV = PACKAGE_ROOT.parents[1] / "shared/data/calibration.csv"
SETTING = "setting: "
"""Prefix of the source of a run setting (seed, horizon, sample size): a choice, not a claim."""
_END = re.compile(r"($|[ ;,.)(:])")


def assumption_names(odd_text: str) -> dict[str, str]:
    """The named assumptions of the ODD's ``## Assumptions`` table: lower-cased name -> name.

    Each entry is a table row whose first cell is the name (emphasis marks stripped)."""
    section = odd_text.split("\n## Assumptions\n", 1)[1].split("\n## ", 1)[0]
    names = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or not cells[0] or set(cells[0]) <= set("-: "):
            continue
        name = cells[0].strip("*_ ")
        if name.lower() != "name":
            names[name.lower()] = name
    return names


def _follows(text: str, at: int, candidates: list[str]) -> bool:
    """Whether one of ``candidates`` starts ``text`` at ``at`` and ends at a word boundary."""
    return any(
        text[at : at + len(c)].lower() == c.lower() and _END.match(text, at + len(c))
        for c in candidates
    )


def source_problems(key: str, source: str, names: list[str], rows: list[str] | None) -> list[str]:
    """What is wrong with one parameter's source (empty when it is well-formed); CSV references
    are checked against ``rows`` unless it is None."""
    problems = []
    text = source.strip()
    if not text:
        return [f"{key}: no source"]
    if text.lower().startswith("assumption") and not text.startswith("assumption: "):
        problems.append(f"{key}: bare assumption {source!r} (name it: 'assumption: <Name>')")
    for match in re.finditer("assumption: ", text):
        if not _follows(text, match.end(), names):
            problems.append(f"{key}: {text[match.start() : match.start() + 70]!r}: no such name")
    for match in re.finditer("CSV: ", text):
        if rows is not None and not _follows(text, match.end(), rows):
            problems.append(f"{key}: {text[match.start() : match.start() + 90]!r}: no such row")
    return problems


def _rows() -> list[str]:
    with CALIBRATION_CSV.open(newline="", encoding="utf-8") as handle:
        refs = [f"{r['quantity']} | {r['geography']} | {r['year']}" for r in csv.DictReader(handle)]
    return sorted(refs, key=len, reverse=True)


NAMES = assumption_names(ODD.read_text(encoding="utf-8"))


def test_the_odd_names_its_assumptions():
    assert len(NAMES) >= 20, sorted(NAMES)


@pytest.mark.parametrize("check_rows", [False, True], ids=["names", "csv-rows"])
def test_every_parameter_has_a_csv_row_or_a_named_assumption(check_rows):
    if check_rows and not CALIBRATION_CSV.is_file():
        pytest.skip(f"calibration table not found at {CALIBRATION_CSV}")
    names = sorted(NAMES.values(), key=len, reverse=True)
    rows = _rows() if check_rows else None
    problems = [
        problem
        for key in PARAMETERS
        for problem in source_problems(key, PARAMETERS[key].source, names, rows)
    ]
    assert not problems, f"{len(problems)} badly sourced parameters:\n" + "\n".join(problems)


def test_run_settings_are_settings_not_assumptions():
    for key in ("run.seed", "run.weeks", "run.residents"):
        assert PARAMETERS[key].source.startswith(SETTING), key


def test_every_named_assumption_is_used_or_referenced():
    """A name of the tables that no parameter cites is discussed elsewhere in the ODD (as *RSA
    mortality by need* is in 8.3 and 8.4): the tables are not padded with names nobody uses."""
    cited = " ".join(PARAMETERS[key].source for key in PARAMETERS).lower()
    structural = [n for n in NAMES if f"assumption: {n}" not in cited]
    odd = ODD.read_text(encoding="utf-8").lower()
    unused = [n for n in structural if odd.count(n) < 2]
    assert not unused, f"named assumptions neither cited nor discussed elsewhere: {unused}"


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("assumption", False),
        ("assumption (order of magnitude)", False),
        ("assumption: Social ties", True),
        ("assumption: Social ties (six ties)", True),
        ("assumption: Social tiesx", False),
        ("assumption: Unknown", False),
        ("CSV: a | Italy | 2023 (note)", True),
        ("CSV: a | Italy | 2024", False),
        ("Gostoli & Silverman (2019)", True),
    ],
)
def test_source_checks_can_fail(source, ok):
    assert (not source_problems("k", source, ["Social ties"], ["a | Italy | 2023"])) is ok
