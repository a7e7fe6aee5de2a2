"""The headline levers drawn as sliders: one list, every key in the registry under its group,
bounded single numbers a slider can cover; derived defaults shown as their value."""

from __future__ import annotations

import math

import pytest

from willsim.app.controls import group_keys, slider_value
from willsim.app.levers import HEADLINE, MAX_SLIDER_SPAN, derived_value, nice_step, slider_range
from willsim.params import PARAMETERS
from willsim.scenario import load_scenario


def test_every_headline_lever_is_a_bounded_number_of_its_group():
    assert set(HEADLINE) <= set(PARAMETERS.groups())
    for group, keys in HEADLINE.items():
        assert keys, group
        for key in keys:
            p = PARAMETERS[key]
            assert p.group == group, key
            assert p.length is None and not p.choices and not isinstance(p.default, bool), key
            low, high, step = slider_range(key)
            assert high - low <= MAX_SLIDER_SPAN, key
            assert 0 < step <= (high - low) / 50, key
            assert low <= p.default <= high, key


def test_a_group_panel_lists_its_sliders_first_and_every_other_parameter_once():
    for group in PARAMETERS.groups():
        keys = group_keys(group)
        assert len(keys) == len(set(keys))
        headline = [k for k in HEADLINE.get(group, ()) if k in keys]
        assert keys[: len(headline)] == headline


@pytest.mark.parametrize(("rough", "step"), [(0.01, 0.01), (0.006, 0.005), (0.5, 0.5), (0.59, 0.5)])
def test_slider_steps_are_round(rough, step):
    assert math.isclose(nice_step(rough), step)


def test_a_slider_position_becomes_a_valid_value():
    assert slider_value("helpseeking.awareness", 0.7000000000000001, 0.01) == 0.7
    assert slider_value("network.mean_ties", 6.499999, 0.5) == 6.5


def test_social_workers_derived_from_the_city_are_shown_as_a_number():
    params = load_scenario("baseline").params
    assert int(params["office.social_workers"]) == 0
    derived = derived_value("office.social_workers", params)
    expected = params["city.population"] / params["city.residents_per_social_worker"]
    assert derived == pytest.approx(expected) and derived > 1
    assert derived_value("office.social_workers", {**params, "office.social_workers": 30}) is None
    assert derived_value("helpseeking.awareness", params) is None
