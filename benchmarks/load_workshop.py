"""Load test of workshop mode: N simulated participants join and submit at the same moment.

Each participant is a thread with its own service object on one SQLite file (as browser
sessions are on the app server). All threads wait at a barrier and join the room with the code
at once; then wait again and submit a strategy ``--submits`` times (the first submissions all at
once) and read their team view. Prints latency median,
95th percentile and maximum per operation, the errors, and checks that no submission was lost or
duplicated. Bounded (at most 200 participants).

With ``--http`` the participants go through the app server instead: the script starts
the app's server (``python -m willsim.app.server``) on a free 127.0.0.1 port (offline assets,
its own database) and each thread calls the teams' JSON API (``/api/workshop/join``,
``/submit``, ``/team``) over loopback HTTP. Nothing leaves the machine.

    .venv/bin/python benchmarks/load_workshop.py                 # 30 participants, in process
    .venv/bin/python benchmarks/load_workshop.py --http          # the same through the server
    .venv/bin/python benchmarks/load_workshop.py --participants 60 --submits 5 --run
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from willsim.workshop.service import WorkshopService
from willsim.workshop.settings import RoomSettings

MAX_PARTICIPANTS = 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class HttpTeam:
    """A participant talking to the app server's JSON API over loopback."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.room_id = ""
        self.token = ""

    def _call(self, path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, headers=headers, method="GET" if body is None else "POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"HTTP {exc.code}: {exc.read()[:200]!r}") from None

    def join(self, code: str, name: str):
        out = self._call("/api/workshop/join", {"code": code, "team": name})
        self.room_id, self.token = out["room_id"], out["token"]
        return type("Joined", (), {"team_id": out["team_id"], "token": out["token"]})

    def submit(self, room_id: str, _token: str, strategy: dict) -> int:
        return self._call(f"/api/workshop/submit?room={room_id}", strategy)["version"]

    def team_view(self, room_id: str, _token: str) -> dict:
        return self._call(f"/api/workshop/team?room={room_id}")


class AppServer:
    """The app's server (``python -m willsim.app.server``) on a free loopback port with the given
    database."""

    def __init__(self, db: Path, log: Path) -> None:
        from willsim.app import assets

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {
            **os.environ,
            **assets.server_env(assets.build(quiet=True)),
            "WILLSIM_WORKSHOP_DB": str(db),
        }
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "willsim.app.server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    # the API is installed when the app module loads, on the first page
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app server did not start:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(
    participants: int, submits: int, db: Path, run_round: bool, http: str | None = None
) -> dict:
    svc = WorkshopService(db)
    room = svc.create_room(RoomSettings(title="load test", residents=2000, weeks=26, replicates=2))
    svc.open_round(room.room_id, room.key)
    barrier = threading.Barrier(participants)
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()

    def timed(op: str, fn, *args):
        started = time.perf_counter()
        try:
            return fn(*args)
        except Exception as exc:
            with lock:
                errors.append(f"{op}: {type(exc).__name__}: {exc}")
            raise
        finally:
            with lock:
                timings[op].append(time.perf_counter() - started)

    def participant(i: int) -> tuple[str, str]:
        own = HttpTeam(http) if http else WorkshopService(db)
        barrier.wait(30)
        team = timed("join", own.join, room.code, f"Team {i:03d}")
        barrier.wait(30)  # every team submits its first strategy at the same moment
        for v in range(submits):
            strategy = {
                "social_workers": (i + v) % 4,
                "note": f"{i}:{v}",
                "delivery": ("centralised", "community", "marketplace")[i % 3],
            }
            timed(
                "submit_1st" if v == 0 else "submit_more",
                own.submit,
                room.room_id,
                team.token,
                strategy,
            )
        timed("team_view", own.team_view, room.room_id, team.token)
        return team.team_id, f"{i}:{submits - 1}"

    started = time.perf_counter()
    with ThreadPoolExecutor(participants) as pool:
        futures = [pool.submit(participant, i) for i in range(participants)]
        expected = dict(f.result() for f in futures if f.exception() is None)
    wall = time.perf_counter() - started
    view = svc.facilitator_view(room.room_id, room.key)
    stored = {
        t["team_id"]: (t["submission"] or {}).get("strategy", {}).get("note") for t in view["teams"]
    }
    with svc.store.read() as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM submissions WHERE room_id = ?", (room.room_id,)
        ).fetchone()[0]
    lost = sum(1 for team_id, note in expected.items() if stored.get(team_id) != note)
    out = {
        "participants": participants,
        "submits_each": submits,
        "wall_s": wall,
        "mode": "http" if http else "service",
        "errors": len(errors),
        "error_samples": errors[:5],
        "teams_stored": len(stored),
        "submission_rows": rows,
        "lost_or_wrong": lost,
        "duplicated": rows - len(expected),
        "latency_ms": {},
    }
    for op, values in timings.items():
        ms = [v * 1000 for v in values]
        out["latency_ms"][op] = {
            "n": len(ms),
            "median": statistics.median(ms),
            "p95": percentile(ms, 0.95),
            "max": max(ms),
        }
    if run_round:
        svc.lock_round(room.room_id, room.key)
        t0 = time.perf_counter()
        svc.start_run(room.room_id, room.key, background=False)
        out["round_run_s"] = time.perf_counter() - t0
        out["round_runs"] = (participants + 1) * 2
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--submits", type=int, default=3, help="submissions per participant")
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument(
        "--run",
        action="store_true",
        help="then run the round (every team, 2,000 residents, 26 weeks, 2 replicates) and time it",
    )
    parser.add_argument(
        "--http", action="store_true", help="go through the app server's JSON API on 127.0.0.1"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.participants <= MAX_PARTICIPANTS:
        parser.error(f"--participants must be 1 to {MAX_PARTICIPANTS}")
    if not 1 <= args.submits <= 20:
        parser.error("--submits must be 1 to 20")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "load.sqlite3"
        server = AppServer(db, Path(tmp) / "server.log") if args.http else None
        try:
            out = run(args.participants, args.submits, db, args.run, server.url if server else None)
        finally:
            if server is not None:
                server.stop()
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"{out['participants']} participants x {out['submits_each']} submissions at "
            f"once ({out['mode']}), in {out['wall_s']:.2f} s wall"
        )
        print(f"{'operation':<12} {'n':>5} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}")
        for op, s in out["latency_ms"].items():
            print(f"{op:<12} {s['n']:>5} {s['median']:>10.1f} {s['p95']:>9.1f} {s['max']:>9.1f}")
        print(
            f"errors: {out['errors']}; teams stored: {out['teams_stored']}; submission rows: "
            f"{out['submission_rows']}; lost or wrong: {out['lost_or_wrong']}; duplicated: "
            f"{out['duplicated']}"
        )
        for e in out["error_samples"]:
            print("  " + e)
        if "round_run_s" in out:
            print(f"round run: {out['round_runs']} model runs in {out['round_run_s']:.1f} s")
    return 1 if out["errors"] or out["lost_or_wrong"] or out["duplicated"] else 0


if __name__ == "__main__":
    sys.exit(main())
