"""Regression: a fixed-seed run gives the recorded results.

Refresh only with tests/update_baseline.py (`make baseline`).
"""

from __future__ import annotations

import json
import math

import pytest
from update_baseline import BASELINE, compute


def test_results_match_the_recorded_baseline():
    recorded = json.loads(BASELINE.read_text())["summary"]
    current = compute()
    assert set(current) == set(recorded), "indicators changed: refresh with update_baseline.py"
    for key, value in recorded.items():
        if value is None:
            assert current[key] is None or math.isnan(current[key]), key
        else:
            assert current[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
