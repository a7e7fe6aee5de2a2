"""WelfareModel is a well-behaved Mesa 3.3.1 model: batch_run, SolaraViz, agents, release."""

from __future__ import annotations

import gc
import importlib
import inspect
import json
import warnings
import weakref
from typing import ClassVar

import mesa
import numpy as np
import pytest

from willsim import WelfareModel
from willsim.citizens import Status
from willsim.collector import OVERALL_KEYS
from willsim.model import MODEL_REPORTERS
from willsim.params import DOMAINS

# Solara's hook linter warns (UserWarning) about Mesa's own ComponentsView when mesa.visualization
# is first imported; the suite turns warnings into errors, so import it here with that ignored.
# mesa.visualization needs networkx and altair: the project depends on mesa[rec].
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    importlib.import_module("mesa.visualization")

solara_warnings = pytest.mark.filterwarnings("ignore::UserWarning")

SMALL = {
    "city__population": 3000,
    "run__weeks": 5,
    "run__mesa_citizens": False,
    "run__burn_in_weeks": 26,  # a short burn-in: Mesa sees only reported weeks
}


def _live_models() -> list[WelfareModel]:
    return [o for o in gc.get_objects() if isinstance(o, WelfareModel)]


@pytest.fixture
def release_new_models():
    """Release WelfareModels created during the test that nobody else releases (batch_run)."""
    before = set(mesa.Agent._ids)
    yield
    for model in [m for m in mesa.Agent._ids if m not in before]:
        if isinstance(model, WelfareModel):
            model.release()


# --- batch_run --------------------------------------------------------------------------------


def test_batch_run_returns_model_reporters(release_new_models):
    rows = mesa.batch_run(
        WelfareModel,
        parameters={"city__population": [3000], "run__weeks": [5], "seed": [1, 2]},
        iterations=1,
        max_steps=5,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 2
    assert sorted(row["seed"] for row in rows) == [1, 2]
    for row in rows:
        assert row["Step"] == 4  # last of five steps
        assert row["city__population"] == 3000 and row["run__weeks"] == 5
        for key in MODEL_REPORTERS:
            assert key in row, key
            assert isinstance(row[key], float), key
        assert np.isfinite(row["public_spending_eur"]) and row["public_spending_eur"] > 0
        assert 0 <= row["unmet_need_share"] <= 1
    # different seeds, different runs
    assert rows[0]["public_spending_eur"] != rows[1]["public_spending_eur"] or (
        rows[0]["unmet_need_share"] != rows[1]["unmet_need_share"]
    )


def test_batch_run_rows_equal_a_direct_run(small_model, release_new_models):
    rows = mesa.batch_run(
        WelfareModel,
        parameters={**SMALL, "seed": [3]},
        iterations=1,
        max_steps=5,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    assert [row["Step"] for row in rows] == [0, 1, 2, 3, 4]
    direct = small_model(seed=3, **SMALL)
    direct.run()
    index = {key: k for k, key in enumerate(OVERALL_KEYS)}
    for row in rows:
        for key in MODEL_REPORTERS:
            expected = direct.collector.overall[row["Step"], index[key]]
            assert row[key] == pytest.approx(expected, nan_ok=True), (row["Step"], key)


def test_mesa_step_counter_and_running_flag(small_model):
    model = small_model(**SMALL)
    assert model.steps == 0 and model.running
    model.step()
    assert model.steps == 1 and model.week == 1
    model.run()
    assert model.week == 5 and model.steps == 5 and not model.running
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(MODEL_REPORTERS) and len(df) == 5


def test_agents_are_registered_with_mesa(small_model):
    model = small_model(seed=2, city__population=3000, run__weeks=2, run__mesa_citizens=True)
    kinds = {cls.__name__: len(agents) for cls, agents in model.agents_by_type.items()}
    assert kinds["Citizen"] == model.citizens.n
    assert kinds["Municipality"] == 1
    assert kinds["Provider"] == len(model.providers) > 0
    ids = [a.unique_id for a in model.agents]
    assert len(set(ids)) == len(ids)


# --- SolaraViz --------------------------------------------------------------------------------


def test_mesa_visualization_is_importable():
    from mesa.visualization import SolaraViz, make_plot_component  # noqa: F401


@solara_warnings
def test_solara_viz_renders_a_plot_of_the_model(small_model):
    import ipywidgets
    import solara
    from mesa.visualization import SolaraViz, make_plot_component

    model = small_model(seed=1, **SMALL)
    model.step()
    page = SolaraViz(
        model,
        components=[make_plot_component("unmet_need_share")],
        model_params={"seed": 1, **SMALL},
    )
    _, rc = solara.render(page, handle_error=False)
    image = rc.find(ipywidgets.Image).widget
    assert image.value[:4] == b"\x89PNG"


@solara_warnings
def test_solara_viz_app_steps_and_resets_the_model(small_model, release_new_models):
    """The full app (with its sidebar of controls and model parameters) works."""
    import ipyvuetify as v
    import solara
    from mesa.visualization import Slider, SolaraViz, make_plot_component

    model = small_model(seed=1, **SMALL)
    params = {
        "seed": 1,
        **SMALL,
        "office__assessment_hours": Slider("Hours per assessment", 2.5, 0.5, 6.0, 0.5),
    }

    @solara.component
    def App():
        with solara.AppLayout():
            SolaraViz(
                model, components=[make_plot_component("unmet_need_share")], model_params=params
            )

    _, rc = solara.render(App(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.week == 1 and model.steps == 1
    before = {id(m) for m in _live_models()}
    rc.find(v.Btn, children=["Reset"]).widget.click()  # builds WelfareModel(**model_params)
    new = [m for m in _live_models() if id(m) not in before and m is not model]
    assert len(new) == 1
    assert new[0].params["office.assessment_hours"] == 2.5
    assert new[0].params["city.population"] == 3000 and new[0].week == 0


def test_constructor_meets_mesa_viz_parameter_contract():
    """Mesa 3.3.1 SolaraViz passes model_params as keywords and checks them against the
    constructor: free-form keywords must come through a parameter named ``kwargs``, and every
    other parameter must have a default."""
    params = inspect.signature(WelfareModel.__init__).parameters
    var_keyword = [n for n, p in params.items() if p.kind is inspect.Parameter.VAR_KEYWORD]
    assert var_keyword == ["kwargs"]
    for name, p in params.items():
        if name not in ("self", "kwargs"):
            assert p.default is not inspect.Parameter.empty, name


def test_keyword_overrides_work_as_mesa_passes_them(small_model):
    model = small_model(**{"seed": 2, "office__assessment_hours": 4.0, **SMALL})
    assert model.params["office.assessment_hours"] == 4.0
    assert model.scenario.provenance["office.assessment_hours"] == "override"


# --- citizens and release ----------------------------------------------------------------------


@pytest.mark.parametrize("mesa_citizens", [True, False])
def test_citizen_describe(small_model, mesa_citizens):
    model = small_model(
        seed=1, city__population=3000, run__weeks=3, run__mesa_citizens=mesa_citizens
    )
    model.run()
    c = model.citizens
    i = int(np.flatnonzero((c.need_level > 0).any(axis=0))[0])  # someone with a need
    info = model.citizen(i).describe()
    json.dumps(info)  # plain data
    assert info["index"] == i
    assert set(info["needs"]) == set(DOMAINS)
    for d, domain in enumerate(DOMAINS):
        need = info["needs"][domain]
        assert need["level"] == int(c.need_level[d, i])
        assert need["status"] == Status(int(c.status[d, i])).name.lower()
        assert need["since_week"] == int(c.need_since[d, i])
        assert need["provider"] == int(c.provider[d, i])
    assert any(need["level"] > 0 for need in info["needs"].values())
    assert info["isee_eur"] == pytest.approx(float(c.isee[i]))
    assert info["ties"] == int(c.degree[i]) == len(model.citizen(i).ties)
    for key in (
        "age_band",
        "living_alone",
        "income_band",
        "neet",
        "digital",
        "trust",
        "aware",
        "district",
        "distance_km",
        "residential",
        "crises",
    ):
        assert key in info, key


def test_citizen_agents_are_views_on_the_arrays(small_model):
    model = small_model(seed=1, city__population=3000, run__weeks=3, run__mesa_citizens=True)
    agent = model.citizen(10)
    assert agent is model.citizen_agents[10]
    before = agent.describe()["needs"]
    model.run()
    after = agent.describe()["needs"]
    c = model.citizens
    assert after["care"]["level"] == int(c.need_level[0, 10])
    assert isinstance(before, dict)


def test_release_removes_the_model_from_mesa(small_model):
    model = small_model(seed=1, **SMALL)
    model.run()
    assert model not in mesa.Agent._ids  # willsim's agents count ids on the model itself
    mesa.Agent(model)  # a plain Mesa agent: Mesa 3.3 keeps the model in Agent._ids
    assert model in mesa.Agent._ids
    model.release()
    assert model not in mesa.Agent._ids
    model.release()  # idempotent
    assert model not in mesa.Agent._ids


@pytest.mark.slow
def test_batch_run_in_parallel_processes_gives_the_same_rows(release_new_models):
    parameters = {**SMALL, "seed": [1, 2]}
    kwargs = {"iterations": 1, "max_steps": 5, "data_collection_period": -1}
    serial = mesa.batch_run(WelfareModel, parameters, number_processes=1, **kwargs)
    parallel = mesa.batch_run(WelfareModel, parameters, number_processes=2, **kwargs)
    serial.sort(key=lambda row: row["seed"])
    parallel.sort(key=lambda row: row["seed"])
    assert len(serial) == len(parallel) == 2
    for a, b in zip(serial, parallel, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if key != "RunId":
                assert a[key] == pytest.approx(b[key], nan_ok=True, rel=0, abs=0), key


# --- lazy views, identities, fresh seeds, memory -------------------------------------------------


def test_citizen_agents_are_made_on_demand(small_model):
    model = small_model(seed=1, **SMALL)
    citizens = [a for a in model.agents if type(a).__name__ == "Citizen"]
    assert not citizens and not model.citizen_agents
    agent = model.citizen(7)
    assert agent is model.citizen(7) and agent in model.agents
    assert model.citizen_agents == [agent]
    with pytest.raises(IndexError, match="resident index"):
        model.citizen(model.citizens.n)


def test_a_newcomer_is_a_new_person(small_model):
    model = small_model(seed=4, city__population=3000, run__weeks=60, run__mesa_citizens=True)
    before = {i: model.citizen(i) for i in range(model.citizens.n)}
    ids = model.citizens.person_id.copy()
    model.run()
    replaced = np.flatnonzero(model.citizens.person_id != ids)
    assert replaced.size > 0  # some residents died and newcomers took their rows
    i = int(replaced[0])
    old, new = before[i], model.citizen(i)
    assert not old.present and new.present and new is not old
    assert new.person_id == int(model.citizens.person_id[i]) != old.person_id
    with pytest.raises(LookupError, match="has died"):
        old.describe()
    assert old not in model.agents and new in model.agents
    kinds = {cls.__name__: len(agents) for cls, agents in model.agents_by_type.items()}
    assert kinds["Citizen"] == model.citizens.n  # the agent set still holds every resident
    assert len(set(model.citizens.person_id.tolist())) == model.citizens.n


def test_provider_agents_read_capacity_and_load_from_the_services_arrays(small_model):
    normal = small_model(seed=2, **SMALL)
    shocked = small_model(seed=2, shock__pandemic=True, shock__pandemic_capacity=0.5, **SMALL)
    for model in (normal, shocked):
        model.run()
    services = shocked.services
    for j, provider in enumerate(shocked.providers):
        assert provider.capacity == pytest.approx(services.capacity[j].sum())
        assert provider.load == pytest.approx(services.load[j].sum())
        # the pandemic halves the calibrated contract (whole cases and bought hours on top)
        assert services.base_capacity[j].sum() == pytest.approx(
            0.5 * normal.services.base_capacity[j].sum()
        )
        assert provider.revenue == pytest.approx(services.revenue_total[j])


def test_batch_run_iterations_without_a_seed_differ_and_repeat(release_new_models):
    kwargs = {"iterations": 3, "max_steps": 5, "number_processes": 1}
    kwargs |= {"data_collection_period": -1, "display_progress": False}
    params = {"city__population": [3000], "run__weeks": [5]}
    first = mesa.batch_run(WelfareModel, parameters=params, **kwargs)
    again = mesa.batch_run(WelfareModel, parameters=params, **kwargs)
    spending = [row["public_spending_eur"] for row in first]
    assert len(set(spending)) == 3  # each iteration its own seed
    assert spending == [row["public_spending_eur"] for row in again]  # reproducible
    direct = WelfareModel(city__population=3000, run__weeks=5)
    direct.run()
    assert (
        direct.collector.overall[-1, direct.collector.index["public_spending_eur"]]
        == (
            spending[0]  # iteration 0 is the scenario's own seed
        )
    )


class _Tracked(WelfareModel):
    made: ClassVar[list[weakref.ref]] = []

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        _Tracked.made.append(weakref.ref(self))


def test_models_are_freed_after_batch_run():
    """No reference outlives a batch run: every model it built is garbage-collected."""
    _Tracked.made.clear()
    mesa.batch_run(
        _Tracked,
        parameters={**SMALL, "seed": [1, 2, 3], "run__mesa_citizens": [True]},
        iterations=1,
        max_steps=5,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    gc.collect()
    assert len(_Tracked.made) == 3
    assert all(ref() is None for ref in _Tracked.made)
