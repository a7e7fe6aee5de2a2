"""``willsim compare --uncertainty parameters --json``: the JSON a script reads, the store that
resumes to the same result, and bad input refused before any run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from willsim.indicators import tagged

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--residents", "1500", "--weeks", "26", "--workers", "1"]
PARAMS = ["--uncertainty", "parameters", "--draws", "4", "--replicates", "2"]


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "willsim.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_json_gives_every_strategy_and_indicator_with_its_interval_probability_and_verdict(
    tmp_path,
):
    out = tmp_path / "cmp"
    proc = cli(
        "compare", "baseline", "proactive-centralised", *SMALL, *PARAMS, "--json", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["uncertainty"] == "parameters" and data["draws"] == 4
    assert data["seeds_per_draw"] == 2 and data["pairs"] == 8
    assert "parameter sets drawn from the priors" in data["uncertainty_text"]
    assert "helpseeking.awareness" in data["parameters"]["drawn"]
    proactive = data["strategies"]["proactive-centralised"]
    assert set(proactive) == set(tagged("key"))
    for entry in proactive.values():
        assert {"mean", "diff", "ci_low", "ci_high", "prob_better", "verdict", "level"} <= set(
            entry
        )
        assert entry["ci_low"] <= entry["diff"] <= entry["ci_high"] and entry["level"] == 0.9
        assert 0 <= entry["prob_better"] <= 1
    baseline = data["strategies"]["baseline"]["unmet_need_share"]
    assert "diff" not in baseline and "share_parameters" in baseline  # the reference's own spread
    assert "prob_return_above_1" in data["value_for_money"]["proactive-centralised"]
    assert {"wtp", "scenario", "probability"} <= set(data["ceac"][0])
    # the store holds the draws; the same command resumes to the same tables
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["uncertainty"] == "parameters" and len(manifest["draws"]) == 4
    assert len(manifest["draw_seeds"]) == 4
    again = cli(
        "compare",
        "baseline",
        "proactive-centralised",
        *SMALL,
        *PARAMS,
        "--json",
        "--out",
        str(out),
        "--resume",
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == data
    decisions = pd.read_csv(out / "decisions.csv")
    assert set(decisions["mode"]) == {"parameters"}


def test_seeds_mode_text_says_what_it_leaves_out():
    proc = cli("compare", "baseline", "baseline", *SMALL, "--replicates", "2")
    assert proc.returncode == 0, proc.stderr
    assert "parameter uncertainty not included" in proc.stdout
    assert "no difference that matters" in proc.stdout
    assert "clearly" not in proc.stdout.split("Who gains")[0]  # a strategy against itself


def test_bad_uncertainty_options_exit_2_before_any_run(tmp_path):
    bad = tmp_path / "not-an-ensemble.parquet"
    bad.write_text("hello")
    for args, message in (
        (["--uncertainty", "parameters", "--draws", "2"], "--draws must be at least 4"),
        (["--ensemble", str(bad)], "apply to --uncertainty parameters"),
        (["--uncertainty", "parameters", "--ensemble", str(bad)], "is not a Parquet ensemble"),
        (
            ["--uncertainty", "parameters", "--ensemble", str(tmp_path / "x.parquet")],
            "no ensemble file",
        ),
        (["--uncertainty", "parameters", "--params", "run.weeks"], "run.weeks has no prior"),
        (["--uncertainty", "sometimes"], "invalid choice: 'sometimes'"),
    ):
        proc = cli("compare", "baseline", "proactive-centralised", *SMALL, *args, timeout=60)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
