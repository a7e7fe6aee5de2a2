"""Honest sensitivity analysis: common seeds, noise floors, flags, and a `results` command that
never leaves a partial file.

The sweeps here run a toy model (``toy``, through ``run_sweep(fn=...)``): an output that
depends on two of three parameters plus seed noise, so the right answer is known.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from willsim.experiments.analysis import noise_contrasts, sensitivity, sensitivity_text
from willsim.experiments.store import SweepStore
from willsim.experiments.sweep import RunTask, identify, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SOBOL = textwrap.dedent("""
    [sweep]
    name = "toy_sobol"
    design = "sobol"
    samples = 64
    replicates = 2
    seed = 3
    outputs = ["coverage"]
    timeseries = false

    [fixed]
    "city.population" = 1000
    "run.weeks" = 1

    [vary."office.assessment_hours"]
    range = [1.0, 6.0]
    [vary."helpseeking.awareness"]
    range = [0.3, 0.9]
    [vary."outreach.accept"]
    range = [0.1, 0.6]
""")
NOISE_SD = 0.3


def toy(task: RunTask) -> pd.DataFrame:
    """coverage = a / 3 + 2 b^2 + seed noise; ``outreach.accept`` has no effect at all."""
    a = task.values["office.assessment_hours"]
    b = task.values["helpseeking.awareness"]
    noise = np.random.default_rng(task.seed).normal(0.0, NOISE_SD)
    rows = pd.DataFrame(
        {
            "kind": ["summary"],
            "week": np.array([-1], dtype="int32"),
            "group_var": ["all"],
            "group": ["all"],
            "indicator": ["coverage"],
            "value": [a / 3 + 2 * b**2 + noise],
        }
    )
    return identify(task, rows)


def sweep_table(tmp_path: Path, text: str) -> tuple[str, pd.DataFrame, SweepStore]:
    spec = tmp_path / "spec.toml"
    spec.write_text(text)
    out = tmp_path / "sweep"
    run_sweep(spec, out, engine="serial", fn=toy, progress=False)
    store = SweepStore(out)
    method, table = sensitivity(store, store.load(kind="summary"))
    return method, table.set_index("parameter"), store


def test_sobol_ranks_an_inert_parameter_last_with_a_flag(tmp_path):
    method, table, store = sweep_table(tmp_path, SOBOL)
    assert method == "sobol" and store.manifest()["spec"]["common_seeds"] is True
    inert = table.loc["outreach.accept"]
    assert inert["rank"] == 3 and "inert" in inert["flags"]
    assert inert["ST"] == 0.0  # common seeds: the same run with and without the change
    for name in ("office.assessment_hours", "helpseeking.awareness"):
        assert "inert" not in table.loc[name, "flags"]
        assert table.loc[name, "ST"] > table.loc[name, "ST_floor"]
    assert np.isfinite(table["ST_floor"]).all()
    text = sensitivity_text("sobol", table.reset_index(), True)
    assert "noise floor" in text and "common seeds at every point" in text
    assert "inert: its 95% interval reaches down to the noise floor" in text


def test_without_common_seeds_noise_is_measured_and_flagged(tmp_path):
    _, table, _ = sweep_table(
        tmp_path, SOBOL.replace("timeseries = false", "timeseries = false\ncommon_seeds = false")
    )
    inert = table.loc["outreach.accept"]
    assert inert["ST"] > 0  # seed noise shows up as a spurious index...
    assert "inert" in inert["flags"]  # ...that cannot be told from its noise floor
    assert inert["ST_floor"] > 0


def test_morris_with_common_seeds_reuses_repeated_points(tmp_path):
    text = SOBOL.replace('design = "sobol"', 'design = "morris"').replace(
        "samples = 64", "samples = 12"
    )
    method, table, store = sweep_table(tmp_path, text)
    design = store.design()
    assert method == "morris" and design["run_key"].nunique() < len(design)  # repeats share
    assert len(store.done_keys()) == design["run_key"].nunique()
    inert = table.loc["outreach.accept"]
    assert inert["mu_star"] == 0.0 and "inert" in inert["flags"] and inert["rank"] == 3
    assert (table["mu_star_conf"] >= 0).all() and np.isfinite(table["mu_star_floor"]).all()


def test_noise_contrasts_carry_the_noise_of_the_point_means():
    """With R replicates of noise sd s that is correlated across points (rho, as with common
    seeds), the contrasts have variance s^2 / R and the same correlation as the point means."""
    rng = np.random.default_rng(1)
    points, reps, s, rho = 4000, 4, 2.0, 0.6
    seed_effect = rng.normal(0, s * np.sqrt(rho), size=reps)  # shared by every point
    noise = seed_effect + rng.normal(0, s * np.sqrt(1 - rho), size=(points, reps))
    z = noise_contrasts(noise, splits=1)[0]
    assert np.var(z) == pytest.approx(s**2 * (1 - rho) / reps, rel=0.1)
    # the seed effect cancels in the contrast as it does in a difference between point means
    means = noise.mean(axis=1)
    assert np.var(means - means.mean()) == pytest.approx(np.var(z), rel=0.1)
    assert noise_contrasts(noise[:, :1]) == []


def _analysis_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def test_killing_results_never_leaves_an_empty_or_partial_file(tmp_path):
    """SIGKILL of `willsim results` at random moments: every file in analysis/ is always either
    the previous complete version or the new one (here byte-identical), never empty or cut."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SOBOL.replace("samples = 64", "samples = 16"))
    out = tmp_path / "sweep"
    run_sweep(spec, out, engine="serial", fn=toy, progress=False)
    cmd = [sys.executable, "-m", "willsim.cli", "results", str(out)]
    start = time.monotonic()
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    duration = time.monotonic() - start
    assert first.returncode == 0, first.stderr
    reference = _analysis_files(out / "analysis")
    assert {"summary.csv", "sensitivity_sobol.csv", "sensitivity.png"} <= set(reference)
    assert all(reference.values())
    rng = random.Random(15)
    kills = 0
    for _ in range(10):
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, duration))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        now = _analysis_files(out / "analysis")
        assert set(now) == set(reference)
        for name, data in now.items():
            assert data == reference[name], f"{name} changed after a kill"
    assert kills >= 5
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0
    assert not [p for p in (out / "analysis").iterdir() if p.name.startswith(".")]
