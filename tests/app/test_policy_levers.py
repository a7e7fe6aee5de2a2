"""Policy levers changed in the app start at reported week 0 through a policy; assumptions stay
overrides. The one list of levers (:data:`willsim.app.levers.POLICY_LEVERS`) is kept consistent
with the parameter and policy registries, a Compare variant that raises the staff shares the
baseline's burn-in (same city state at week 0 for the same seed, a shorter wait afterwards), an
assumption still shapes the burn-in, and the exported file reproduces what ran."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from willsim.app import compare, export, state
from willsim.app.levers import (
    APP_POLICY_LABEL,
    POLICY_LEVERS,
    changes_as_scenario_parts,
    is_policy_lever,
)
from willsim.model import WelfareModel, status_quo_params
from willsim.params import PARAMETERS
from willsim.phases import strategy_keys
from willsim.policies import POLICY_TYPES, parse_policy
from willsim.policies.week0 import policy_type_of
from willsim.results import wide
from willsim.scenario import Parameters, Scenario

NOT_LEVERS = {
    "office.exogenous_requests": "the validation mode of the office queue, not a decision",
    "shock.pandemic": "an event that happens to the city",
    "shock.heatwave": "an event that happens to the city",
}
"""``setting:`` parameters a policy may set that are not policy levers, and why."""


def _variants(*changes: str, residents: int = 500, weeks: int = 8) -> list[Scenario]:
    settings = compare.Settings(
        variants=tuple(compare.Variant("baseline", c) for c in changes),
        residents=residents,
        weeks=weeks,
    )
    return compare.build_scenarios(settings)


# --- the rule, against the registries -----------------------------------------------------------


def test_every_lever_is_a_parameter_a_policy_may_set():
    assert len(POLICY_LEVERS) == len(set(POLICY_LEVERS))
    for key in POLICY_LEVERS:
        kind = policy_type_of(key)
        assert kind is not None, key
        spec = parse_policy({"type": kind, "set": {key: PARAMETERS[key].default}})
        assert spec.values[key] == PARAMETERS[key].default


def test_every_platform_and_governance_switch_is_a_lever():
    switches = {p.switch for p in POLICY_TYPES.values() if p.switch and "shock" not in p.groups}
    assert switches and switches <= set(POLICY_LEVERS)


def test_every_setting_a_policy_may_set_is_a_lever_or_named_as_not_one():
    settable = {g for p in POLICY_TYPES.values() for g in p.groups}
    settings = {
        k for k, p in PARAMETERS.items() if p.group in settable and p.source.startswith("setting:")
    }
    assert settings - set(POLICY_LEVERS) == set(NOT_LEVERS)


def test_assumptions_about_the_city_are_not_levers():
    for key in ("helpseeking.awareness", "helpseeking.trust_mean", "needs.care_progression"):
        assert not is_policy_lever(key)
    assert not any(is_policy_lever(k) for k in PARAMETERS if k.startswith("run."))


class _Reads(Parameters):
    """Parameters that remember which keys were read."""

    read: set[str]

    def __getitem__(self, key: str):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_every_lever_a_policy_starts_is_re_read_when_a_policy_changes_it():
    """A week-0 policy only works if the model re-reads the lever when a policy starts
    (``model.reconfigure``); a lever read once at build (e.g. office.hours_per_week) would do
    nothing, so it cannot be on the list."""
    model = WelfareModel("baseline", seed=1, params={"run.residents": 300, "run.weeks": 1})
    tracked = _Reads(model.params)
    tracked.read = set()
    model.params = tracked
    model.reconfigure()
    started = [k for k in POLICY_LEVERS if k not in strategy_keys()]
    assert started
    assert set(started) <= tracked.read, sorted(set(started) - tracked.read)
    assert "office.hours_per_week" not in tracked.read  # the premise: such levers exist


# --- Compare's variants -------------------------------------------------------------------------


def test_a_variant_raising_the_staff_shares_the_baselines_burn_in_and_hires_at_week_0():
    base, more = _variants("", "office.social_workers = 40")
    assert status_quo_params(more) == status_quo_params(base)
    assert more.params == base.params
    assert base.policies == []
    assert more.policies == [
        {
            "type": "staffing",
            "label": APP_POLICY_LABEL,
            "start": 0,
            "set": {"office.social_workers": 40},
        }
    ]


def test_an_assumption_stays_an_override_and_shapes_the_burn_in():
    base, aware = _variants("", "helpseeking.awareness = 0.95")
    assert aware.policies == []
    assert aware.params["helpseeking.awareness"] == 0.95
    sq_base, sq_aware = status_quo_params(base), status_quo_params(aware)
    assert sq_aware["helpseeking.awareness"] == 0.95 != sq_base["helpseeking.awareness"]


def test_a_switch_or_the_budget_stays_an_override_the_model_starts_at_week_0():
    """The model already keeps strategy keys at the status quo in the burn-in; as overrides
    they stay where the capacity search and the demand-side check read them."""
    overrides, week0 = changes_as_scenario_parts(
        {"municipality.budget_multiplier": 1.2, "outreach.enabled": True, "run.weeks": 8}
    )
    assert week0 == {} and len(overrides) == 3
    base, richer = _variants("", "municipality.budget_multiplier = 1.2")
    assert richer.policies == [] and richer.params["municipality.budget_multiplier"] == 1.2
    assert status_quo_params(richer) == status_quo_params(base)


def test_a_lever_of_a_switched_policy_keeps_the_switch_as_it_was():
    (sc,) = _variants("outreach.hours_per_1000 = 6")
    (entry,) = sc.policies
    assert entry["type"] == "outreach"
    assert entry["set"] == {"outreach.enabled": False, "outreach.hours_per_1000": 6.0}


def test_a_lever_left_at_the_scenarios_value_adds_no_policy():
    (base,) = _variants("")
    same = base.params["eligibility.isee_max"]
    (sc,) = _variants(f"eligibility.isee_max = {same}")
    assert sc.policies == [] and sc.hash == base.hash


def test_the_app_policy_comes_before_the_scenarios_own():
    built = state.resolve(
        state.Choice("budget-cut", overrides={"run.residents": 500, "office.social_workers": 30})
    )
    own = state.resolve(state.Choice("budget-cut", overrides={"run.residents": 500}))
    assert built.scenario.policies[1:] == own.scenario.policies
    assert built.scenario.policies[0]["set"] == {"office.social_workers": 30}
    assert built.values["office.social_workers"] == 30  # what the controls show
    assert (
        built.scenario.params["office.social_workers"]
        == own.scenario.params["office.social_workers"]
    )


def test_the_exported_file_reproduces_what_ran():
    _, more = _variants("", "office.social_workers = 40\nhelpseeking.awareness = 0.9")
    text = export.scenario_file(more)
    assert "App: your changes" in text and "App: le tue modifiche" in text
    again = Scenario.from_mapping(tomllib.loads(text), name="saved.toml")
    assert again.hash == more.hash
    assert again.policies == more.policies
    assert status_quo_params(again) == status_quo_params(more)


# --- the model: paired from the same city state --------------------------------------------------


def _arrays(model: WelfareModel) -> dict[str, np.ndarray]:
    """Every public array of the residents and of the mechanisms, by name (private ones are
    scratch buffers made with ``np.empty``)."""
    out = {f"citizens.{k}": v for k, v in vars(model.citizens).items()}
    for name, mechanism in model.mechanisms.items():
        out.update({f"{name}.{k}": v for k, v in vars(mechanism).items()})
    return {k: v for k, v in out.items() if isinstance(v, np.ndarray) and k.split(".")[1][0] != "_"}


def test_baseline_and_more_staff_start_week_0_from_the_same_city_state_then_wait_less():
    """Both assume 4-hour assessments (an assumption, shared by both burn-ins) so the status
    quo's office has a queue that 12 more social workers can shorten. (6 hours, used before the
    poor adults in work had income needs, now overloads the office beyond what 12 more can
    clear in 26 weeks: mean wait 72.0 -> 65.0 weeks; with 4 hours 31.5 -> 26.3, seed 2.)"""
    slow = "office.assessment_hours = 4"
    base, more = _variants(slow, f"{slow}\noffice.social_workers = 36", residents=2000, weeks=26)
    a, b = WelfareModel(base, seed=2), WelfareModel(more, seed=2)
    arrays_a, arrays_b = _arrays(a), _arrays(b)
    assert arrays_a.keys() == arrays_b.keys() and len(arrays_a) > 20
    for key, value in arrays_a.items():
        assert np.array_equal(value, arrays_b[key], equal_nan=value.dtype.kind == "f"), key
    assert a.office.capacity == b.office.capacity
    a.run(), b.run()
    assert b.policies.log[0].week == 0 and b.policies.log[0].values == {"office.social_workers": 36}
    wait_a, wait_b = (float(wide(m)["mean_wait_weeks"].mean()) for m in (a, b))
    assert wait_b < 0.9 * wait_a, (wait_a, wait_b)


def test_an_assumption_changes_the_city_state_at_week_0():
    base, aware = _variants("", "helpseeking.awareness = 0.95", residents=1000)
    a, b = WelfareModel(base, seed=2), WelfareModel(aware, seed=2)
    assert not np.array_equal(a.citizens.aware, b.citizens.aware)
    assert b.citizens.aware.mean() > a.citizens.aware.mean()


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_note_says_when_changes_apply(language):
    from willsim.reporting.i18n import text

    note = text("levers_week0_note", language)
    assert "0" in note and "burn-in" in note


def test_a_levers_help_says_it_starts_at_week_0():
    from willsim.app import controls, i18n

    assert controls.help_text("office.social_workers").endswith("policy lever: starts at week 0")
    assert "week 0" not in controls.help_text("helpseeking.awareness")
    i18n.lang.value = "it"
    try:
        assert "settimana 0" in controls.help_text("eligibility.isee_max")
    finally:
        i18n.lang.value = "en"
