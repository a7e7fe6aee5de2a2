"""Honest sensitivity analysis: common seeds, noise floors, flags, and a `results` command that
never leaves a partial file.

The sweeps here run a toy model (``toy``, through ``run_sweep(fn=...)``): an output that
depends on two of three parameters plus seed noise, so the right answer is known.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
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


# `willsim results` that SIGKILLs itself at its N-th write event in FOLDER: half-way through the
# first write to a file it opened there, once a file is complete but not yet renamed into place,
# and once it is renamed. Exits 0 if the run has fewer than N events.
KILL_AT_WRITE = textwrap.dedent("""
    import builtins, io, os, signal, sys
    from pathlib import Path

    folder, kill_at = Path(sys.argv[1]).resolve(), int(sys.argv[2])
    events = 0

    def event(before_kill=lambda: None):
        global events
        events += 1
        if events == kill_at:
            before_kill()
            os.kill(os.getpid(), signal.SIGKILL)

    def inside(path):
        return Path(os.fsdecode(path)).resolve().parent == folder

    class Watched:
        def __init__(self, file):
            self._file, self._written = file, False

        def write(self, data):
            if not self._written:
                self._written = True

                def half():
                    self._file.write(data[: len(data) // 2])
                    self._file.flush()

                event(half)
            return self._file.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._file.__exit__(*exc)

        def __getattr__(self, name):
            return getattr(self._file, name)

    real_open, real_replace = builtins.open, os.replace

    def watched_open(file, mode="r", *args, **kwargs):
        opened = real_open(file, mode, *args, **kwargs)
        writing = any(c in mode for c in "wax+")
        if writing and isinstance(file, (str, bytes, os.PathLike)) and inside(file):
            return Watched(opened)
        return opened

    def watched_replace(src, dst, **kwargs):
        if inside(dst):
            event()
        real_replace(src, dst, **kwargs)
        if inside(dst):
            event()

    builtins.open = io.open = watched_open
    os.replace = watched_replace
    from willsim.cli import main

    sys.exit(main(["results", *sys.argv[3:]]))
""")


def test_killing_results_never_leaves_an_empty_or_partial_file(tmp_path):
    """SIGKILL of `willsim results` at every write event in analysis/ (half-way through writing a
    file, with a file complete but not renamed, just after a rename): every file there is always
    either the previous complete version or the new one (here byte-identical), never empty or
    cut, and the next run removes the temporary files a kill left."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SOBOL.replace("samples = 64", "samples = 16"))
    out = tmp_path / "sweep"
    run_sweep(spec, out, engine="serial", fn=toy, progress=False)
    cmd = [sys.executable, "-m", "willsim.cli", "results", str(out)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert first.returncode == 0, first.stderr
    reference = _analysis_files(out / "analysis")
    assert {"summary.csv", "sensitivity_sobol.csv", "sensitivity.png"} <= set(reference)
    assert all(reference.values())
    kills, leftovers = 0, 0
    for kill_at in range(1, 100):
        run = subprocess.run(
            [sys.executable, "-c", KILL_AT_WRITE, str(out / "analysis"), str(kill_at), str(out)],
            cwd=ROOT,
            capture_output=True,
            timeout=600,
            check=False,
        )
        if run.returncode == 0:  # fewer write events than kill_at: every one was tried
            break
        assert run.returncode == -signal.SIGKILL, run.stderr.decode()
        kills += 1
        leftovers += any(p.name.startswith(".") for p in (out / "analysis").iterdir())
        now = _analysis_files(out / "analysis")
        assert set(now) == set(reference)
        for name, data in now.items():
            assert data == reference[name], f"{name} changed after kill {kill_at}"
    else:
        pytest.fail("results never finished under the kill harness")
    assert kills >= 3 * len(reference)  # each file: half-written, written, renamed
    assert leftovers  # a kill mid-file leaves its temporary file...
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0
    assert _analysis_files(out / "analysis") == reference
    assert not [p for p in (out / "analysis").iterdir() if p.name.startswith(".")]  # ...removed
