"""The debrief explains counter-intuitive results from the stored runs: in a pandemic round the
status quo's wait for assessment falls because fewer people are assessed (where the desk queues);
the default strategy fits the default envelope; strategy errors are written in the page's
language."""

from __future__ import annotations

import dataclasses

import pytest

from willsim.reporting.errors import message
from willsim.scenario import load_scenario
from willsim.workshop.runner import STATUS_QUO, round_seeds, run_one
from willsim.workshop.service import WorkshopError, WorkshopService
from willsim.workshop.settings import RoomSettings
from willsim.workshop.strategy import (
    DEFAULT,
    Strategy,
    StrategyError,
    check,
    estimate_cost,
    event_policies,
)
from willsim.workshop.surprises import surprise_lines

ROOM = RoomSettings(title="T", residents=5000, weeks=52, replicates=3, rounds=2, envelope=500_000)


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    svc = WorkshopService(tmp_path_factory.mktemp("ws") / "w.sqlite3")
    created = svc.create_room(ROOM)
    team = svc.join(created.code, "Alpha")
    rid, key = created.room_id, created.key
    for event in ("none", "pandemic"):
        if event != "none":
            svc.next_round(rid, key, event)
        else:
            svc.open_round(rid, key)
        svc.submit(rid, team.token, {"social_workers": 2})
        svc.lock_round(rid, key)
        svc.start_run(rid, key, background=False)
    return [svc.round_data(rid, n, key=key) for n in (1, 2)]


@pytest.fixture(scope="module")
def queued_rounds():
    """The status quo's stored runs, a round without and a round with the pandemic (the room's
    event policy, a quarter into the run), where the desk queues: 3 hours per assessment (the
    prior spans 1-6) instead of 2.5 (4.5 until poor adults in work had income needs; now it
    overloads the desk and the pandemic's fall of the wait is no longer clear). Since issue 12
    the default city's desk hardly queues after the burn-in (a wait of about 0.001 weeks in both
    rounds), so there is no wait for a pandemic to shorten. Six replicates: the wait's paired
    fall (9.0 to 5.8 weeks) is clear at 95% with six, not with three (with 3 hours now 9.3 to
    6.4)."""
    base = load_scenario(
        ROOM.scenario,
        {
            "run.weeks": ROOM.weeks,
            "run.residents": ROOM.residents,
            "run.mesa_citizens": False,
            "office.assessment_hours": 3.0,
        },
        city=ROOM.city,
    )
    pandemic = dataclasses.replace(
        base, policies=[*base.policies, *event_policies("pandemic", ROOM.weeks)]
    )
    seeds = round_seeds(base, 6)
    return [
        {
            "number": n,
            "event": event,
            "results": {STATUS_QUO: {"runs": [run_one(sc, s) for s in seeds]}},
        }
        for n, (event, sc) in enumerate((("none", base), ("pandemic", pandemic)), start=1)
    ]


def test_a_pandemic_round_explains_why_the_status_quo_waits_less(two_rounds, queued_rounds):
    _, second = two_rounds
    assert second["event"] == "pandemic"  # the room runs the event the facilitator chose
    lines = surprise_lines(queued_rounds, "en")
    wait = [line for line in lines if "Wait for assessment" in line]
    assert wait, lines
    assert "fewer cases" in wait[0] and "Assessments started" in wait[0]
    italian = surprise_lines(queued_rounds, "it")
    assert any("meno casi" in line for line in italian)


def test_no_surprise_without_an_event(two_rounds):
    first, _ = two_rounds
    assert surprise_lines([first, first], "en") == []


def test_choosing_proactive_fits_the_default_envelope_in_the_default_city():
    params = load_scenario(ROOM.scenario, city=ROOM.city).params
    est = estimate_cost(Strategy(access="proactive"), params)
    assert est.fits(RoomSettings().envelope), est.total
    assert DEFAULT.intensity == Strategy().intensity


def test_strategy_errors_are_translated():
    with pytest.raises(StrategyError) as bad:
        check(Strategy(intensity=99.0))
    assert "out of range [0.5; 40]" in str(bad.value)
    assert "fuori dall'intervallo" in message(bad.value, "it")
    with pytest.raises(StrategyError) as closed:
        check(Strategy(delivery="community"), allowed=("access",))
    assert "non è aperta" in message(closed.value, "it")
    assert "Consegna" in message(closed.value, "it") or "Eroga" in message(closed.value, "it")


def test_the_service_keeps_the_strategy_error_translatable(tmp_path):
    svc = WorkshopService(tmp_path / "w.sqlite3")
    created = svc.create_room(ROOM)
    team = svc.join(created.code, "Beta")
    svc.open_round(created.room_id, created.key)
    with pytest.raises(WorkshopError) as err:
        svc.submit(created.room_id, team.token, {"social_workers": 500})
    assert "assistenti sociali in più" in message(err.value, "it")
