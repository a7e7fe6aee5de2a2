"""The README's main command, ``willsim app``, serves the app offline on the default scenario."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.pages import LOAD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_willsim_app_serves_the_default_scenario(page: Page, tmp_path):
    port = _free_port()
    willsim = Path(sys.executable).with_name("willsim")
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(willsim), "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "WILLSIM_APP_STEP_DELAY": "0"},
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        page.goto(url)
        expect(page.locator(".btn-run")).to_be_visible(timeout=LOAD)
        expect(page.locator(".scenario-select")).to_contain_text("Today: on demand, centralised")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    assert f"willsim app: http://127.0.0.1:{port}/" in text
    assert "Could not load URL" not in text, "a front-end asset is missing from the cache"
