"""A workshop round with parameter uncertainty: every team on the same parameter sets and seeds,
stored per replicate with its set, and the board's key figures read as nested statistics."""

from __future__ import annotations

from willsim.scenario import load_scenario
from willsim.workshop import board
from willsim.workshop.runner import STATUS_QUO, Entry, paired_runs, run_entries
from willsim.workshop.settings import RoomSettings, check_settings

SMALL = {"run.residents": 1500, "run.weeks": 13, "run.mesa_citizens": False}


def test_a_round_on_parameter_sets_is_paired_and_read_with_nested_statistics():
    base = load_scenario("baseline", SMALL)
    more = load_scenario("baseline", {**SMALL, "office.social_workers": 40})
    entries = [Entry(STATUS_QUO, "Status quo", base), Entry("t1", "Alders", more)]
    results = run_entries(entries, [11, 12], parameter_sets=4)
    quo, team = results[STATUS_QUO], results["t1"]
    assert len(quo["runs"]) == len(team["runs"]) == 8  # 4 sets x 2 seeds
    assert quo["seeds"] == team["seeds"] and len(set(quo["seeds"])) == 8  # seeds of their own
    assert quo["draws"] == [0, 0, 1, 1, 2, 2, 3, 3] and len(team["parameter_sets"]) == 4
    assert "office.social_workers" not in team["parameter_sets"][0]  # a lever, never drawn
    runs = paired_runs(results, {STATUS_QUO: "Status quo", "t1": "Alders"})
    assert runs.draws and set(runs.summaries["draw"]) == {0, 1, 2, 3}
    data = {"results": results, "names": {"t1": "Alders"}}
    shown = board.key_figures(data, "en")
    assert "90% range over parameter sets" in shown.columns
    assert shown["How sure"].str.contains("parameter sets").any()


def test_parameter_sets_are_kept_within_the_room_limits():
    assert check_settings(RoomSettings(parameter_sets=2)).parameter_sets == 4
    assert check_settings(RoomSettings(parameter_sets=500)).parameter_sets == 20
    assert check_settings(RoomSettings()).parameter_sets == 0
