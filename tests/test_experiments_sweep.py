"""Sweeps: crash-safe storage, kill and resume, failing runs, the Dask engine, `willsim results`."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_specs import TINY_MORRIS

from willsim.experiments.store import SweepStore
from willsim.experiments.sweep import RunTask, execute_run, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SPEC = textwrap.dedent("""
    [sweep]
    name = "tiny"
    design = "factorial"
    replicates = 3
    seed = 11
    outputs = ["mean_wait_weeks", "unmet_need_share", "coverage"]
    groups = true

    [fixed]
    "city.population" = 2500
    "run.weeks" = 12
    "run.mesa_citizens" = false

    [vary."office.assessment_hours"]
    values = [1.5, 2.5, 3.5, 4.5]

    [vary."helpseeking.awareness"]
    range = [0.5, 0.9]
    steps = 3
""")
SORT = ["run_key", "kind", "week", "group_var", "group", "indicator"]


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "tiny.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted sweep (36 runs)."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    report = run_sweep(spec_file, out, workers=2, progress=False)
    assert (report.done, report.failed, report.skipped) == (36, 0, 0)
    return canonical(pd.read_parquet(out / "results.parquet"))


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype) in ("str", "string", "category"):
            frame[col] = frame[col].astype(str)
    return frame.sort_values(SORT).reset_index(drop=True)


def test_killed_sweep_resumes_to_identical_results(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    cmd = [
        sys.executable,
        "-m",
        "willsim.cli",
        "sweep",
        str(spec_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--resume",
    ]
    rng = random.Random(20261125)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # kill after a random number of runs have landed (wall time alone is too machine-bound)
        target = rng.randint(1, 8)
        deadline = time.monotonic() + 600  # a hang guard
        while proc.poll() is None and time.monotonic() < deadline:
            store = SweepStore(out)
            if store.exists() and len(list(store.run_files())) >= target:
                break
            time.sleep(0.02)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, mid-write or not
            kills += 1
        proc.wait(timeout=30)
        store = SweepStore(out)
        if store.exists():  # whatever is on disk is whole and readable
            for path in store.run_files():
                pd.read_parquet(path)
    assert kills >= 1
    final = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert final.returncode == 0, final.stderr
    assert "failed 0" in final.stdout
    store = SweepStore(out)
    design = store.design()
    assert store.done_keys() == set(design["run_key"])
    results = canonical(pd.read_parquet(out / "results.parquet"))
    summaries = results[results["kind"] == "summary"]
    assert summaries.groupby("run_key").size().eq(3).all()  # every run exactly once
    pd.testing.assert_frame_equal(results, reference)
    assert (store.run_table()["status"] == "done").all()
    assert not list(out.rglob(".*.tmp"))


def crash_on_point_zero_replicate_one(task: RunTask) -> pd.DataFrame:
    if task.point == 0 and task.replicate == 1:
        os._exit(3)  # the worker process dies, as with a segfault or the OOM killer
    if task.point == 1 and task.replicate == 0:
        raise ValueError("a bug in this run")
    return execute_run(task)


def test_a_run_that_always_crashes_is_reported_failed_and_the_rest_completes(spec_file, tmp_path):
    out = tmp_path / "sweep"
    report = run_sweep(
        spec_file, out, workers=2, progress=False, fn=crash_on_point_zero_replicate_one
    )
    assert (report.done, report.failed) == (34, 2)
    # the dead workers and the runs run again in a fresh process are reported
    assert report.worker_deaths >= 2 and report.reruns >= 1
    assert "worker process(es) died during the sweep" in report.text()
    store = SweepStore(out)
    table = store.run_table().set_index(["point", "replicate"])
    assert table.loc[(0, 1), "status"] == "failed"
    assert "died 2 times" in table.loc[(0, 1), "error"]
    assert "exit code 3" in table.loc[(0, 1), "error"]
    assert "ValueError: a bug in this run" in table.loc[(1, 0), "error"]
    assert (table["status"] == "done").sum() == 34
    # a resume retries only the failed runs; with the bug fixed they complete
    again = run_sweep(spec_file, out, workers=2, progress=False, resume=True)
    assert (again.done, again.failed, again.skipped) == (2, 0, 34)
    assert (store.run_table()["status"] == "done").all()


def test_existing_folder_needs_resume_and_shards_split_the_design(spec_file, tmp_path):
    out = tmp_path / "sweep"
    first = run_sweep(spec_file, out, engine="serial", shard="0/2", progress=False)
    # a second shard joins the same folder without --resume, and the split is even by run index
    second = run_sweep(spec_file, out, engine="serial", shard=(1, 2), progress=False)
    assert first.done == second.done == 18 and first.outside_shard == second.done
    third = run_sweep(spec_file, out, engine="serial", shard=(2, 3), progress=False)
    assert third.done == 0 and third.skipped == 12  # shards of another split find theirs stored
    proc = subprocess.run(
        [sys.executable, "-m", "willsim.cli", "sweep", str(spec_file), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 2 and "--resume" in proc.stderr and "Traceback" not in proc.stderr
    import duckdb

    count = duckdb.sql(f"select count(distinct run_key) from read_parquet('{out}/runs/*.parquet')")
    assert count.fetchall()[0][0] == 36


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_engine_end_to_end_on_loopback(spec_file, reference, tmp_path):
    pytest.importorskip("distributed")
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        procs.append(
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    address,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        from distributed import Client

        deadline = time.monotonic() + 300  # a hang guard: a loaded machine starts workers slowly
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        out = tmp_path / "sweep"
        report = run_sweep(spec_file, out, engine="dask", scheduler=address, progress=False)
        assert (report.done, report.failed) == (36, 0)
        results = canonical(pd.read_parquet(out / "results.parquet"))
        pd.testing.assert_frame_equal(results, reference)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_results_command_writes_bands_sensitivity_and_figures(tmp_path):
    spec = tmp_path / "morris.toml"
    spec.write_text(TINY_MORRIS.replace("samples = 2", "samples = 3"))  # 9 runs
    out = tmp_path / "sweep"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "willsim.cli",
            "sweep",
            str(spec),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    # common seeds (Morris' default): points a trajectory repeats are one run, stored once
    assert "9 runs in the design (2 repeated points reuse their run)" in run.stdout
    assert "done 7, failed 0, skipped 0" in run.stdout
    res = subprocess.run(
        [sys.executable, "-m", "willsim.cli", "results", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "What matters most (morris" in res.stdout
    for name in ("bands.csv", "bands.png", "sensitivity_morris.csv", "sensitivity.png"):
        assert (out / "analysis" / name).stat().st_size > 0
    bands = pd.read_csv(out / "analysis" / "bands.csv")
    assert (bands["p05"] <= bands["median"]).all() and (bands["median"] <= bands["p95"]).all()
    missing = subprocess.run(
        [sys.executable, "-m", "willsim.cli", "results", str(tmp_path / "nope")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
