"""The workshop database: rooms, teams, rounds, submissions and results in one SQLite file.

Everything a workshop needs survives a server restart: the app keeps no workshop state in memory.
The file lives at ``$WILLSIM_WORKSHOP_DB`` or, by default, under the user's data folder
(``$XDG_DATA_HOME/willsim/workshop.sqlite3``, i.e. ``~/.local/share/...``).

Concurrency: WAL journal (readers never block the writer), a busy timeout, one short-lived
connection per operation (safe from any thread), and ``BEGIN IMMEDIATE`` for every write, so two
writers queue instead of failing half-way. Secrets are never stored, only their digests.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 15_000
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    key_digest TEXT NOT NULL,
    settings TEXT NOT NULL,
    ranking TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    current_round INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS teams (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    joined REAL NOT NULL,
    UNIQUE (room_id, name_key)
);
CREATE TABLE IF NOT EXISTS rounds (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    number INTEGER NOT NULL,
    event TEXT NOT NULL DEFAULT 'none',
    phase TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    run_token TEXT,
    runner TEXT,
    heartbeat REAL,
    started REAL,
    finished REAL,
    PRIMARY KEY (room_id, number)
);
CREATE TABLE IF NOT EXISTS submissions (
    room_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams(id),
    strategy TEXT NOT NULL,
    cost REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    carried INTEGER NOT NULL DEFAULT 0,
    submitted REAL NOT NULL,
    PRIMARY KEY (room_id, round, team_id)
);
CREATE TABLE IF NOT EXISTS results (
    room_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    team_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, round, team_id)
);
CREATE TABLE IF NOT EXISTS join_failures (at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS wrong_codes (at REAL NOT NULL, client TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS wrong_codes_client ON wrong_codes(client, at);
CREATE TABLE IF NOT EXISTS room_joins (at REAL NOT NULL, room_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS room_joins_room ON room_joins(room_id, at);
CREATE TABLE IF NOT EXISTS facilitator_sessions (
    digest TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS teams_room ON teams(room_id);
"""


def default_path() -> Path:
    """``$WILLSIM_WORKSHOP_DB``, else ``$XDG_DATA_HOME/willsim/workshop.sqlite3``."""
    env = os.environ.get("WILLSIM_WORKSHOP_DB")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "willsim" / "workshop.sqlite3"


class Store:
    """The SQLite file; :meth:`read` and :meth:`write` give a connection for one operation."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            conn.execute("COMMIT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (one consistent snapshot)."""
        with self._connect() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- join rate limits: wrong codes per client, join attempts per room ----------------------
    def recent_join_failures(self, seconds: float, client: str = "") -> int:
        """Wrong codes ``client`` typed in the last ``seconds``."""
        with self.read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM wrong_codes WHERE client = ? AND at > ?",
                (client, time.time() - seconds),
            ).fetchone()
        return int(row[0])

    def record_join_failure(self, client: str = "") -> None:
        now = time.time()
        with self.write() as conn:
            conn.execute("DELETE FROM wrong_codes WHERE at < ?", (now - 3600,))
            conn.execute("INSERT INTO wrong_codes VALUES (?, ?)", (now, client))

    @staticmethod
    def count_room_joins(conn: sqlite3.Connection, seconds: float, room_id: str) -> int:
        row = conn.execute(
            "SELECT COUNT(*) FROM room_joins WHERE room_id = ? AND at > ?",
            (room_id, time.time() - seconds),
        ).fetchone()
        return int(row[0])

    def recent_room_joins(self, seconds: float, room_id: str) -> int:
        with self.read() as conn:
            return self.count_room_joins(conn, seconds, room_id)

    @staticmethod
    def record_room_join(conn: sqlite3.Connection, room_id: str) -> None:
        now = time.time()
        conn.execute("DELETE FROM room_joins WHERE at < ?", (now - 3600,))
        conn.execute("INSERT INTO room_joins VALUES (?, ?)", (now, room_id))


def dumps(value: Any) -> str:
    """Compact JSON for a column (NaN kept as null)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_default)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
