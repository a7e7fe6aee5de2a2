"""Every bundled scenario validates and runs; malformed files fail with clear messages."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from willsim import WelfareModel
from willsim.scenario import (
    CITY_DIR,
    SCENARIO_DIR,
    Scenario,
    ScenarioError,
    available_scenarios,
    load_city,
    load_scenario,
    parse_assignment,
)

WILLSIM = [sys.executable, "-m", "willsim.cli"]


@pytest.mark.parametrize("name", available_scenarios())
def test_bundled_scenario_validates_and_runs(name):
    scenario = load_scenario(name, {"city.population": 3000, "run.weeks": 6})
    model = WelfareModel(scenario)
    model.run()
    assert model.week == 6
    model.release()


def test_model_runs_with_zero_arguments_and_default_is_baseline():
    scenario = load_scenario()
    assert scenario.name == "baseline" and scenario.city == "bergamo"
    assert scenario.params["city.population"] == 121316


def test_layers_are_recorded():
    s = load_scenario("baseline", {"office.assessment_hours": 4})
    assert s.provenance["office.assessment_hours"] == "override"
    assert s.provenance["city.population"] == "city:bergamo"
    assert s.provenance["network.mean_ties"] == "default"
    assert s.params["office.assessment_hours"] == 4.0


def test_extends_and_relative_city_path(tmp_path):
    city = Path(load_scenario("baseline").city_sources and "scenarios/cities/padova.toml")
    (tmp_path / "mycity.toml").write_text(
        city.read_text().replace('name = "padova"', 'name = "mycity"')
    )
    (tmp_path / "child.toml").write_text(
        '[scenario]\nname = "child"\nextends = "baseline"\ncity = "mycity.toml"\n'
        '[params]\n"office.assessment_hours" = 2.0\n'
    )
    s = load_scenario(tmp_path / "child.toml")
    assert s.city == "mycity"
    assert s.provenance["office.assessment_hours"] == "scenario:child"


def test_scenario_hash_ignores_seed_but_not_params():
    a = load_scenario("baseline", {"run.seed": 1})
    b = load_scenario("baseline", {"run.seed": 2})
    c = load_scenario("baseline", {"office.assessment_hours": 2.0})
    assert a.hash == b.hash != c.hash


def test_to_toml_reproduces_the_scenario(tmp_path):
    s = load_scenario("baseline", {"office.assessment_hours": 2.5})
    path = tmp_path / "copy.toml"
    path.write_text(s.to_toml())
    again = load_scenario(path)
    assert dict(again.params) == dict(s.params)


BAD_FILES = {
    "bad_toml.toml": ("[scenario\nname = 'x'\n", "invalid TOML"),
    "bad_yaml.yaml": ("scenario: [unclosed\n", "invalid YAML"),
    "unknown_key.toml": ('[params]\n"office.salry" = 3\n', "office.salary"),
    "unknown_section.toml": ("[polices]\n", "valid keys"),
    "wrong_type.toml": ('[params]\n"run.weeks" = "many"\n', "run.weeks"),
    "out_of_range.toml": ('[params]\n"helpseeking.awareness" = 1.5\n', "valid range [0, 1]"),
    "not_whole.toml": ('[params]\n"run.weeks" = 2.5\n', "whole number"),
    "bad_vector.toml": ('[params]\n"city.age_shares" = [0.5, 0.5]\n', "list of 6"),
    "bad_sum.toml": ('[params]\n"city.age_shares" = [0.5, 0.5, 0.5, 0, 0, 0]\n', "sum to 1"),
    "unknown_city.toml": ('[scenario]\ncity = "atlantis"\n', "valid cities: bergamo"),
    "params_not_table.toml": ("params = 3\n", "must be a table"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_files_give_clear_errors(tmp_path, name):
    text, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert expected in str(info.value)


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("does/not/exist.toml")
    with pytest.raises(ScenarioError, match=r"valid scenarios: .*baseline"):
        load_scenario("no-such-scenario")


def test_parse_assignment():
    assert parse_assignment("office.assessment_hours=4") == ("office.assessment_hours", 4)
    assert parse_assignment("city.age_shares=[0.1,0.1,0.5,0.1,0.1,0.1]")[1][2] == 0.5
    with pytest.raises(ScenarioError, match="Did you mean"):
        parse_assignment("office.salry=3")
    with pytest.raises(ScenarioError, match=r"dotted\.key=value"):
        parse_assignment("nothing")


@pytest.mark.parametrize(
    "args,expected",
    [
        (["run", "nope"], "unknown scenario 'nope'"),
        (["run", "--set", "office.salry=3"], "Did you mean office.salary"),
        (["run", "--set", "helpseeking.awareness=2"], "out of range"),
        (["run", "missing.toml"], "not found"),
        (["run", "--replicates", "0"], "--replicates must be at least 1"),
        (["validate", "missing.yaml"], "not found"),
        (["params", "--group", "nosuch"], "valid groups"),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(args, expected):
    proc = subprocess.run([*WILLSIM, *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_scenario_listing_in_both_languages(capsys):
    from willsim.cli import first_sentence, main

    assert first_sentence("Co-design (art. 55 of the Code): more. Then.") == (
        "Co-design (art. 55 of the Code): more"
    )
    assert first_sentence("x" * 150, limit=20) == "x" * 19 + "…"
    assert main(["scenarios", "--lang", "it"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scenari:") and "Città:" in out
    assert "Co-programmazione e co-progettazione con il Terzo Settore (art. 55" in out


# --- moving a scenario to another city, scenarios from mappings, TOML round trips ---------------


def _wrapper_in(city: str, base: Path, tmp_path: Path) -> Scenario:
    """The old way of moving a scenario: a file that extends it and names another city."""
    name = load_scenario(base).name
    wrapper = tmp_path / "wrapper.toml"
    wrapper.write_text(
        f'[scenario]\nname = "{name}"\ncity = "{city}"\nextends = "{base}"\n', encoding="utf-8"
    )
    return load_scenario(wrapper)


@pytest.mark.parametrize("name", ["baseline", "budget-cut", "proactive-platform", "ageing-city"])
def test_city_moves_a_scenario_like_a_wrapper_file_did(tmp_path, name):
    moved = load_scenario(name, city="parma")
    old = _wrapper_in("parma", SCENARIO_DIR / f"{name}.toml", tmp_path)
    assert moved.city == "parma" and moved.city_label == old.city_label
    assert moved.params == old.params and moved.policies == old.policies
    assert moved.provenance["city.population"] == "city:parma"
    assert moved.name == name and moved.hash == old.hash


def test_a_loaded_scenario_moves_with_its_own_values_and_overrides():
    own = load_scenario("ageing-city", {"office.assessment_hours": 3.5, "run.weeks": 10})
    moved = load_scenario(own, city="ravenna", overrides={"run.seed": 7})
    direct = load_scenario(
        "ageing-city",
        {"office.assessment_hours": 3.5, "run.weeks": 10, "run.seed": 7},
        city="ravenna",
    )
    assert moved.params == direct.params and moved.provenance == direct.provenance
    assert moved.city_sources == direct.city_sources and moved.policies == direct.policies
    _, _, ravenna_city, _ = load_city("ravenna")
    assert moved.params["city.population"] == ravenna_city["city.population"]
    assert own.city == "bergamo"  # the original is untouched


def test_unknown_city_lists_the_valid_cities():
    with pytest.raises(ScenarioError, match="unknown city 'atlantis'; valid cities: bergamo"):
        load_scenario("baseline", city="atlantis")
    with pytest.raises(ScenarioError, match="valid cities"):
        load_scenario(load_scenario("baseline"), city="atlantis")


def test_from_mapping_is_checked_like_a_file(tmp_path):
    text = (
        '[scenario]\nname = "mine"\nextends = "baseline"\n'
        '[params]\n"office.assessment_hours" = 3.0\n'
    )
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    from_file = load_scenario(path)
    from_dict = Scenario.from_mapping(tomllib.loads(text), name="mine.toml")
    assert from_dict.params == from_file.params and from_dict.provenance == from_file.provenance
    assert from_dict.name == "mine" and from_dict.path is None
    assert (
        Scenario.from_mapping({"params": {"office": {"assessment_hours": 3.0}}}, name="x.toml").name
        == "x"
    )
    with pytest.raises(ScenarioError, match=r"^upload\.toml: .*office\.salary"):
        Scenario.from_mapping({"params": {"office.salry": 3}}, name="upload.toml")
    with pytest.raises(ScenarioError, match=r"^upload\.toml: .*valid keys"):
        Scenario.from_mapping({"polices": []}, name="upload.toml")
    with pytest.raises(ScenarioError, match=r"^upload\.toml: the scenario is empty"):
        Scenario.from_mapping({}, name="upload.toml")


def test_from_mapping_finds_relative_files_in_base_dir(tmp_path):
    (tmp_path / "parent.toml").write_text(
        '[scenario]\nextends = "baseline"\ncity = "padova"\n[params]\n"run.weeks" = 9\n',
        encoding="utf-8",
    )
    child = Scenario.from_mapping({"scenario": {"extends": "parent.toml"}}, base_dir=tmp_path)
    assert child.city == "padova" and child.params["run.weeks"] == 9


@pytest.mark.parametrize("name", available_scenarios())
def test_every_bundled_scenario_round_trips_through_toml(tmp_path, name):
    scenario = load_scenario(name)
    path = tmp_path / "copy.toml"
    path.write_text(scenario.to_toml(), encoding="utf-8")
    again = load_scenario(path)
    assert again.hash == scenario.hash
    assert again.policies == scenario.policies and again.city == scenario.city
    assert again.description == scenario.description


def test_a_moved_scenario_with_overrides_round_trips_and_moves_again(tmp_path):
    scenario = load_scenario("budget-cut", {"run.weeks": 30}, city="novara")
    path = tmp_path / "copy.toml"
    path.write_text(scenario.to_toml(), encoding="utf-8")
    assert load_scenario(path).hash == scenario.hash
    # the city's own values are not copied into the file, so the copy moves like the original
    assert load_scenario(path, city="parma").hash == load_scenario(scenario, city="parma").hash


def test_a_custom_city_file_round_trips(tmp_path):
    city = (CITY_DIR / "padova.toml").read_text(encoding="utf-8")
    (tmp_path / "mycity.toml").write_text(city.replace('name = "padova"', 'name = "mycity"'))
    (tmp_path / "s.toml").write_text('[scenario]\nextends = "baseline"\ncity = "mycity.toml"\n')
    scenario = load_scenario(tmp_path / "s.toml")
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "copy.toml").write_text(scenario.to_toml(), encoding="utf-8")
    again = load_scenario(out / "copy.toml")
    assert again.city == "mycity" and again.hash == scenario.hash
