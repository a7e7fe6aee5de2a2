"""Regression: fixed-seed runs of the four corners and a timed policy give the recorded results.

Refresh only with tests/update_baseline.py (`make baseline`).
"""

from __future__ import annotations

import json
import math

import pytest
from update_baseline import BASELINE, RUNS, compute


@pytest.mark.parametrize("name", list(RUNS))
def test_results_match_the_recorded_baseline(name):
    recorded = json.loads(BASELINE.read_text())[name]
    assert recorded["config"] == RUNS[name], "configuration changed: refresh the baseline"
    current = compute(name)
    expected = recorded["summary"]
    assert set(current) == set(expected), "indicators changed: refresh with update_baseline.py"
    for key, value in expected.items():
        if value is None:
            assert current[key] is None or math.isnan(current[key]), key
        else:
            assert current[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
