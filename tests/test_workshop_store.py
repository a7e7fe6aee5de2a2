"""The workshop database under concurrent use: 30 teams joining and submitting at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from willsim.workshop.service import WorkshopService
from willsim.workshop.settings import RoomSettings
from willsim.workshop.store import Store

N = 30


def test_wal_mode_and_schema(tmp_path):
    store = Store(tmp_path / "w.sqlite3")
    with store.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"rooms", "teams", "rounds", "submissions", "results"} <= tables


def test_default_path_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WILLSIM_WORKSHOP_DB", str(tmp_path / "x" / "db.sqlite3"))
    assert Store().path == tmp_path / "x" / "db.sqlite3"


def test_thirty_concurrent_submissions_none_lost_or_duplicated(tmp_path):
    path = tmp_path / "w.sqlite3"
    svc = WorkshopService(path)
    created = svc.create_room(RoomSettings(residents=2000, weeks=26))
    svc.open_round(created.room_id, created.key)
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def participant(i: int) -> tuple[str, int]:
        own = WorkshopService(path)  # each participant through its own service, like sessions
        barrier.wait(10)
        try:
            team = own.join(created.code, f"Team {i:02d}")
            versions = [
                own.submit(
                    created.room_id, team.token, {"social_workers": i % 5, "note": f"team {i} v{v}"}
                )
                for v in range(2)
            ]
            return team.team_id, versions[-1]
        except BaseException as exc:
            errors.append(exc)
            raise

    with ThreadPoolExecutor(N) as pool:
        done = list(pool.map(participant, range(N)))
    assert not errors
    assert all(version == 2 for _, version in done)
    view = svc.facilitator_view(created.room_id, created.key)
    assert len(view["teams"]) == N
    subs = {t["team_id"]: t["submission"] for t in view["teams"]}
    assert set(subs) == {team_id for team_id, _ in done}
    for t in view["teams"]:
        i = int(t["name"].split()[1])
        assert t["submission"]["strategy"]["note"] == f"team {i} v1"
        assert t["submission"]["strategy"]["social_workers"] == i % 5
    with svc.store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == N
