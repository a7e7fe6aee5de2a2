"""Calibration machinery: targets file, priors, search space, loss, study folder, layers, CLI."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from calibration_helpers import ROW, URL, target_toml, write_targets

import willsim.calibration.study as study_module
from willsim import scenario as scenario_module
from willsim.calibration.ensemble import read_ensemble
from willsim.calibration.evaluate import RunSettings
from willsim.calibration.loss import NAN_Z, TargetScore, family_losses, huber, total_loss
from willsim.calibration.space import city_overrides, free_parameters
from willsim.calibration.study import (
    Study,
    StudyError,
    StudySpec,
    count_trials,
    fail_stale_trials,
    process_start,
    search,
)
from willsim.calibration.targets import (
    NOT_MODELLED,
    TargetsError,
    find_calibration_csv,
    load_targets,
    read_csv_rows,
)
from willsim.cli import main
from willsim.indicators import INDICATORS, Indicator
from willsim.outputs import P, Total
from willsim.params import PARAMETERS, Param, ParameterError
from willsim.params.priors import Prior
from willsim.scenario import ScenarioError, available_scenarios, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CSV = find_calibration_csv()
SMALL = ["--residents", "2000", "--weeks", "8", "--seeds", "2"]


# --- the targets file --------------------------------------------------------------------------


def test_bundled_targets_load_and_every_estimand_is_live_or_waiting():
    targets = load_targets()
    assert len(targets.targets) >= 20
    roles = {t.role for t in targets.targets}
    assert roles == {"fit", "holdout", "check"}
    for t in targets.targets:
        assert t.status == "live" or t.status.startswith(NOT_MODELLED), (t.id, t.status)
        assert t.sources and all(s.url.startswith("http") for s in t.sources)
        assert t.tolerance > 0 and t.definition and t.tolerance_basis
    # the estimands are all declared (as targets or, for the live ones, as checks)
    estimands = {t.estimand.key for t in targets.targets}
    for key in (
        "deaths_per_1000",
        "take_up_annual",
        "take_up_annual_work",
        "beneficiaries_per_1000",
        "municipal_spending_per_resident",
        "residential_share_65",
        "ltc_reach_65",
        "severe_unmet_share",
        "family_only_share",
        "neet_share",
        "mean_service_wait_weeks",
    ):
        assert key in estimands, key
    # every city has targets
    assert set(targets.cities()) == set(scenario_module.available_cities())


@pytest.mark.skipif(CSV is None, reason="shared/data/calibration.csv not beside the clone")
def test_bundled_targets_rows_and_urls_match_the_calibration_table():
    rows = read_csv_rows(CSV)
    targets = load_targets(csv_path=CSV)
    assert targets.csv_path == CSV
    for t in targets.targets:
        for s in t.sources:
            assert s.row in rows, (t.id, s.row)
            assert rows[s.row]["source_url"] == s.url


LIVE_HERE = (
    "take_up_annual",
    "take_up_annual_work",
    "municipal_spending_per_resident",
    "neet_share",
    "isolated_share_65",
    "isolated_share[age_band=65-74]",
    "isolated_share[age_band=85+]",
    "care_need_share_65",
    "absolute_poverty_share",
    "digital_skills_share_65_74",
    "digital_skills_share_16_74",
)
"""Estimands the indicator registry publishes since issue 12's estimands work."""


def test_every_live_estimand_is_a_documented_indicator_with_its_source_row():
    """Each live target's estimand is an indicator with labels, a definition and the target's
    unit, and the target names its source rows (checked against the table when it is found)."""
    rows = read_csv_rows(CSV) if CSV is not None else None
    targets = load_targets()
    live = {t.estimand.name for t in targets.targets if t.live}
    assert set(LIVE_HERE) <= live, sorted(set(LIVE_HERE) - live)
    for t in targets.targets:
        if not t.live:
            continue
        ind = INDICATORS[t.estimand.key]
        assert ind.label and ind.label_it and len(ind.description) > 40, t.id
        assert ind.unit == t.unit, t.id
        assert t.definition and t.sources, t.id
        for src in t.sources:
            assert src.row.count(" | ") == 2, (t.id, src.row)
            if rows is not None:
                assert src.row in rows, (t.id, src.row)
    # the take-up estimands are yearly, as their targets define them; the stock is not one
    for key in ("take_up_annual", "take_up_annual_care", "take_up_annual_isolation"):
        assert INDICATORS[key].summary == "yearly", key
    assert INDICATORS["take_up_annual_work"].summary == "yearly"
    assert "stock" in INDICATORS["non_take_up_share"].description


def test_run_json_has_every_live_estimand(capsys):
    assert main(["run", "baseline", "--residents", "2000", "--weeks", "8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for t in load_targets().targets:
        if t.live:
            assert t.estimand.name in out, t.estimand.name
    assert 0 < out["isolated_share[age_band=85+]"] < 1
    assert set(INDICATORS) <= set(out)


def _bad(tmp_path: Path, text: str) -> str:
    path = write_targets(tmp_path / "targets.toml", text)
    with pytest.raises(TargetsError) as exc:
        load_targets(path, csv_path=CSV)
    return str(exc.value)


def test_bad_targets_give_clear_messages(tmp_path):
    good = target_toml("a", "non_take_up_share", 0.3, 0.05)
    colour = target_toml("a", "non_take_up_share", 0.3, 0.05, colour="red")
    assert "unknown field(s) colour" in _bad(tmp_path, colour)
    assert "source 1 must have exactly row and url" in _bad(tmp_path, good + 'colour = "red"\n')
    assert "missing field(s) tolerance" in _bad(tmp_path, good.replace("tolerance = 0.05\n", ""))
    msg = _bad(tmp_path, good.replace('role = "fit"', 'role = "target"'))
    assert "role 'target' is not one of fit, holdout, check" in msg
    msg = _bad(tmp_path, good.replace('cities = ["*"]', 'cities = ["milano"]'))
    assert "unknown city 'milano'" in msg and "bergamo" in msg
    msg = _bad(tmp_path, good.replace('"non_take_up_share"', '"non take up"'))
    assert "is not an indicator key" in msg
    assert "tolerance must be a finite positive number" in _bad(
        tmp_path, good.replace("tolerance = 0.05", "tolerance = -1.0")
    )
    assert "value must be a number" in _bad(tmp_path, good.replace("value = 0.3", 'value = "x"'))
    assert "duplicate id" in _bad(tmp_path, good + "\n" + good)
    assert "unknown age band '90+'" in _bad(
        tmp_path, good.replace('"non_take_up_share"', '"isolated_share[age_band=90+]"')
    )
    assert "invalid TOML" in _bad(tmp_path, "[[target]\n")
    assert "no [[target]] entries" in _bad(tmp_path, "[file]\n")
    # every problem of the file at once, each naming its target
    msg = _bad(tmp_path, good.replace("value = 0.3", 'value = "x"').replace('"fit"', '"no"'))
    assert "2 problem(s)" in msg and msg.count("target 'a'") == 2
    with pytest.raises(TargetsError, match="targets file not found"):
        load_targets(tmp_path / "missing.toml")


@pytest.mark.skipif(CSV is None, reason="shared/data/calibration.csv not beside the clone")
def test_targets_are_checked_against_the_calibration_table(tmp_path):
    good = target_toml("a", "non_take_up_share", 0.3, 0.05)
    assert "is not in the calibration table" in _bad(tmp_path, good.replace(ROW, "no | such | row"))
    assert "url differs" in _bad(tmp_path, good.replace(URL, "https://example.org"))
    # a value quoted from the row (no derivation) must be the row's value, in the target's unit
    quoted = good.replace('derivation = "the model at known parameter values"\n', "")
    assert "differs from the row's 0.33" in _bad(tmp_path, quoted)
    ok = write_targets(tmp_path / "ok.toml", quoted.replace("value = 0.3", "value = 0.33"))
    assert load_targets(ok, csv_path=CSV).targets[0].value == 0.33


_DEATHS = Total(P("needs.deaths"))  # an indicator declares its formula (willsim.outputs)
UNMODELLED = "deaths_at_home_per_1000"
"""An estimand no mechanism publishes (every estimand of the bundled targets is live)."""


def test_not_yet_modelled_targets_are_reported_and_go_live_with_their_indicator(
    tmp_path, monkeypatch
):
    path = write_targets(
        tmp_path / "t.toml",
        target_toml("deaths", UNMODELLED, 11.2, 2.0, unit="deaths/1,000 residents/year"),
        target_toml("ntu", "non_take_up_share", 0.3, 0.05),
    )
    targets = load_targets(path)
    assert targets.by_id["deaths"].status == NOT_MODELLED
    assert targets.by_id["ntu"].status == "live"
    monkeypatch.setitem(
        INDICATORS,
        UNMODELLED,
        Indicator(UNMODELLED, "Deaths", "Decessi", "deaths/1,000 residents/year", "test", _DEATHS),
    )
    assert targets.by_id["deaths"].live
    monkeypatch.setitem(
        INDICATORS,
        UNMODELLED,
        Indicator(UNMODELLED, "Deaths", "Decessi", "per 1,000", "test", _DEATHS),
    )
    assert targets.by_id["deaths"].status.startswith("unit mismatch")


def test_targets_hash_follows_content_not_layout(tmp_path):
    text = target_toml("a", "non_take_up_share", 0.3, 0.05)
    first = load_targets(write_targets(tmp_path / "a.toml", text)).hash
    relaid = load_targets(write_targets(tmp_path / "b.toml", "# a comment\n\n" + text)).hash
    changed = load_targets(write_targets(tmp_path / "c.toml", text.replace("0.3", "0.31"))).hash
    assert first == relaid != changed


# --- priors and the search space ---------------------------------------------------------------


@pytest.mark.parametrize("dist", ["uniform", "log-uniform", "normal", "beta"])
def test_prior_quantiles_round_trip_and_stay_in_range(dist):
    prior = Prior(dist, 0.5, 2.0, "test", relative=True, sd=0.3, a=2.0, b=3.0)
    for default in (1.0, 4.0):
        lo, hi = prior.bounds(default)
        assert (lo, hi) == (0.5 * default, 2.0 * default)
        for u in (0.0, 0.1, 0.5, 0.9, 1.0):
            x = prior.value(u, default)
            assert lo <= x <= hi
            assert prior.quantile(x, default) == pytest.approx(u, abs=1e-9)
    if dist == "log-uniform":  # the geometric midpoint
        assert prior.value(0.5, 1.0) == pytest.approx(1.0)


def test_bad_priors_are_declaration_errors():
    with pytest.raises(ValueError, match="outside"):
        Param("x.a", 0.9, "share", "d", low=0, high=1, prior=Prior("uniform", 0.1, 0.5, "b"))
    with pytest.raises(ValueError, match="exceeds the valid range"):
        Param("x.a", 0.5, "share", "d", low=0, high=1, prior=Prior("uniform", 0.1, 1.5, "b"))
    with pytest.raises(ValueError, match="must be positive"):
        Param("x.a", 0.5, "share", "d", low=0, high=1, prior=Prior("log-uniform", 0.0, 1.0, "b"))
    with pytest.raises(ValueError, match="basis"):
        Param("x.a", 0.5, "share", "d", prior=Prior("uniform", 0.1, 0.9, " "))
    with pytest.raises(ValueError, match="real-valued"):
        Param("x.a", 3, "count", "d", prior=Prior("uniform", 1, 5, "b"))
    with pytest.raises(ValueError, match="sd > 0"):
        Param("x.a", 0.5, "share", "d", prior=Prior("normal", 0.1, 0.9, "b"))


def test_registry_priors_cover_the_assumptions_that_matter():
    with_prior = {k for k, p in PARAMETERS.items() if p.prior is not None}
    for key in (
        "helpseeking.awareness",
        "helpseeking.ask_rate",
        "helpseeking.stigma",
        "helpseeking.trust_mean",
        "needs.care_progression",
        "needs.care_recovery",
        "crises.work",
        "crises.care_by_level",
    ):
        assert key in with_prior, key
    for key in with_prior:
        assert len(PARAMETERS[key].prior.basis) > 40, f"{key}: state the basis of the range"


@pytest.mark.skipif(CSV is None, reason="shared/data/calibration.csv not beside the clone")
def test_prior_bases_cite_real_rows():
    rows = list(read_csv_rows(CSV))
    for p in PARAMETERS.values():
        if p.prior is None:
            continue
        for m in re.finditer("CSV: ", p.prior.basis):
            rest = p.prior.basis[m.end() :]
            assert any(rest.startswith(r) for r in rows), f"{p.key}: {rest[:70]}"


def test_params_command_shows_priors(capsys):
    assert main(["params", "--group", "helpseeking"]) == 0
    out = capsys.readouterr().out
    assert "prior: uniform on [0.4, 1]; shared; fitted to the targets" in out
    assert "prior basis: no Italian measure" in out
    assert main(["params", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["helpseeking.ask_rate"]["prior"]["elements"] == ["care", "isolation", "work"]
    assert rows["office.salary"]["prior"] is None


def test_free_parameters_names_scopes_and_overrides():
    free = free_parameters(
        ["bergamo", "padova"],
        ["helpseeking.awareness", "helpseeking.ask_rate[work]", "providers.hours_per_1000"],
    )
    names = [f.name for f in free]
    assert names[:2] == ["helpseeking.awareness", "helpseeking.ask_rate[work]"]
    assert "providers.hours_per_1000[municipal]@padova" in names and len(names) == 8
    base = load_scenario("baseline", calibrated=False).params
    values = {f.name: f.value(1.0) for f in free}
    over = city_overrides(free, values, "bergamo", base)
    assert over["helpseeking.awareness"] == 1.0
    assert over["helpseeking.ask_rate"] == [6.0, 1.5, 12.0]  # only the free element moves
    assert over["providers.hours_per_1000"] == pytest.approx([15.0, 12.0, 6.0])  # bergamo's own
    holdout = city_overrides(free, values, "parma", base)  # no city-scoped value of its own
    assert "providers.hours_per_1000" not in holdout
    with pytest.raises(ParameterError, match="has no prior"):
        free_parameters(["bergamo"], ["office.salary"])
    with pytest.raises(ParameterError, match=r"elements of helpseeking\.stigma: care"):
        free_parameters(["bergamo"], ["helpseeking.stigma[food]"])
    with pytest.raises(ParameterError, match="unknown parameter"):
        free_parameters(["bergamo"], ["helpseeking.awarenes"])
    unfitted = {f.key for f in free_parameters(["bergamo"], fitted_only=False)}
    assert "outreach.word_of_mouth" in unfitted
    assert "outreach.word_of_mouth" not in {f.key for f in free_parameters(["bergamo"])}


# --- the loss -------------------------------------------------------------------------------------


def _score(target: str, z: float, family: str, weight: float = 1.0, role: str = "fit"):
    mean = 10.0 + 2.0 * z if math.isfinite(z) else math.nan
    return TargetScore(target, "bergamo", role, family, weight, 10.0, 2.0, mean, 0.1, 3)


def test_huber_is_quadratic_then_linear():
    assert huber(0.0) == 0.0
    assert huber(0.5) == 0.25
    assert huber(-3.0) == 9.0
    assert huber(4.0) == 2 * 3 * 4 - 9 == 15.0
    assert huber(-4.0) == 15.0
    assert huber(4.0, cap=5.0) == 16.0


def test_loss_on_hand_computed_cases():
    scores = [
        _score("a", 1.0, "f1"),  # rho 1
        _score("b", -2.0, "f1", weight=3.0),  # rho 4, weight 3
        _score("c", 5.0, "f2"),  # rho 2*3*5 - 9 = 21
        _score("d", 0.5, "f3", role="check"),  # not fitted
        _score("e", 9.0, "f3", role="holdout"),  # not fitted
    ]
    assert scores[1].z == -2.0 and scores[2].passed is False and scores[0].passed is True
    assert family_losses(scores) == {"f1": pytest.approx((1 + 3 * 4) / 4), "f2": 21.0}
    assert total_loss(scores) == pytest.approx(3.25 + 21.0)
    # squared (for the likelihood weights): no cap
    assert total_loss(scores, squared=True) == pytest.approx(3.25 + 25.0)
    # a model value that is not a number costs z = NAN_Z and never passes
    missing = _score("x", math.nan, "f4")
    assert missing.z == NAN_Z and not missing.passed
    assert total_loss([missing]) == huber(NAN_Z)
    assert total_loss([]) == 0.0


# --- calibrated layers in scenario loading ------------------------------------------------------


@pytest.fixture
def calibrated_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "calibrated"
    monkeypatch.setattr(scenario_module, "CALIBRATED_DIR", folder)
    return folder


def test_calibrated_layer_applies_after_the_city_and_before_the_scenario(calibrated_dir):
    calibrated_dir.mkdir()
    (calibrated_dir / "bergamo.toml").write_text(
        '[calibrated]\ncity = "bergamo"\nstudy = "s1"\n\n[params]\n'
        '"helpseeking.awareness" = 0.83\n"city.districts" = 9\n'
    )
    sc = load_scenario("baseline")
    assert sc.params["helpseeking.awareness"] == 0.83
    assert sc.provenance["helpseeking.awareness"] == "calibrated:s1"
    assert sc.provenance["city.districts"] == "calibrated:s1"  # after the city profile
    assert (
        load_scenario("baseline", {"helpseeking.awareness": 0.5}).params["helpseeking.awareness"]
        == 0.5
    )  # overrides still win
    off = load_scenario("baseline", calibrated=False)
    assert off.provenance["helpseeking.awareness"] == "default"
    assert load_scenario("baseline").hash != off.hash
    # moving a scenario to another city takes that city's layer, not the first one's
    (calibrated_dir / "padova.toml").write_text(
        '[calibrated]\ncity = "padova"\nstudy = "s2"\n\n[params]\n"helpseeking.trust_mean" = 0.4\n'
    )
    moved = load_scenario(sc, city="padova")
    assert moved.params["helpseeking.awareness"] == PARAMETERS["helpseeking.awareness"].default
    assert moved.provenance["helpseeking.trust_mean"] == "calibrated:s2"
    assert load_scenario("baseline", city="padova").params["helpseeking.trust_mean"] == 0.4
    bare = load_scenario(sc, city="padova", calibrated=False)
    assert bare.provenance["helpseeking.trust_mean"] == "default"
    (calibrated_dir / "bergamo.toml").write_text('[calibrated]\ncity = "padova"\n[params]\n')
    with pytest.raises(ScenarioError, match="city must be 'bergamo'"):
        load_scenario("baseline")
    (calibrated_dir / "bergamo.toml").write_text(
        '[calibrated]\ncity = "bergamo"\n[params]\n"helpseeking.awareness" = 2.0\n'
    )
    with pytest.raises(ScenarioError, match="out of range"):
        load_scenario("baseline")


def test_target_and_layer_folders_are_not_scenarios():
    names = available_scenarios()
    assert not [n for n in names if n.startswith(("calibration/", "calibrated/"))]


# --- the study folder ----------------------------------------------------------------------------


def _small_targets(tmp_path: Path) -> Path:
    return write_targets(
        tmp_path / "targets.toml",
        target_toml("ntu", "non_take_up_share", 0.6, 0.05),
        target_toml("iso", "isolated_share[age_band=85+]", 0.32, 0.06, role="check"),
        target_toml("deaths", UNMODELLED, 11.2, 2.0, unit="deaths/1,000 residents/year"),
    )


def _spec(targets: Path, **kw) -> StudySpec:
    defaults = dict(
        name="t",
        fit_cities=("bergamo",),
        settings=RunSettings(residents=2000, weeks=8),
        seeds=2,
        params=("helpseeking.awareness",),
        targets_path=str(targets),
    )
    return StudySpec(**{**defaults, **kw})


def test_study_records_its_fingerprint_and_refuses_changes(tmp_path, monkeypatch):
    targets = _small_targets(tmp_path)
    folder = tmp_path / "study"
    study = Study.create_or_resume(folder, _spec(targets))
    record = json.loads((folder / "study.json").read_text())
    assert record["fingerprint"]["live_fit_targets"] == ["ntu@bergamo"]  # deaths: not modelled
    assert record["free_parameters"] == ["helpseeking.awareness"]
    assert len(record["seeds"]) == 2 and (folder / "targets.toml").is_file()
    assert Study.create_or_resume(folder, _spec(targets)).seeds == study.seeds  # resumes
    with pytest.raises(StudyError, match="seeds"):
        Study.create_or_resume(folder, _spec(targets, seeds=3))
    with pytest.raises(StudyError, match="holdout_cities"):
        Study.create_or_resume(folder, _spec(targets, holdout_cities=("padova",)))
    # a changed target value: the loss surface changed, so the study must not resume
    targets.write_text(targets.read_text().replace("value = 0.6", "value = 0.61"))
    with pytest.raises(StudyError, match=r"refusing to resume: targets \("):
        Study.open(folder)
    targets.write_text(targets.read_text().replace("value = 0.61", "value = 0.6"))
    Study.open(folder)
    monkeypatch.setattr(study_module, "model_hash", lambda: "another-model")
    with pytest.raises(StudyError, match="model"):
        Study.open(folder)
    monkeypatch.undo()
    aware = PARAMETERS["helpseeking.awareness"]
    wider = replace(aware, prior=replace(aware.prior, low=0.3))
    monkeypatch.setitem(PARAMETERS._params, "helpseeking.awareness", wider)
    with pytest.raises(StudyError, match="priors"):
        Study.open(folder)


def test_study_needs_a_live_fit_target_and_valid_cities(tmp_path):
    only_waiting = write_targets(
        tmp_path / "t.toml",
        target_toml("deaths", UNMODELLED, 11.2, 2.0, unit="deaths/1,000 residents/year"),
    )
    with pytest.raises(StudyError, match=r"no live fit target.*deaths_at_home_per_1000"):
        Study.create_or_resume(tmp_path / "a", _spec(only_waiting))
    targets = _small_targets(tmp_path)
    with pytest.raises(StudyError, match="unknown city 'milano'"):
        Study.create_or_resume(tmp_path / "b", _spec(targets, fit_cities=("milano",)))
    with pytest.raises(StudyError, match="both fitted and held out"):
        Study.create_or_resume(tmp_path / "c", _spec(targets, holdout_cities=("bergamo",)))
    with pytest.raises(StudyError, match="no calibration study"):
        Study.open(tmp_path / "nothing")


def test_search_resumes_and_fails_trials_of_dead_workers(tmp_path):
    study = Study.create_or_resume(tmp_path / "s", _spec(_small_targets(tmp_path)))
    first = search(study, trials=3, engine="serial", progress=False)
    assert (first.complete, first.failed) == (3, 0)
    ostudy = study.optuna_study()
    trials = ostudy.get_trials()
    assert trials[0].user_attrs["values"] == {"helpseeking.awareness": pytest.approx(0.7)}
    assert set(trials[0].user_attrs["z"]) == {"ntu@bergamo"}  # the check is not in the loss
    # a worker that died mid-trial leaves a RUNNING trial; the next search fails it and goes on
    orphan = ostudy.ask(study.distributions())
    orphan.set_user_attr("worker", f"{socket.gethostname()}:{2**22 + 12345}")
    assert fail_stale_trials(ostudy) == 1
    again = search(study, trials=6, engine="serial", progress=False)
    assert (again.complete, again.failed) == (5, 1) and count_trials(ostudy) == 6


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux's /proc")
def test_stale_trials_include_zombie_workers_and_reused_process_ids(tmp_path):
    study = Study.create_or_resume(tmp_path / "s", _spec(_small_targets(tmp_path)))
    ostudy = study.optuna_study()
    host, me = socket.gethostname(), os.getpid()
    # a killed worker whose parent died too stays a zombie until init reaps it (late, or never)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped
    workers = {
        "zombie": (f"{host}:{child.pid}", None),
        "reused": (f"{host}:{me}", "another-boot:1"),  # this id, but not the process that ran it
        "same": (f"{host}:{me}", process_start(me)),
        "unchecked": (f"{host}:{me}", None),
        "elsewhere": (f"another-host:{child.pid}", None),
    }
    trials = {}
    for label, (worker, started) in workers.items():
        trials[label] = ostudy.ask(study.distributions())
        trials[label].set_user_attr("worker", worker)
        if started is not None:
            trials[label].set_user_attr("worker_start", started)
    try:
        assert fail_stale_trials(ostudy) == 2
    finally:
        child.wait()
    from optuna.trial import TrialState

    states = {label: ostudy._storage.get_trial(t._trial_id).state for label, t in trials.items()}
    assert states == {
        "zombie": TrialState.FAIL,
        "reused": TrialState.FAIL,
        "same": TrialState.RUNNING,
        "unchecked": TrialState.RUNNING,
        "elsewhere": TrialState.RUNNING,
    }


def test_workers_finishing_together_never_start_more_trials_than_asked(tmp_path, monkeypatch):
    """Two workers that both count the trials before either asks for one would run one trial too
    many; counting and asking are one step under the study's trials lock."""
    study = Study.create_or_resume(tmp_path / "s", _spec(_small_targets(tmp_path)))
    count = study_module.count_trials

    def count_slowly(ostudy):  # widen the gap between counting and asking
        n = count(ostudy)
        time.sleep(0.05)
        return n

    monkeypatch.setattr(study_module, "count_trials", count_slowly)
    monkeypatch.setattr(Study, "evaluate_trial", lambda self, q: (sum(q.values()), {}))
    for trials in (6, 9):  # a fresh search, then a resumed one
        summary = search(study, trials=trials, workers=2, engine="local", progress=False)
        assert (summary.complete, summary.failed) == (trials, 0)


def test_search_on_two_local_processes_shares_one_journal(tmp_path):
    study = Study.create_or_resume(tmp_path / "s", _spec(_small_targets(tmp_path)))
    summary = search(study, trials=8, workers=2, engine="local", progress=False)
    assert summary.complete == 8
    workers = {t.user_attrs["worker"] for t in study.optuna_study().get_trials()}
    assert len(workers) == 2  # both processes asked and told through the journal


@contextlib.contextmanager
def _orphans_stay_zombies():
    """While open, this process adopts its orphaned descendants and reaps none of them (Linux):
    a killed worker whose parent was killed too stays a zombie, as under an init that reaps late
    or never (many containers). Yields a list of the process ids to reap on closing."""
    adopted: list[int] = []
    if sys.platform != "linux":
        yield adopted
        return
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    subreaper = 36  # PR_SET_CHILD_SUBREAPER
    assert prctl(subreaper, 1, 0, 0, 0) == 0, os.strerror(ctypes.get_errno())
    try:
        yield adopted
    finally:
        prctl(subreaper, 0, 0, 0, 0)
        for pid in adopted:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _process_group(pgid: int) -> list[int]:
    """The processes of group ``pgid`` (Linux's /proc; empty elsewhere)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            if int(text[text.rindex(")") + 1 :].split()[2]) == pgid:
                members.append(int(stat.parent.name))
    return members


def test_killed_search_resumes_to_the_requested_trials(tmp_path):
    targets = _small_targets(tmp_path)
    out = tmp_path / "killed"
    base = [
        sys.executable,
        "-m",
        "willsim.cli",
        "calibrate",
        "search",
        "bergamo",
        "--targets",
        str(targets),
        "--params",
        "helpseeking.awareness",
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        *SMALL,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    from optuna.trial import TrialState

    def running(ostudy):
        return {t.number for t in ostudy.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}

    with _orphans_stay_zombies() as adopted:
        proc = subprocess.Popen(
            [*base, "--trials", "40"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 600  # a bound for a stuck search, not a timing assumption
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "study.json").is_file():
                ostudy = Study.open(out).optuna_study()
                done = count_trials(ostudy)
                if done >= 4 and running(ostudy):
                    break  # kill mid-trial
            time.sleep(0.2)
        adopted += [pid for pid in _process_group(proc.pid) if pid != proc.pid]
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and both workers
        proc.wait(timeout=30)
        assert 4 <= done < 40
        # the killed workers stay zombies (until init reaps them, which may be after the resume
        # started, or never); their trials are still RUNNING
        killed = running(Study.open(out).optuna_study())
        assert killed
        resumed = subprocess.run(
            [*base, "--trials", "12"], cwd=tmp_path, env=env, capture_output=True
        )
    assert resumed.returncode == 0, resumed.stderr.decode()
    ostudy = Study.open(out).optuna_study()
    assert not running(ostudy)  # the killed trials were failed
    for number in killed:
        trial = ostudy.trials[number]
        assert trial.state == TrialState.FAIL
        assert trial.user_attrs["error"] == "worker gone (interrupted)"
    assert count_trials(ostudy) >= 12


# --- the command line ----------------------------------------------------------------------------


def test_calibration_command_prints_the_table_for_bergamo(capsys, tmp_path):
    figure = tmp_path / "fit.png"
    assert main(["calibration", "bergamo", *SMALL, "--workers", "1", "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    assert "Bergamo · scenario baseline · 2 seeds · 2,000 residents · 8 weeks" in out
    assert "calibrated:bergamo-padova-parma" in out  # Bergamo ships calibrated (issue 12)
    assert re.search(r"bergamo\s+isolation-85\s+isolated_share\[age_band=85\+\]\s+0.32 ± 0.06", out)
    # every estimand of the bundled targets is modelled (issue 12), deaths included
    assert "Not measured" not in out
    assert re.search(r"bergamo\s+deaths-bergamo\s+deaths_per_1000", out)
    assert figure.stat().st_size > 1000
    assert main(["calibration", "bergamo", *SMALL, "--workers", "1", "--format", "csv"]) == 0
    csv_text = capsys.readouterr().out
    assert csv_text.startswith("city,target,role,family,estimand,value,tolerance")
    assert main(["calibration", "milano", *SMALL]) == 2
    assert "unknown city milano" in capsys.readouterr().err


def test_calibrate_commands_end_to_end(tmp_path, capsys, calibrated_dir):
    targets = _small_targets(tmp_path)
    out = tmp_path / "study"
    common = ["--targets", str(targets), "--params", "helpseeking.awareness", *SMALL]
    search_cmd = ["calibrate", "search", "bergamo", "--holdout", "padova", "--out", str(out)]
    assert main([*search_cmd, "--trials", "4", "--engine", "serial", *common]) == 0
    assert "4 trials complete, 0 failed" in capsys.readouterr().out
    assert main([*search_cmd, "--trials", "4", "--engine", "serial", "--seeds", "3"]) == 2
    assert "other settings" in capsys.readouterr().err
    assert main(["calibrate", "finish", str(out), "--top", "2", "--fresh-seeds", "2"]) == 0
    text = capsys.readouterr().out
    assert "Hold-out targets (never fitted)" in text and "padova" in text
    for name in ("fit.csv", "fit.md", "fit.txt", "fit.png", "calibrated/bergamo.toml"):
        assert (out / name).is_file(), name
    roles = pd.read_csv(out / "fit.csv").set_index(["city", "target"])["role"]
    assert roles[("bergamo", "ntu")] == "fit" and roles[("padova", "ntu")] == "holdout"
    assert roles[("padova", "iso")] == "check"  # a check stays a check in a hold-out city
    assert 'role = "holdout"' in (out / "calibrated/padova.toml").read_text()
    frame, meta = read_ensemble(out / "ensemble-topk.parquet")
    assert {"draw_id", "weight", "p__helpseeking.awareness", "loss", "z__ntu@bergamo"} <= set(
        frame.columns
    )
    assert "z__ntu@padova" in frame.columns  # hold-out scored, never used to choose
    assert frame["weight"].sum() == pytest.approx(1.0)
    assert meta["study"] == "bergamo" and meta["fingerprint"]["targets"]
    assert main(["calibrate", "finish", str(out), "--top", "2"]) == 2  # immutable
    assert "immutable" in capsys.readouterr().err
    assert main(["calibrate", "ensemble", str(out), "--points", "4", "--workers", "1"]) == 0
    assert "effective sample size" in capsys.readouterr().out
    prior, meta = read_ensemble(out / "ensemble-prior.parquet")
    assert len(prior) == 4 and prior["weight"].sum() == pytest.approx(1.0)
    assert meta["ess"] >= 1.0
    assert main(["calibrate", "apply", str(out), "--city", "bergamo"]) == 0
    printed = capsys.readouterr().out
    assert "installed" in printed and "ensemble-topk.parquet" in printed
    installed, _ = read_ensemble(calibrated_dir / "ensemble-topk.parquet")  # with its layers
    assert len(installed) == len(frame)
    sc = load_scenario("baseline")
    assert sc.provenance["helpseeking.awareness"] == "calibrated:bergamo"
    layer = (calibrated_dir / "bergamo.toml").read_text()
    assert 'role = "fit"' in layer and "targets_hash" in layer
    assert main(["calibrate", "apply", str(out), "--city", "parma"]) == 2
    assert main(["calibrate", "finish", str(tmp_path / "none")]) == 2


def test_targets_command_lists_sources_and_status(capsys):
    assert main(["calibrate", "targets", "--city", "padova"]) == 0
    out = capsys.readouterr().out
    assert "residential-stay-padova (fit, residential): residential_stay_weeks = 31.1" in out
    assert "deaths-bergamo" not in out and "not yet modelled" not in out
    assert "CSV: mean length of stay of new care-home entrants | Veneto | 2024" in out
    assert main(["calibrate", "targets", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("id,source,estimand,cities,value,tolerance")
    assert main(["calibrate", "targets", "--city", "milano"]) == 2


def test_provenance_says_when_the_model_changed_since_the_calibration(monkeypatch):
    import willsim.scenario as scenario
    from willsim.calibration import commands
    from willsim.calibration.study import model_hash

    layer = ("calibrated:study", {})
    meta = {"date": "2026-12-07", "commit": "abc", "targets_hash": "t"}
    for hash_, changed in ((model_hash(), False), ("0123456789abcdef", True)):
        monkeypatch.setattr(
            scenario,
            "read_data_file",
            lambda _path, m=meta, h=hash_: {"calibrated": {**m, "model_hash": h}},
        )
        text = commands._provenance("bergamo", layer, "t")
        assert ("model changed since" in text) is changed, text
        assert "other targets" not in text
