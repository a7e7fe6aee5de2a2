"""Explore's ecosystem view, citizen journey and Italian help texts, rendered headless."""

from __future__ import annotations

import io

import ipyvuetify as vw
import matplotlib.image as mpimg
import numpy as np
import solara

from willsim.app import controls, ecosystem, i18n, journey, state
from willsim.params import PARAMETERS

SMALL = {"run.residents": 1500, "run.weeks": 12}

SAME_IN_ITALIAN: frozenset[str] = frozenset()
"""Parameters whose Italian description may equal the English one (proper nouns only)."""


def _run(weeks: int = 10, **overrides) -> state.ExploreRun:
    run = state.ExploreRun(state.resolve(state.Choice(overrides={**SMALL, **overrides})))
    run.advance(weeks)
    return run


def test_map_positions_land_on_the_drawn_points():
    run = _run()
    try:
        idx = run.journal.idx[: run.sample_size]
        image = ecosystem.render_map(run.model, idx, None, "en")
        pixels = mpimg.imread(io.BytesIO(image.png))
        assert pixels.shape[:2] == (image.height, image.width)
        cats = ecosystem.categories(run.model, idx)
        colours = [ecosystem.CATEGORIES[c][1] for c in cats]
        hits = 0
        for k in range(0, idx.size, 50):
            x, y = image.px[k]
            rgb = pixels[int(np.rint(y)), int(np.rint(x)), :3]
            hits += bool(np.abs(rgb - np.array(matplotlib_rgb(colours[k]))).max() < 0.2)
            assert image.pick(x + 1, y) is not None
        assert hits >= 0.8 * len(range(0, idx.size, 50))  # mostly not hidden behind others
        assert image.pick(-100, -100) is None
    finally:
        run.release()


def matplotlib_rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_categories_and_flows_follow_the_model():
    run = _run(weeks=12, **{"run.residents": 4000})
    try:
        model, idx = run.model, run.journal.idx
        cats = ecosystem.categories(model, idx)
        c = model.citizens
        waiting = (c.status[:, idx] == 3).any(axis=0) & ~c.residential[idx]
        assert np.all(cats[waiting] == ecosystem.CATEGORY_INDEX["waitlist"])
        flows = ecosystem.flows(model)
        assert flows["requests"] == int(model.helpseeking.requests.sum())
        assert flows["waiting_list"] == int((model.citizens.status == 3).sum())
        fig = ecosystem.flow_figure(flows, "it")
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert any(t.startswith("Sportello sociale") for t in texts)
    finally:
        run.release()


def test_journey_picker_timeline_and_table():
    run = _run(weeks=12, **{"crises.care_by_level": [0.8, 0.9, 1.0, 1.0]})
    try:
        items = journey.picker_items(run.journal, "en")
        assert any("most crises" in i["text"] for i in items)
        r = next(i["value"] for i in items if "most crises" in i["text"])
        events = run.journal.events(r)
        assert any(e.kind == "crisis" for e in events)
        fig = journey.journey_figure(run.journal.timeline(r), events, 12, "it")
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert labels == ["Lavoro e reddito", "Isolamento", "Cura"]
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "crisi" in legend
        empty = {
            "week": np.zeros(0, int),
            "status": np.zeros((3, 0)),
            "level": np.zeros((3, 0)),
            "helped": np.zeros(0, bool),
        }
        journey.journey_figure(empty, [], 12, "en")  # a resident followed from now: no error
    finally:
        run.release()


def test_explore_page_shows_the_ecosystem_and_a_clicked_resident():
    state.choice.value = state.Choice(overrides=SMALL)
    state.selected_resident.value = None
    _box, rc = solara.render(_page(), handle_error=False)
    try:
        rc.find(vw.Btn, children=["Step"]).widget.click()
        rc.find(vw.Btn, children=["Step"]).widget.click()
        img = rc.find(class_="ecosystem-map").widget
        assert img.attributes["data-week"] == "2"
        run = state.explore_model.value
        image = ecosystem.render_map(run.model, run.journal.idx[: run.sample_size], None, "en")
        target = int(run.journal.idx[7])
        x, y = image.px[7]
        img.fire_event("click", {"offsetX": float(x), "offsetY": float(y)})
        assert state.selected_resident.value == target
        rc.find(class_="journey-title").assert_single()
        assert (
            rc.find(class_="journey-title")
            .widget.children[0]
            .startswith(f"Resident {target} · Week 2 of 12")
        )
        i18n.lang.value = "it"
        assert (
            rc.find(class_="journey-title")
            .widget.children[0]
            .startswith(f"Residente {target} · Settimana 2 di 12")
        )
    finally:
        i18n.lang.value = "en"
        state.selected_resident.value = None
        state.replace_explore_model(None)
        rc.close()


def _page():
    from willsim.app import explore

    return explore.ExplorePage()


def test_every_parameter_in_the_controls_has_an_italian_description():
    shown = set(PARAMETERS)  # the controls panel has a field for every registered parameter
    missing = sorted(
        k
        for k in shown
        if PARAMETERS[k].description_it == PARAMETERS[k].description and k not in SAME_IN_ITALIAN
    )
    assert not missing, f"parameters without an Italian description: {missing}"


def test_help_text_follows_the_language():
    key = "helpseeking.awareness"
    p = PARAMETERS[key]
    i18n.lang.value = "it"
    try:
        text = controls.help_text(key)
        assert text.startswith(p.description_it) and "intervallo" in text
    finally:
        i18n.lang.value = "en"
    assert controls.help_text(key).startswith(p.description)


def test_card_follows_a_picked_resident_within_the_limit(monkeypatch):
    run = _run(weeks=3, **{"run.residents": 3000})
    try:
        outside = int(np.setdiff1d(np.arange(3000), run.journal.idx)[0])
        _box, rc = solara.render(
            journey.CitizenCard(run, 0, outside, lambda _i: None), handle_error=False
        )
        title = rc.find(class_="journey-title").widget.children[0]
        assert title.endswith("Followed from week 3.") and run.journal.follows(outside)
        rc.close()
        monkeypatch.setattr(journey, "MAX_TRACKED", run.journal.idx.size)
        other = int(np.setdiff1d(np.arange(3000), run.journal.idx)[0])
        _box, rc = solara.render(
            journey.CitizenCard(run, 0, other, lambda _i: None), handle_error=False
        )
        assert "Not followed" in rc.find(class_="journey-title").widget.children[0]
        rc.find(class_="journey-timeline").assert_empty()
        rc.close()
    finally:
        run.release()
