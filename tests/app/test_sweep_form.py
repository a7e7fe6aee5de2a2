"""A sweep designed on the Results page: the form's checks and caps, and a folder the command line
resumes (same spec hash, the runs not yet made run, none twice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from willsim.app import state
from willsim.app import sweep_form as sf
from willsim.experiments.design import load_spec
from willsim.experiments.store import SweepStore
from willsim.experiments.sweep import run_sweep


def _resolve(scenario, city):
    return state.resolve(state.Choice(scenario, city)).scenario


SMALL = sf.SweepForm(name="t", city="parma", samples=3, replicates=2, weeks=8, residents=300)


def test_the_form_counts_runs_and_refuses_what_the_app_does_not_run():
    assert SMALL.runs == 6
    grid = sf.SweepForm(design="factorial", replicates=2).with_factor(0, steps=4)
    assert grid.points == 12 and grid.runs == 24
    sf.check(SMALL)
    for bad, key in (
        (sf.SweepForm(samples=100, replicates=20), "sw_too_many"),
        (SMALL.with_factor(0, low=0.9, high=0.2), "sw_bad_range"),
        (SMALL.with_factor(0, high=2.0), "sw_out_of_range"),
        (sf.SweepForm(factors=()), "sw_factor_count"),
        (sf.SweepForm(name="../x"), "sw_bad_name"),
        (sf.SweepForm(weeks=0), "res_sweep_limit_weeks"),
    ):
        with pytest.raises(sf.FormError) as err:
            sf.check(bad)
        assert err.value.key == key
    assert not sf.sweepable("run.seed") and not sf.sweepable("outreach.targeting")


def test_the_folder_must_be_new_and_under_the_root(tmp_path):
    assert sf.folder_for(tmp_path, "runs/a") == tmp_path / "runs" / "a"
    with pytest.raises(sf.FormError, match="not a new folder"):
        sf.folder_for(tmp_path, "../elsewhere")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(sf.FormError, match="already exists"):
        sf.folder_for(tmp_path, "full")


def test_a_cancelled_sweep_from_the_app_is_resumed_by_the_command_line(tmp_path):
    folder = sf.folder_for(tmp_path, "runs/t")
    spec = sf.write_spec(SMALL, folder, sf.base_text(SMALL, _resolve))
    assert {p.name for p in folder.iterdir()} >= {"spec.toml", "base.toml", "sweep.json"}
    assert spec.scenario.city == "parma"
    seen = []
    report = sf.run(folder, on_run=lambda d, t: seen.append((d, t)), cancel=lambda: len(seen) >= 2)
    assert report.cancelled and report.done == 2 and seen[-1] == (2, 6)
    # what `willsim sweep DIR/spec.toml --out DIR --resume` does
    again = run_sweep(folder / "spec.toml", folder, engine="serial", resume=True, progress=False)
    assert again.skipped == 2 and again.done == 4
    assert load_spec(folder / "spec.toml").hash == spec.hash
    assert len(SweepStore(folder).done_keys()) == 6
    assert "--resume" in sf.commands(folder, tmp_path)
    assert Path(folder / "results.parquet").is_file()


def test_the_results_page_reproduces_a_sweep_made_on_it_from_its_own_spec(tmp_path):
    from willsim.app.results_page import commands, load_sweep, spec_bytes

    folder = sf.folder_for(tmp_path, "runs/r")
    sf.write_spec(SMALL, folder, sf.base_text(SMALL, _resolve))
    sf.run(folder, workers=1)
    view = load_sweep(folder)
    assert spec_bytes(view) == (folder / "spec.toml").read_bytes()
    assert "willsim sweep runs/r/spec.toml --out runs/r --resume" in commands(view, tmp_path)
