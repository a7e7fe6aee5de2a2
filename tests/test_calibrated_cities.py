"""The shipped cities against their targets: every calibrated city meets its in-scope targets.

For each city with a calibrated layer in ``scenarios/calibrated/``, the baseline is run with the
layer on fresh common seeds (never used by the search) and every live ``fit`` and ``holdout``
target of the city must lie within its tolerance (|z| <= 1, the pass rule of the fit report). A
target the model is known not to meet is listed in ``scenarios/calibrated/known-misses.toml``
with its reason (also in docs/ODD.md, "Calibration and validation record"); it is reported as an
expected failure, never dropped, and a known miss that starts to pass is reported too.

Hold-out cities were never fitted: their layer holds the shared values only, so passing here is
the hold-out test of issue 12.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from willsim.calibration.evaluate import CityRuns, RunSettings
from willsim.calibration.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "scenarios" / "calibrated"
SEEDS = (9001, 9002, 9003)  # fresh: the search and `finish` drew theirs from other roots
RESIDENTS = 20_000


def _layers() -> dict[str, dict]:
    out = {}
    for path in sorted(LAYERS.glob("*.toml")):
        if path.name == "known-misses.toml":
            continue
        out[path.stem] = tomllib.loads(path.read_text(encoding="utf-8"))
    return out


def _known_misses() -> dict[tuple[str, str], str]:
    path = LAYERS / "known-misses.toml"
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {(m["city"], m["target"]): m["reason"] for m in data.get("miss", [])}


LAYER_DATA = _layers()
CITIES = sorted(LAYER_DATA)


def test_every_bundled_city_is_calibrated():
    bundled = sorted(p.stem for p in (ROOT / "scenarios" / "cities").glob("*.toml"))
    assert bundled == CITIES, "each bundled city ships a calibrated layer"


def test_known_misses_name_real_targets_and_give_a_reason():
    targets = {t.id for t in load_targets().targets}
    for (city, target), reason in _known_misses().items():
        assert city in CITIES and target in targets, (city, target)
        assert len(reason) > 40, f"{city}/{target}: say why the model cannot meet it"


@pytest.fixture(scope="module")
def scores():
    targets = load_targets()
    settings = RunSettings(residents=RESIDENTS, calibrated=True)
    runs = CityRuns(CITIES, settings, targets)
    from willsim.calibration.evaluate import run_task

    results: dict[str, list[dict[str, float]]] = {}
    for task in runs.tasks([], {}, SEEDS):
        results.setdefault(task.city, []).append(run_task(task))
    return {(s.city, s.target): s for s in runs.score(results, roles=("fit", "holdout"))}


def _cases():
    targets = load_targets()
    misses = _known_misses()
    cases = []
    for city in CITIES:
        for t in targets.for_city(city, ("fit", "holdout")):
            if not t.live:
                continue
            marks = []
            if (city, t.id) in misses:
                marks.append(pytest.mark.xfail(reason=misses[(city, t.id)], strict=False))
            cases.append(pytest.param(city, t.id, marks=marks, id=f"{city}-{t.id}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("city", "target"), _cases())
def test_city_meets_its_target(scores, city, target):
    s = scores[(city, target)]
    z = (s.mean - s.value) / s.tolerance
    role = LAYER_DATA[city].get("calibrated", {}).get("role", "?")
    assert math.isfinite(z) and abs(z) <= 1.0, (
        f"{city} ({role}) {target}: model {s.mean:.4g} (sd {s.sd:.2g} over {s.n} seeds) vs "
        f"{s.value:.4g} +/- {s.tolerance:.4g}, z = {z:+.2f}"
    )
