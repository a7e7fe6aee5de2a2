"""The Dask engine's edges, on loopback: losing the scheduler, an unreachable scheduler, the
cluster's real size in the report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from willsim.experiments.store import SweepStore
from willsim.experiments.sweep import run_sweep

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SPEC = textwrap.dedent("""
    [sweep]
    name = "dask_edges"
    design = "factorial"
    replicates = 4
    seed = 5
    outputs = ["mean_wait_weeks", "coverage"]
    timeseries = false
    [fixed]
    "city.population" = 3000
    "run.weeks" = 52
    "run.mesa_citizens" = false
    [vary."office.assessment_hours"]
    values = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dask = str(Path(sys.executable).parent / "dask")
    return subprocess.Popen(
        [dask, *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.terminate()
    for proc in reversed(procs):
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and one worker process with 3 threads, on 127.0.0.1."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], tmp_path
        )
    ]
    procs.append(
        _start(
            [
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "3",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            tmp_path,
        )
    )
    try:
        deadline = time.monotonic() + 300  # a hang guard: a loaded machine starts workers slowly
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(1, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address, procs
    finally:
        _stop(procs)


def test_losing_the_scheduler_exits_cleanly_without_false_failures(cluster, tmp_path):
    address, procs = cluster
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "willsim.cli", "sweep", str(spec), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--engine", "dask", "--scheduler", address],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600  # a hang guard: the scheduler is killed after 3 runs
    while time.monotonic() < deadline and proc.poll() is None:
        if SweepStore(out).exists() and len(SweepStore(out).done_keys()) >= 3:
            break
        time.sleep(0.05)
    manifest = SweepStore(out).manifest()
    assert (manifest["workers"], manifest["threads"]) == (1, 3)  # the cluster, not local cores
    procs[0].kill()  # the scheduler
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 3, stderr
    assert "lost the Dask scheduler" in stderr and "none is counted as failed" in stderr
    assert "Traceback" not in stderr
    assert "on 3 thread(s)" in stdout
    store = SweepStore(out)
    assert store.failed() == {}  # no false failures
    stored = len(store.done_keys())
    assert 3 <= stored < 24
    resumed = run_sweep(spec, out, engine="local", workers=2, resume=True, progress=False)
    assert (resumed.done, resumed.failed, resumed.skipped) == (24 - stored, 0, stored)
    reference = tmp_path / "reference"
    run_sweep(spec, reference, engine="local", workers=2, progress=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "results.parquet"), pd.read_parquet(reference / "results.parquet")
    )


def test_an_unreachable_scheduler_leaves_nothing_behind(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "deep" / "sweep"
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens here
    for _ in range(2):  # the same retry gets the same answer
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "willsim.cli",
                "sweep",
                str(spec),
                "--out",
                str(out),
                "--engine",
                "dask",
                "--scheduler",
                address,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert f"cannot reach the Dask scheduler at {address}" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (tmp_path / "deep").exists()
