"""The journey log: events by phase with the rule that fired, no effect on results, bounded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from willsim import WelfareModel
from willsim.journal import MAX_TRACKED, Event, Journal, event_texts, follow, rule_texts
from willsim.results import summary

GENEROUS = {"providers__hours_per_1000": [60.0, 60.0, 60.0], "municipality__budget_multiplier": 4.0}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


def test_attaching_a_journal_does_not_change_results(small_model):
    plain = small_model(scenario="proactive-platform", run__weeks=30).run()
    watched = small_model(scenario="proactive-platform", run__weeks=30)
    journal = follow(watched, k=watched.citizens.n)
    watched.run()
    assert _same(summary(plain), summary(watched))
    assert sum(len(e) for e in journal.events_by) > 500  # it did record, from every phase
    phases = {e.phase for events in journal.events_by for e in events}
    assert {"needs", "outreach", "helpseeking", "office", "services", "crises"} <= phases


def test_a_need_that_arises_and_is_served(small_model):
    model = small_model(run__weeks=40, **GENEROUS)
    journal = follow(model, k=model.citizens.n)
    model.run()
    chains = 0
    for r in journal.idx:
        kinds = [e.kind for e in journal.events(int(r))]
        if "need_arose" not in kinds or "placed" not in kinds:
            continue
        arose, placed = kinds.index("need_arose"), kinds.index("placed")
        if arose < placed:
            between = kinds[arose:placed]
            assert "eligible" in between or "taken_in_charge" in between
            assert kinds[placed - 1] == "wait"  # the waiting-list wait comes with the placement
            chains += 1
    assert chains >= 3
    # the rule that fired is named in both languages
    placed = next(e for events in journal.events_by for e in events if e.kind == "placed")
    assert placed.phase == "services" and placed.rule == "allocation"
    assert "capacity" in placed.rule_text("en") and "capacità" in placed.rule_text("it")
    assert placed.text("en").startswith("Placed with")
    assert placed.text("it").startswith("Assegnato")


def test_crisis_events_match_the_model_count(small_model):
    model = small_model(run__weeks=30, crises__care_by_level=[0.6, 0.8, 1.0, 1.0], crises__work=0.5)
    journal = follow(model, k=model.citizens.n)
    counted = []

    def count(m: WelfareModel, phase: str, week: int) -> None:
        if phase == "crises":
            counted.append(int(m.crises.care_crisis.sum() + m.crises.work_crisis.sum()))

    model.observers.append(count)
    model.run()
    crises = [e for events in journal.events_by for e in events if e.kind == "crisis"]
    assert len(crises) == sum(counted) > 0
    assert {e.value for e in crises} == {"hospital", "housing"}
    hospital = next(e for e in crises if e.value == "hospital")
    assert hospital.text("it") == "Crisi: ricovero in ospedale"
    assert journal.summary()["crises"].sum() == len(crises)


def test_deaths_and_policies_are_logged(small_model):
    model = small_model(scenario="proactive-platform", run__weeks=40)
    journal = follow(model, k=model.citizens.n)
    model.run()
    died = [e for events in journal.events_by for e in events if e.kind == "died"]
    assert died and all(e.phase == "needs" and e.rule == "mortality" for e in died)
    assert len(journal.policy_events) == len(model.policies.log) > 0
    someone = int(journal.idx[0])
    kinds = [e.kind for e in journal.events(someone)]
    assert "policy_start" in kinds
    start = next(e for e in journal.policy_events if e.kind == "policy_start")
    assert "settimana" in start.rule_text("it") or "condizione" in start.rule_text("it")
    table = journal.table(someone, "it")
    assert list(table.columns) == ["settimana", "fase", "evento", "regola"]
    assert table["settimana"].is_monotonic_increasing


def test_needs_present_when_following_begins_are_recorded(small_model):
    model = small_model(run__weeks=3)
    journal = follow(model, k=200)
    c = model.citizens
    for r in journal.idx[:50]:
        initial = [e for e in journal.events(int(r)) if e.kind == "need_present"]
        assert len(initial) == int((c.need_level[:, r] > 0).sum())
        for e in initial:
            assert e.week == 0 and e.phase == "start" and e.value == c.need_level[e.domain, r]
            assert e.text("it").startswith("Bisogno di")


def test_memory_is_bounded_and_residents_can_be_added(small_model):
    model = small_model(run__weeks=30)
    journal = Journal(range(0, model.citizens.n, 7), max_events=3, max_history_weeks=10)
    journal.attach(model)
    model.run(progress=lambda week: journal.follow([1, 2]) if week == 10 else None)
    assert max(len(e) for e in journal.events_by) <= 3 and journal.dropped > 0
    assert len(journal.history) == 10
    line = journal.timeline(1)  # followed from week 10: 10 weeks of history kept, all after it
    assert line["status"].shape == (3, 10) and line["week"].min() >= 10
    with pytest.raises(ValueError, match="at most"):
        Journal(range(MAX_TRACKED + 1))
    with pytest.raises(KeyError, match="not followed"):
        journal.events(3)


def test_every_event_kind_and_rule_is_worded_in_both_languages():
    """The journal's own wording and every phase's (``journey_text``, ``journey_rules``)."""
    texts, rules = event_texts(), rule_texts()
    for kind in ("need_arose", "request", "placed", "platform_match", "peer_help", "crisis"):
        assert kind in texts, kind
    for kind, (en, it) in texts.items():
        event = Event(3, "needs", 1, kind, domain=0, value=2)
        assert en != it, kind
        assert event.text("en") and event.text("it"), kind
    for key, (en, it) in rules.items():
        assert en and it and (en != it or "{" in en), key


def test_default_sample_spreads_over_the_city():
    from willsim.journal import sample_residents

    picked = sample_residents(20_000, 10)
    assert picked.size == 10 and picked[0] == 0 and picked[-1] == 19_999
    assert np.all(np.diff(picked) > 1_000)
    np.testing.assert_array_equal(sample_residents(5, 10), np.arange(5))
