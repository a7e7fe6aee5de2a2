"""Calibrated layers: a city's calibrated values as a scenario layer with its provenance.

A layer is ``calibrated/CITY.toml`` in a study folder; ``willsim calibrate apply`` copies it to
``scenarios/calibrated/CITY.toml``, where :func:`willsim.scenario.load_scenario` applies it right
after the city profile (provenance ``calibrated:STUDY``)::

    [calibrated]
    city = "bergamo"
    study = "lombardy-2027"
    role = "fit"                 # or "holdout": shared values only, never fitted to this city
    date = "2027-01-05T10:00:00+00:00"
    commit = "abc1234"
    targets_hash = "..."         # and priors_hash, model_hash, loss, trials, seeds, method...

    [params]
    "helpseeking.awareness" = 0.83
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from willsim import scenario
from willsim.fileio import toml_dumps, write_text
from willsim.scenario import ScenarioError, read_data_file


def layer_text(meta: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The TOML of a calibrated layer (``meta`` must name its ``city`` and ``study``)."""
    header = (
        "# Calibrated values written by `willsim calibrate finish`; see docs/calibration.md.\n"
        "# Applied by load_scenario right after the city profile (provenance calibrated:STUDY).\n"
    )
    return header + toml_dumps({"calibrated": dict(meta), "params": dict(params)})


def write_layer(path: str | Path, meta: Mapping[str, Any], params: Mapping[str, Any]) -> Path:
    path = Path(path)
    write_text(path, layer_text(meta, params))
    return path


def apply_layers(folder: str | Path, cities: list[str] | None = None) -> list[tuple[Path, bool]]:
    """Copy a study's layers into ``scenarios/calibrated/``, with the ensemble each layer names
    (its ``ensemble`` file in the study folder, for ``compare --uncertainty parameters``);
    return (path, replaced) pairs."""
    source = Path(folder) / "calibrated"
    layers = sorted(source.glob("*.toml"))
    if not layers:
        raise ScenarioError(
            f"no calibrated layers in {source}: run `willsim calibrate finish` first"
        )
    if cities:
        unknown = sorted(set(cities) - {p.stem for p in layers})
        if unknown:
            valid = ", ".join(p.stem for p in layers)
            raise ScenarioError(f"no layer for {', '.join(unknown)} in {source}; layers: {valid}")
        layers = [p for p in layers if p.stem in cities]
    out = []
    for path in layers:
        meta = read_data_file(path).get("calibrated", {})
        if meta.get("city") != path.stem:
            raise ScenarioError(f"{path}: [calibrated] city is {meta.get('city')!r}")
        target = scenario.CALIBRATED_DIR / path.name
        replaced = target.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".toml.tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        out.append((target, replaced))
    ensembles = {str(read_data_file(p).get("calibrated", {}).get("ensemble", "")) for p in layers}
    for name in sorted(n for n in ensembles if n):
        path = Path(folder) / Path(name).name
        if not path.is_file():
            continue
        target = scenario.CALIBRATED_DIR / path.name
        replaced = target.exists()
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        out.append((target, replaced))
    return out
