"""Names as people read them: scenarios from their ``label`` (per language), cities from their
profiles, and a comparison's strategies; plus relabelling a comparison's runs for display.

Results keep language-neutral names (``1. proactive-platform``) so that files and caches never
depend on the language; what is shown is relabelled here, in the language of the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from willsim.reporting.i18n import pick

if TYPE_CHECKING:
    from willsim.experiments.compare import PairedRuns
    from willsim.scenario import Scenario


@cache
def _bundled_label(name: str) -> tuple[tuple[str, str], ...]:
    from willsim.scenario import SCENARIO_DIR, read_data_file, resolve_file

    try:
        data = read_data_file(resolve_file(name, SCENARIO_DIR, "scenario", []))
    except Exception:  # a missing or broken file shows its name
        return ()
    label = data.get("scenario", {}).get("label", {})
    if isinstance(label, str):
        label = {"en": label}
    return tuple((k, str(v)) for k, v in label.items()) if isinstance(label, Mapping) else ()


def scenario_label(scenario: Scenario | str, language: str) -> str:
    """A scenario's name in ``language``: its ``label`` (``label.it``), else its name."""
    if isinstance(scenario, str):
        label = dict(_bundled_label(scenario))
        name = scenario
    else:
        label = dict(scenario.label) or dict(_bundled_label(scenario.name))
        name = scenario.name
    return pick(label, language) if label else name


@cache
def _city_label(city: str) -> str:
    from willsim.scenario import load_city

    try:
        return load_city(city)[1]
    except Exception:
        return city.replace("-", " ").title()


def city_label(city: str) -> str:
    """A bundled city profile's name as written (``reggio-emilia`` -> ``Reggio Emilia``)."""
    return _city_label(city)


def strategy_label(
    i: int, scenario: Scenario | str, changes: str, language: str, city: str | None = None
) -> str:
    """``2. Proactive, platform · Parma (office.social_workers = 40…)``: the position, the
    scenario's name in the language, the city when given, and the first changed parameter."""
    first = next((line.strip() for line in changes.splitlines() if line.strip()), "")
    more = len([line for line in changes.splitlines() if line.strip()]) > 1
    out = f"{i + 1}. {scenario_label(scenario, language)}"
    if city:
        out += f" · {city_label(city)}"
    if first:
        out += f" ({first}{'…' if more else ''})"
    return out


def relabel_runs(runs: PairedRuns, names: Mapping[str, str]) -> PairedRuns:
    """``runs`` with every strategy renamed by ``names`` (unknown names kept)."""

    def rename(frame: Any) -> Any:
        if "scenario" not in getattr(frame, "columns", ()):
            return frame
        return frame.assign(scenario=frame["scenario"].map(lambda s: names.get(s, s)))

    return replace(
        runs,
        scenarios=[names.get(s, s) for s in runs.scenarios],
        summaries=rename(runs.summaries),
        groups=rename(runs.groups),
    )


def relabel_frame(frame: Any, names: Mapping[str, str], column: str = "scenario") -> Any:
    """A table with its ``column`` of strategy names renamed by ``names``."""
    if frame is None or column not in getattr(frame, "columns", ()):
        return frame
    return frame.assign(**{column: frame[column].map(lambda s: names.get(s, s))})


def relabel_keys(series: Mapping[str, Mapping[str, Any]], names: Sequence[str] | Mapping) -> dict:
    """``{indicator: {name: frame}}`` with the names renamed."""
    mapping = dict(names) if isinstance(names, Mapping) else {}
    return {k: {mapping.get(n, n): f for n, f in per.items()} for k, per in series.items()}
