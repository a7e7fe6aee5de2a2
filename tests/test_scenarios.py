"""Every bundled scenario validates and runs; malformed files fail with clear messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from willsim import WelfareModel
from willsim.scenario import (
    ScenarioError,
    available_scenarios,
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
    proc = subprocess.run([*WILLSIM, *args], capture_output=True, text=True, timeout=120)
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
