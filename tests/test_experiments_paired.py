"""The one paired runner: common seeds on every engine, failures reported without stopping the
others, cancellation that keeps complete pairs, parameter draws nested with seeds, resume from a
store."""

from __future__ import annotations

import pandas as pd
import pytest

from willsim.experiments.compare import compare_table
from willsim.experiments.paired import (
    Arm,
    collect_figures,
    design_frame,
    plan_pairs,
    run_arms,
)
from willsim.experiments.store import SweepStore
from willsim.scenario import load_scenario

SMALL = {"city.population": 1500, "run.weeks": 13, "run.mesa_citizens": False}
SEEDS = [11, 12, 13]


def arms() -> list[Arm]:
    base = load_scenario("baseline", SMALL)
    slow = load_scenario("baseline", {**SMALL, "office.assessment_hours": 6.0})
    return [Arm("baseline", base), Arm("slow office", slow)]


def fails_on_seed_12(model):
    """A collector that breaks on one seed (a stand-in for a bug in one run)."""
    if int(model.params["run.seed"]) == 12:
        raise ValueError("a bug in this run")
    return collect_figures(model)


def test_every_engine_gives_the_same_paired_runs():
    serial = run_arms(arms(), SEEDS).paired()
    local = run_arms(arms(), SEEDS, engine="local", workers=2).paired()
    assert serial.seeds == local.seeds == SEEDS
    pd.testing.assert_frame_equal(serial.summaries, local.summaries)
    pd.testing.assert_frame_equal(serial.groups, local.groups)
    assert list(serial.summaries["scenario"].unique()) == ["baseline", "slow office"]


@pytest.mark.parametrize("engine", ["serial", "local"])
def test_a_failed_run_is_reported_and_the_others_complete(engine):
    result = run_arms(arms(), SEEDS, collect=fails_on_seed_12, engine=engine, workers=2)
    assert len(result.failures) == 2  # both arms on seed 12
    assert all("ValueError: a bug in this run" in e for e in result.failures.values())
    assert result.complete  # every run was tried: none was cancelled
    runs = result.paired()
    assert runs.seeds == [11, 13] and runs.failures == result.failures


def test_cancelling_keeps_complete_pairs_only():
    calls = {"n": 0}

    def progress(done: int, total: int) -> None:
        calls["n"] = done

    result = run_arms(arms(), SEEDS, progress=progress, cancel=lambda: calls["n"] >= 3)
    assert not result.complete
    assert result.complete_pairs() == [0]  # the second pair was cut in the middle
    assert result.paired().seeds == [SEEDS[0]]


def test_parameter_draws_run_every_arm_on_every_seed():
    draws = [{"helpseeking.awareness": 0.5}, {"helpseeking.awareness": 0.9}]
    same = load_scenario("baseline", SMALL)
    result = run_arms([Arm("A", same), Arm("B", same)], SEEDS[:2], draws=draws)
    assert len(result.tasks) == 2 * 2 * 2 and result.complete
    runs = result.paired()
    assert runs.draws == draws and "draw" in runs.summaries
    assert sorted(runs.summaries["replicate"].unique()) == [0, 1, 2, 3]  # one per (draw, seed)
    table = compare_table(runs)
    assert (table.dropna(subset=["diff"])["diff"] == 0).all()  # identical arms: no difference
    by_draw = runs.summaries[runs.summaries["indicator"] == "non_take_up_share"]
    means = by_draw.groupby("draw")["value"].mean()
    assert means[0] != means[1]  # the draws' parameters were applied


def test_runs_in_a_store_are_not_run_again(tmp_path):
    store = SweepStore(tmp_path / "cmp", manifest_name="manifest.json")
    tasks = plan_pairs(arms(), SEEDS)
    store.root.mkdir()
    store.write_design(design_frame(tasks))
    first = run_arms(arms(), SEEDS, store=store)
    assert len(store.done_keys()) == 6 and first.resumed == 0
    ticks = []
    again = run_arms(arms(), SEEDS, store=store, progress=lambda d, t: ticks.append((d, t)))
    assert again.resumed == 6 and ticks == [(6, 6)]
    pd.testing.assert_frame_equal(again.paired().summaries, first.paired().summaries)
