"""The bundled city profiles: complete, sourced, traceable to the calibration table, loadable."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from willsim.params import PARAMETERS
from willsim.scenario import (
    CITY_DIR,
    PACKAGE_ROOT,
    ScenarioError,
    available_cities,
    load_city,
    load_scenario,
)

EXPECTED_CITIES = {"bergamo", "padova", "reggio-emilia", "parma", "ravenna", "novara"}
CITY_KEYS = [key for key in PARAMETERS if key.startswith("city.")]
FILLED = ("filled from region: ", "filled from Italy: ")
SOURCE_PREFIXES = ("CSV: ", *(f + "CSV: " for f in FILLED), "assumption: ")
# The shared data sit beside the clone (``../shared``); PACKAGE_ROOT is the resolved willsim/
# directory (the package may be a namespace package without ``__file__``).
CALIBRATION_CSV = PACKAGE_ROOT.parents[1] / "shared/data/calibration.csv"


def _profiles() -> dict[str, tuple[str, str, dict, dict]]:
    return {name: load_city(name) for name in available_cities()}


PROFILES = _profiles()


def csv_references(source: str) -> list[str]:
    """The ``q | g | y`` parts of a source string's ``CSV:`` references.

    A source is ``; ``-separated segments; a segment that starts with ``CSV: `` (optionally
    after ``filled from region: `` or ``filled from Italy: ``) names one row of the table.
    """
    refs = []
    for segment in source.split("; "):
        for prefix in FILLED:
            segment = segment.removeprefix(prefix)
        if segment.startswith("CSV: "):
            refs.append(segment.removeprefix("CSV: "))
    return refs


def test_expected_cities_are_bundled():
    assert set(available_cities()) >= EXPECTED_CITIES


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_sets_every_city_param_with_a_source(name):
    city_name, label, values, sources = PROFILES[name]
    assert city_name == name
    assert label
    missing = [key for key in CITY_KEYS if key not in values]
    assert not missing, f"{name}: city parameters not set: {missing}"
    unsourced = [key for key in values if not sources.get(key, "").strip()]
    assert not unsourced, f"{name}: values without a source: {unsourced}"


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_age_shares_sum_to_one_and_sources_are_well_formed(name):
    _, _, values, sources = PROFILES[name]
    assert sum(values["city.age_shares"]) == pytest.approx(1.0, abs=0.001)
    assert values["city.living_alone_by_age"][0] == 0.0
    for key, source in sources.items():
        assert source.startswith(SOURCE_PREFIXES), f"{name}: {key}: bad source {source!r}"
        if source.startswith(SOURCE_PREFIXES[:3]):
            assert csv_references(source), f"{name}: {key}: no CSV reference in {source!r}"


def test_csv_references_match_calibration_rows():
    if not CALIBRATION_CSV.is_file():
        pytest.skip(f"calibration table not found at {CALIBRATION_CSV}")
    with CALIBRATION_CSV.open(newline="", encoding="utf-8") as handle:
        rows = {(r["quantity"], r["geography"], r["year"]) for r in csv.DictReader(handle)}
    bad = []
    for name, (_, _, _, sources) in PROFILES.items():
        for key, source in sources.items():
            for ref in csv_references(source):
                parts = tuple(ref.split(" | "))
                if parts not in rows:
                    bad.append(f"{name}: {key}: {ref!r}")
    assert not bad, "CSV references without a matching row:\n" + "\n".join(bad)


def test_csv_references_parse_segments():
    source = (
        "filled from Italy: CSV: a | Italy | 2023; a note, with commas; "
        "CSV: b, c | Bergamo (comune) | c.2019 (undated page); assumption: x"
    )
    assert csv_references(source) == [
        "a | Italy | 2023",
        "b, c | Bergamo (comune) | c.2019 (undated page)",
    ]


def test_baseline_scenario_loads_with_bergamo():
    scenario = load_scenario("baseline", {})
    assert scenario.city == "bergamo"
    _, _, values, sources = PROFILES["bergamo"]
    for key, value in values.items():
        assert scenario.params[key] == value
        assert scenario.provenance[key] == "city:bergamo"
    assert scenario.city_sources == sources


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_profile_loads_from_a_path(tmp_path):
    text = (CITY_DIR / "bergamo.toml").read_text(encoding="utf-8")
    text = text.replace('name = "bergamo"', 'name = "my-town"', 1)
    text, count = re.subn(
        r'^"city\.population" = \d+$', '"city.population" = 54321', text, count=1, flags=re.M
    )
    assert count == 1
    name, _, values, sources = load_city(_write(tmp_path / "my-town.toml", text))
    assert name == "my-town"
    assert values["city.population"] == 54321
    assert set(sources) == set(values)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('"city.neet_rate" = 0.101', '"city.neet_rte" = 0.101', "city.neet_rte"),
        ('"city.neet_rate" = 0.101', '"city.neet_rate" = 0.9', "city.neet_rate"),
        ('"city.districts" = 8', '"city.districts" = 0', "city.districts"),
    ],
)
def test_user_profile_errors_name_the_key(tmp_path, old, new, key):
    text = (CITY_DIR / "bergamo.toml").read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp_path / "broken.toml", text.replace(old, new, 1))
    with pytest.raises(ScenarioError, match=re.escape(key)):
        load_city(path)
