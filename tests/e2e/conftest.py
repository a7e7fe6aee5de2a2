"""End-to-end fixtures: the real app served on a free loopback port, offline, driven by Debian's
Chromium through Playwright. Every request leaving 127.0.0.1 is blocked.

The whole folder is skipped (with the reason) where Chromium or Playwright is missing;
``make test`` installs both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WILLSIM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

if not (
    (Path(CHROMIUM).exists() and shutil.which("npm"))
    or (Path(CHROMIUM).exists() and os.environ.get("WILLSIM_ASSETS_DIR"))
):
    pytest.skip(
        f"browser tests need {CHROMIUM} and npm (make test installs them)", allow_module_level=True
    )
pytest.importorskip("playwright", reason="browser tests need playwright (make test installs it)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1300, "height": 1000},
        "accept_downloads": True,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def results_root():
    """The app's results root (sweeps made from the browser go there, not into the clone).
    Its path is shown on the Results page, so it holds no English word (pytest's own
    temporary folders are named ``pytest-of-<user>``)."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="wsres-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, results_root):
    from willsim.app import assets

    cache = assets.build(quiet=True)
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    env = {
        **os.environ,
        **assets.server_env(cache),
        "WILLSIM_APP_STEP_DELAY": "0.004",
        "WILLSIM_APP_MAX_RESIDENTS": "20000",
        "WILLSIM_RESULTS_ROOT": str(results_root),
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "willsim.app.server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"app server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"app server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    text = log.read_text(errors="replace")
    assert "Could not load URL" not in text, "a front-end asset is missing from the cache"


def _loopback_only(route):
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture(autouse=True)
def _block_external(context):
    context.route("**/*", _loopback_only)
    yield
    context.unroute_all(behavior="ignoreErrors")
