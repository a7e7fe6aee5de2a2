"""The workshop service: every action on a room, with its role checked, on top of the store.

Roles:

* the **facilitator** holds the room's key (shown once, at creation) and alone can change the
  room: open, lock, run, cancel, reveal, next round (with an event), ranking criteria, close,
  reopen, export;
* a **team** holds its token (given when it joins with the room's code and a team name) and can
  only see its own strategy and submit it while the round is open; it sees the results board
  once the facilitator reveals it.

A round moves ``waiting → open → locked → running → done → revealed``; a run that fails ends in
``failed``, and a run whose process died (a server restart) shows as ``interrupted``; both can be
run again. Nothing is kept in memory between calls, so a new service on the same database file (a
restarted server) carries on where the old one stopped.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from willsim.reporting.errors import Money, Translatable, Word
from willsim.scenario import Scenario, ScenarioError
from willsim.workshop import codes
from willsim.workshop.ranking import Ranking, check_ranking
from willsim.workshop.runner import (
    STATUS_QUO,
    Entry,
    RunCancelled,
    round_seeds,
    run_entries,
)
from willsim.workshop.settings import RoomSettings, base_scenario, check_settings
from willsim.workshop.store import Store, dumps, loads
from willsim.workshop.strategy import (
    EVENTS,
    Strategy,
    StrategyError,
    check,
    estimate_cost,
    strategy_scenario,
)

MAX_TEAMS = 40
MAX_NAME = 40
JOIN_FAILURES_PER_MINUTE = 20
"""Wrong codes one client (a browser session, an address) may type in a minute."""
JOINS_PER_ROOM_PER_MINUTE = 120
"""Join attempts with a room's code (teams joining, names refused) a room takes in a minute."""
FACILITATOR_SESSION_DAYS = 7.0
STALE_SECONDS = 600.0
RESERVED_NAMES = {"status quo", "situazione attuale", STATUS_QUO}
RUNNER_ID = f"{os.getpid()}:{uuid.uuid4().hex}"
_ACTIVE_RUNS: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


class WorkshopError(Translatable):
    """An action that cannot be done now or with this input (the message says why, in any
    language: :meth:`message`)."""


class AccessDenied(WorkshopError):
    """A wrong facilitator key or team token."""


@dataclass(frozen=True)
class Created:
    room_id: str
    code: str
    key: str  # shown once; only its digest is stored


@dataclass(frozen=True)
class Joined:
    room_id: str
    team_id: str
    name: str
    token: str  # shown once; only its digest is stored


@lru_cache(maxsize=32)
def _base(settings_json: str) -> Scenario:
    import json

    return base_scenario(RoomSettings.from_dict(json.loads(settings_json)))


def room_base(settings: RoomSettings) -> Scenario:
    """The room's base scenario (cached by settings)."""
    return _base(dumps(settings.to_dict()))


class WorkshopService:
    """All workshop actions; safe to use from many threads and processes at once."""

    def __init__(self, store: Store | str | Path | None = None) -> None:
        self.store = store if isinstance(store, Store) else Store(store)

    # --- helpers ------------------------------------------------------------------------------
    def _room(self, conn, room_id: str):
        row = conn.execute("SELECT * FROM rooms WHERE id = ?", (str(room_id),)).fetchone()
        if row is None:
            raise AccessDenied("wse_no_room")
        return row

    def _facilitator(self, conn, room_id: str, key: str | None):
        """The room, if ``key`` is its facilitator key or a facilitator session token of it."""
        room = self._room(conn, room_id)
        if codes.matches(key, room["key_digest"]):
            return room
        if (
            key
            and conn.execute(
                "SELECT 1 FROM facilitator_sessions WHERE room_id = ? AND digest = ? "
                "AND expires > ?",
                (room["id"], codes.digest(key), time.time()),
            ).fetchone()
        ):
            return room
        raise AccessDenied("wse_wrong_key")

    def facilitator_session(self, room_id: str, key: str, token: str | None = None) -> str:
        """Exchange the facilitator key for a session token (``token``, or a new one), which
        then stands for the key in every facilitator action of this room for
        :data:`FACILITATOR_SESSION_DAYS` days, so the key never has to stay in a page or an
        address. Only the token's digest is stored."""
        token = token or codes.new_secret()
        with self.store.write() as conn:
            room = self._room(conn, room_id)
            if not codes.matches(key, room["key_digest"]):
                raise AccessDenied("wse_wrong_key")
            now = time.time()
            conn.execute("DELETE FROM facilitator_sessions WHERE expires < ?", (now,))
            conn.execute(
                "INSERT OR REPLACE INTO facilitator_sessions (digest, room_id, expires) "
                "VALUES (?, ?, ?)",
                (codes.digest(token), room["id"], now + FACILITATOR_SESSION_DAYS * 86400),
            )
        return token

    def end_facilitator_session(self, room_id: str, token: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                "DELETE FROM facilitator_sessions WHERE room_id = ? AND digest = ?",
                (str(room_id), codes.digest(token)),
            )

    def _team(self, conn, room_id: str, token: str | None):
        room = self._room(conn, room_id)
        if not token:
            raise AccessDenied("wse_token_needed")
        team = conn.execute(
            "SELECT * FROM teams WHERE room_id = ? AND token_digest = ?",
            (room["id"], codes.digest(token)),
        ).fetchone()
        if team is None:
            raise AccessDenied("wse_wrong_token")
        return room, team

    @staticmethod
    def _round(conn, room) -> Any:
        return conn.execute(
            "SELECT * FROM rounds WHERE room_id = ? AND number = ?",
            (room["id"], room["current_round"]),
        ).fetchone()

    @staticmethod
    def _phase(rnd) -> str:
        """The round's phase, with a dead or stalled run shown as ``interrupted``."""
        phase = rnd["phase"]
        if phase != "running":
            return phase
        runner = rnd["runner"] or ""
        if runner == RUNNER_ID:
            with _ACTIVE_LOCK:
                alive = rnd["run_token"] in _ACTIVE_RUNS
            return "running" if alive else "interrupted"
        pid = runner.split(":", 1)[0]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            return "interrupted"
        except PermissionError:
            pass
        if time.time() - float(rnd["heartbeat"] or 0) > STALE_SECONDS:
            return "interrupted"
        return "running"

    def _set_phase(
        self, room_id: str, key: str, allowed: tuple[str, ...], phase: str, verb: str
    ) -> None:
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            self._require_active(room)
            rnd = self._round(conn, room)
            current = self._phase(rnd)
            if current not in allowed:
                raise WorkshopError(
                    "wse_cannot",
                    verb=Word(f"wse_verb_{verb}"),
                    n=int(rnd["number"]),
                    phase=Word(f"ws_phase_{current}"),
                )
            conn.execute(
                "UPDATE rounds SET phase = ?, message = '' WHERE room_id = ? AND number = ?",
                (phase, room["id"], rnd["number"]),
            )
            self._touch(conn, room["id"])

    @staticmethod
    def _require_active(room) -> None:
        if room["status"] != "active":
            raise WorkshopError("wse_closed")

    @staticmethod
    def _touch(conn, room_id: str) -> None:
        conn.execute("UPDATE rooms SET updated = ? WHERE id = ?", (time.time(), room_id))

    # --- facilitator --------------------------------------------------------------------------
    def create_room(self, settings: RoomSettings) -> Created:
        """A new room in round 1 (waiting to open), with its join code and facilitator key."""
        settings = check_settings(settings)
        try:
            room_base(settings)
        except ScenarioError as exc:
            raise WorkshopError(str(exc)) from None
        key, room_id, now = codes.new_secret(), codes.new_id(), time.time()
        ranking = Ranking(weights=dict(settings.weights))
        for _ in range(20):  # a clash of 40-bit codes is very unlikely; retry if it happens
            code = codes.new_code()
            with self.store.write() as conn:
                if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone():
                    continue
                conn.execute(
                    "INSERT INTO rooms (id, code, key_digest, settings, ranking, status,"
                    " current_round, created, updated) VALUES (?,?,?,?,?,'active',1,?,?)",
                    (
                        room_id,
                        code,
                        codes.digest(key),
                        dumps(settings.to_dict()),
                        dumps(ranking.to_dict()),
                        now,
                        now,
                    ),
                )
                conn.execute(
                    "INSERT INTO rounds (room_id, number, event, phase) VALUES "
                    "(?, 1, 'none', 'waiting')",
                    (room_id,),
                )
            return Created(room_id, code, key)
        raise WorkshopError("wse_no_code")

    def verify_facilitator(self, room_id: str, key: str | None) -> bool:
        with self.store.read() as conn:
            try:
                self._facilitator(conn, room_id, key)
            except AccessDenied:
                return False
        return True

    def room_for_code(self, code: str, client: str = "") -> str:
        """The room id of a join code (rate-limited per client like joining)."""
        norm = codes.normalise_code(code)
        self._check_rate(client)
        with self.store.read() as conn:
            row = (
                conn.execute("SELECT id FROM rooms WHERE code = ?", (norm,)).fetchone()
                if norm
                else None
            )
        if row is None:
            self.store.record_join_failure(client)
            raise WorkshopError("wse_bad_code")
        return str(row["id"])

    def open_round(self, room_id: str, key: str) -> None:
        """Teams may submit (again): from waiting, or from locked to let teams change."""
        self._set_phase(room_id, key, ("waiting", "locked"), "open", "open")

    def lock_round(self, room_id: str, key: str) -> None:
        """No more submissions for this round."""
        self._set_phase(room_id, key, ("open",), "locked", "lock")

    def reveal(self, room_id: str, key: str) -> None:
        """Show the board of this round to every team."""
        self._set_phase(room_id, key, ("done",), "revealed", "reveal")

    def set_ranking(self, room_id: str, key: str, ranking: Ranking | Mapping[str, Any]) -> None:
        """Change the ranking criteria (past rounds are re-ranked too)."""
        r = check_ranking(ranking) if isinstance(ranking, Ranking) else Ranking.from_dict(ranking)
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            conn.execute(
                "UPDATE rooms SET ranking = ? WHERE id = ?", (dumps(r.to_dict()), room["id"])
            )
            self._touch(conn, room["id"])

    def next_round(self, room_id: str, key: str, event: str = "none") -> int:
        """Start the next round, open, with ``event``; each team's last strategy carries over."""
        if event not in EVENTS:
            raise WorkshopError("wse_unknown_event", event=repr(event), valid=", ".join(EVENTS))
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            self._require_active(room)
            settings = RoomSettings.from_dict(loads(room["settings"]))
            rnd = self._round(conn, room)
            if self._phase(rnd) not in ("done", "revealed"):
                raise WorkshopError("wse_no_results_yet", n=int(rnd["number"]))
            number = int(rnd["number"]) + 1
            if number > settings.rounds:
                raise WorkshopError("wse_last_round", n=int(settings.rounds))
            if rnd["phase"] == "done":
                conn.execute(
                    "UPDATE rounds SET phase = 'revealed' WHERE room_id = ? AND number = ?",
                    (room["id"], rnd["number"]),
                )
            conn.execute(
                "INSERT INTO rounds (room_id, number, event, phase) VALUES (?, ?, ?, 'open')",
                (room["id"], number, event),
            )
            conn.execute(
                "INSERT INTO submissions (room_id, round, team_id, strategy, cost, "
                "version, carried, submitted) SELECT room_id, ?, team_id, strategy, "
                "cost, 1, 1, ? FROM submissions WHERE room_id = ? AND round = ?",
                (number, time.time(), room["id"], rnd["number"]),
            )
            conn.execute("UPDATE rooms SET current_round = ? WHERE id = ?", (number, room["id"]))
            self._touch(conn, room["id"])
        return number

    def close_room(self, room_id: str, key: str) -> None:
        """End the workshop: read-only, results stay available (debrief, export)."""
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            rnd = self._round(conn, room)
            if self._phase(rnd) == "running":
                raise WorkshopError("wse_run_in_progress")
            if rnd["phase"] == "done":
                conn.execute(
                    "UPDATE rounds SET phase = 'revealed' WHERE room_id = ? AND number = ?",
                    (room["id"], rnd["number"]),
                )
            conn.execute("UPDATE rooms SET status = 'closed' WHERE id = ?", (room["id"],))
            self._touch(conn, room["id"])

    def reopen_room(self, room_id: str, key: str) -> None:
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            conn.execute("UPDATE rooms SET status = 'active' WHERE id = ?", (room["id"],))
            self._touch(conn, room["id"])

    def new_team_token(self, room_id: str, key: str, team_id: str) -> str:
        """A new token for a team that lost its link (the old one stops working)."""
        token = codes.new_secret()
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            cur = conn.execute(
                "UPDATE teams SET token_digest = ? WHERE id = ? AND room_id = ?",
                (codes.digest(token), str(team_id), room["id"]),
            )
            if cur.rowcount != 1:
                raise WorkshopError("wse_no_team")
        return token

    # --- running ------------------------------------------------------------------------------
    def start_run(self, room_id: str, key: str, background: bool = True) -> threading.Thread | None:
        """Run the current round: every submitted strategy plus the status quo, same seeds.

        In the background (a thread that writes its progress to the database) or, with
        ``background=False``, before returning.
        """
        token = uuid.uuid4().hex
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            self._require_active(room)
            rnd = self._round(conn, room)
            phase = self._phase(rnd)
            if phase not in ("locked", "done", "failed", "interrupted"):
                raise WorkshopError(
                    "wse_cannot_run_open" if phase == "open" else "wse_cannot",
                    verb=Word("wse_verb_run"),
                    n=int(rnd["number"]),
                    phase=Word(f"ws_phase_{phase}"),
                )
            subs = conn.execute(
                "SELECT s.team_id, s.strategy, t.name FROM submissions s JOIN teams t ON "
                "t.id = s.team_id WHERE s.room_id = ? AND s.round = ? ORDER BY t.name_key",
                (room["id"], rnd["number"]),
            ).fetchall()
            if not subs:
                raise WorkshopError("wse_no_submissions")
            conn.execute(
                "UPDATE rounds SET phase = 'running', progress = 0, message = '', "
                "run_token = ?, runner = ?, heartbeat = ?, started = ?, finished = NULL"
                " WHERE room_id = ? AND number = ?",
                (token, RUNNER_ID, time.time(), time.time(), room["id"], rnd["number"]),
            )
            self._touch(conn, room["id"])
        settings = RoomSettings.from_dict(loads(room["settings"]))
        number, event = int(rnd["number"]), str(rnd["event"])
        with _ACTIVE_LOCK:
            _ACTIVE_RUNS.add(token)
        try:
            base = room_base(settings)
            entries = [
                Entry(
                    STATUS_QUO,
                    "Status quo",
                    strategy_scenario(base, None, 0.0, event, name="Status quo"),
                )
            ]
            for s in subs:
                strat = Strategy.from_dict(loads(s["strategy"]))
                entries.append(
                    Entry(
                        s["team_id"],
                        s["name"],
                        strategy_scenario(base, strat, settings.envelope, event, name=s["name"]),
                    )
                )
            seeds = round_seeds(base, settings.replicates)
        except (ScenarioError, StrategyError) as exc:
            self._finish_failed(room["id"], number, token, str(exc))
            raise WorkshopError("wse_setup_failed", error=str(exc)) from None
        args = (room["id"], number, token, entries, seeds, settings.parameter_sets)
        if not background:
            self._execute(*args)
            return None
        thread = threading.Thread(
            target=self._execute, args=args, daemon=True, name=f"workshop-run-{room['id']}-{number}"
        )
        thread.start()
        return thread

    def cancel_run(self, room_id: str, key: str) -> None:
        """Stop the current run; the round goes back to locked."""
        with self.store.write() as conn:
            room = self._facilitator(conn, room_id, key)
            rnd = self._round(conn, room)
            if self._phase(rnd) not in ("running", "interrupted"):
                raise WorkshopError("wse_no_run")
            conn.execute(
                "UPDATE rounds SET phase = 'locked', run_token = NULL, progress = 0 "
                "WHERE room_id = ? AND number = ?",
                (room["id"], rnd["number"]),
            )

    def _execute(
        self,
        room_id: str,
        number: int,
        token: str,
        entries: list[Entry],
        seeds: list[int],
        parameter_sets: int = 0,
    ) -> None:
        def progress(done: int, total: int) -> bool:
            with self.store.write() as conn:
                cur = conn.execute(
                    "UPDATE rounds SET progress = ?, heartbeat = ? WHERE "
                    "room_id = ? AND number = ? AND run_token = ?",
                    (100.0 * done / max(total, 1), time.time(), room_id, number, token),
                )
                return cur.rowcount > 0

        try:
            results = run_entries(entries, seeds, progress, parameter_sets=parameter_sets)
            with self.store.write() as conn:
                rnd = conn.execute(
                    "SELECT run_token FROM rounds WHERE room_id = ? AND number = ?",
                    (room_id, number),
                ).fetchone()
                if rnd is None or rnd["run_token"] != token:
                    return
                conn.execute(
                    "DELETE FROM results WHERE room_id = ? AND round = ?", (room_id, number)
                )
                conn.executemany(
                    "INSERT INTO results (room_id, round, team_id, data) VALUES (?, ?, ?, ?)",
                    [(room_id, number, team_id, dumps(data)) for team_id, data in results.items()],
                )
                conn.execute(
                    "UPDATE rounds SET phase = 'done', progress = 100, finished = ?, "
                    "run_token = NULL WHERE room_id = ? AND number = ?",
                    (time.time(), room_id, number),
                )
                self._touch(conn, room_id)
        except RunCancelled:
            pass
        except Exception as exc:  # a failed run is reported on the board, not raised
            self._finish_failed(room_id, number, token, f"{type(exc).__name__}: {exc}")
        finally:
            with _ACTIVE_LOCK:
                _ACTIVE_RUNS.discard(token)

    def _finish_failed(self, room_id: str, number: int, token: str, message: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                "UPDATE rounds SET phase = 'failed', message = ?, run_token = NULL "
                "WHERE room_id = ? AND number = ? AND run_token = ?",
                (message[:500], room_id, number, token),
            )
        with _ACTIVE_LOCK:
            _ACTIVE_RUNS.discard(token)

    # --- teams --------------------------------------------------------------------------------
    def _check_rate(self, client: str) -> None:
        """Refuse a client that typed too many wrong codes in the last minute (others are not
        affected: the limit is per client, not for the whole server)."""
        if self.store.recent_join_failures(60, client) >= JOIN_FAILURES_PER_MINUTE:
            raise WorkshopError("wse_too_many")

    def join(self, code: str, team_name: str, client: str = "") -> Joined:
        """Join the room with ``code`` as a new team called ``team_name``; ``client`` names who
        asks (an address or a browser session) for the per-client limit on wrong codes."""
        name = " ".join(str(team_name or "").split())
        if not name or len(name) > MAX_NAME:
            raise WorkshopError("wse_name_length", n=MAX_NAME)
        if name.casefold() in RESERVED_NAMES:
            raise WorkshopError("wse_reserved", name=repr(name))
        norm = codes.normalise_code(code)
        self._check_rate(client)
        token, team_id = codes.new_secret(), codes.new_id()
        with self.store.write() as conn:
            room = (
                conn.execute("SELECT * FROM rooms WHERE code = ?", (norm,)).fetchone()
                if norm
                else None
            )
            if room is not None:
                self._require_active(room)
                if self.store.count_room_joins(conn, 60, room["id"]) >= JOINS_PER_ROOM_PER_MINUTE:
                    raise WorkshopError("wse_room_busy")
                self.store.record_room_join(conn, room["id"])
                if conn.execute(
                    "SELECT 1 FROM teams WHERE room_id = ? AND name_key = ?",
                    (room["id"], name.casefold()),
                ).fetchone():
                    raise WorkshopError("wse_name_taken", name=repr(name))
                n = conn.execute(
                    "SELECT COUNT(*) FROM teams WHERE room_id = ?", (room["id"],)
                ).fetchone()[0]
                if n >= MAX_TEAMS:
                    raise WorkshopError("wse_full", n=MAX_TEAMS)
                conn.execute(
                    "INSERT INTO teams (id, room_id, name, name_key, token_digest, "
                    "joined) VALUES (?,?,?,?,?,?)",
                    (team_id, room["id"], name, name.casefold(), codes.digest(token), time.time()),
                )
                self._touch(conn, room["id"])
        if room is None:
            self.store.record_join_failure(client)
            raise WorkshopError("wse_bad_code")
        return Joined(str(room["id"]), team_id, name, token)

    def submit(self, room_id: str, token: str, strategy: Strategy | Mapping[str, Any]) -> int:
        """Store the team's strategy for the current round; returns its version number."""
        with self.store.read() as conn:
            room, _team = self._team(conn, room_id, token)
        settings = RoomSettings.from_dict(loads(room["settings"]))
        strat = self.validate(settings, strategy)  # outside the write lock
        cost = estimate_cost(strat, room_base(settings).params).total
        with self.store.write() as conn:
            room, team = self._team(conn, room_id, token)
            self._require_active(room)
            rnd = self._round(conn, room)
            phase = self._phase(rnd)
            if phase != "open":
                raise WorkshopError(
                    "wse_not_open", n=int(rnd["number"]), phase=Word(f"ws_phase_{phase}")
                )
            conn.execute(
                "INSERT INTO submissions (room_id, round, team_id, strategy, cost, version, "
                "carried, submitted) VALUES (?,?,?,?,?,1,0,?) ON CONFLICT (room_id, round, "
                "team_id) DO UPDATE SET strategy = excluded.strategy, cost = excluded.cost, "
                "version = submissions.version + 1, carried = 0, submitted = excluded.submitted",
                (room["id"], rnd["number"], team["id"], dumps(strat.to_dict()), cost, time.time()),
            )
            row = conn.execute(
                "SELECT version FROM submissions WHERE room_id = ? AND round = ? AND team_id = ?",
                (room["id"], rnd["number"], team["id"]),
            )
            version = int(row.fetchone()[0])
            self._touch(conn, room["id"])
        return version

    @staticmethod
    def validate(settings: RoomSettings, strategy: Strategy | Mapping[str, Any]) -> Strategy:
        """``strategy`` checked against the room's levers and budget envelope."""
        try:
            strat = strategy if isinstance(strategy, Strategy) else Strategy.from_dict(strategy)
            strat = check(strat, settings.levers)
        except TypeError as exc:
            raise WorkshopError("wse_not_strategy", error=str(exc)) from None
        except StrategyError as exc:
            raise WorkshopError(exc.key, **exc.fmt) from None  # keeps the message translatable
        est = estimate_cost(strat, room_base(settings).params)
        if not est.fits(settings.envelope):
            raise WorkshopError(
                "wse_over_envelope", cost=Money(est.total), envelope=Money(settings.envelope)
            )
        return strat

    # --- views --------------------------------------------------------------------------------
    def _room_view(self, conn, room) -> dict[str, Any]:
        rounds = conn.execute(
            "SELECT * FROM rounds WHERE room_id = ? ORDER BY number", (room["id"],)
        ).fetchall()
        teams = conn.execute(
            "SELECT id, name FROM teams WHERE room_id = ? ORDER BY name_key", (room["id"],)
        ).fetchall()
        current = rounds[-1]
        return {
            "room_id": room["id"],
            "code": room["code"],
            "status": room["status"],
            "settings": loads(room["settings"]),
            "ranking": loads(room["ranking"]),
            "round": int(current["number"]),
            "event": current["event"],
            "phase": "closed" if room["status"] == "closed" else self._phase(current),
            "round_phase": self._phase(current),
            "progress": float(current["progress"]),
            "message": current["message"],
            "rounds": [
                {
                    "number": int(r["number"]),
                    "event": r["event"],
                    "phase": self._phase(r),
                    "finished": r["finished"],
                }
                for r in rounds
            ],
            "teams": [{"team_id": t["id"], "name": t["name"]} for t in teams],
            "updated": float(room["updated"]),
        }

    def facilitator_view(self, room_id: str, key: str) -> dict[str, Any]:
        """Everything about the room, with each team's submission for the current round."""
        with self.store.read() as conn:
            room = self._facilitator(conn, room_id, key)
            view = self._room_view(conn, room)
            subs = {
                s["team_id"]: s
                for s in conn.execute(
                    "SELECT * FROM submissions WHERE room_id = ? AND round = ?",
                    (room["id"], view["round"]),
                ).fetchall()
            }
        for t in view["teams"]:
            s = subs.get(t["team_id"])
            t["submission"] = (
                None
                if s is None
                else {
                    "strategy": loads(s["strategy"]),
                    "cost": float(s["cost"]),
                    "version": int(s["version"]),
                    "carried": bool(s["carried"]),
                }
            )
        return view

    def team_view(self, room_id: str, token: str) -> dict[str, Any]:
        """The room as a team sees it: the phase, its own submission, the other teams' names."""
        with self.store.read() as conn:
            room, team = self._team(conn, room_id, token)
            view = self._room_view(conn, room)
            s = conn.execute(
                "SELECT * FROM submissions WHERE room_id = ? AND round = ? AND team_id = ?",
                (room["id"], view["round"], team["id"]),
            ).fetchone()
            prev = conn.execute(
                "SELECT strategy FROM submissions WHERE room_id = ? AND "
                "team_id = ? ORDER BY round DESC LIMIT 1",
                (room["id"], team["id"]),
            ).fetchone()
        view["team"] = {"team_id": team["id"], "name": team["name"]}
        view["submission"] = (
            None
            if s is None
            else {
                "strategy": loads(s["strategy"]),
                "cost": float(s["cost"]),
                "version": int(s["version"]),
                "carried": bool(s["carried"]),
            }
        )
        view["last_strategy"] = loads(prev["strategy"]) if prev else None
        view["teams"] = [{"name": t["name"]} for t in view["teams"]]
        return view

    def visible_rounds(
        self, room_id: str, key: str | None = None, token: str | None = None
    ) -> list[int]:
        """Rounds whose results the caller may see: all with results for the facilitator,
        revealed ones for a team."""
        with self.store.read() as conn:
            if key is not None:
                room = self._facilitator(conn, room_id, key)
                ok = ("done", "revealed")
            else:
                room, _team = self._team(conn, room_id, token)
                ok = ("revealed",)
            rows = conn.execute(
                "SELECT number, phase FROM rounds WHERE room_id = ? ORDER BY number", (room["id"],)
            ).fetchall()
        return [int(r["number"]) for r in rows if r["phase"] in ok]

    def round_data(
        self, room_id: str, number: int, key: str | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """One round's stored results, teams' names and strategies (facilitator: any round
        with results; team: revealed rounds only)."""
        if number not in self.visible_rounds(room_id, key=key, token=token):
            raise AccessDenied("wse_not_revealed", n=int(number))
        with self.store.read() as conn:
            room = self._room(conn, room_id)
            rnd = conn.execute(
                "SELECT * FROM rounds WHERE room_id = ? AND number = ?", (room["id"], number)
            ).fetchone()
            results = {
                r["team_id"]: loads(r["data"])
                for r in conn.execute(
                    "SELECT team_id, data FROM results WHERE room_id = ? AND round = ?",
                    (room["id"], number),
                ).fetchall()
            }
            teams = {
                t["id"]: t["name"]
                for t in conn.execute(
                    "SELECT id, name FROM teams WHERE room_id = ?", (room["id"],)
                ).fetchall()
            }
            subs = {
                s["team_id"]: {"strategy": loads(s["strategy"]), "cost": float(s["cost"])}
                for s in conn.execute(
                    "SELECT team_id, strategy, cost FROM submissions "
                    "WHERE room_id = ? AND round = ?",
                    (room["id"], number),
                ).fetchall()
            }
        return {
            "room_id": room["id"],
            "number": number,
            "event": rnd["event"],
            "results": results,
            "names": teams,
            "submissions": {t: subs[t] for t in results if t in subs},
            "settings": loads(room["settings"]),
            "ranking": loads(room["ranking"]),
            "title": loads(room["settings"]).get("title", "Workshop"),
        }

    def list_rooms(self) -> list[dict[str, Any]]:
        """Every room (no secrets): id, title, code, status, round, teams, created."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT r.id, r.code, r.settings, r.status, r.current_round, r.created, "
                "(SELECT COUNT(*) FROM teams t WHERE t.room_id = r.id) AS teams FROM rooms r "
                "ORDER BY r.created"
            ).fetchall()
        return [
            {
                "room_id": r["id"],
                "code": r["code"],
                "title": loads(r["settings"])["title"],
                "status": r["status"],
                "round": int(r["current_round"]),
                "teams": int(r["teams"]),
                "created": float(r["created"]),
            }
            for r in rows
        ]

    def revealed_rounds(self, room_id: str, key: str) -> list[dict[str, Any]]:
        """The rounds the teams see (revealed, or all with results once the room is closed),
        for the facilitator's presenter view: never a result before its reveal."""
        with self.store.read() as conn:
            room = self._facilitator(conn, room_id, key)
            rows = conn.execute(
                "SELECT number, phase FROM rounds WHERE room_id = ? ORDER BY number", (room["id"],)
            ).fetchall()
        return [
            self.round_data(room_id, int(r["number"]), key=key)
            for r in rows
            if r["phase"] == "revealed"
        ]

    def all_rounds(
        self, room_id: str, key: str | None = None, token: str | None = None
    ) -> list[dict[str, Any]]:
        """:meth:`round_data` of every round the caller may see, in order."""
        return [
            self.round_data(room_id, n, key=key, token=token)
            for n in self.visible_rounds(room_id, key=key, token=token)
        ]
