"""Timings of the app as its users meet it, in Debian's Chromium through Playwright (offline).

Starts the app's server (``python -m willsim.app.server``) on a free 127.0.0.1 port with the
offline assets and a temporary results root, then measures, printing one line per step:

* **first render of Explore**: from ``goto`` to the Run button, and to the first Plotly chart;
* **a 4-strategy comparison from a shared link**: the four corners in Parma (3 replicates,
  5,000 residents, 104 weeks) opened from a link and run (click -> results), then the same link
  opened in a second browser context (the finished comparison is shown from the cache);
* **a 20-run sweep launched from the browser**: the Results page's default design (10 Latin
  hypercube points x 2 replicates, 2,000 residents, 52 weeks) from the click to "Done", and to
  the opened sweep's sensitivity chart.

With ``--shots DIR`` it also saves screenshots of Explore and Results in English and Italian.

    .venv/bin/python benchmarks/bench_app_browser.py [--shots DIR]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("WILLSIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
LINK = (
    "compare?lang=en&city=parma&reps=3&weeks=104&residents=5000&s1=on-demand-centralised"
    "&s2=on-demand-platform&s3=proactive-centralised&s4=proactive-platform"
)


def _serve(results: Path) -> tuple[subprocess.Popen, str]:
    from willsim.app import assets

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **assets.server_env(assets.build(quiet=True))}
    env["WILLSIM_RESULTS_ROOT"] = str(results)
    proc = subprocess.Popen(
        [sys.executable, "-m", "willsim.app.server", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app server did not start")


def _loopback(route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="save screenshots into this folder")
    args = parser.parse_args(argv)
    results = Path(tempfile.mkdtemp(prefix="willsim-bench-results-"))
    proc, url = _serve(results)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

            def page(language: str = "en"):
                ctx = browser.new_context(viewport={"width": 1366, "height": 900})
                ctx.route("**/*", _loopback)
                return ctx, ctx.new_page()

            ctx, p = page()
            t = time.perf_counter()
            p.goto(url)
            p.wait_for_selector(".btn-run", timeout=90_000)
            run_button = time.perf_counter() - t
            p.wait_for_selector(".live-chart .js-plotly-plot", timeout=90_000)
            chart = time.perf_counter() - t
            print(f"Explore first render: Run button {run_button:.2f} s, chart {chart:.2f} s")
            ctx.close()

            ctx, p = page()
            p.goto(url + LINK)
            p.wait_for_selector(".btn-compare", timeout=90_000)
            t = time.perf_counter()
            p.locator(".btn-compare").click()
            p.wait_for_selector(".compare-band-chart .js-plotly-plot", timeout=300_000)
            print(
                f"4-strategy comparison from a link (Parma, 3 x 5,000 x 104): "
                f"click -> results {time.perf_counter() - t:.2f} s"
            )
            ctx.close()
            ctx, p = page()
            t = time.perf_counter()
            p.goto(url + LINK)
            p.wait_for_selector(".compare-band-chart .js-plotly-plot", timeout=90_000)
            print(
                f"the same link in another browser: open -> results {time.perf_counter() - t:.2f} s"
            )
            ctx.close()

            ctx, p = page()
            p.goto(url + "results?lang=en")
            p.wait_for_selector(".btn-run-sweep", timeout=90_000)
            total = p.locator(".sweep-total").inner_text()
            t = time.perf_counter()
            p.locator(".btn-run-sweep").click()
            p.wait_for_selector(".sweep-finished", timeout=300_000)
            done = time.perf_counter() - t
            p.wait_for_selector(".sweep-sensitivity-chart .js-plotly-plot", timeout=90_000)
            print(
                f"sweep from the browser ({total}, 2,000 x 52): click -> done {done:.2f} s, "
                f"-> opened {time.perf_counter() - t:.2f} s"
            )
            ctx.close()

            if args.shots:
                args.shots.mkdir(parents=True, exist_ok=True)
                for language in ("en", "it"):
                    ctx, p = page()
                    p.goto(url + f"?lang={language}&set=run.weeks%3D104")
                    p.wait_for_selector(".btn-run", timeout=90_000)
                    p.locator(".btn-run").click()
                    p.wait_for_selector(".btn-run[disabled]", timeout=30_000)
                    p.wait_for_function("!document.querySelector('.run-progress')", timeout=120_000)
                    time.sleep(2)
                    p.screenshot(path=str(args.shots / f"explore-{language}.png"))
                    p.locator(".live-charts").scroll_into_view_if_needed()
                    time.sleep(1)
                    p.screenshot(path=str(args.shots / f"explore-charts-{language}.png"))
                    p.goto(url + f"results?lang={language}")
                    p.wait_for_selector(".btn-open-sweep", timeout=90_000)
                    p.screenshot(path=str(args.shots / f"results-designer-{language}.png"))
                    p.locator(".sweep-select").click()
                    p.get_by_role("option").first.click()
                    p.locator(".btn-open-sweep").click()
                    p.wait_for_selector(".sweep-sensitivity-chart .js-plotly-plot", timeout=90_000)
                    p.locator(".sweep-sensitivity").scroll_into_view_if_needed()
                    time.sleep(1.5)
                    p.screenshot(path=str(args.shots / f"results-sweep-{language}.png"))
                    ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
