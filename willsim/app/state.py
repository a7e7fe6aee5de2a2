"""Per-session state of the app, and building scenarios from what the user chose.

Module-level ``solara.reactive`` values are stored per browser session (per virtual kernel), so
each visitor has their own choices, model and results. No model is ever created at import time:
the Explore model lives in :data:`explore_model`, built on demand in the session that asks, and is
released when replaced. Memory is bounded: one live model per session, sessions are culled by the
server (``SOLARA_KERNEL_CULL_TIMEOUT``, 15 minutes under ``willsim app``), and the population of a
model built from the browser is capped at :data:`MAX_RESIDENTS`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from willsim.app.levers import APP_POLICY_LABEL, changes_as_scenario_parts
from willsim.journal import Journal, sample_residents
from willsim.model import WelfareModel
from willsim.policies.week0 import week0_policies
from willsim.results import wide
from willsim.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    ScenarioError,
    available_cities,
    load_scenario,
    parse_data,
    validate_policies,
)

MAX_RESIDENTS = int(os.environ.get("WILLSIM_APP_MAX_RESIDENTS", "20000"))
"""The largest population the app simulates; larger cities run as a weighted sample."""
MAX_UPLOAD_BYTES = 64 * 1024
JOURNAL_SAMPLE = int(os.environ.get("WILLSIM_APP_JOURNAL_SAMPLE", "1500"))
"""Residents followed from the start by the Explore model's journal (and drawn on its map)."""
DEFAULT_APP_SCENARIO = os.environ.get("WILLSIM_APP_SCENARIO", DEFAULT_SCENARIO)


@dataclass
class Choice:
    """What the user picked: a scenario (bundled name or uploaded file), a city, overrides."""

    scenario: str = DEFAULT_APP_SCENARIO
    city: str | None = None  # None: the scenario's own city
    overrides: dict[str, Any] = field(default_factory=dict)
    uploaded: str | None = None  # text of an uploaded scenario file (validated)
    uploaded_name: str | None = None


# --- per-session reactives (solara keeps one value per browser session) -------------------------
choice = solara.reactive(Choice())
explore_model: solara.Reactive[ExploreRun | None] = solara.reactive(None)
explore_frame = solara.reactive(pd.DataFrame())  # wide indicators of the live model
explore_version = solara.reactive(0)  # bumped when the live model advances
paused = solara.reactive(False)
selected_resident: solara.Reactive[int | None] = solara.reactive(None)  # journey view


@dataclass
class Built:
    """A resolved scenario ready to run, and the message shown if its population was capped.

    ``week0``: the policy levers the user changed, which a policy of the scenario starts at
    reported week 0 (so they are not in ``scenario.params``; :attr:`values` shows them)."""

    scenario: Scenario
    capped_message: dict[str, Any] | None = None
    week0: dict[str, Any] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, Any]:
        """The values the controls show: the scenario's, with the levers started at week 0."""
        return {**self.scenario.params, **self.week0}


def resolve(ch: Choice, max_residents: int = MAX_RESIDENTS) -> Built:
    """The scenario for ``ch`` with the city, the user's changes and the population cap applied.

    Changed policy levers (:func:`willsim.app.levers.is_policy_lever`) start at reported week 0
    through a policy put before the scenario's own (so a scenario's policy that sets the same
    lever from the same week still wins, as it did over an override); the burn-in stays the
    status quo's, so strategies built from the same scenario and seed start from the same city
    state. Assumptions are overrides and apply from the start of the burn-in.

    Raises :class:`ScenarioError` with a readable message if anything is invalid.
    """
    if ch.city and ch.city not in available_cities():
        raise ScenarioError(
            f"unknown city {ch.city!r}; valid cities: {', '.join(available_cities())}"
        )
    base: str | Scenario = ch.scenario
    if ch.uploaded is not None:
        name = ch.uploaded_name or "uploaded.toml"
        base = Scenario.from_mapping(parse_data(ch.uploaded, Path(name).suffix, name), name=name)
    overrides, week0 = changes_as_scenario_parts(ch.overrides)
    scenario = load_scenario(base, overrides, city=ch.city or None)
    entries = week0_policies(week0, scenario.params, APP_POLICY_LABEL)
    if entries:
        started = validate_policies(entries, "app")
        scenario = replace(scenario, policies=[*started, *scenario.policies])
    population = int(scenario.params["city.population"])
    requested = int(scenario.params["run.residents"]) or population
    if requested <= max_residents:
        return Built(scenario, week0=week0)
    scenario = _with_cap(scenario, max_residents)
    return Built(
        scenario,
        {
            "cap": max_residents,
            "population": population,
            "city": scenario.city_label or scenario.city,
        },
        week0,
    )


def _with_cap(scenario: Scenario, cap: int) -> Scenario:
    from willsim.scenario import with_overrides

    return with_overrides(scenario, {"run.residents": cap})


def validate_upload(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Check an uploaded scenario file; return its text or raise :class:`ScenarioError`.

    Only .toml/.yaml files up to ``max_bytes``, UTF-8, that load as a valid scenario; a city or
    ``extends`` must name a bundled profile or scenario (no paths on the server).
    """
    suffix = Path(name).suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ScenarioError(f"{name}: only .toml or .yaml scenario files are accepted")
    if len(data) > max_bytes:
        raise ScenarioError(
            f"{name}: the file is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not a UTF-8 text file") from None
    table = parse_data(text, suffix, name)
    meta = table.get("scenario", {})
    if isinstance(meta, dict):
        for key in ("city", "extends"):
            ref = meta.get(key)
            if ref is not None and (
                not isinstance(ref, str) or "/" in ref or "\\" in ref or ref.startswith(".")
            ):
                raise ScenarioError(
                    f"{name}: scenario.{key} must name a bundled "
                    f"{'city' if key == 'city' else 'scenario'}, got {ref!r}"
                )
    Scenario.from_mapping(table, name=name)  # messages name the user's file
    return text


class ExploreRun:
    """One session's live model, advanced by steps or by a background task, under a lock.

    A :class:`~willsim.journal.Journal` follows an even sample of :data:`JOURNAL_SAMPLE`
    residents from week 0 (all of them in smaller models) for the ecosystem and journey views.
    """

    def __init__(self, built: Built) -> None:
        self.built = built
        self.choice: Choice | None = None
        self.model = WelfareModel(built.scenario)
        self.lock = threading.Lock()
        sample = sample_residents(self.model.citizens.n, JOURNAL_SAMPLE)
        self.sample_size = int(sample.size)
        self.journal = Journal(sample).attach(self.model)

    @property
    def done(self) -> bool:
        return self.model.week >= self.model.weeks

    def advance(self, weeks: int = 1) -> int:
        """Advance up to ``weeks`` weeks; return the weeks actually simulated."""
        n = 0
        with self.lock:
            while n < weeks and not self.done:
                self.model.step()
                n += 1
        return n

    def frame(self) -> pd.DataFrame:
        with self.lock:
            return wide(self.model).copy()

    def release(self) -> None:
        self.journal.detach()
        self.model.release()


# kernel (session) id -> its live model, so a closed or culled session's model is released
_LIVE: dict[str | None, ExploreRun] = {}
_LIVE_LOCK = threading.Lock()


# --- uploaded scenario files, by content digest ---------------------------------------------------
# Shared by every session (a link naming ``upload:<digest>`` opens the same file in another
# browser); content-addressed, so a session only finds a file whose whole text it already knows
# the digest of, and bounded (at most MAX_UPLOADS files of MAX_UPLOAD_BYTES).
MAX_UPLOADS = 256
_UPLOADS: OrderedDict[str, tuple[str, str]] = OrderedDict()
_UPLOADS_LOCK = threading.Lock()


def remember_upload(name: str, text: str) -> str:
    """Keep a validated uploaded file; return its reference ``upload:<digest>``."""
    digest = hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()[:32]
    with _UPLOADS_LOCK:
        _UPLOADS[digest] = (name, text)
        _UPLOADS.move_to_end(digest)
        while len(_UPLOADS) > MAX_UPLOADS:
            _UPLOADS.popitem(last=False)
    return f"upload:{digest}"


def uploaded_file(ref: str) -> tuple[str, str] | None:
    """The ``(name, text)`` of an uploaded file named ``upload:<digest>``, if still kept."""
    if not ref.startswith("upload:"):
        return None
    with _UPLOADS_LOCK:
        return _UPLOADS.get(ref.partition(":")[2])


def choice_for(scenario: str, city: str | None = None, overrides=None) -> Choice:
    """A :class:`Choice` of a bundled scenario or an uploaded one (``upload:<digest>``);
    raises :class:`ScenarioError` if the upload is no longer kept."""
    if scenario.startswith("upload:"):
        found = uploaded_file(scenario)
        if found is None:
            raise ScenarioError(f"{scenario}: the uploaded file is no longer on the server")
        name, text = found
        return Choice(scenario, city, dict(overrides or {}), text, name)
    return Choice(scenario, city, dict(overrides or {}))


# --- runs of a session: cancelled when the session closes -----------------------------------------
_STOPS: dict[str | None, threading.Event] = {}
_ACTIVE_RUNS = [0]
_ACTIVE_LOCK = threading.Lock()


def session_stop() -> threading.Event:
    """The event set when this browser session closes (a closed or reloaded page): every
    background run of the session checks it and stops."""
    kid = _kernel_id()
    with _ACTIVE_LOCK:
        return _STOPS.setdefault(kid, threading.Event())


@contextmanager
def counted_run() -> Iterator[None]:
    """Count a background run while it lasts (``/api/app/status`` reports the count)."""
    with _ACTIVE_LOCK:
        _ACTIVE_RUNS[0] += 1
    try:
        yield
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE_RUNS[0] -= 1


def active_runs() -> int:
    """Background runs (Explore plays, comparisons, sweeps) going on in the server now."""
    with _ACTIVE_LOCK:
        return _ACTIVE_RUNS[0]


def _kernel_id() -> str | None:
    from solara.server import kernel_context

    return kernel_context.get_current_context().id if kernel_context.has_current_context() else None


def _on_kernel_start():
    kid = _kernel_id()

    def release_session() -> None:
        with _ACTIVE_LOCK:
            stop = _STOPS.pop(kid, None)
        if stop is not None:
            stop.set()
        with _LIVE_LOCK:
            run = _LIVE.pop(kid, None)
        if run is not None:
            run.release()

    return release_session


solara.lab.on_kernel_start(_on_kernel_start)


def replace_explore_model(run: ExploreRun | None) -> None:
    """Install a new live model for this session, releasing the old one."""
    old = explore_model.peek() if hasattr(explore_model, "peek") else explore_model.value
    if old is not None and old is not run:
        old.release()
    with _LIVE_LOCK:
        if run is None:
            _LIVE.pop(_kernel_id(), None)
        else:
            _LIVE[_kernel_id()] = run
    explore_model.value = run
    explore_frame.value = run.frame() if run is not None else pd.DataFrame()
    explore_version.value += 1
