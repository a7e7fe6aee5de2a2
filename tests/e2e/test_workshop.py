"""A whole workshop in a real browser: a facilitator and three teams, each in its own browser
context, create a room, join, submit, run, reveal, debrief and export; the server restarts in
the middle on the same database file and nothing is lost; and the teams' JSON API."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

LOAD = 45_000
RUN = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _loopback_only(route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


class Server:
    """The real app on a loopback port with a given workshop database; can be restarted."""

    def __init__(self, db: Path, log_dir: Path) -> None:
        from willsim.app import assets

        self.db, self.log_dir = db, log_dir
        self.env = {
            **os.environ,
            **assets.server_env(assets.build(quiet=True)),
            "WILLSIM_WORKSHOP_DB": str(db),
            "WILLSIM_WORKSHOP_POLL": "0.5",
        }
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.url = ""

    def start(self) -> str:
        self.starts += 1
        port = _free_port()
        log = self.log_dir / f"server-{self.starts}.log"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "willsim.app.server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"app server exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as resp:
                    if resp.status == 200:
                        return self.url
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"app server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self, crash: bool = False) -> None:
        """Stop the server: politely, or killed at once as in a crash or power cut."""
        if self.proc is None:
            return
        if crash:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


@pytest.fixture()
def workshop_server(tmp_path):
    server = Server(tmp_path / "workshop.sqlite3", tmp_path)
    server.start()
    yield server
    server.stop()


def _context(browser: Browser) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000}, accept_downloads=True)
    ctx.route("**/*", _loopback_only)
    return ctx


def _text(page: Page, css: str) -> str:
    return page.locator(css).first.text_content() or ""


def _fill(page: Page, label: str, value: str) -> None:
    """Type ``value`` into the field and commit it; type again if a re-render from the server
    (another team's submission updates the room) replaced the field before the value was kept."""
    field = page.get_by_label(label, exact=True)
    for _ in range(3):
        field.fill(value)
        field.press("Enter")
        try:
            expect(field).to_have_value(value, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(field).to_have_value(value)


def test_a_whole_workshop_with_three_teams_and_a_restart(browser: Browser, workshop_server):
    server = workshop_server
    contexts = [_context(browser) for _ in range(4)]
    try:
        fac, *teams = [ctx.new_page() for ctx in contexts]
        # the facilitator creates a tiny room
        fac.goto(server.url + "/workshop")
        expect(fac.locator(".ws-create")).to_be_visible(timeout=LOAD)
        _fill(fac, "Workshop title", "Bergamo test")
        _fill(fac, "Weeks", "26")
        _fill(fac, "Simulated residents", "2000")
        _fill(fac, "Replicates (same seeds for every strategy)", "2")
        fac.locator(".ws-create").click()
        expect(fac.locator(".ws-phase")).to_contain_text("waiting to open", timeout=LOAD)
        code = _text(fac, ".ws-code")
        assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
        fac_path = fac.url.split("127.0.0.1:", 1)[1].split("/", 1)[1]
        # the key is shown once, on this page only, and never in the address
        key = fac.locator(".ws-key-text").inner_text().rsplit(": ", 1)[1].strip()
        assert len(key) >= 20 and key not in fac.url and "key=" not in fac.url
        fac.locator(".ws-key-saved").click()
        expect(fac.locator(".ws-fresh-key")).to_have_count(0)
        assert key not in fac.content()
        seen_urls = [fac.url]
        fac.on("framenavigated", lambda frame: seen_urls.append(frame.url))
        # the presenter view (for the projector) in another tab of the facilitator's browser
        presenter = contexts[0].new_page()
        presenter.goto(fac.url.replace("as=facilitator", "view=presenter"))
        expect(presenter.locator(".ws-presenter")).to_contain_text(code, timeout=LOAD)
        # three teams join from their own browsers
        names = ("Orchids", "Lindens", "Poplars")
        for page, name in zip(teams, names, strict=True):
            page.goto(server.url + "/workshop")
            expect(page.locator(".ws-join-card")).to_be_visible(timeout=LOAD)
            page.get_by_label("Join code", exact=True).first.fill(code.lower())
            page.get_by_label("Team name", exact=True).fill(name)
            page.locator(".ws-join").click()
            expect(page.get_by_text(f"Team {name}")).to_be_visible(timeout=LOAD)
            expect(page.locator(".ws-phase")).to_contain_text("waiting to open")
        expect(fac.get_by_text("Teams (3)")).to_be_visible(timeout=10_000)
        # a team cannot use the facilitator's controls: its link has no key
        team_path = teams[0].url.split("127.0.0.1:", 1)[1].split("/", 1)[1]
        forged = teams[0].url.replace("team=", "key=")
        teams[0].goto(forged)
        expect(teams[0].locator(".ws-denied")).to_contain_text(
            "wrong facilitator key", timeout=LOAD
        )
        teams[0].goto(server.url + "/" + team_path)
        expect(teams[0].get_by_text("Team Orchids")).to_be_visible(timeout=LOAD)
        fac.locator(".ws-open").click()
        for page in teams:  # every team sees the round open without reloading
            expect(page.locator(".ws-phase")).to_contain_text("open for strategies", timeout=10_000)
        # each team composes a strategy; the cost updates live
        orchids, lindens, poplars = teams
        orchids.locator(".ws-access-proactive").click()
        # the default 4 h/week would cost more than the envelope: Proactive starts within it
        expect(orchids.locator(".ws-cost-total")).to_be_visible(timeout=10_000)
        expect(orchids.locator(".ws-over")).to_have_count(0)
        _fill(orchids, "Outreach hours a week per 1,000 residents", "2")
        expect(orchids.locator(".ws-cost-total")).to_contain_text(
            "Estimated cost: €315,422 of €500,000", timeout=10_000
        )
        orchids.locator(".ws-submit").click()
        expect(orchids.locator(".ws-submitted")).to_contain_text("version 1", timeout=10_000)
        lindens.locator(".ws-delivery-community").click()
        lindens.locator(".ws-submit").click()
        expect(lindens.locator(".ws-submitted")).to_be_visible(timeout=10_000)
        _fill(poplars, "Extra social workers", "60")
        expect(poplars.locator(".ws-over")).to_be_visible(timeout=10_000)
        expect(poplars.locator(".ws-submit")).to_be_disabled()
        _fill(poplars, "Extra social workers", "3")
        expect(poplars.locator(".ws-over")).to_have_count(0, timeout=10_000)
        poplars.locator(".ws-submit").click()
        expect(poplars.locator(".ws-submitted")).to_be_visible(timeout=10_000)
        expect(fac.locator(".ws-team-row", has_text="submitted")).to_have_count(3, timeout=10_000)

        # the server dies mid-workshop and restarts on the same database file
        server.stop(crash=True)
        server.start()
        for page in (fac, *teams):
            page.goto(
                server.url
                + "/"
                + (fac_path if page is fac else page.url.split("127.0.0.1:", 1)[1].split("/", 1)[1])
            )
        expect(fac.locator(".ws-team-row", has_text="submitted")).to_have_count(3, timeout=LOAD)
        expect(fac.locator(".ws-phase")).to_contain_text("open for strategies")
        presenter.goto(server.url + "/" + fac_path.replace("as=facilitator", "view=presenter"))
        for page in teams:
            expect(page.locator(".ws-submitted")).to_be_visible(timeout=LOAD)

        # lock, run, reveal
        fac.locator(".ws-lock").click()
        expect(lindens.locator(".ws-phase")).to_contain_text("locked", timeout=10_000)
        expect(lindens.locator(".ws-submit")).to_be_disabled()
        fac.locator(".ws-run").click()
        expect(fac.locator(".ws-phase")).to_contain_text("results ready", timeout=RUN)
        # hidden until revealed: folded on the facilitator's page, absent from the presenter
        # view and from the teams' pages
        expect(fac.locator(".ws-hidden-preview")).to_be_visible(timeout=RUN)
        expect(fac.locator(".ws-board")).not_to_be_visible()
        expect(presenter.locator(".ws-presenter-wait")).to_be_visible(timeout=10_000)
        expect(presenter.locator(".ws-board")).to_have_count(0)
        expect(orchids.locator(".ws-no-results")).to_be_visible()
        fac.locator(".ws-reveal").click()
        expect(presenter.locator(".ws-board")).to_be_visible(timeout=RUN)
        expect(orchids.locator(".ws-editor-folded")).to_be_visible(timeout=RUN)
        for page in teams:
            expect(page.locator(".ws-board")).to_be_visible(timeout=RUN)
            expect(page.locator(".ws-board")).to_contain_text("Status quo")
            for name in names:
                expect(page.locator(".ws-board")).to_contain_text(name)
        expect(fac.locator(".ws-board img").first).to_be_visible()
        fac.locator(".ws-more-charts").first.click()  # the Compare page's band and equity charts
        expect(fac.locator(".ws-more img")).to_have_count(2, timeout=RUN)

        # next round with a pandemic: strategies carry over, Lindens adapts
        fac.locator(".ws-next").click()
        expect(lindens.locator(".ws-phase")).to_contain_text(
            "Round 2 of 2 · pandemic shock", timeout=10_000
        )
        lindens.locator(".ws-delivery-mix").click()
        lindens.locator(".ws-submit").click()
        expect(lindens.locator(".ws-submitted")).to_contain_text("version 2", timeout=10_000)
        fac.locator(".ws-lock").click()
        fac.locator(".ws-run").click()
        expect(fac.locator(".ws-phase")).to_contain_text("results ready", timeout=RUN)
        fac.locator(".ws-close").click()
        expect(fac.locator(".ws-phase")).to_contain_text("workshop closed", timeout=10_000)
        # the debrief, for the facilitator and the teams
        expect(fac.locator(".ws-debrief")).to_contain_text(
            "Lindens changed its strategy", timeout=RUN
        )
        expect(poplars.locator(".ws-round-2")).to_be_visible(timeout=RUN)
        expect(poplars.locator(".ws-debrief")).to_contain_text("Round 2 (pandemic shock)")

        # export: the HTML report and the CSV board
        with fac.expect_download() as dl:
            fac.get_by_role("button", name="Workshop report (HTML)").click()
        page_html = Path(dl.value.path()).read_text(encoding="utf-8")
        assert dl.value.suggested_filename.endswith(".html")
        assert "Round 2: pandemic shock" in page_html and "Orchids" in page_html
        assert page_html.count("data:image/png;base64,") >= 5
        with fac.expect_download() as dl:
            fac.get_by_role("button", name="Board (CSV)").click()
        rows = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("round,event,team,rank") and len(rows) == 1 + 2 * 4

        # the key was in no address the facilitator's pages went through
        assert all(key not in u and "key=" not in u for u in [*seen_urls, presenter.url])

        # Italian, with Italian number formats
        fac.goto(server.url + "/" + fac_path.replace("lang=en", "lang=it"))
        expect(fac.locator(".ws-phase")).to_contain_text("laboratorio chiuso", timeout=LOAD)
        expect(fac.locator(".ws-board")).to_contain_text("Situazione attuale")
        expect(fac.locator(".ws-board")).to_contain_text(re.compile(r"\d,\d%"))
    except BaseException:  # screenshots of every screen, next to the server logs
        for i, ctx in enumerate(contexts):
            for pg in ctx.pages:
                pg.screenshot(path=server.log_dir / f"screen-{i}.png", full_page=True)
        raise
    finally:
        for ctx in contexts:
            ctx.unroute_all(behavior="ignoreErrors")
            ctx.close()


def _api(url: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_teams_json_api_on_loopback(workshop_server):
    from willsim.workshop.service import WorkshopService
    from willsim.workshop.settings import RoomSettings

    url = workshop_server.url
    svc = WorkshopService(workshop_server.db)  # the facilitator, on the server's database
    room = svc.create_room(RoomSettings(residents=2000, weeks=26))
    status, joined = _api(url, "/api/workshop/join", {"code": room.code, "team": "Api"})
    assert status == 200 and joined["room_id"] == room.room_id
    token = joined["token"]
    status, out = _api(url, f"/api/workshop/submit?room={room.room_id}", {}, token)
    assert status == 400 and "only be submitted while it is open" in out["error"]
    svc.open_round(room.room_id, room.key)
    status, out = _api(
        url, f"/api/workshop/submit?room={room.room_id}", {"delivery": "community"}, token
    )
    assert (status, out) == (200, {"version": 1})
    status, out = _api(url, f"/api/workshop/submit?room={room.room_id}", {}, room.key)
    assert status == 403  # the facilitator key is not a team token
    status, view = _api(url, f"/api/workshop/team?room={room.room_id}", token=token)
    assert status == 200 and view["submission"]["strategy"]["delivery"] == "community"
    assert room.key not in json.dumps(view)


def test_a_wrong_code_flood_from_one_client_does_not_lock_out_another(
    browser: Browser, workshop_server
):
    from willsim.workshop.service import JOIN_FAILURES_PER_MINUTE, WorkshopService
    from willsim.workshop.settings import RoomSettings

    url = workshop_server.url
    room = WorkshopService(workshop_server.db).create_room(RoomSettings(residents=1000, weeks=8))
    for _ in range(JOIN_FAILURES_PER_MINUTE + 5):  # one client floods the API with wrong codes
        status, out = _api(url, "/api/workshop/join", {"code": "AAAA-AAAA", "team": "Prank"})
        assert status == 400
    assert "too many wrong codes" in out["error"]
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        page.goto(url + "/workshop?lang=it")
        expect(page.locator(".ws-join-card")).to_be_visible(timeout=LOAD)
        page.get_by_label("Codice di accesso", exact=True).first.fill("BBBB-BBBB")
        page.get_by_label("Nome della squadra", exact=True).fill("Aceri")
        page.locator(".ws-join").click()  # a wrong code of its own: said in Italian
        expect(page.locator(".ws-error")).to_contain_text("nessun laboratorio ha questo codice")
        page.get_by_label("Codice di accesso", exact=True).first.fill(room.code)
        page.locator(".ws-join").click()
        expect(page.get_by_text("Squadra Aceri")).to_be_visible(timeout=LOAD)
        # the Workshop tab keeps the team in its room, and the language stays in the address
        page.locator(".nav-workshop").click()
        expect(page.get_by_text("Squadra Aceri")).to_be_visible(timeout=LOAD)
        assert "lang=it" in page.url and "team=" in page.url
        page.locator(".lang-toggle").get_by_role("button", name="en").click()
        expect(page.get_by_text("Team Aceri")).to_be_visible(timeout=LOAD)
        assert "lang=en" in page.url
        page.reload()
        expect(page.get_by_text("Team Aceri")).to_be_visible(timeout=LOAD)
    finally:
        ctx.unroute_all(behavior="ignoreErrors")
        ctx.close()
