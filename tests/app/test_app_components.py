"""The app's logic and components, rendered headless with solara (no browser)."""

from __future__ import annotations

import ipyvuetify as vw
import pytest
import solara

from willsim.app import assets, compare, controls, export, i18n, state
from willsim.params import PARAMETERS, ParameterError
from willsim.scenario import ScenarioError, load_scenario

SMALL = {"run.residents": 500, "run.weeks": 8}


def test_number_formats_in_both_languages():
    assert i18n.number(1234567.891, 2, "en") == "1,234,567.89"
    assert i18n.number(1234567.891, 2, "it") == "1.234.567,89"
    assert i18n.fmt_value(0.6536, "share", "it") == "65,4%"
    assert i18n.fmt_value(12345.0, "EUR", "it") == "12.345\xa0€"
    assert i18n.fmt_value(12345.0, "EUR", "en") == "€12,345"
    assert i18n.fmt_value(float("nan"), "EUR", "en") == "–"
    i18n.lang.value = "it"
    try:  # the session's language when none is given
        assert i18n.number(1234.5, 1) == "1.234,5" and i18n.tr("changed", n=1) == "1 modificato"
    finally:
        i18n.lang.value = "en"


def test_initial_language_from_query_then_browser():
    assert i18n.initial_language("?lang=it", {}) == "it"
    assert i18n.initial_language("lang=en", {"accept-language": ["it-IT,it;q=0.9"]}) == "en"
    assert i18n.initial_language("", {"accept-language": ["it-IT,it;q=0.9,en;q=0.8"]}) == "it"
    assert i18n.initial_language("?lang=de", {"accept-language": ["de-DE"]}) == "en"


def test_every_parameter_has_a_control_that_round_trips():
    for key, p in PARAMETERS.items():
        if isinstance(p.default, bool) or p.choices:
            continue
        assert controls.parse(key, controls.to_text(p.default)) == p.default, key
        assert controls.help_text(key).startswith(p.description)


def test_control_parse_rejects_out_of_range_with_the_registry_message():
    with pytest.raises(ParameterError, match="out of range"):
        controls.parse("helpseeking.awareness", "1.5")
    with pytest.raises(ParameterError, match="list of 6"):
        controls.parse("city.age_shares", "0.5, 0.5")
    assert controls.parse("helpseeking.awareness", "0,5") == 0.5


def test_population_is_capped_with_a_message():
    built = state.resolve(state.Choice(overrides={"run.weeks": 4}), max_residents=1000)
    assert built.scenario.params["run.residents"] == 1000
    assert built.capped_message["cap"] == 1000
    assert built.capped_message["population"] > 1000
    small = state.resolve(state.Choice(overrides={"run.residents": 800}), max_residents=1000)
    assert small.capped_message is None


def test_city_choice_changes_the_city():
    built = state.resolve(state.Choice(city="parma", overrides=SMALL))
    assert built.scenario.city == "parma"
    with pytest.raises(ScenarioError, match="valid cities"):
        state.resolve(state.Choice(city="atlantis"))


def test_upload_validation():
    good = b'[scenario]\nname = "mine"\ncity = "parma"\n[params]\n"office.social_workers" = 9\n'
    assert "mine" in state.validate_upload("mine.toml", good)
    with pytest.raises(ScenarioError, match=r"only \.toml or \.yaml"):
        state.validate_upload("evil.py", b"print(1)")
    with pytest.raises(ScenarioError, match="limit"):
        state.validate_upload("big.toml", b"#" * (state.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ScenarioError, match="invalid TOML"):
        state.validate_upload("bad.toml", b"[scenario\n")
    with pytest.raises(ScenarioError, match="out of range"):
        state.validate_upload("bad.toml", b'[params]\n"helpseeking.awareness" = 7\n')
    with pytest.raises(ScenarioError, match="bundled city"):
        state.validate_upload("bad.toml", b'[scenario]\ncity = "/etc/passwd.toml"\n')
    text = state.validate_upload("mine.toml", good)
    built = state.resolve(state.Choice(uploaded=text, uploaded_name="mine.toml", overrides=SMALL))
    assert built.scenario.params["office.social_workers"] == 9


def test_exported_scenario_file_reproduces_the_scenario(tmp_path):
    built = state.resolve(state.Choice(city="padova", overrides={**SMALL, "run.seed": 7}))
    path = tmp_path / f"{export.file_stem(built.scenario)}.toml"
    path.write_text(export.scenario_file(built.scenario), encoding="utf-8")
    again = load_scenario(path)
    assert again.hash == built.scenario.hash
    assert again.params["run.seed"] == 7
    assert export.command_line(built.scenario).startswith(f"willsim run {path.name}")


def test_comparison_uses_the_same_seeds_and_pairs_differences():
    s = compare.Settings(
        variants=(
            compare.Variant("baseline"),
            compare.Variant("baseline", "helpseeking.awareness = 0.95"),
        ),
        replicates=3,
        weeks=6,
        residents=400,
    )
    ticks = []
    res = compare.run_comparison(s, progress=lambda d, t: ticks.append((d, t)))
    assert ticks[-1] == (6, 6)
    assert list(res.summaries.groupby("strategy").seed.apply(list).iloc[0]) == res.seeds
    table = res.series["unmet_need_share"]
    assert set(table) == set(res.names) and table[res.names[0]].shape == (6, 3)
    diffs = compare.paired_differences(res.summaries, res.names, "coverage")
    assert diffs[0]["n"] == 3 and diffs[0]["lo"] <= diffs[0]["mean"] <= diffs[0]["hi"]
    csv = compare.long_csv(res).decode()
    assert csv.splitlines()[0] == "strategy,indicator,week,seed,value"


def test_comparison_can_be_cancelled_and_bad_changes_are_named():
    s = compare.Settings(replicates=2, weeks=30, residents=300)
    res = compare.run_comparison(s, keep_going=lambda: False)
    assert not res.complete
    bad = compare.Settings(
        variants=(compare.Variant("baseline"), compare.Variant("baseline", "office.nonsense = 1"))
    )
    with pytest.raises(ScenarioError, match="unknown parameter"):
        compare.build_scenarios(bad)


def test_asset_list_covers_what_solara_requests():
    requested = assets.requested_specs()
    unused = {"@widgetti/solara-vuetify3-app@5.2.0", "vega@5", "vega-lite@5", "vega-embed@6"}
    assert requested - unused <= set(assets.SPECS), "update willsim.app.assets.SPECS"


def test_explore_page_renders_and_steps():
    from willsim.app import explore

    state.choice.value = state.Choice(overrides=SMALL)
    _box, rc = solara.render(explore.ExplorePage(), handle_error=False)
    rc.find(children=["Press Run or Step to start."]).assert_single()
    rc.find(vw.Btn, children=["Step"]).widget.click()
    rc.find(class_="week-status", children=["Week 1 of 8"]).assert_single()
    i18n.lang.value = "it"
    rc.find(class_="week-status", children=["Settimana 1 di 8"]).assert_single()
    rc.find(vw.Btn, children=["Reimposta"]).widget.click()
    rc.find(class_="week-status", children=["Settimana 0 di 8"]).assert_single()
    i18n.lang.value = "en"
    state.replace_explore_model(None)
    rc.close()


def test_compare_page_renders():
    _box, rc = solara.render(compare.ComparePage(), handle_error=False)
    rc.find(vw.Btn, children=["Run comparison"]).assert_single()
    rc.close()


def test_app_command_rejects_a_bad_scenario_before_starting(capsys):
    from willsim.cli import main

    assert main(["app", "no-such-scenario"]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_server_env_is_offline(tmp_path):
    env = assets.server_env(tmp_path)
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path.resolve())
