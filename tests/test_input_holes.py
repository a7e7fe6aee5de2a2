"""Bad input closed by the audit's fuzzing: each gets exit status 2 and a message naming the
problem and the valid choices, never a traceback or a silent run.

Holes: non-UTF-8 scenario and city files, empty scenario files, NaN and infinities (every numeric
parameter, list elements, files, ``--set``, policies, conditions), samples too small to mean
anything, unreadable ranges, and grammar ("valid citys", "expected a int").
"""

from __future__ import annotations

import math

import pytest

from willsim.cli import main
from willsim.params import PARAMETERS, Param, ParameterError
from willsim.params.declarations import MIN_SAMPLE
from willsim.params.registry import format_number
from willsim.scenario import Scenario, ScenarioError, load_city, load_scenario

BAD = 2


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


# --- files ---------------------------------------------------------------------------------------

LATIN1 = '[scenario]\nname = "caff\xe8"\n'.encode("latin-1")
EMPTY = "the scenario is empty; a scenario needs at least one of [scenario]"


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("latin1.toml", LATIN1, "not a UTF-8 text file (byte 0xe8 on line 2); save it as UTF-8"),
        ("latin1.yaml", "scenario:\n  name: caff\xe8\n".encode("latin-1"), "not a UTF-8 text"),
        ("empty.toml", b"", EMPTY),
        ("comments.toml", b"# nothing but a comment\n", EMPTY),
        ("empty.yaml", b"", EMPTY),
        ("blank.yml", b"\n\n", EMPTY),
        ("nan.toml", b'[params]\n"helpseeking.awareness" = nan\n', "nan is not a finite number"),
        ("inf.toml", b'[params]\n"office.assessment_hours" = inf\n', "inf is not a finite"),
        ("inf.yaml", b"params:\n  helpseeking.awareness: -.inf\n", "-inf is not a finite"),
        (
            "list_nan.toml",
            b'[params]\n"city.age_shares" = [0.2, 0.2, 0.2, 0.2, 0.2, nan]\n',
            "city.age_shares item 6: nan is not a finite number",
        ),
        (
            "policy_nan.toml",
            b'[[policies]]\ntype = "budget"\n[policies.set]\n'
            b'"municipality.budget_multiplier" = nan\n',
            "policy 1: municipality.budget_multiplier: nan is not a finite number",
        ),
        (
            "condition_inf.toml",
            b'[[policies]]\ntype = "outreach"\nwhen = "waiting_list > 1e999"\n',
            "'1e999' is not a finite number",
        ),
        ("tiny_sample.toml", b'[params]\n"run.residents" = 10\n', "run.residents: 10 is too small"),
    ],
)
def test_bad_scenario_files_exit_2_with_a_message(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ScenarioError, match=r"^" + str(path).replace(".", r"\.")) as info:
        load_scenario(path)
    assert message in str(info.value)
    for command in ("validate", "run"):
        code, err = _cli(capsys, command, str(path))
        assert code == BAD and message in err and "Traceback" not in err


def test_a_non_utf8_city_file_names_the_city_file(tmp_path, capsys):
    (tmp_path / "town.toml").write_bytes('[city]\nname = "Citt\xe0"\n'.encode("latin-1"))
    (tmp_path / "s.toml").write_text('[scenario]\ncity = "town.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"town\.toml: not a UTF-8 text file"):
        load_city(tmp_path / "town.toml")
    code, err = _cli(capsys, "validate", str(tmp_path / "s.toml"))
    assert code == BAD and "town.toml: not a UTF-8 text file" in err


def test_an_empty_city_file_says_what_a_city_profile_needs(tmp_path):
    (tmp_path / "town.toml").write_text("", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"city profile is empty; it needs \[city\]"):
        load_city(tmp_path / "town.toml")


def test_an_unknown_city_lists_the_valid_cities_in_plain_english(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\ncity = "atlantis"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert text.startswith(f"{path}: unknown city 'atlantis'; valid cities: bergamo")
    assert "citys" not in text


# --- NaN and infinities: every numeric parameter, every list element ----------------------------

NUMERIC = [
    p
    for p in PARAMETERS.values()
    if p.length or (type(p.default) in (int, float) and not p.choices)
]
NOT_FINITE = [math.nan, math.inf, -math.inf, "nan", "inf", "-Infinity"]


def test_every_numeric_parameter_is_covered():
    assert len(NUMERIC) > 100
    assert {type(p.default) for p in NUMERIC if not p.length} == {int, float}


@pytest.mark.parametrize("param", NUMERIC, ids=lambda p: p.key)
def test_nan_and_infinities_are_refused_for_every_numeric_parameter(param: Param):
    for bad in NOT_FINITE:
        value = [bad] * param.length if param.length else bad
        with pytest.raises(ParameterError, match="is not a finite number; expected"):
            param.validate(value)
    if param.length:  # one bad element among good ones
        value = list(param.default)
        value[-1] = math.nan
        with pytest.raises(ParameterError, match=rf"item {param.length}: nan is not a finite"):
            param.validate(value)


@pytest.mark.parametrize(
    "assignment,message",
    [
        ("helpseeking.awareness=nan", "helpseeking.awareness: nan is not a finite number"),
        ("office.assessment_hours=inf", "office.assessment_hours: inf is not a finite number"),
        ("city.districts=-inf", "city.districts: -inf is not a finite number; expected an integer"),
        ("city.age_shares=[0.2,0.2,0.2,0.2,0.2,nan]", "city.age_shares item 6: nan"),
    ],
)
def test_set_refuses_nan_and_infinities(capsys, assignment, message):
    code, err = _cli(capsys, "run", "--weeks", "1", "--set", assignment)
    assert code == BAD and message in err and "valid range" in err


def test_from_mapping_refuses_nan():
    with pytest.raises(ScenarioError, match=r"^upload\.toml: helpseeking\.awareness: nan"):
        Scenario.from_mapping({"params": {"helpseeking.awareness": math.nan}}, name="upload.toml")


# --- samples too small to mean anything ---------------------------------------------------------


@pytest.mark.parametrize("residents", [1, 10, MIN_SAMPLE - 1])
def test_a_sample_below_the_minimum_is_refused_with_the_reason(capsys, residents):
    with pytest.raises(ParameterError) as info:
        PARAMETERS["run.residents"].validate(residents)
    text = str(info.value)
    assert f"run.residents: {residents} is too small" in text
    assert f"valid: 0 | [{MIN_SAMPLE}, 5,000,000]" in text and "sampling error" in text
    code, err = _cli(capsys, "run", "--weeks", "1", "--residents", str(residents))
    assert code == BAD and "too small" in err and "Traceback" not in err


@pytest.mark.parametrize("residents", [0, MIN_SAMPLE, 5_000])
def test_the_whole_city_and_samples_from_the_minimum_are_accepted(residents):
    assert PARAMETERS["run.residents"].validate(residents) == residents


def test_a_sweep_with_a_tiny_sample_is_refused_before_running(tmp_path, capsys):
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        '[sweep]\nname = "tiny"\nscenario = "baseline"\ndesign = "factorial"\nreplicates = 1\n'
        'seed = 1\noutputs = ["unmet_need_share"]\n[fixed]\n"run.weeks" = 2\n'
        '[vary."run.residents"]\nvalues = [0, 1, 3]\n',
        encoding="utf-8",
    )
    code, err = _cli(capsys, "sweep", str(spec), "--out", str(tmp_path / "out"))
    assert code == BAD and "run.residents: 1 is too small" in err
    assert not (tmp_path / "out" / "runs").exists()


# --- readable ranges and grammar ----------------------------------------------------------------


@pytest.mark.parametrize("param", list(PARAMETERS.values()), ids=lambda p: p.key)
def test_ranges_are_printed_without_exponents(param: Param):
    assert "e+" not in param.range_text and "e-" not in param.range_text


@pytest.mark.parametrize(
    "value,text",
    [
        (2**63 - 1, "9,223,372,036,854,775,807"),
        (5e6, "5,000,000"),
        (1000, "1,000"),
        (0.0001, "0.0001"),
        (1e-9, "0.000000001"),
        (-2.5, "-2.5"),
        (12345.678, "12,345.678"),
    ],
)
def test_numbers_in_messages_are_readable(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("run.seed", -1, "valid range [0, 9,223,372,036,854,775,807] (seed)"),
        ("city.population", 1e12, "1,000,000,000,000 is out of range; valid range [1,000,"),
        ("run.weeks", "many", "run.weeks: expected an integer, got 'many'"),
        ("run.weeks", True, "run.weeks: expected an integer, got True"),
        ("office.assessment_hours", "lots", "expected a number, got 'lots'"),
        ("run.weeks", 2.5, "expected a whole number, got 2.5"),
    ],
)
def test_messages_read_as_english(key, value, message):
    with pytest.raises(ParameterError) as info:
        PARAMETERS[key].validate(value)
    assert message in str(info.value)
    assert "a int" not in str(info.value) and "a float" not in str(info.value)
