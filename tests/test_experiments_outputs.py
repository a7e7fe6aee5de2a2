"""Outputs that are never lost or overwritten: --out checked before any simulation, existing
folders refused without --force, compare resumable after Ctrl-C with a manifest, unreadable run
files quarantined and re-run, provenance in every Parquet file, and resumes refused across a
change of the model's source."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from willsim.experiments.provenance import read_parquet_provenance, source_digest
from willsim.experiments.store import SweepStore
from willsim.experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
BIG = ["--residents", "120000", "--weeks", "520"]  # minutes of work if it ever started
SPEC = textwrap.dedent("""
    [sweep]
    name = "tiny"
    design = "factorial"
    replicates = 2
    seed = 11
    outputs = ["mean_wait_weeks", "coverage"]
    [fixed]
    "city.population" = 1500
    "run.weeks" = 8
    "run.mesa_citizens" = false
    [vary."office.assessment_hours"]
    values = [1.5, 3.0, 4.5]
""")


def cli(*args: str, timeout: float = 600, env: dict | None = None, cwd: Path = ROOT):
    """Run ``willsim ARGS``; return the finished process and the CPU seconds it (and the child
    processes it waited for) used: unlike wall time, a figure a loaded machine does not inflate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-m", "willsim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


@pytest.fixture
def a_file(tmp_path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_every_out_failure_exits_2_before_simulating(command, tmp_path, a_file):
    spec = tmp_path / "big.toml"
    spec.write_text(SPEC.replace('"run.weeks" = 8', '"run.weeks" = 520').replace("1500", "120000"))
    head = {
        "run": ["run", "baseline", *BIG],
        "compare": ["compare", "baseline", "budget-cut", "--replicates", "2", *BIG],
        "sweep": ["sweep", str(spec)],
    }[command]
    for out, message in (
        ("/dev/null/x", "cannot write to --out /dev/null/x"),
        ("/proc/willsim-out", "cannot write to --out /proc/willsim-out"),
        (str(a_file), "is a file, not a folder"),
    ):
        proc, cpu = cli(*head, "--out", out)
        assert proc.returncode == 2, (out, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert cpu < 30  # no simulation ran: 120,000 residents x 520 weeks take minutes of CPU
        assert proc.stderr.count("\n") == 1  # one line


def test_run_into_a_folder_with_results_is_refused_without_force(tmp_path):
    out = tmp_path / "run"
    small = ["run", "baseline", "--residents", "1000", "--weeks", "4", "--out", str(out)]
    first, _ = cli(*small)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again, cpu = cli(*small[:-2], "--seed", "2", *BIG, "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr and cpu < 30
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing overwritten
    forced, _ = cli(*small, "--seed", "2", "--force")
    assert forced.returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == [2] and manifest["source_digest"] == source_digest()
    assert "policy_log" in manifest and manifest["scenario_hash"]
    meta = read_parquet_provenance(out / "timeseries.parquet")
    assert meta["source_digest"] == source_digest() and meta["seeds"] == [2]


COMPARE = [
    "compare",
    "baseline",
    "proactive-centralised",
    "--replicates",
    "4",
    "--weeks",
    "52",
    "--residents",
    "2000",
    "--workers",
    "1",
]


def test_compare_keeps_finished_runs_on_ctrl_c_and_resumes(tmp_path):
    reference = tmp_path / "reference"
    ref, _ = cli(*COMPARE, "--out", str(reference))
    assert ref.returncode == 0, ref.stderr
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["kind"] == "willsim-compare" and manifest["source_digest"] == source_digest()
    assert len(manifest["seeds"]) == 4 and len(manifest["scenarios"]) == 2
    assert {"git_commit", "git_dirty", "numpy_version", "mesa_version"} <= set(manifest)
    meta = read_parquet_provenance(reference / "summaries.parquet")
    assert meta["source_digest"] == source_digest()
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        [sys.executable, "-m", "willsim.cli", *COMPARE, "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # Ctrl-C must reach the compare even when the suite runs as a background job, whose
        # shell starts it with SIGINT ignored (inherited, so Python would install no handler
        # and the compare would finish: exit 0)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 600  # a hang guard: Ctrl-C comes after 3 runs
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and len(list((out / "runs").glob("*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 130, err
    assert "finished runs are kept" in err and "--resume" in err and "Traceback" not in err
    kept = len(list((out / "runs").glob("*.parquet")))
    assert 3 <= kept < 8
    refused, _ = cli(*COMPARE, "--out", str(out))
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed, _ = cli(*COMPARE, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == ref.stdout
    for name in ("comparison.csv", "by_group.csv", "advice.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(out / name), pd.read_csv(reference / name), check_exact=True
        )


def test_compare_input_holes_exit_2():
    for args, message in (
        (["--workers", "0"], "--workers must be a whole number of at least 1"),
        (["--engine", "spark"], "unknown engine 'spark'; valid engines: local, dask, serial"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler applies to --engine dask"),
        (["--resume"], "--resume needs the --out folder"),
        (["--replicates", "1"], "--replicates must be at least 2"),
    ):
        proc, _ = cli(*COMPARE, *args)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_truncated_run_file_is_quarantined_and_run_again(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    first = run_sweep(spec, out, engine="serial", progress=False)
    assert (first.done, first.failed) == (6, 0)
    store = SweepStore(out)
    reference = pd.read_parquet(out / "results.parquet")
    victim = sorted(store.run_files())[2]
    meta = read_parquet_provenance(victim)
    assert meta["source_digest"] == source_digest() and meta["run_key"] == victim.stem
    victim.write_bytes(victim.read_bytes()[:100])  # cut short, as by a full disk
    res, _ = cli("results", str(out), "--no-figures")
    assert res.returncode == 0, res.stderr
    assert "unreadable run file(s) moved to" in res.stderr and "--resume" in res.stderr
    assert (out / "quarantine").is_dir() and not victim.exists()
    again = run_sweep(spec, out, engine="serial", progress=False, resume=True)
    assert (again.done, again.skipped) == (1, 5)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), reference)
    compacted = pq.read_schema(out / "results.parquet").metadata
    assert b"willsim" in compacted


def _copy_of_willsim(dest: Path) -> Path:
    """A copy of the package and its scenarios, to edit without touching the checkout."""
    shutil.copytree(
        ROOT / "willsim", dest / "willsim", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "scenarios", dest / "scenarios")
    return dest


def test_resume_across_a_changed_source_digest_is_refused(tmp_path):
    """D2: a first shard with one model, an edited mechanism, then --resume: refused (no mixed
    results.parquet); --new-generation runs the sweep again beside it."""
    code = _copy_of_willsim(tmp_path / "code")
    env = {**os.environ, "PYTHONPATH": str(code)}
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    first, _ = cli("sweep", str(spec), "--out", str(out), "--shard", "0/2", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    crises = code / "willsim" / "mechanisms" / "crises.py"
    crises.write_text(crises.read_text() + "\n# an edit that changes the model's source\n")
    resumed, _ = cli("sweep", str(spec), "--out", str(out), "--resume", env=env, cwd=tmp_path)
    assert resumed.returncode == 2
    assert "another version of the model" in resumed.stderr and "--new-generation" in resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert len(SweepStore(out).done_keys()) == 3  # the first shard only: nothing mixed in
    new, _ = cli("sweep", str(spec), "--out", str(out), "--new-generation", env=env, cwd=tmp_path)
    assert new.returncode == 0, new.stderr
    gen2 = SweepStore(tmp_path / "sweep.gen2")
    manifest = gen2.manifest()
    assert manifest["generation"] == 2 and manifest["previous_generation"] == str(out)
    assert manifest["source_digest"] != SweepStore(out).manifest()["source_digest"]
    assert len(gen2.done_keys()) == 6 and not (set(gen2.done_keys()) & SweepStore(out).done_keys())
