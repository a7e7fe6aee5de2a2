"""Compare page panels and exports, and the Results page's sweep loader (no browser)."""

from __future__ import annotations

import io
import os
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import solara
from sweep_specs import TINY_MORRIS

from willsim.app import compare, export, i18n
from willsim.app import results_page as rp
from willsim.experiments.design import parse_spec
from willsim.experiments.sweep import run_sweep
from willsim.reporting import charts, tables

PNG = b"\x89PNG\r\n\x1a\n"


def css_classes(root: Any) -> Counter:
    """How often each CSS class occurs in a rendered widget tree."""
    from ipywidgets import Widget

    out: Counter = Counter()
    stack, seen = [root], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(getattr(w, "class_", None), str):
            out.update(w.class_.split())
        for name in getattr(w, "keys", []):
            value = getattr(w, name, None)
            items = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(x for x in items if isinstance(x, Widget))
    return out


@pytest.fixture(scope="module")
def result() -> compare.Result:
    s = compare.Settings(
        variants=(compare.Variant("baseline"), compare.Variant("budget-cut")),
        replicates=2,
        weeks=54,
        residents=2000,
    )
    return compare.run_comparison(s)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A tiny real Morris sweep: 2,000 residents x 10 weeks, 6 runs."""
    root = tmp_path_factory.mktemp("results")
    spec = root / "tiny.toml"
    spec.write_text(TINY_MORRIS)
    report_ = run_sweep(spec, root / "sweeps" / "tiny", engine="serial", progress=False)
    assert report_.done == 6
    return root / "sweeps" / "tiny"


def test_comparison_collects_groups_and_policy_logs(result):
    runs = result.paired
    assert runs.scenarios == result.names and runs.seeds == result.seeds
    assert set(runs.summaries.columns) == {"scenario", "replicate", "seed", "indicator", "value"}
    assert len(runs.summaries) == 2 * 2 * runs.summaries["indicator"].nunique()
    assert {"age_band", "income"} <= set(runs.groups["group_var"])
    log = result.policy_log
    cut = log[log["scenario"] == result.names[1]]
    assert list(cut["week"]) == [52, 52] and list(cut["action"]) == ["start", "start"]
    assert log[log["scenario"] == result.names[0]].empty
    timeline = tables.policy_timeline(log, runs.scenarios)
    assert timeline.loc[0, "week"] == 52 and timeline.loc[0, "runs"] == 2


def test_panel_tables_and_figures(result):
    t = compare.results_tables(result, "en", "coverage")
    assert t.key_figures.iloc[0, 0] == "Coverage"
    assert {"gains", "loses", "no clear change"} >= set(t.equity_raw["verdict"])
    assert "public_spending_eur" in set(t.costs_raw["indicator"])
    assert "out_of_pocket_eur" in set(t.costs_raw["indicator"])
    assert len(t.timeline) == 1 and t.economics_error == ""
    for fig in (
        charts.equity_figure(t.equity_raw, "unmet_need_share", "it"),
        charts.costs_figure(t.costs_raw, "it"),
        charts.timeline_figure(t.timeline_raw, result.names, 54, "it"),
    ):
        assert export.figure_bytes(fig, "png")[:8] == PNG


def test_export_bytes_have_the_right_formats(result):
    frame = pd.DataFrame(
        {"week": [0, 1], "value": [0.5, 1.25], "name": ["a", None], "values": [{"x": 1}, {"y": 2}]}
    )
    back = pd.read_parquet(io.BytesIO(export.parquet_bytes(frame)))
    assert list(back["value"]) == [0.5, 1.25] and back.loc[0, "values"] == "{'x': 1}"
    fig = charts.band_figure(result.series["coverage"], "coverage", "en")
    assert export.figure_bytes(fig, "png")[:8] == PNG
    svg = export.figure_bytes(fig, "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:500] and b"</svg>" in svg[-20:]
    with pytest.raises(ValueError, match="valid formats: png, svg"):
        export.figure_bytes(fig, "gif")
    weekly = pd.read_parquet(io.BytesIO(compare.long_parquet(result)))
    assert len(weekly) == len(pd.read_csv(io.BytesIO(compare.long_csv(result))))
    assert set(weekly["strategy"]) == set(result.names)


def test_scenario_files_and_command_reproduce_the_comparison(result, tmp_path, monkeypatch):
    from willsim.cli import main

    stems = export.strategy_stems(result.scenarios)
    for stem, sc in zip(stems, result.scenarios, strict=True):
        (tmp_path / f"{stem}.toml").write_text(export.scenario_file(sc), encoding="utf-8")
    command = export.comparison_command(result.scenarios, len(result.seeds), stems)
    assert command.startswith(
        "willsim compare 1-willsim-baseline-bergamo.toml "
        "2-willsim-budget-cut-bergamo.toml --replicates 2 --seed "
    )
    monkeypatch.chdir(tmp_path)
    assert main([*command.split()[1:], "--workers", "1", "--out", "tables"]) == 0
    cli = pd.read_parquet(tmp_path / "tables" / "summaries.parquet")
    app = result.paired.summaries
    for i, name in enumerate(result.names):
        a = app[app.scenario == name].set_index(["seed", "indicator"])["value"].sort_index()
        b = (
            cli[cli.scenario == cli.scenario.unique()[i]]
            .set_index(["seed", "indicator"])["value"]
            .sort_index()
        )
        pd.testing.assert_series_equal(a, b, check_names=False)


def test_compare_results_render_in_both_languages(result):
    compare.result.value = result
    try:
        box, rc = solara.render(compare.ComparePage(), handle_error=False)
        found = css_classes(box)
        for panel in ("compare-equity", "compare-costs", "compare-timeline", "compare-command"):
            assert found[panel] == 1, panel
        assert found["chart-view"] == 4  # bands, equity, costs, timeline
        ref = result.names[0]
        rc.find(children=[i18n.tr("cmp_equity_help", ref=ref)]).assert_single()
        i18n.lang.value = "it"
        rc.find(children=[i18n.tr("cmp_equity_help", ref=ref)]).assert_single()
        assert i18n.tr("cmp_equity_help", ref=ref).startswith("Per gruppo di cittadini")
        rc.find(children=[i18n.tr("cmp_timeline_help")]).assert_single()
        rc.close()
    finally:
        i18n.lang.value = "en"
        compare.result.value = None


def test_results_folder_is_validated(sweep, tmp_path):
    root = sweep.parent.parent
    assert rp.resolve_folder("sweeps/tiny", root) == sweep.resolve()
    assert rp.resolve_folder(str(sweep), root) == sweep.resolve()
    cases = {
        "": "res_empty",
        "/etc": "res_outside",
        "../..": "res_outside",
        "sweeps/nope": "res_missing",
        "sweeps": "res_not_sweep",
    }
    for text, key in cases.items():
        with pytest.raises(rp.FolderError) as info:
            rp.resolve_folder(text, root)
        assert info.value.key == key, text
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(rp.FolderError, match="outside the folder"):
        rp.resolve_folder("link", root)
    assert rp.find_sweeps(root) == ["sweeps/tiny"]


def test_results_root_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(rp.ROOT_ENV, str(tmp_path))
    assert rp.results_root() == tmp_path.resolve()
    monkeypatch.delenv(rp.ROOT_ENV)
    assert rp.results_root() == Path(os.getcwd()).resolve()


def test_results_loader_bands_sensitivity_and_spec(sweep):
    view = rp.load_sweep(sweep)
    assert view.runs_done == 6 and view.failed == 0 and view.name == "tiny"
    assert set(view.stats["indicator"]) == {"mean_wait_weeks", "coverage"}
    assert (view.stats["p05"] <= view.stats["median"]).all()
    b = view.bands
    assert set(b["week"]) == set(range(10)) and (b["p05"] <= b["p95"]).all()
    assert view.method == "morris" and set(view.sensitivity["output"]) <= {
        "mean_wait_weeks",
        "coverage",
    }
    spec = parse_spec(tomllib.loads(rp.spec_toml(view.spec)))
    assert spec.hash == view.manifest["spec_hash"]
    assert rp.commands(view, sweep.parent.parent).splitlines() == [
        "willsim sweep tiny.toml --out sweeps/tiny",
        "willsim results sweeps/tiny",
    ]
    assert export.figure_bytes(charts.sweep_bands_figure(b, "it"), "png")[:8] == PNG
    box, rc = solara.render(rp.SweepResults(view), handle_error=False)
    found = css_classes(box)
    assert found["sweep-sensitivity"] == 1 and found["sweep-command"] == 1
    assert found["chart-view"] == 2  # bands, what matters most
    rc.find(children=[i18n.tr("res_morris")]).assert_single()
    rc.close()


@pytest.mark.parametrize(
    "text",
    [
        "scenarios/sweeps/office_staffing.toml",  # lhs: triangular and truncated-normal factors
        """[sweep]
name = "grid"
description = "a \\"quoted\\" grid"
replicates = 2
[vary."office.assessment_hours"]
values = [1.5, 2.5]
[vary."helpseeking.awareness"]
range = [0.5, 0.9]
steps = 3
""",
    ],
)
def test_spec_file_rebuilt_from_a_manifest_has_the_same_hash(text):
    from willsim.experiments.design import load_spec

    root = Path(__file__).resolve().parents[2]
    spec = load_spec(root / text) if text.endswith(".toml") else parse_spec(tomllib.loads(text))
    again = parse_spec(tomllib.loads(rp.spec_toml(spec.to_dict())))
    assert again.hash == spec.hash and again.to_dict() == spec.to_dict()


def test_a_cancelled_comparison_still_gives_complete_tables():
    calls = iter([True] * 9 + [False] * 1000)  # stops in the third replicate
    s = compare.Settings(
        variants=(compare.Variant("baseline"), compare.Variant("budget-cut")),
        replicates=3,
        weeks=26,
        residents=1000,
    )
    res = compare.run_comparison(s, keep_going=lambda: next(calls))
    assert not res.complete and res.equity.empty and len(res.paired.seeds) == 2
    t = compare.results_tables(res, "it", "coverage")
    assert "verdict" in t.equity_raw.columns and t.equity_lines
    assert "<h3>Chi ci guadagna e chi ci perde</h3>" in compare.report_bytes(res, "it").decode()
