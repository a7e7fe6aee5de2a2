"""The mechanism contract: each phase reads exactly the quantities it declares, with the declared
lag, and a mechanism added through the contract alone runs, pays, is collected and compared."""

from __future__ import annotations

import math

import numpy as np
import pytest

from willsim import WelfareModel, phases
from willsim.citizens import ISOLATION
from willsim.experiments.compare import compare_table, run_paired
from willsim.indicators import INDICATOR_LIST, INDICATORS
from willsim.mechanisms.base import Mechanism, Read, SpendingItem
from willsim.outputs import Indicator, P, Q, Ratio, Total
from willsim.results import group_summary, summary

SMALL = {"city__population": 4000, "run__weeks": 30, "run__mesa_citizens": False}
CONTRIBUTIONS = ("care_hours_for", "needs_met")
"""Coverage reads these of every phase that declares a share of coverage."""


# --- the read/write table -------------------------------------------------------------------


class _Spy:
    """Stands in for a mechanism and logs which phase reads which of its published quantities."""

    def __init__(self, target: Mechanism, log: set, running: list) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_running", running)

    def __getattr__(self, name: str):
        target = object.__getattribute__(self, "_target")
        reader = object.__getattribute__(self, "_running")[0]
        watched = name in target.publishes or name in CONTRIBUTIONS
        if watched and reader is not None and reader != target.name:
            object.__getattribute__(self, "_log").add((reader, f"{target.name}.{name}"))
        return getattr(target, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(object.__getattribute__(self, "_target"), name, value)


def _instrument(model: WelfareModel) -> set[tuple[str, str]]:
    """Replace every mechanism of ``model`` by a spy; the returned set fills as it runs."""
    log: set[tuple[str, str]] = set()
    running: list[str | None] = [None]
    for name, real in list(model.mechanisms.items()):
        spy = _Spy(real, log, running)
        step = real.step

        def timed_step(m, week, _name=name, _step=step):
            running[0] = _name
            try:
                _step(m, week)
            finally:
                running[0] = None

        real.step = timed_step
        model.mechanisms[name] = spy  # type: ignore[assignment]
        object.__setattr__(model, name, spy)
    return log


def _expected_reads(model: WelfareModel) -> dict[str, dict[str, int | None]]:
    """Declared reads per phase; coverage also reads every contribution to coverage."""
    expected = {
        name: {r.quantity: r.lag for r in type(m._target).reads}
        for name, m in model.mechanisms.items()
    }
    order = list(model.mechanisms)
    for name, m in model.mechanisms.items():
        cls = type(m._target)
        lag = 0 if order.index(name) < order.index("coverage") else 1
        if cls.care_hours_kind is not None:
            expected["coverage"][f"{name}.care_hours_for"] = lag
        if cls.meets:
            expected["coverage"][f"{name}.needs_met"] = lag
        if "family_spending" in cls.publishes:
            expected["coverage"][f"{name}.family_spending"] = lag
    return expected


EVERYTHING_ON = {"transitions__ageing_from_week": 2, "transitions__digital_from_week": 2}


@pytest.mark.parametrize(
    "scenario", ["on-demand-centralised", "proactive-platform", "on-demand-platform"]
)
def test_each_phase_reads_exactly_what_it_declares(small_model, scenario):
    extra = EVERYTHING_ON if scenario == "proactive-platform" else {}
    model = small_model(scenario=scenario, **SMALL, **extra)
    log = _instrument(model)
    expected = _expected_reads(model)
    model.run()
    actual: dict[str, set[str]] = {name: set() for name in model.mechanisms}
    for reader, quantity in log:
        actual[reader].add(quantity)
    for name in model.mechanisms:
        assert actual[name] <= set(expected[name]), (name, actual[name] - set(expected[name]))
    # with every mechanism on, every declared read of a mechanism that ran happens
    if scenario == "proactive-platform":
        for name, mechanism in model.mechanisms.items():
            if not mechanism.idle(model):
                missing = set(expected[name]) - actual[name]
                assert not missing, (name, missing)


def test_declared_lags_follow_the_phase_order():
    """Lag 0: the publisher runs earlier in the week; lag 1: later (last week's value); a call
    (lag None) hands something to a method the publisher declares."""
    order = phases.phase_names()
    by_name = {m.name: m for m in phases.PHASES}
    for mech in phases.PHASES:
        for read in mech.reads:
            source, _, quantity = read.quantity.partition(".")
            assert source in by_name and source != mech.name, read
            assert quantity in by_name[source].publishes, read
            if read.lag is None:
                assert callable(getattr(by_name[source], quantity, None)), read
            else:
                before = order.index(source) < order.index(mech.name)
                assert read.lag == (0 if before else 1), read


def test_the_marketplace_reads_last_weeks_coverage():
    marketplace = next(m for m in phases.PHASES if m.name == "marketplace")
    assert Read("coverage.met", lag=1) in marketplace.reads


# --- declarations -----------------------------------------------------------------------------


def test_every_indicator_has_a_direction_and_a_formula():
    assert len(INDICATORS) == len(INDICATOR_LIST) > 50
    for ind in INDICATOR_LIST:
        assert ind.better in (-1, 0, 1), ind.key
        assert ind.formula is not None and ind.formula.terms(), ind.key
        assert ind.label and ind.label_it and ind.unit and ind.description, ind.key
        for path in ind.formula.paths():
            source, _, name = path.partition(".")
            mech = next((m for m in phases.PHASES if m.name == source), None)
            if mech is not None:
                assert name in mech.publishes, (ind.key, path)


def test_spending_items_make_the_ledger_and_their_indicators(small_model):
    model = small_model(**SMALL)
    items = phases.spending_items()
    assert model.municipality.items == tuple(i.key for i in items)
    for item in items:
        assert f"spending_{item.key}_eur" in INDICATORS
    with pytest.raises(KeyError, match="declare it"):
        model.municipality.pay("undeclared", 1.0)


def test_streams_come_from_the_declarations(small_model):
    model = small_model(**SMALL)
    for mech in phases.PHASES:
        for name in mech.streams:
            model.streams[name]  # no KeyError
    with pytest.raises(KeyError, match="declare it"):
        model.streams["undeclared"]


# --- a mechanism added through the contract alone ---------------------------------------------


class Befriending(Mechanism):
    """A toy: volunteers phone isolated residents; a call meets their isolation that week."""

    name = "befriending"
    label = ("befriending calls", "telefonate di compagnia")
    streams = ("befriending",)
    spending = (
        SpendingItem("befriending", "Befriending", "Compagnia", "Phone line for volunteers."),
    )
    publishes = ("calls", "called")
    group_quantities = ("called",)
    reads = (Read("coverage.met", lag=1),)
    meets = (ISOLATION,)
    WEEKLY_COST = 500.0
    CALL_SHARE = 0.3
    indicators = (
        Indicator(
            "befriending_calls",
            "Befriending calls",
            "Telefonate di compagnia",
            "calls/week",
            "Isolated residents phoned by volunteers.",
            Total(P("befriending.calls")),
            summary="sum",
            better=1,
            tags=("key",),
        ),
        Indicator(
            "befriending_reach",
            "Befriending reach",
            "Copertura delle telefonate",
            "share",
            "Calls over isolated residents, also by citizen group.",
            Ratio(Q("befriending.called"), "isolated"),
            groups=Ratio(Q("befriending.called"), "isolated"),
        ),
    )

    def setup(self, model: WelfareModel) -> None:
        self.called = np.zeros(model.citizens.n, dtype=bool)
        self.calls = 0

    def step(self, model: WelfareModel, week: int) -> None:
        c, met = model.citizens, model.coverage.met
        paid = model.municipality.pay("befriending", self.WEEKLY_COST)
        lonely = (c.need_level[ISOLATION] > 0) & ~met[ISOLATION]
        u = model.streams["befriending"].random(c.n, dtype=np.float32)
        self.called = lonely & (u < self.CALL_SHARE * paid / self.WEEKLY_COST)
        self.calls = int(np.count_nonzero(self.called))

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        return self.called


def test_a_mechanism_plugged_in_runs_pays_is_collected_and_compared(small_model):
    # no burn-in: a plugged-in mechanism is part of the status quo, so it would shape the
    # burn-in (budget, services, care levels, deaths) and the two runs would start apart
    cold = {**SMALL, "run__burn_in_weeks": 0}
    plain = small_model(**cold).run()
    with phases.plugged_in(Befriending, after="community"):
        model = small_model(**cold)
        assert model.phase_names.index("befriending") == model.phase_names.index("community") + 1
        log = _instrument(model)
        model.run()
        result = summary(model)
        assert result["befriending_calls"] > 0
        assert result["spending_befriending_eur"] == pytest.approx(
            Befriending.WEEKLY_COST * SMALL["run__weeks"] * model.citizens.weight
        )
        public = result["public_spending_eur"] - summary(plain)["public_spending_eur"]
        assert public > 0  # it pays out of the same ledger (and services change a little)
        assert result["isolated_share"] == summary(plain)["isolated_share"]  # it calls, it
        # does not cure: isolation itself is untouched, but calls meet it that week
        assert result["unmet_need_share"] < summary(plain)["unmet_need_share"]
        assert ("befriending", "coverage.met") in log
        by_group = group_summary(model)
        reach = by_group[by_group["indicator"] == "befriending_reach"]
        assert set(reach["group_var"]) >= {"age_band", "income", "district"}
        assert reach["value"].max() > 0
        assert ("coverage", "befriending.needs_met") in log
        runs = run_paired(
            ["baseline", "proactive-centralised"],
            replicates=2,
            overrides={"city.population": 3000, "run.weeks": 10, "run.mesa_citizens": False},
        )
        table = compare_table(runs, indicators=["befriending_calls", "befriending_reach"])
        assert set(table["indicator"]) == {"befriending_calls", "befriending_reach"}
        assert table["mean"].map(math.isfinite).all()
    assert "befriending_calls" not in INDICATORS  # unplugged: the registry is as before
    assert "befriending" not in phases.phase_names()
