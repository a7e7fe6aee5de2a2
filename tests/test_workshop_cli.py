"""``willsim workshop list|export`` on a workshop database."""

from __future__ import annotations

from willsim.cli import main
from willsim.workshop.service import WorkshopService
from willsim.workshop.settings import RoomSettings


def test_list_and_export(tmp_path, capsys):
    db = tmp_path / "w.sqlite3"
    svc = WorkshopService(db)
    room = svc.create_room(RoomSettings(title="CLI room", residents=2000, weeks=13, replicates=2))
    team = svc.join(room.code, "Solo")
    assert main(["workshop", "--db", str(db), "export", room.room_id, "--key", room.key]) == 2
    assert "no results yet" in capsys.readouterr().err
    svc.open_round(room.room_id, room.key)
    svc.submit(room.room_id, team.token, {"delivery": "community"})
    svc.lock_round(room.room_id, room.key)
    svc.start_run(room.room_id, room.key, background=False)
    assert main(["workshop", "--db", str(db), "list"]) == 0
    out = capsys.readouterr().out
    assert room.room_id in out and "CLI room" in out and room.key not in out
    assert main(["workshop", "--db", str(db), "export", room.room_id, "--key", "nope"]) == 2
    assert "wrong facilitator key" in capsys.readouterr().err
    assert (
        main(
            [
                "workshop",
                "--db",
                str(db),
                "export",
                room.room_id,
                "--key",
                room.key,
                "--lang",
                "it",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    html = (tmp_path / "out" / f"workshop-{room.room_id}.html").read_text(encoding="utf-8")
    assert "Rapporto del laboratorio: CLI room" in html and "Situazione attuale" in html
    board = (tmp_path / "out" / f"workshop-{room.room_id}-board.csv").read_text()
    assert board.count("\n") == 3  # header, status quo, Solo
    assert main(["workshop", "--db", str(tmp_path / "missing.sqlite3"), "list"]) == 2
