"""Sweep specs: validation with clear messages, designs, seeds; SALib indices on toy functions."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from willsim.experiments import SpecError
from willsim.experiments.analysis import morris_indices, sobol_indices
from willsim.experiments.design import build_design, load_spec, parse_spec, unit_sample

BASE = {
    "sweep": {"design": "factorial", "replicates": 2, "seed": 3},
    "fixed": {"city.population": 2000, "run.weeks": 5},
    "vary": {
        "office.assessment_hours": {"values": [2.0, 3.0]},
        "helpseeking.awareness": {"range": [0.5, 0.9], "steps": 3},
    },
}

SAMPLED = {
    "office.assessment_hours": {"range": [1.0, 2.0]},
    "helpseeking.awareness": {"range": [0.5, 0.9]},
}


def spec_with(**changes):
    data = {k: dict(v) for k, v in BASE.items()}
    for dotted, value in changes.items():
        section, _, key = dotted.partition("__")
        data[section] = dict(data.get(section, {}))
        if value is None:
            data[section].pop(key, None)
        else:
            data[section][key] = value
    return data


def test_factorial_design_has_every_combination_and_spawned_seeds():
    spec = parse_spec(BASE)
    design = build_design(spec)
    assert len(design) == 2 * 3 * 2
    assert design["run_key"].is_unique and design["seed"].is_unique
    assert sorted(design["helpseeking.awareness"].unique()) == pytest.approx([0.5, 0.7, 0.9])
    assert build_design(parse_spec(BASE)).equals(design)  # deterministic
    common = build_design(parse_spec(spec_with(sweep__common_seeds=True)))
    assert common.groupby("replicate")["seed"].nunique().eq(1).all()


def test_sampled_designs_respect_ranges_and_types():
    data = spec_with(sweep__design="lhs", sweep__samples=20)
    data["vary"] = {
        "office.social_workers": {"range": [1, 4]},
        "helpseeking.trust_mean": {
            "distribution": "normal",
            "mean": 0.6,
            "sd": 0.1,
            "range": [0.4, 0.8],
        },
        "office.assessment_hours": {"distribution": "triangular", "range": [1, 5], "mode": 2},
    }
    design = build_design(parse_spec(data))
    assert len(design) == 40
    workers = design["office.social_workers"]
    assert workers.between(1, 4).all() and (workers == workers.round()).all()
    assert design["helpseeking.trust_mean"].between(0.4, 0.8).all()
    assert {"u:office.social_workers", "u:office.assessment_hours"} <= set(design.columns)
    sobol = parse_spec({**data, "sweep": {**data["sweep"], "design": "sobol", "samples": 8}})
    assert len(build_design(sobol)) == 8 * (3 + 2) * 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vary": {"office.assesment_hours": {"values": [1.0]}}}, "Did you mean office.assessment"),
        ({"vary": {"office.assessment_hours": {"values": [500.0]}}}, "out of range"),
        ({"vary": {"office.assessment_hours": {"range": [3.0, 2.0], "steps": 2}}}, "below high"),
        ({"vary": {"office.assessment_hours": {"range": [1.0, 2.0]}}}, "needs `steps`"),
        (
            {
                "vary": {
                    "office.assessment_hours": {
                        "range": [1.0, 2.0],
                        "steps": 2,
                        "distribution": "gamma",
                    }
                }
            },
            "unknown distribution",
        ),
        ({"vary": {"city.age_shares": {"range": [0, 1], "steps": 2}}}, "not a single number"),
        ({"vary": {}}, "no parameters to vary"),
        ({"sweep": {"design": "grid"}}, "unknown design 'grid'"),
        ({"sweep": {"design": "sobol", "samples": 10}, "vary": SAMPLED}, "power of 2"),
        ({"sweep": {"design": "lhs"}, "vary": SAMPLED}, "needs sweep.samples"),
        ({"sweep": {"design": "lhs", "samples": 4}}, "`steps` applies only to factorial"),
        ({"sweep": {"outputs": ["waiting"]}}, "unknown output(s) 'waiting'"),
        ({"sweep": {"replicates": 0}}, "replicates must be a whole number"),
        ({"sweep": {"scenario": "nowhere"}}, "unknown scenario 'nowhere'"),
        ({"sweep": {"colour": 1}}, "unknown key(s) 'colour'"),
        ({"fixed": {"office.assessment_hours": 2.0}}, "both fixed and varied"),
    ],
)
def test_bad_specs_get_clear_messages(change, message):
    data = {**BASE, **change}
    with pytest.raises(SpecError) as err:
        parse_spec(data, "spec.toml")
    assert message in str(err.value)


def test_bad_spec_on_the_command_line_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        textwrap.dedent("""
        [sweep]
        design = "factorial"
        [vary."office.assessment_hours"]
        values = [2.0, -1.0]
    """)
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("[sweep\n")
    for path, message in (
        (bad, "out of range"),
        (broken, "invalid TOML"),
        (tmp_path / "missing.toml", "file not found"),
    ):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "willsim.cli",
                "sweep",
                str(path),
                "--out",
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
    assert load_spec("scenarios/sweeps/office_staffing.toml").design == "lhs"


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_analytic_values():
    a, b = 7.0, 0.1
    var = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    s1 = np.array([v1 / var, v2 / var, 0.0])
    st = np.array([(v1 + v13) / var, v2 / var, v13 / var])
    unit = unit_sample("sobol", 3, 1024, seed=1)
    x = -math.pi + 2 * math.pi * unit  # the unit hypercube mapped to [-pi, pi]^3
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    table = sobol_indices(problem, ishigami(x))
    assert table["S1"].to_numpy() == pytest.approx(s1, abs=0.03)
    assert table["ST"].to_numpy() == pytest.approx(st, abs=0.03)


def test_morris_effects_of_a_linear_function_are_its_slopes_over_the_range():
    unit = unit_sample("morris", 3, 20, seed=2, levels=4)
    y = 3.0 * unit[:, 0] - 1.0 * unit[:, 1] + 0.0 * unit[:, 2]
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    table = morris_indices(problem, unit, y)
    assert table["mu"].to_numpy() == pytest.approx([3.0, -1.0, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
