"""``willsim workshop``: list the rooms of a workshop database and export one room."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2


def add_parsers(sub: Any) -> None:
    """Register ``willsim workshop list|export`` on the CLI's subparsers."""
    ws = sub.add_parser("workshop", help="list workshop rooms or export one (report and CSV)")
    ws.add_argument(
        "--db",
        help="workshop database (default: $WILLSIM_WORKSHOP_DB or "
        "~/.local/share/willsim/workshop.sqlite3)",
    )
    action = ws.add_subparsers(dest="workshop_command", required=True, metavar="ACTION")
    action.add_parser("list", help="every room: id, code, title, status, round, teams")
    exp = action.add_parser("export", help="write the room's HTML report and CSV tables")
    exp.add_argument("room", help="room id (see `willsim workshop list`)")
    exp.add_argument("--key", required=True, help="the room's facilitator key")
    exp.add_argument("--lang", choices=("en", "it"), default="en")
    exp.add_argument("--out", default=".", help="folder for the files (default: here)")


def cmd_workshop(args: argparse.Namespace) -> int:
    from willsim.workshop import export
    from willsim.workshop.service import WorkshopError, WorkshopService
    from willsim.workshop.store import default_path

    db = Path(args.db) if args.db else default_path()
    if not db.exists():
        print(f"willsim: error: no workshop database at {db}", file=sys.stderr)
        return EXIT_BAD_INPUT
    svc = WorkshopService(db)
    if args.workshop_command == "list":
        rooms = svc.list_rooms()
        print(f"{len(rooms)} room(s) in {db}")
        for r in rooms:
            created = datetime.fromtimestamp(r["created"], UTC).strftime("%Y-%m-%d %H:%M")
            print(
                f"{r['room_id']}  {r['code']}  {created}  {r['status']:<6}  round "
                f"{r['round']}  {r['teams']} team(s)  {r['title']}"
            )
        return 0
    try:
        rounds = svc.all_rounds(args.room, key=args.key)
        if not rounds:
            raise WorkshopError("the room has no results yet")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"workshop-{args.room}"
        files = {
            f"{stem}.html": export.html_report(rounds, args.lang),
            f"{stem}-board.csv": export.board_csv(rounds),
            f"{stem}-runs.csv": export.runs_csv(rounds),
        }
    except WorkshopError as exc:
        print(f"willsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path, text in files.items():
        Path(path).write_text(text, encoding="utf-8")
        print(path)
    return 0


COMMANDS = {"workshop": cmd_workshop}
